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
        // The hot path of every check: find the pairs named `name` on the bytes and decode only
        // the last one, instead of decoding every cookie of the site.
        let wanted = Array(name.utf8)
        var header = header
        return header.withUTF8 { bytes -> String? in
            // The last pair named `name`: the range of its value, or nil for a bare name ("true").
            var found: Range<Int>??
            var start = 0
            while start <= bytes.count {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
                var pairStart = start
                while pairStart < end, bytes[pairStart] == UInt8(ascii: " ") { pairStart += 1 }
                let pair = bytes[pairStart..<end]
                let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? end
                if pairStart < end, equals - pairStart == wanted.count, pair[..<equals].elementsEqual(wanted) {
                    if equals == end {
                        found = .some(nil)
                    } else if !bytes[(equals + 1)..<end].contains(UInt8(ascii: "%"))
                                || PercentEncoding.decode(String(decoding: bytes[(equals + 1)..<end], as: UTF8.self)) != nil {
                        // A value that does not decode is skipped, as in `parse`.
                        found = .some((equals + 1)..<end)
                    }
                }
                start = end + 1
            }
            guard let found else { return nil }
            guard let range = found else { return "true" }
            let text = String(decoding: bytes[range], as: UTF8.self)
            return bytes[range].contains(UInt8(ascii: "%")) ? PercentEncoding.decode(text) : text
        }
    }
}
