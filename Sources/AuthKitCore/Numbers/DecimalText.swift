/// Whole numbers in text that came from outside (cookies, headers, seals, stores, settings),
/// read on the UTF-8 bytes: ASCII digits `0`–`9` only. No sign, no spaces, no exponent, no
/// `١` or other Unicode digits, and never a trap, whatever the length or the value.
public enum DecimalText {
    /// The value of 1 to `maxDigits` ASCII digits when it fits in Int64; nil for anything else
    /// (empty, a sign, a space, a non-ASCII digit, more than `maxDigits` digits, past Int64.max).
    public static func int64<Bytes: Sequence>(_ bytes: Bytes, maxDigits: Int = 19) -> Int64? where Bytes.Element == UInt8 {
        var value: Int64 = 0
        var digits = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < maxDigits else { return nil }
            digits += 1
            let (times10, overflowed) = value.multipliedReportingOverflow(by: 10)
            let (sum, carried) = times10.addingReportingOverflow(Int64(byte &- UInt8(ascii: "0")))
            guard !overflowed, !carried else { return nil }
            value = sum
        }
        return digits > 0 ? value : nil
    }

    /// ASCII digits, as many as there are, read as a value that stops growing at `ceiling`
    /// (`99999999999999999999` is `ceiling`); nil when empty or when any byte is not a digit.
    /// For numbers whose size only matters up to a bound: Content-Length, Retry-After, an
    /// expiration far in the future.
    public static func saturating<Bytes: Sequence>(_ bytes: Bytes, ceiling: Int64 = .max) -> Int64? where Bytes.Element == UInt8 {
        let ceiling = max(ceiling, 0)
        var value: Int64 = 0
        var any = false
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            any = true
            guard value < ceiling else { continue }
            let (times10, overflowed) = value.multipliedReportingOverflow(by: 10)
            let (sum, carried) = times10.addingReportingOverflow(Int64(byte &- UInt8(ascii: "0")))
            value = overflowed || carried ? ceiling : min(sum, ceiling)
        }
        return any ? value : nil
    }

    /// `bytes` without leading and trailing spaces and tabs (HTTP's optional whitespace).
    public static func trimmingSpaces(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
        var bytes = bytes
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes = bytes.dropFirst() }
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes = bytes.dropLast() }
        return bytes
    }
}
