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
///
/// Read on the UTF-8 bytes (a glob is configuration and a `return_to` comes from a request):
/// as Characters, `/\u{301}` or `?\u{301}` is one Character and the delimiter would be missed.
enum URLPathParser {
    static func pathAndHash(of input: String) -> String {
        // WHATWG: strip leading/trailing C0 controls and spaces, remove tabs and newlines.
        let all = input.utf8Array
        var start = 0, end = all.count
        while start < end, all[start] <= 0x20 { start += 1 }
        while end > start, all[end - 1] <= 0x20 { end -= 1 }
        let cleaned = all[start..<end].filter { $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }

        var rest = cleaned[...]
        if let schemeEnd = schemeEnd(rest) {
            let scheme = String(decoding: rest[..<schemeEnd].map(ASCIIBytes.lowercased), as: UTF8.self)
            rest = rest[(schemeEnd + 1)...]
            if ["http", "https", "ws", "wss", "ftp", "file"].contains(scheme) {
                rest = skipAuthority(rest)
            }
        } else if rest.count >= 2, isSlash(rest[rest.startIndex]), isSlash(rest[rest.startIndex + 1]) {
            rest = skipAuthority(rest)
        }
        // Split off the fragment, then the query.
        var fragment: ArraySlice<UInt8>?
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) {
            fragment = rest[(hash + 1)...]
            rest = rest[..<hash]
        }
        if let question = rest.firstIndex(of: UInt8(ascii: "?")) { rest = rest[..<question] }

        let path = normalisedPath(rest)
        var hash = ""
        if let fragment, !fragment.isEmpty { hash = "#" + percentEncode(fragment, extra: []) }
        return path + hash
    }

    private static func isSlash(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\") }

    /// An ASCII letter, then ASCII letters, digits, `+`, `-`, `.` up to the `:`.
    private static func schemeEnd(_ text: ArraySlice<UInt8>) -> Int? {
        guard let first = text.first, ASCIIBytes.isLetter(first) else { return nil }
        for index in text.indices {
            let c = text[index]
            if c == UInt8(ascii: ":") { return index }
            guard ASCIIBytes.isLetter(c) || ASCIIBytes.isDigit(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") else {
                return nil
            }
        }
        return nil
    }

    /// Drops `//host[:port]` and returns what follows (the path, query and fragment).
    private static func skipAuthority(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let afterSlashes = text.drop(while: isSlash)
        guard let end = afterSlashes.firstIndex(where: { isSlash($0) || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) else { return [] }
        return afterSlashes[end...]
    }

    private static let singleDots: [[UInt8]] = [".", "%2e"].map { Array($0.utf8) }
    private static let doubleDots: [[UInt8]] = ["..", ".%2e", "%2e.", "%2e%2e"].map { Array($0.utf8) }
    private static let pathExtra = Array("?{}#".utf8)

    private static func normalisedPath(_ raw: ArraySlice<UInt8>) -> String {
        var segments: [String] = []
        // Relative input resolves against the base path "/", so every path is absolute.
        var body = raw
        if let first = body.first, isSlash(first) { body = body.dropFirst() }
        let parts = body.split(omittingEmptySubsequences: false, whereSeparator: isSlash)
        for (index, part) in parts.enumerated() {
            let isLast = index == parts.count - 1
            let lowered = part.map(ASCIIBytes.lowercased)
            if singleDots.contains(lowered) {
                if isLast { segments.append("") }
                continue
            }
            if doubleDots.contains(lowered) {
                if !segments.isEmpty { segments.removeLast() }
                if isLast { segments.append("") }
                continue
            }
            segments.append(percentEncode(part, extra: pathExtra))
        }
        return "/" + segments.joined(separator: "/")
    }

    /// Percent-encodes C0 controls, space, `"`, `<`, `>`, `` ` ``, DEL, every byte beyond ASCII
    /// (the fragment percent-encode set), and `extra`.
    private static func percentEncode(_ text: ArraySlice<UInt8>, extra: [UInt8]) -> String {
        percentEncode(text) { $0 > 0x20 && $0 < 0x7F && !"\"<>`".utf8.contains($0) && !extra.contains($0) }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// `bytes` with every byte `keep` refuses written as `%XX` (upper-case hex).
    static func percentEncode<Bytes: Collection<UInt8>>(_ bytes: Bytes, keep: (UInt8) -> Bool) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            if keep(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
