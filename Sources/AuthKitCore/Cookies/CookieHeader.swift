/// Reads a request's `Cookie` header the way Next.js (`@edge-runtime/cookies`) does.
public enum CookieHeader {
    /// All cookies in order. Pairs are split on `;` with optional spaces; a value is
    /// percent-decoded and a pair whose value does not decode is skipped.
    public static func parse(_ header: String) -> [(name: String, value: String)] {
        var cookies: [(name: String, value: String)] = []
        // Split by bytes: `;`, `=` and spaces are ASCII, and Character-wise splitting is slow.
        let bytes = header.utf8Array
        var start = 0
        while start <= bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
            var pairStart = start
            while pairStart < end, bytes[pairStart] == UInt8(ascii: " ") { pairStart += 1 }
            if pairStart < end {
                let pair = bytes[pairStart..<end]
                let name: ArraySlice<UInt8>
                let rawValue: ArraySlice<UInt8>
                if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                    name = pair[..<equals]
                    rawValue = pair[(equals + 1)...]
                } else {
                    name = pair
                    rawValue = ArraySlice("true".utf8)
                }
                if let value = PercentEncoding.decode(String(decoding: rawValue, as: UTF8.self)) {
                    cookies.append((String(decoding: name, as: UTF8.self), value))
                }
            }
            start = end + 1
        }
        return cookies
    }

    /// The value of the cookie `name`; when the name appears more than once the last wins,
    /// as in Next's Map-backed parser.
    public static func value(named name: String, in header: String) -> String? {
        parse(header).last { $0.name == name }?.value
    }
}
