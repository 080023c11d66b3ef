/// Comparisons and case folding on UTF-8 bytes, for request, header, state and configuration
/// text (issue 20).
///
/// Swift's `String` reads `Character`s: a combining mark, ZWJ, variation selector, emoji
/// modifier or spacing mark glues onto the `/`, `=`, `,` or `;` before it (a Prepend mark onto
/// the one after it), so `split`, `firstIndex(of:)` and `hasPrefix` miss the delimiter. Its `==`,
/// `hasPrefix` and `Set`/`Dictionary` keys compare by canonical equivalence (U+212A KELVIN SIGN
/// equals "K", U+037E equals ";"), and `lowercased()`/`uppercased()` fold by Unicode rules
/// (KELVIN SIGN becomes "k", U+0131 dotless ı becomes "I"). These helpers see only bytes and
/// fold only A–Z.
extension StringProtocol {
    /// A–Z lower-cased, every other byte kept (KELVIN SIGN stays KELVIN SIGN).
    public func lowercasedASCII() -> String {
        guard utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return String(self) }
        return String(decoding: utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// a–z upper-cased, every other byte kept (ſ and ı stay themselves).
    public func uppercasedASCII() -> String {
        guard utf8.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) else { return String(self) }
        return String(decoding: utf8.map { $0 >= 0x61 && $0 <= 0x7A ? $0 & 0xDF : $0 }, as: UTF8.self)
    }

    /// The same bytes (not canonical equivalence).
    public func bytesEqual(_ other: some StringProtocol) -> Bool {
        utf8.elementsEqual(other.utf8)
    }

    /// Starts with the bytes of `prefix`.
    public func hasBytePrefix(_ prefix: some StringProtocol) -> Bool {
        utf8.starts(with: prefix.utf8)
    }

    /// Ends with the bytes of `suffix`.
    public func hasByteSuffix(_ suffix: some StringProtocol) -> Bool {
        let count = utf8.count, suffixCount = suffix.utf8.count
        return count >= suffixCount && utf8.dropFirst(count - suffixCount).elementsEqual(suffix.utf8)
    }

    /// Equal to `lowercase` (given in lower case) with A–Z folded, byte for byte.
    public func equalsASCIICaseInsensitive(_ lowercase: some StringProtocol) -> Bool {
        utf8.count == lowercase.utf8.count && hasASCIICaseInsensitivePrefix(lowercase)
    }

    /// Starts with `lowercase` (given in lower case) with A–Z folded, byte for byte.
    public func hasASCIICaseInsensitivePrefix(_ lowercase: some StringProtocol) -> Bool {
        var bytes = utf8.makeIterator()
        for wanted in lowercase.utf8 {
            guard let byte = bytes.next(), ASCIIBytes.lowercased(byte) == wanted else { return false }
        }
        return true
    }

    /// Holds the bytes of `needle` somewhere (case-sensitive).
    public func containsBytes(_ needle: some StringProtocol) -> Bool {
        withUTF8Buffer { haystack in needle.withUTF8Buffer { ASCIIBytes.firstRange(of: $0, in: haystack, fold: false) != nil } }
    }

    /// Holds `lowercase` (given in lower case) somewhere, A–Z folded.
    public func containsASCIICaseInsensitive(_ lowercase: some StringProtocol) -> Bool {
        withUTF8Buffer { haystack in lowercase.withUTF8Buffer { ASCIIBytes.firstRange(of: $0, in: haystack, fold: true) != nil } }
    }

    /// The bytes in place when they are contiguous (a String, a Substring of one), else a copy.
    func withUTF8Buffer<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(utf8).withUnsafeBufferPointer(body)
    }

    /// Split on every `separator` byte (an ASCII delimiter), keeping empty pieces when asked.
    func splitOnByte(_ separator: UInt8, omittingEmptySubsequences: Bool = true) -> [SubSequence] {
        var pieces: [SubSequence] = []
        var start = utf8.startIndex
        while true {
            let end = utf8[start...].firstIndex(of: separator) ?? utf8.endIndex
            if !omittingEmptySubsequences || start < end { pieces.append(self[start..<end]) }
            guard end < utf8.endIndex else { return pieces }
            start = utf8.index(after: end)
        }
    }
}

enum ASCIIBytes {
    static func lowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    static func isSpaceOrTab(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    /// Where `needle` first occurs in `haystack` (A–Z folded in the haystack when `fold`).
    static func firstRange(of needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>, fold: Bool) -> Range<Int>? {
        guard needle.count <= haystack.count else { return nil }
        if needle.isEmpty { return 0..<0 }
        var start = 0
        while start + needle.count <= haystack.count {
            var index = 0
            while index < needle.count, (fold ? lowercased(haystack[start + index]) : haystack[start + index]) == needle[index] { index += 1 }
            if index == needle.count { return start..<(start + needle.count) }
            start += 1
        }
        return nil
    }
}
