import Testing
@testable import AuthKitCore

@Suite struct PercentEncodingTests {
    /// Every ASCII character, 0x00…0x7F.
    static let allASCII = String(decoding: (0..<128).map(UInt8.init), as: UTF8.self)
    static let tricky = "a~b*c'd!e(f)g h é+/?&=#%日😀-_."

    // MARK: decode (decodeURIComponent)

    @Test(arguments: [
        ("%E6%97%A5%E6%9C%AC", "日本"),
        ("caf%C3%A9", "café"),
        ("%F0%9F%98%80", "😀"),
        ("%e6%97%a5", "日"),  // lowercase hex
        ("%2B%20", "+ "),
        ("a+b", "a+b"),  // `+` is not a space here
        ("%41%42c", "ABc"),
        ("%00", "\0"),
        ("%25", "%"),
        ("%2525", "%25"),  // one level only
        ("", ""),
        ("plain", "plain"),
        ("déjà vu", "déjà vu"),  // no `%`: unchanged, non-ASCII included
        ("Fe26.2*1*abc*def~2", "Fe26.2*1*abc*def~2"),
    ])
    func decodesLikeDecodeURIComponent(_ input: String, _ expected: String) {
        #expect(PercentEncoding.decode(input) == expected)
        #expect(PercentEncoding.decode(Substring(input)) == expected)
    }

    /// Inputs where `decodeURIComponent` throws `URIError` (checked with node v20).
    @Test(arguments: [
        "%zz", "%", "abc%", "a%2", "%g0", "%0g", "%%41", "% 41",
        "%ff",  // not UTF-8
        "%C3",  // truncated two-byte sequence
        "%C3%28",  // bad continuation byte
        "%E6%97",  // truncated three-byte sequence
        "%ED%A0%80",  // an encoded surrogate
        "%C0%AF",  // overlong
        "%F4%90%80%80",  // above U+10FFFF
        "ok%E6%97%A5%zz",
    ])
    func rejectsWhatDecodeURIComponentRejects(_ input: String) {
        #expect(PercentEncoding.decode(input) == nil)
    }

    // MARK: formDecode

    @Test(arguments: [
        ("a+b", "a b"),
        ("a%2Bb", "a+b"),
        ("+%20+", "   "),
        ("caf%C3%A9+au+lait", "café au lait"),
        ("", ""),
        ("no-change", "no-change"),
    ])
    func formDecodeTreatsPlusAsSpace(_ input: String, _ expected: String) {
        #expect(PercentEncoding.formDecode(input) == expected)
    }

    @Test(arguments: ["%zz+", "+%", "a+%ff"])
    func formDecodeRejectsBadEscapes(_ input: String) {
        #expect(PercentEncoding.formDecode(input) == nil)
    }

    /// `URLSearchParams` replaces every `+` code unit, even one that a combining mark follows:
    /// node `[...new URLSearchParams("a=+\u0301&b=x+\u0301y")]` → `[["a"," ́"],["b","x ́y"]]`.
    /// `formDecode` maps Characters, and "+" followed by U+0301 is one Character that is not "+".
    @Test func formDecodeReplacesPlusBeforeCombiningMark() {
        #expect(PercentEncoding.formDecode("+\u{301}") == " \u{301}")
        #expect(PercentEncoding.formDecode("x+\u{301}y") == "x \u{301}y")
        // A percent-encoded combining mark is decoded after the `+` swap, so it is fine.
        #expect(PercentEncoding.formDecode("x+%CC%81y") == "x \u{301}y")
    }

    // MARK: workosQueryComponent (qs, RFC 1738)

    @Test(arguments: [
        ("abcXYZ019", "abcXYZ019"),
        ("-._~()", "-._~()"),
        (" ", "+"),
        ("!", "%21"),
        ("'", "%27"),
        ("*", "%2A"),
        ("@", "%40"),
        ("+", "%2B"),
        ("/", "%2F"),
        ("&=?#", "%26%3D%3F%23"),
        ("é", "%C3%A9"),
        ("日本", "%E6%97%A5%E6%9C%AC"),
        ("😀", "%F0%9F%98%80"),
        ("https://app.example.com/auth/callback", "https%3A%2F%2Fapp.example.com%2Fauth%2Fcallback"),
        ("", ""),
    ])
    func workosQueryComponentRules(_ input: String, _ expected: String) {
        #expect(PercentEncoding.workosQueryComponent(input) == expected)
    }

    /// Expected strings built by applying qs's RFC 1738 rule (`utils.encode`: keep `A–Z a–z 0–9
    /// - . _ ~`, plus `( )` in RFC 1738; `%20` → `+`; uppercase hex) to the input's UTF-8.
    @Test func workosQueryComponentAllASCII() {
        #expect(PercentEncoding.workosQueryComponent(Self.allASCII) == """
            %00%01%02%03%04%05%06%07%08%09%0A%0B%0C%0D%0E%0F%10%11%12%13%14%15%16%17%18%19%1A%1B%1C%1D%1E%1F\
            +%21%22%23%24%25%26%27()%2A%2B%2C-.%2F0123456789%3A%3B%3C%3D%3E%3F%40ABCDEFGHIJKLMNOPQRSTUVWXYZ\
            %5B%5C%5D%5E_%60abcdefghijklmnopqrstuvwxyz%7B%7C%7D~%7F
            """)
        #expect(PercentEncoding.workosQueryComponent(Self.tricky)
            == "a~b%2Ac%27d%21e(f)g+h+%C3%A9%2B%2F%3F%26%3D%23%25%E6%97%A5%F0%9F%98%80-_.")
    }

    // MARK: formComponent (URLSearchParams)

    /// Expected values are node v20's `new URLSearchParams({a: X}).toString()` without the `a=`.
    @Test func formComponentMatchesURLSearchParams() {
        // node: new URLSearchParams({a: "~*'!() é+"}).toString() → a=%7E*%27%21%28%29+%C3%A9%2B
        #expect(PercentEncoding.formComponent("~*'!() é+") == "%7E*%27%21%28%29+%C3%A9%2B")
        #expect(PercentEncoding.formComponent(Self.tricky)
            == "a%7Eb*c%27d%21e%28f%29g+h+%C3%A9%2B%2F%3F%26%3D%23%25%E6%97%A5%F0%9F%98%80-_.")
        #expect(PercentEncoding.formComponent(Self.allASCII) == """
            %00%01%02%03%04%05%06%07%08%09%0A%0B%0C%0D%0E%0F%10%11%12%13%14%15%16%17%18%19%1A%1B%1C%1D%1E%1F\
            +%21%22%23%24%25%26%27%28%29*%2B%2C-.%2F0123456789%3A%3B%3C%3D%3E%3F%40ABCDEFGHIJKLMNOPQRSTUVWXYZ\
            %5B%5C%5D%5E_%60abcdefghijklmnopqrstuvwxyz%7B%7C%7D%7E%7F
            """)
        #expect(PercentEncoding.formComponent("") == "")
    }

    // MARK: uriComponent (encodeURIComponent)

    /// Expected values are node v20's `encodeURIComponent(X)`.
    @Test func uriComponentMatchesEncodeURIComponent() {
        #expect(PercentEncoding.uriComponent("~*'!() é+") == "~*'!()%20%C3%A9%2B")
        #expect(PercentEncoding.uriComponent(Self.tricky)
            == "a~b*c'd!e(f)g%20h%20%C3%A9%2B%2F%3F%26%3D%23%25%E6%97%A5%F0%9F%98%80-_.")
        #expect(PercentEncoding.uriComponent(Self.allASCII) == """
            %00%01%02%03%04%05%06%07%08%09%0A%0B%0C%0D%0E%0F%10%11%12%13%14%15%16%17%18%19%1A%1B%1C%1D%1E%1F\
            %20!%22%23%24%25%26'()*%2B%2C-.%2F0123456789%3A%3B%3C%3D%3E%3F%40ABCDEFGHIJKLMNOPQRSTUVWXYZ\
            %5B%5C%5D%5E_%60abcdefghijklmnopqrstuvwxyz%7B%7C%7D~%7F
            """)
        // node: encodeURIComponent("\u2028\uFFFD\u{10FFFF}")
        #expect(PercentEncoding.uriComponent("\u{2028}\u{FFFD}\u{10FFFF}") == "%E2%80%A8%EF%BF%BD%F4%8F%BF%BF")
        #expect(PercentEncoding.uriComponent("") == "")
    }

    /// A seal's characters pass through `encodeURIComponent` unchanged (spec §1.1).
    @Test func sealCharactersAreNotEscapedByURIComponent() {
        let seal = "Fe26.2*1*0f1e2d*AbC-_x*ZZZ**9a8b*mac-_~2"
        #expect(PercentEncoding.uriComponent(seal) == seal)
    }

    // MARK: Round trips

    static let roundTripSamples = [
        "", " ", "+", "%", "%25", "a b+c", tricky, allASCII, "日本語 テキスト", "😀👍🏽", "\u{FEFF}x", "a\0b",
    ]

    @Test(arguments: roundTripSamples)
    func encodersRoundTripThroughTheirDecoders(_ text: String) {
        #expect(PercentEncoding.decode(PercentEncoding.uriComponent(text)) == text)
        #expect(PercentEncoding.formDecode(PercentEncoding.formComponent(text)) == text)
        #expect(PercentEncoding.formDecode(PercentEncoding.workosQueryComponent(text)) == text)
    }

    @Test(arguments: roundTripSamples)
    func encodedOutputIsPlainASCII(_ text: String) {
        for encoded in [
            PercentEncoding.uriComponent(text), PercentEncoding.formComponent(text),
            PercentEncoding.workosQueryComponent(text),
        ] {
            #expect(encoded.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F })
            #expect(!encoded.contains(" "))
        }
    }
}
