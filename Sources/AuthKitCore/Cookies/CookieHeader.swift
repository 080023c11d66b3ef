/// Reads a request's `Cookie` header the way Next.js (`@edge-runtime/cookies`) does.
public enum CookieHeader {
    /// All cookies in order. Pairs are split on `;` with optional spaces; a value is
    /// percent-decoded and a pair whose value does not decode is skipped.
    public static func parse(_ header: String) -> [(name: String, value: String)] {
        var cookies: [(name: String, value: String)] = []
        for part in header.split(separator: ";", omittingEmptySubsequences: true) {
            let pair = part.drop { $0 == " " }
            guard !pair.isEmpty else { continue }
            let name: Substring
            let rawValue: Substring
            if let equals = pair.firstIndex(of: "=") {
                name = pair[..<equals]
                rawValue = pair[pair.index(after: equals)...]
            } else {
                name = pair
                rawValue = "true"
            }
            guard let value = PercentEncoding.decode(rawValue) else { continue }
            cookies.append((String(name), value))
        }
        return cookies
    }

    /// The value of the cookie `name`; when the name appears more than once the last wins,
    /// as in Next's Map-backed parser.
    public static func value(named name: String, in header: String) -> String? {
        parse(header).last { $0.name == name }?.value
    }
}
