/// `check-config --server-config FILE…`: finds the `AUTHKIT_*` settings in nginx and Apache
/// configuration files (`fastcgi_param`, `SetEnv`, `SetEnvIf`/`SetEnvIfNoCase`) and checks
/// them as the check will (``LocationSettings/parse(_:)``), so that a misspelt name or a bad
/// value is reported before a reload rather than answered 500 after it.
///
/// Values that are server variables (`$role`, `%{…}`) are checked by name only. Read on bytes.
public enum ServerConfigScan {
    /// One problem, with where it is.
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public let file: String
        public let line: Int
        public let problem: LocationSettings.Problem
        public var description: String { "\(file):\(line): \(problem)" }
    }

    /// One `AUTHKIT_*` setting found.
    public struct Setting: Sendable, Equatable {
        public let name: String
        /// nil when the value is a server variable.
        public let value: String?
        public let line: Int
    }

    /// The settings a file's text sets.
    public static func settings(in text: String) -> [Setting] {
        var found: [Setting] = []
        for (offset, rawLine) in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let words = self.words(rawLine)
            guard let directive = words.first.map({ $0.lowercasedASCII() }) else { continue }
            switch directive {
            case "fastcgi_param" where words.count >= 3:
                found.append(setting(words[1], words[2], line: offset + 1))
            case "set" where words.count >= 3:
                // nginx: `set $authkit_site_redirect_uri https://…;` feeds the site parameters.
                if let name = siteVariables.first(where: { words[1].bytesEqual($0.variable) })?.parameter {
                    found.append(setting(name, words[2], line: offset + 1))
                }
            case "fastcgi_param" where words.count == 2:
                found.append(setting(words[1], "", line: offset + 1))
            case "setenv" where words.count >= 2:
                found.append(setting(words[1], words.count >= 3 ? words[2] : "", line: offset + 1))
            case "setenvif", "setenvifnocase", "setenvifexpr":
                // SetEnvIf attribute regex [!]env[=value] …
                for word in words.dropFirst(3) {
                    let bytes = Array(word.utf8.drop { $0 == UInt8(ascii: "!") })
                    if let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
                        found.append(setting(String(decoding: bytes[..<equals], as: UTF8.self), String(decoding: bytes[(equals + 1)...], as: UTF8.self), line: offset + 1))
                    } else {
                        found.append(setting(String(decoding: bytes, as: UTF8.self), "1", line: offset + 1))
                    }
                }
            default:
                continue
            }
        }
        return found.filter { $0.name.utf8.starts(with: "AUTHKIT_".utf8) }
    }

    /// The nginx variables the shipped snippets pass as the site parameters.
    public static let siteVariables: [(variable: String, parameter: String)] = [
        ("$authkit_site_redirect_uri", Site.redirectURIParameter), ("$authkit_site_base_url", Site.baseURLParameter),
    ]

    /// The problems of one file. A site redirect URI is checked against `allowlist` (the
    /// process's `AUTHKIT_ALLOWED_REDIRECT_URIS`); a site base URL by name only (it is checked
    /// with its server block's redirect URI, which a line-by-line reading cannot pair).
    public static func findings(file: String, text: String, allowlist: AllowedRedirectURIs = .none) -> [Finding] {
        settings(in: text).flatMap { setting -> [Finding] in
            // Set by the shipped snippets from the request, not by hand.
            if setting.name == AuthRequest.servedPathParameter || setting.name == AuthKitService.clientHeaderParameter { return [] }
            if setting.name == Site.baseURLParameter { return [] }
            if setting.name == Site.redirectURIParameter {
                guard let value = setting.value, case .failure(let problems) = Site.named(by: [setting.name: value], allowlist: allowlist) else { return [] }
                return problems.all.map { Finding(file: file, line: setting.line, problem: $0) }
            }
            // A server variable as the value: only the name can be checked before a request.
            let value = setting.value ?? (LocationSettings.locationNames.contains(setting.name) ? nil : "x")
            guard let value else { return [] }
            guard case .failure(let problems) = LocationSettings.parse([setting.name: value]) else { return [] }
            return problems.all.map { Finding(file: file, line: setting.line, problem: $0) }
        }
    }

    private static func setting(_ name: String, _ value: String, line: Int) -> Setting {
        let isVariable = value.utf8.first == UInt8(ascii: "$") || value.utf8.starts(with: "%{".utf8)
        return Setting(name: name, value: isVariable ? nil : value, line: line)
    }

    /// A line's words: blanks separate, `"…"` and `'…'` quote, `#` starts a comment, a
    /// trailing `;` (nginx) ends the directive.
    static func words(_ line: Substring.UTF8View.SubSequence) -> [String] {
        var words: [String] = []
        var current: [UInt8] = []
        var quote: UInt8?
        var inWord = false
        for byte in line {
            if let open = quote {
                if byte == open { quote = nil } else { current.append(byte) }
                continue
            }
            switch byte {
            case UInt8(ascii: "#") where !inWord:
                if inWord || !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
                return words
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                quote = byte
                inWord = true
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: ";"):
                if inWord { words.append(String(decoding: current, as: UTF8.self)) }
                current.removeAll(keepingCapacity: true)
                inWord = false
            default:
                current.append(byte)
                inWord = true
            }
        }
        if inWord { words.append(String(decoding: current, as: UTF8.self)) }
        return words
    }
}
