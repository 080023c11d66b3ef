/// An entry of `WORKOS_UNAUTHENTICATED_PATHS` or `WORKOS_SIGN_UP_PATHS`, matched exactly as
/// authkit-nextjs's `getMiddlewareAuthPathRegex` matches it (spec §2.4):
///
/// 1. `new URL(glob, "https://example.com")`, keeping `pathname + hash` — so `?` starts a
///    query and drops the rest, `{}` are percent-encoded, a relative glob becomes absolute;
/// 2. path-to-regexp 6.3.0 `parse` + `tokensToRegexp` with default options;
/// 3. the regex *source* only (case-sensitive, the `i` flag is lost), tested against the
///    percent-encoded request path.
public struct PathPattern: Sendable, CustomStringConvertible {
    public let glob: String
    /// The regular expression source, identical to the one authkit builds.
    public let regexSource: String
    // Regex<AnyRegexOutput> is not Sendable; it is immutable after compilation and matching
    // does not mutate it.
    nonisolated(unsafe) private let regex: Regex<AnyRegexOutput>

    public struct InvalidPattern: Error, Sendable, Equatable, CustomStringConvertible {
        public let glob: String
        public let reason: String
        public var description: String { "Error parsing routes for middleware auth. Reason: \(reason)" }
    }

    public init(_ glob: String) throws(InvalidPattern) {
        self.glob = glob
        let path = URLPathParser.pathAndHash(of: glob)
        do {
            regexSource = try PathToRegexp.regexSource(PathToRegexp.parse(path))
        } catch {
            throw InvalidPattern(glob: glob, reason: error.message)
        }
        do {
            regex = try Regex(regexSource)
        } catch {
            throw InvalidPattern(glob: glob, reason: "unsupported regular expression \(regexSource)")
        }
    }

    /// Whether the (percent-encoded) request path matches.
    public func matches(_ path: String) -> Bool {
        (try? regex.firstMatch(in: path)) != nil
    }

    public var description: String { glob }
}

/// The part of WHATWG URL parsing that `new URL(input, "https://example.com")` needs for a
/// path pattern: where the path starts and ends, dot segments, and percent-encoding.
enum URLPathParser {
    static func pathAndHash(of input: String) -> String {
        // WHATWG: strip leading/trailing C0 controls and spaces, remove tabs and newlines.
        var text = Substring(input)
        while let first = text.unicodeScalars.first, first.value <= 0x20 { text = text.dropFirst() }
        while let last = text.unicodeScalars.last, last.value <= 0x20 { text = text.dropLast() }
        let cleaned = String(text.unicodeScalars.filter { $0 != "\t" && $0 != "\n" && $0 != "\r" }.map(Character.init))

        var rest = Substring(cleaned)
        if let schemeEnd = schemeEnd(rest) {
            let scheme = rest[..<schemeEnd].lowercased()
            rest = rest[rest.index(after: schemeEnd)...]
            if ["http", "https", "ws", "wss", "ftp", "file"].contains(scheme) {
                rest = skipAuthority(rest)
            }
        } else if rest.hasPrefix("//") || rest.hasPrefix("\\\\") || rest.hasPrefix("/\\") || rest.hasPrefix("\\/") {
            rest = skipAuthority(rest)
        }
        // Split off the fragment, then the query.
        var fragment: Substring?
        if let hash = rest.firstIndex(of: "#") {
            fragment = rest[rest.index(after: hash)...]
            rest = rest[..<hash]
        }
        if let question = rest.firstIndex(of: "?") { rest = rest[..<question] }

        let path = normalisedPath(rest)
        var hash = ""
        if let fragment, !fragment.isEmpty { hash = "#" + percentEncode(fragment, extra: []) }
        return path + hash
    }

    private static func schemeEnd(_ text: Substring) -> Substring.Index? {
        guard let first = text.first, first.isASCII, first.isLetter else { return nil }
        for index in text.indices {
            let c = text[index]
            if c == ":" { return index }
            guard c.isASCII, c.isLetter || c.isNumber || c == "+" || c == "-" || c == "." else { return nil }
        }
        return nil
    }

    /// Drops `//host[:port]` and returns what follows (the path, query and fragment).
    private static func skipAuthority(_ text: Substring) -> Substring {
        let afterSlashes = text.drop { $0 == "/" || $0 == "\\" }
        guard let end = afterSlashes.firstIndex(where: { "/\\?#".contains($0) }) else { return "" }
        return afterSlashes[end...]
    }

    private static func normalisedPath(_ raw: Substring) -> String {
        var segments: [String] = []
        // Relative input resolves against the base path "/", so every path is absolute.
        var body = raw
        if body.first == "/" || body.first == "\\" { body = body.dropFirst() }
        let parts = body.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }
        for (index, part) in parts.enumerated() {
            let isLast = index == parts.count - 1
            let lowered = part.lowercased()
            if lowered == "." || lowered == "%2e" {
                if isLast { segments.append("") }
                continue
            }
            if ["..", ".%2e", "%2e.", "%2e%2e"].contains(lowered) {
                if !segments.isEmpty { segments.removeLast() }
                if isLast { segments.append("") }
                continue
            }
            segments.append(percentEncode(part, extra: ["?", "{", "}", "#"]))
        }
        return "/" + segments.joined(separator: "/")
    }

    /// Percent-encodes C0 controls, space, `"`, `<`, `>`, `` ` ``, DEL, anything beyond ASCII
    /// (the fragment percent-encode set), and `extra`.
    private static func percentEncode(_ text: Substring, extra: Set<Character>) -> String {
        var out = ""
        for character in text {
            if let ascii = character.asciiValue, ascii > 0x20, ascii < 0x7F,
               !"\"<>`".contains(character), !extra.contains(character) {
                out.append(character)
            } else {
                for byte in String(character).utf8 {
                    out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
                }
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
