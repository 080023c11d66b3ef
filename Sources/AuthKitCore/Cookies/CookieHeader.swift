#if canImport(Glibc)
import Glibc
#endif

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
            switch lastPair(named: wanted, in: bytes) {
            case .absent: return nil
            case .bare: return "true"
            case .value(let range):
                let text = String(decoding: bytes[range], as: UTF8.self)
                let raw = UnsafeBufferPointer(rebasing: bytes[range])
                return raw.firstOffset(of: UInt8(ascii: "%")) != nil ? PercentEncoding.decode(text) : text
            }
        }
    }

    /// Where the last usable pair named `wanted` is in a `Cookie` header's bytes.
    public enum Pair: Equatable {
        case absent
        /// The name alone, no `=`: its value is `"true"`.
        case bare
        /// The raw value's byte range (still percent-encoded when it has a `%`).
        case value(Range<Int>)
    }

    /// The last pair named `wanted` whose value decodes (one that does not is skipped, as in `parse`).
    public static func lastPair(named wanted: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Pair {
        guard let base = bytes.baseAddress else { return .absent }
        var found = Pair.absent
        var start = 0
        // memchr, not a Swift loop: a session cookie makes this header a kilobyte or more.
        while start <= bytes.count {
            let end = bytes.firstOffset(of: UInt8(ascii: ";"), from: start) ?? bytes.count
            var pairStart = start
            while pairStart < end, base[pairStart] == UInt8(ascii: " ") { pairStart += 1 }
            let nameEnd = pairStart + wanted.count
            if pairStart < end, nameEnd <= end, nameEnd == end || base[nameEnd] == UInt8(ascii: "="),
               wanted.isEmpty || wanted.withUnsafeBufferPointer({ memcmp(base + pairStart, $0.baseAddress!, wanted.count) == 0 }) {
                if nameEnd == end {
                    found = .bare
                } else {
                    let value = UnsafeBufferPointer(start: base + nameEnd + 1, count: end - nameEnd - 1)
                    if value.firstOffset(of: UInt8(ascii: "%")) == nil
                        || PercentEncoding.decode(String(decoding: value, as: UTF8.self)) != nil {
                        found = .value((nameEnd + 1)..<end)
                    }
                }
            }
            start = end + 1
        }
        return found
    }
}
