import Testing
@testable import AuthKitCore

@Suite struct Base64URLTests {
    /// RFC 4648 §10 test vectors, in the url alphabet (§5) without padding.
    static let rfc4648: [(String, String)] = [
        ("", ""),
        ("f", "Zg"),
        ("fo", "Zm8"),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg"),
        ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ]

    @Test(arguments: rfc4648)
    func encodesRFC4648Vectors(_ plain: String, _ encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.encodeBytes(Array(plain.utf8)) == Array(encoded.utf8))
    }

    @Test(arguments: rfc4648)
    func decodesRFC4648Vectors(_ plain: String, _ encoded: String) {
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
        #expect(Base64URL.decode(Substring(encoded)) == Array(plain.utf8))
        let viaBytes = Array(encoded.utf8).withUnsafeBufferPointer { Base64URL.decode(bytes: $0) }
        #expect(viaBytes == Array(plain.utf8))
    }

    /// Bytes whose standard base64 would contain `+` and `/` use `-` and `_` instead.
    @Test func usesURLAlphabetForHighIndexes() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64URL.encode([0xFB, 0xEF, 0xBE]) == "----")
        #expect(Base64URL.encode([0xFF, 0xFF, 0xFF]) == "____")
        #expect(Base64URL.decode("____") == [0xFF, 0xFF, 0xFF])
        #expect(Base64URL.encode([0x00, 0x00, 0x00]) == "AAAA")
        #expect(Base64URL.encode([0x03, 0xE0]) == "A-A")
    }

    @Test func encodesTheWholeAlphabetInOrder() {
        // 48 bytes whose 6-bit groups are 0, 1, …, 63.
        var bytes: [UInt8] = []
        for group in stride(from: 0, to: 64, by: 4) {
            let n = UInt32(group) << 18 | UInt32(group + 1) << 12 | UInt32(group + 2) << 6 | UInt32(group + 3)
            bytes += [UInt8(n >> 16), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
        }
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        #expect(Base64URL.encode(bytes) == alphabet)
        #expect(Base64URL.decode(alphabet) == bytes)
    }

    @Test(arguments: [
        "Zg==", "Zm8=", "Zg=", "=", "Zm9v=",  // padding
        "+_8", "-/8", "Zm9+", "Zm9/",  // standard alphabet
        " Zm9v", "Zm9v ", "Zm 9v", "Zm9v\n", "\tZm9v",  // whitespace
        "Zm9v.", "Zm9v*", "Zm9v~", "Zmé", "Zm\0v", "Zm9v%3D",  // other characters
    ].map(Escaped.init))
    func rejectsCharactersOutsideTheAlphabet(_ argument: Escaped) {
        #expect(Base64URL.decode(argument.text) == nil)
    }

    @Test(arguments: ["A", "Zm9vY", "Zm9vYmFyZ", "AAAAAAAAA"])
    func rejectsLengthOneMod4(_ text: String) {
        #expect(text.utf8.count % 4 == 1)
        #expect(Base64URL.decode(text) == nil)
    }

    /// Leftover bits in the last character are ignored, as Node's `Buffer.from(s, 'base64url')`
    /// and iron's decoder do: "Zh" is a non-canonical spelling of "Zg".
    @Test func ignoresNonCanonicalTrailingBits() {
        #expect(Base64URL.decode("Zh") == Array("f".utf8))
        #expect(Base64URL.decode("Zm9") == Array("fo".utf8))
    }

    @Test func decodesSubstringSlices() {
        let token = "header.Zm9vYmFy.signature"
        let middle = token.split(separator: ".")[1]
        #expect(Base64URL.decode(middle) == Array("foobar".utf8))
    }

    @Test(arguments: 0...100)
    func roundTripsRandomBytes(_ length: Int) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let encoded = Base64URL.encode(bytes)
        #expect(encoded.utf8.count == (length * 4 + 2) / 3)
        #expect(!encoded.contains("="))
        #expect(!encoded.contains("+"))
        #expect(!encoded.contains("/"))
        #expect(Base64URL.decode(encoded) == bytes)
    }

    @Test func encodedLengthNeverOneMod4() {
        for length in 0...64 {
            #expect(Base64URL.encode([UInt8](repeating: 0xA5, count: length)).utf8.count % 4 != 1)
        }
    }

    /// The decoder works four characters at a time and tests validity once at the end: an
    /// invalid character anywhere, in a block or in the tail, must still be refused.
    @Test func refusesAnInvalidCharacterAtEveryPosition() {
        for length in [2, 3, 4, 6, 7, 8, 11, 12, 39] {
            let valid = String(repeating: "A", count: length)
            #expect(Base64URL.decode(valid) == [UInt8](repeating: 0, count: length * 3 / 4))
            for position in 0..<length {
                for bad in ["=", "+", "/", ".", "*", " ", "\u{00}", "é"] {
                    var characters = Array(valid)
                    characters[position] = Character(bad)
                    #expect(Base64URL.decode(String(characters)) == nil, "\(bad) at \(position) of \(length)")
                }
            }
        }
    }

    /// A plain decoder, six bits at a time, with the alphabet spelled as ranges: the reference
    /// the table-driven decoder must agree with, input for input.
    static func referenceDecode(_ text: [UInt8]) -> [UInt8]? {
        if text.count % 4 == 1 { return nil }
        var output: [UInt8] = []
        var bits: UInt32 = 0
        var bitCount = 0
        for character in text {
            let value: UInt8
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = character - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = character - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character - UInt8(ascii: "0") + 52
            case UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "_"): value = 63
            default: return nil
            }
            bits = bits << 6 | UInt32(value)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                output.append(UInt8(truncatingIfNeeded: bits >> UInt32(bitCount)))
                bits &= (1 << UInt32(bitCount)) - 1
            }
        }
        return output  // a 2- or 3-character tail's leftover bits are dropped
    }

    static let alphabetBytes = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func decode(_ text: [UInt8]) -> [UInt8]? {
        text.withUnsafeBufferPointer { Base64URL.decode(bytes: $0) }
    }

    static func randomText(_ length: Int, using generator: inout some RandomNumberGenerator) -> [UInt8] {
        (0..<length).map { _ in alphabetBytes.randomElement(using: &generator)! }
    }

    /// Every length up to 64 covers every tail (0 to 7 characters after the last 8-character
    /// step, 1 and 5 refused); half the texts have one random byte put at a random position.
    @Test(arguments: 0...64)
    func agreesWithTheReferenceOnRandomText(_ length: Int) {
        var generator = SystemRandomNumberGenerator()
        var mismatches: [String] = []
        for trial in 0..<300 {
            var text = Self.randomText(length, using: &generator)
            if trial % 2 == 1, length > 0 {
                text[Int.random(in: 0..<length, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            if Self.decode(text) != Self.referenceDecode(text) { mismatches.append("\(text)") }
        }
        #expect(mismatches.count == 0, "first: \(mismatches.prefix(3))")
    }

    /// All 256 byte values at every position of a valid text: the 64 in the alphabet decode as
    /// the reference does, the other 192 make the whole text refused, in a step or in the tail.
    @Test(arguments: 0...64)
    func triesEveryByteValueAtEveryPosition(_ length: Int) {
        var generator = SystemRandomNumberGenerator()
        let valid = Self.randomText(length, using: &generator)
        var mismatches: [String] = []
        for position in 0..<length {
            for byte in UInt8.min...UInt8.max {
                var text = valid
                text[position] = byte
                let expected = Self.referenceDecode(text)
                let refused = length % 4 == 1 || !Self.alphabetBytes.contains(byte)
                if Self.decode(text) != expected || (expected == nil) != refused {
                    mismatches.append("byte \(byte) at \(position) of \(text)")
                }
            }
        }
        #expect(mismatches.count == 0, "first: \(mismatches.prefix(3))")
    }

    /// Cookie- and token-sized texts: many steps, then each tail (length % 8: 0, 2, 3, 4, 6, 7).
    @Test func agreesWithTheReferenceOnLongText() {
        var generator = SystemRandomNumberGenerator()
        for length in [1_936, 1_938, 1_939, 3_684, 3_686, 3_687, 4_096, 4_099] {
            var text = Self.randomText(length, using: &generator)
            let decoded = Self.decode(text)
            #expect(decoded != nil && decoded == Self.referenceDecode(text), "length \(length)")
            text[Int.random(in: 0..<length, using: &generator)] = UInt8(ascii: "=")
            #expect(Self.decode(text) == nil, "length \(length)")
        }
    }

    /// The decoder returns exactly the decoded bytes: its step stores run past the output into
    /// spare capacity, which must not show up in the array.
    @Test func returnsExactlyTheDecodedBytes() {
        for length in 0...40 where length % 4 != 1 {
            let decoded = Self.decode([UInt8](repeating: UInt8(ascii: "_"), count: length))
            #expect(decoded == [UInt8](repeating: 0xFF, count: length * 3 / 4), "length \(length)")
        }
    }
}
