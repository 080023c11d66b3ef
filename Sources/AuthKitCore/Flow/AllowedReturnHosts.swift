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
        for raw in list.split(separator: ",") {
            let entry = String(raw).trimming(" \t").lowercased()
            if entry.isEmpty { continue }
            let isSuffix = entry.hasPrefix(".")
            let host = isSuffix ? String(entry.dropFirst()) : entry
            guard Self.isHostName(host) else { return nil }
            if isSuffix { suffixes.append("." + host) } else { exact.insert(host) }
        }
        self.init(exact: exact, suffixes: suffixes)
    }

    public func permits(host: String) -> Bool {
        let host = host.lowercased()
        return exact.contains(host) || suffixes.contains { host.hasSuffix($0) && host.count > $0.count }
    }

    /// `input` when it is an absolute http(s) URL to a permitted host, rebuilt from its checked
    /// parts; nil otherwise (the caller then keeps the browser on our origin).
    public func external(_ input: String?) -> String? {
        guard let input, !exact.isEmpty || !suffixes.isEmpty,
              !input.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "\\" || $0.value > 0x7E }) else {
            return nil
        }
        let lower = input.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") { scheme = "https" } else if lower.hasPrefix("http://") { scheme = "http" } else { return nil }
        let rest = input.dropFirst(scheme.count + 3)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd].lowercased()
        var host = Substring(authority)
        if let colon = authority.lastIndex(of: ":") {
            let port = authority[authority.index(after: colon)...]
            guard !port.isEmpty, port.count <= 5, port.allSatisfy(\.isASCIIDigit), let number = Int(port), (1...65_535).contains(number) else {
                return nil
            }
            host = authority[..<colon]
        }
        guard Self.isHostName(String(host)), permits(host: String(host)) else { return nil }
        var tail = String(rest[authorityEnd...])
        if tail.isEmpty || !tail.hasPrefix("/") { tail = "/" + tail }
        return "\(scheme)://\(authority)\(tail)"
    }

    /// Letters, digits, hyphens and dots; no empty labels; at least one letter (no IP tricks).
    static func isHostName(_ host: String) -> Bool {
        guard !host.isEmpty, host.count <= 253, !host.hasPrefix("."), !host.hasSuffix("."), !host.contains("..") else { return false }
        return host.allSatisfy { $0.isASCIIDigit || ("a"..."z").contains($0) || $0 == "-" || $0 == "." }
            && host.contains { ("a"..."z").contains($0) }
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension String {
    func trimming(_ set: String) -> String {
        let scalars = Array(self)
        var start = 0, end = scalars.count
        while start < end, set.contains(scalars[start]) { start += 1 }
        while end > start, set.contains(scalars[end - 1]) { end -= 1 }
        return String(scalars[start..<end])
    }
}
