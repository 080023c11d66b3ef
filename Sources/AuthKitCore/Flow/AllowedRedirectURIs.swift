/// `AUTHKIT_ALLOWED_REDIRECT_URIS`: the redirect URIs a site may name for itself with
/// `AUTHKIT_SITE_REDIRECT_URI` (and `AUTHKIT_SITE_BASE_URL`), so that one process serves several
/// virtual hosts. Without it no site may name one: the process's `WORKOS_REDIRECT_URI` is the
/// only redirect URI.
///
/// An entry is an exact URL, `https://app.example.com/auth/callback`, or a pattern whose first
/// host label is `*`, `https://*.example.com/auth/callback`: the `*` matches exactly one DNS
/// label (`a.example.com`, not `x.y.example.com`, not `example.com`). Nothing else is a
/// wildcard. Scheme and host compare A–Z case-insensitively, the port and the path byte for
/// byte. A URL qualifies only as `http(s)://host[:port]/path` in printable ASCII: no user info,
/// no query or fragment, no IP-literal brackets, no percent-encoded, empty or trailing-dot
/// labels, no backslash (an internationalised name is written in its `xn--` form).
public struct AllowedRedirectURIs: Sendable, Equatable {
    public let patterns: [Pattern]

    public static let none = AllowedRedirectURIs(patterns: [])

    public var isEmpty: Bool { patterns.isEmpty }

    init(patterns: [Pattern]) { self.patterns = patterns }

    /// One entry, parsed.
    public struct Pattern: Sendable, Equatable, CustomStringConvertible {
        let url: HTTPURLParts
        /// The first label is `*`.
        let wildcard: Bool

        public var description: String { url.text }

        func matches(_ candidate: HTTPURLParts) -> Bool {
            guard candidate.scheme.bytesEqual(url.scheme), candidate.port == url.port, candidate.path.bytesEqual(url.path),
                  candidate.labels.count == url.labels.count else { return false }
            for (index, (theirs, ours)) in zip(candidate.labels, url.labels).enumerated() where !(wildcard && index == 0) {
                guard theirs.bytesEqual(ours) else { return false }
            }
            return true
        }
    }

    /// A bad entry: which (1-based), what it says, why it is refused.
    public struct EntryProblem: Error, Sendable, Equatable, CustomStringConvertible {
        public let position: Int
        public let entry: String
        public let reason: String
        public var description: String { "entry \(position) (\(LocationSettings.visible(entry))) \(reason)" }
    }

    /// Every bad entry of a list.
    public struct Problems: Error, Sendable, Equatable {
        public let all: [EntryProblem]
    }

    /// Parses the comma-separated list; every bad entry at once.
    public static func parse(_ list: String) -> Result<AllowedRedirectURIs, Problems> {
        var patterns: [Pattern] = []
        var problems: [EntryProblem] = []
        let entries = list.splitOnByte(UInt8(ascii: ",")).map { String($0.trimmingWhitespace()) }.filter { !$0.isEmpty }
        for (index, entry) in entries.enumerated() {
            switch pattern(entry) {
            case .success(let pattern): patterns.append(pattern)
            case .failure(let why): problems.append(EntryProblem(position: index + 1, entry: entry, reason: why.reason))
            }
        }
        return problems.isEmpty ? .success(AllowedRedirectURIs(patterns: patterns)) : .failure(Problems(all: problems))
    }

    private static func pattern(_ entry: String) -> Result<Pattern, HTTPURLParts.Refusal> {
        switch HTTPURLParts.parse(entry, allowWildcardLabel: true) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let url):
            let wildcard = url.labels.first.map { $0.bytesEqual("*") } ?? false
            if wildcard {
                // `*.com` would let every .com site in; and `*` over IPv4 digits means nothing.
                guard url.labels.count >= 3 else {
                    return .failure(.init(reason: "has too few labels after *: a pattern needs at least two, e.g. https://*.example.com/auth/callback"))
                }
                guard url.labels.last?.utf8.contains(where: ASCIIBytes.isLetter) == true else {
                    return .failure(.init(reason: "puts * before an IP address: only a host name may have a wildcard label"))
                }
            }
            return .success(Pattern(url: url, wildcard: wildcard))
        }
    }

    /// `candidate` rebuilt from its checked parts (scheme and host lower-cased) when an entry
    /// allows it; nil otherwise, also when the list is empty.
    public func permitted(_ candidate: String) -> HTTPURLParts? {
        guard !patterns.isEmpty, case .success(let parts) = HTTPURLParts.parse(candidate, allowWildcardLabel: false),
              patterns.contains(where: { $0.matches(parts) }) else { return nil }
        return parts
    }
}

/// An absolute `http(s)://host[:port]/path` URL read strictly on its bytes, for the redirect
/// URI allowlist: the scheme and host A–Z lower-cased, the rest as written.
public struct HTTPURLParts: Sendable, Equatable {
    /// `http` or `https`.
    public let scheme: String
    /// The host's labels, lower-cased.
    public let labels: [String]
    /// The port's digits as written, nil when absent.
    public let port: String?
    /// From the first `/` on (`/` when the URL has no path).
    public let path: String

    public var host: String { labels.joined(separator: ".") }
    /// `scheme://host[:port]`.
    public var origin: String { "\(scheme)://\(host)" + (port.map { ":" + $0 } ?? "") }
    /// The whole URL, rebuilt.
    public var text: String { origin + path }
    public var isHTTPS: Bool { scheme.bytesEqual("https") }

    struct Refusal: Error {
        let reason: String
    }

    /// `https` or `http` when `text` starts with `https://` or `http://` (A–Z folded), else nil.
    static func scheme(of text: String) -> String? {
        if text.hasASCIICaseInsensitivePrefix("https://") { return "https" }
        if text.hasASCIICaseInsensitivePrefix("http://") { return "http" }
        return nil
    }

    static func parse(_ text: String, allowWildcardLabel: Bool) -> Result<HTTPURLParts, Refusal> {
        let bytes = text.utf8
        // Printable ASCII only: no controls, spaces, non-ASCII (a look-alike host), backslash
        // (browsers read it as `/`).
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) else {
            return .failure(Refusal(reason: "has a space, control, backslash or non-ASCII byte (write an international name in its xn-- form)"))
        }
        guard let scheme = scheme(of: text) else { return .failure(Refusal(reason: "is not an http:// or https:// URL")) }
        let rest = bytes.dropFirst(scheme.utf8.count + 3)
        let authorityEnd = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let tail = rest[authorityEnd...]
        guard !authority.contains(UInt8(ascii: "@")) else { return .failure(Refusal(reason: "has user info (an @ before the host)")) }
        guard !authority.contains(UInt8(ascii: "[")) else { return .failure(Refusal(reason: "has an IP-literal host in brackets, which is not supported")) }
        guard !tail.contains(UInt8(ascii: "?")), !tail.contains(UInt8(ascii: "#")) else {
            return .failure(Refusal(reason: "has a query or fragment"))
        }
        var hostBytes = authority
        var port: String?
        if let colon = authority.firstIndex(of: UInt8(ascii: ":")) {
            let digits = authority[authority.index(after: colon)...]
            guard !digits.isEmpty, digits.count <= 5, digits.first != UInt8(ascii: "0"), digits.allSatisfy(ASCIIBytes.isDigit),
                  let number = Int(Substring(digits)), (1...65_535).contains(number) else {
                return .failure(Refusal(reason: "has a port that is not a number from 1 to 65535 (without leading zeros)"))
            }
            port = String(Substring(digits))
            hostBytes = authority[..<colon]
        }
        let host = Substring(hostBytes).lowercasedASCII()
        guard !host.isEmpty, host.utf8.count <= 253 else { return .failure(Refusal(reason: "has no host, or one longer than 253 bytes")) }
        let labels = host.splitOnByte(UInt8(ascii: "."), omittingEmptySubsequences: false).map(String.init)
        for (index, label) in labels.enumerated() {
            if allowWildcardLabel, index == 0, label.bytesEqual("*") { continue }
            guard !label.isEmpty else { return .failure(Refusal(reason: "has an empty host label (a leading, doubled or trailing dot)")) }
            guard label.utf8.count <= 63, label.utf8.allSatisfy({ ASCIIBytes.isDigit($0) || ASCIIBytes.isLetter($0) || $0 == UInt8(ascii: "-") }) else {
                return .failure(Refusal(reason: allowWildcardLabel
                    ? "has a host label that is not letters, digits and hyphens (a * may only be the whole first label)"
                    : "has a host label that is not letters, digits and hyphens"))
            }
        }
        let path = tail.isEmpty ? "/" : String(Substring(tail))
        if allowWildcardLabel, path.utf8.contains(UInt8(ascii: "*")) {
            return .failure(Refusal(reason: "has a * in its path: only the first host label may be a wildcard"))
        }
        return .success(HTTPURLParts(scheme: scheme, labels: labels, port: port, path: path))
    }
}
