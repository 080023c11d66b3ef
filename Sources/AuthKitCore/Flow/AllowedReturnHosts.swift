/// `AUTHKIT_ALLOWED_RETURN_HOSTS`: the other sites a sign-out may send the browser back to.
/// Without it every `return_to` stays on our own origin (see ``ReturnPath``).
///
/// `docs.example.com` allows exactly that host; `.example.com` allows any host below
/// example.com (not example.com itself — list it too). Only absolute `http(s)://host[:port]`
/// URLs qualify: no user info, no backslash, no controls or spaces, no IP-literal tricks.
public struct AllowedReturnHosts: Sendable, Equatable {
    public let exact: Set<String>
    public let suffixes: [String]

    public static let none = AllowedReturnHosts(exact: [], suffixes: [])

    init(exact: Set<String>, suffixes: [String]) {
        self.exact = exact
        self.suffixes = suffixes
    }

    /// Parses the comma-separated list; nil when an entry is not a host name.
    public init?(list: String) {
        var exact: Set<String> = []
        var suffixes: [String] = []
        // On the bytes, A–Z folded only: KELVIN SIGN must not become a `k` of a host name.
        for raw in list.splitOnByte(UInt8(ascii: ",")) {
            let entry = raw.trimmingWhitespace().lowercasedASCII()
            if entry.isEmpty { continue }
            let isSuffix = entry.utf8.first == UInt8(ascii: ".")
            let host = isSuffix ? String(entry.dropFirst()) : entry
            guard Self.isHostName(host) else { return nil }
            if isSuffix { suffixes.append("." + host) } else { exact.insert(host) }
        }
        self.init(exact: exact, suffixes: suffixes)
    }

    public func permits(host: String) -> Bool {
        // Only ASCII can match (every listed host is ASCII): for ASCII strings the Set's
        // canonical equivalence is byte equality.
        guard host.utf8.allSatisfy({ $0 < 0x80 }) else { return false }
        let host = host.lowercasedASCII()
        return exact.contains(host) || suffixes.contains { host.hasByteSuffix($0) && host.utf8.count > $0.utf8.count }
    }

    /// `input` when it is an absolute http(s) URL to a permitted host, rebuilt from its checked
    /// parts; nil otherwise (the caller then keeps the browser on our origin).
    public func external(_ input: String?) -> String? {
        guard let input, !exact.isEmpty || !suffixes.isEmpty,
              !input.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "\\" || $0.value > 0x7E }) else {
            return nil
        }
        // From here the input is printable ASCII; it is read on its bytes all the same.
        guard let scheme = HTTPURLParts.scheme(of: input) else { return nil }
        let rest = input.utf8.dropFirst(scheme.utf8.count + 3)
        let authorityEnd = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? rest.endIndex
        let authority = Substring(rest[..<authorityEnd]).lowercasedASCII()
        var host = Substring(authority)
        if let colon = authority.utf8.lastIndex(of: UInt8(ascii: ":")) {
            let port = authority.utf8[authority.utf8.index(after: colon)...]
            guard !port.isEmpty, port.count <= 5, port.allSatisfy(ASCIIBytes.isDigit), let number = Int(Substring(port)),
                  (1...65_535).contains(number) else {
                return nil
            }
            host = authority[..<colon]
        }
        guard Self.isHostName(String(host)), permits(host: String(host)) else { return nil }
        var tail = String(Substring(rest[authorityEnd...]))
        if tail.utf8.first != UInt8(ascii: "/") { tail = "/" + tail }
        return "\(scheme)://\(authority)\(tail)"
    }

    /// Letters, digits, hyphens and dots; no empty labels; at least one letter (no IP tricks).
    /// On the bytes: as Characters, `("a"..."z").contains("b\u{301}")` holds.
    static func isHostName(_ host: String) -> Bool {
        let bytes = host.utf8
        guard !bytes.isEmpty, bytes.count <= 253, bytes.first != UInt8(ascii: "."), bytes.last != UInt8(ascii: "."),
              !host.containsBytes("..") else { return false }
        func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
        return bytes.allSatisfy { ASCIIBytes.isDigit($0) || isLower($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
            && bytes.contains(where: isLower)
    }
}
