/// Percent-encoding as JavaScript and the WorkOS SDKs do it.
public enum PercentEncoding {
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// `decodeURIComponent`: nil when a `%` is not followed by two hex digits or the bytes are
    /// not UTF-8 (where JavaScript throws `URIError`).
    public static func decode<S: StringProtocol>(_ text: S) -> String? {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Form decoding (`application/x-www-form-urlencoded`): `+` is a space, then percent-decoding.
    public static func formDecode<S: StringProtocol>(_ text: S) -> String? {
        // Swap bytes, not Characters: "+" followed by a combining mark is one Character.
        decode(String(decoding: text.utf8.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }, as: UTF8.self))
    }

    /// The query encoding of workos-node's `toQueryString` (qs, RFC 1738 format): keeps
    /// `A–Z a–z 0–9 - . _ ~ ( )`, writes a space as `+`, percent-encodes every other byte.
    public static func workosQueryComponent(_ text: String) -> String {
        encode(text, keeping: { isAlphanumeric($0) || "-._~()".utf8.contains($0) }, spaceAsPlus: true)
    }

    /// The `application/x-www-form-urlencoded` serializer of `URLSearchParams`: keeps
    /// `A–Z a–z 0–9 * - . _`, writes a space as `+`.
    public static func formComponent(_ text: String) -> String {
        encode(text, keeping: { isAlphanumeric($0) || "*-._".utf8.contains($0) }, spaceAsPlus: true)
    }

    /// `encodeURIComponent`: keeps `A–Z a–z 0–9 - _ . ! ~ * ' ( )`.
    public static func uriComponent(_ text: String) -> String {
        encode(text, keeping: { isAlphanumeric($0) || "-_.!~*'()".utf8.contains($0) }, spaceAsPlus: false)
    }

    /// One path segment as a browser sends it (WHATWG path percent-encode set, plus `%` and
    /// `/` so a decoded segment cannot be read back differently): keeps the other printable ASCII.
    public static func pathSegment(_ text: String) -> String {
        pathSegment(bytes: text.utf8)
    }

    /// The same, from a segment's bytes.
    public static func pathSegment<Bytes: Sequence<UInt8>>(bytes: Bytes) -> String {
        encode(bytes, keeping: { $0 > 0x20 && $0 < 0x7F && !"\"#<>?`{}%/".utf8.contains($0) }, spaceAsPlus: false)
    }

    private static func encode(_ text: String, keeping keep: (UInt8) -> Bool, spaceAsPlus: Bool) -> String {
        encode(text.utf8, keeping: keep, spaceAsPlus: spaceAsPlus)
    }

    private static func encode<Bytes: Sequence<UInt8>>(_ bytes: Bytes, keeping keep: (UInt8) -> Bool, spaceAsPlus: Bool) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount)
        for byte in bytes {
            if keep(byte) {
                out.append(byte)
            } else if byte == 0x20 && spaceAsPlus {
                out.append(UInt8(ascii: "+"))
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// A hex digit's value (either case), nil for any other byte.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
