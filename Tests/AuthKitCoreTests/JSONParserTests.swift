import Testing
@testable import AuthKitCore

@Suite struct JSONParserTests {
    static func parse(_ text: String) throws(JSONParseError) -> JSONValue { try JSONParser.parse(text) }

    /// The text of a number value, or nil (JSONValue's `==` compares numbers numerically).
    static func numberText(_ value: JSONValue?) -> String? {
        if case .number(let text)? = value { return text }
        return nil
    }

    // MARK: Accepted: every RFC 8259 construct

    @Test func parsesLiterals() throws {
        #expect(try Self.parse("true") == .bool(true))
        #expect(try Self.parse("false") == .bool(false))
        #expect(try Self.parse("null") == .null)
        #expect(try Self.parse("null").isNull)
    }

    @Test(arguments: [
        "0", "-0", "1", "-1", "10", "123456789", "0.5", "-0.5", "1.25", "1e5", "1E5", "1e+5", "1e-5", "1E-05",
        "-1.5e3", "0e0", "0.0", "1.50", "123456789012345678901234567890", "1e400", "4.9e-324",
    ])
    func keepsNumbersAsTheirText(_ text: String) throws {
        #expect(Self.numberText(try Self.parse(text)) == text)
        // Inside structures too, with surrounding whitespace.
        #expect(Self.numberText(try Self.parse(" [ \(text) ] ").arrayValue?.first) == text)
        #expect(Self.numberText(try Self.parse(#"{"n":\#(text)}"#)["n"]) == text)
    }

    @Test func parsesStrings() throws {
        #expect(try Self.parse(#""""#) == .string(""))
        #expect(try Self.parse(#""hello""#) == .string("hello"))
        #expect(try Self.parse(#""é日本😀""#) == .string("é日本😀"))
        #expect(try Self.parse("\"\u{7F}\"") == .string("\u{7F}"))  // DEL needs no escape
        #expect(try Self.parse("\"\u{2028}\u{2029}\"") == .string("\u{2028}\u{2029}"))
    }

    @Test(arguments: [
        (#""\"""#, "\""),
        (#""\\""#, "\\"),
        (#""\/""#, "/"),
        (#""\b""#, "\u{08}"),
        (#""\f""#, "\u{0C}"),
        (#""\n""#, "\n"),
        (#""\r""#, "\r"),
        (#""\t""#, "\t"),
        (#""\u0041""#, "A"),
        (#""\u00e9""#, "é"),
        (#""\u00E9""#, "é"),
        (#""\u65e5\u672C""#, "日本"),
        (#""\u0000""#, "\0"),
        (#""\u001f""#, "\u{1F}"),
        (#""a\nb\tc\"d\\e""#, "a\nb\tc\"d\\e"),
        (#""plain then \u0021""#, "plain then !"),
    ].map { (Escaped($0.0), Escaped($0.1)) })
    func decodesEscapes(_ json: Escaped, _ expected: Escaped) throws {
        #expect(try Self.parse(json.text) == .string(expected.text))
    }

    @Test func parsesArraysAndObjects() throws {
        #expect(try Self.parse("[]") == .array([]))
        #expect(try Self.parse("{}") == .object([]))
        #expect(try Self.parse("[ ]") == .array([]))
        #expect(try Self.parse("{ \n }") == .object([]))
        #expect(try Self.parse(#"[1,"a",true,false,null,[],{}]"#) == .array([
            .number("1"), .string("a"), .bool(true), .bool(false), .null, .array([]), .object([]),
        ]))
        let value = try Self.parse(#"{"a":{"b":[1,{"c":"d"}]},"":0,"e":null}"#)
        #expect(value == .object([
            ("a", .object([("b", .array([.number("1"), .object([("c", .string("d"))])]))])),
            ("", .number("0")),
            ("e", .null),
        ]))
        #expect(value["a"]?["b"]?.arrayValue?.count == 2)
        #expect(value[""]?.int64Value == 0)
        #expect(value["e"]?.isNull == true)
        #expect(value["missing"] == nil)
    }

    @Test func keepsObjectKeyOrder() throws {
        let value = try Self.parse(#"{"z":1,"a":2,"m":3,"1":4}"#)
        #expect(value.objectValue?.map(\.key) == ["z", "a", "m", "1"])
    }

    @Test func allowsAllFourWhitespaceCharactersEverywhere() throws {
        let json = " \t\n\r{ \t\n\r\"a\" \t\n\r: \t\n\r[ \t\n\r1 \t\n\r, \t\n\r2 \t\n\r] \t\n\r} \t\n\r"
        #expect(try Self.parse(json) == .object([("a", .array([.number("1"), .number("2")]))]))
    }

    @Test func parsesFromBytes() throws {
        #expect(try JSONParser.parse(Array(#"{"a":[true]}"#.utf8)) == .object([("a", .array([.bool(true)]))]))
    }

    // MARK: Duplicate keys (JSON.parse: first position, last value)

    @Test func duplicateKeysKeepFirstPositionAndLastValue() throws {
        let value = try Self.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(value.objectValue?.map(\.key) == ["a", "b"])
        #expect(value["a"]?.int64Value == 3)
        #expect(value["b"]?.int64Value == 2)
        #expect(value == .object([("a", .number("3")), ("b", .number("2"))]))
    }

    @Test func duplicateKeysReplaceWholeValues() throws {
        let value = try Self.parse(#"{"x":{"deep":true},"y":0,"x":"flat","x":[1]}"#)
        #expect(value == .object([("x", .array([.number("1")])), ("y", .number("0"))]))
    }

    // MARK: Unicode

    @Test func joinsSurrogatePairs() throws {
        #expect(try Self.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try Self.parse(#""\uD83D\uDE00""#) == .string("😀"))
        #expect(try Self.parse(#""a\ud83d\ude00b""#) == .string("a😀b"))
        #expect(try Self.parse(#""\udbff\udfff""#) == .string("\u{10FFFF}"))
        #expect(try Self.parse(#""\ud800\udc00""#) == .string("\u{10000}"))
    }

    @Test(arguments: [
        (#""\ud83d""#, "\u{FFFD}"),
        (#""\ude00""#, "\u{FFFD}"),
        (#""\ud83dx""#, "\u{FFFD}x"),
        (#""\ud83d\u0041""#, "\u{FFFD}A"),
        (#""\ude00\ud83d""#, "\u{FFFD}\u{FFFD}"),
        (#""\ud83d\ud83d\ude00""#, "\u{FFFD}😀"),
        (#""\ud83d\n""#, "\u{FFFD}\n"),
    ].map { (Escaped($0.0), Escaped($0.1)) })
    func loneSurrogatesBecomeReplacementCharacters(_ json: Escaped, _ expected: Escaped) throws {
        #expect(try Self.parse(json.text) == .string(expected.text))
    }

    @Test func invalidUTF8BecomesReplacementCharacter() throws {
        // TextDecoder semantics, as iron decodes before JSON.parse.
        #expect(try JSONParser.parse([0x22, 0x61, 0xFF, 0x62, 0x22]) == .string("a\u{FFFD}b"))
        #expect(try JSONParser.parse([0x22, 0xC3, 0x22]) == .string("\u{FFFD}"))
        #expect(try JSONParser.parse([0x22, 0xED, 0xA0, 0x80, 0x22]).stringValue?.unicodeScalars.allSatisfy { $0 == "\u{FFFD}" } == true)
        let key = try JSONParser.parse([0x7B, 0x22, 0xFE, 0x22, 0x3A, 0x31, 0x7D])
        #expect(key.objectValue?.first?.key == "\u{FFFD}")
    }

    // MARK: Rejected

    @Test(arguments: [
        // trailing commas
        "[1,]", #"{"a":1,}"#, "[1,2,,]", "[,]", "[,1]", #"{,"a":1}"#,
        // numbers
        "01", "-01", "00", ".5", "-.5", "1.", "1.e5", "+1", "1e", "1e+", "1E-", "-", "--1", "0x10", "1_000", "0.5.1",
        "NaN", "-NaN", "Infinity", "-Infinity", "infinity",
        // single quotes and bare words
        "'a'", "['a']", "{'a':1}", "{a:1}", "undefined", "True", "nul", "tru", "fals", "trUe",
        // bad escapes
        #""\x41""#, #""\a""#, #""\'""#, #""\U0041""#, #""\0""#, #""\ ""#, #""\"#, #""abc\"#,
        // short or bad \u
        #""\u""#, #""\u1""#, #""\u12""#, #""\u123""#, #""\u12G4""#, #""\u-123""#, #""\ud83d\u12""#, #""\ud83d\uZZZZ""#,
        // unterminated
        "\"abc", "[1", "[1,2", #"{"a":1"#, #"{"a""#, #"{"a":"#, "{", "[",
        // structure
        #"{"a" 1}"#, #"{"a"=1}"#, #"{1:2}"#, #"{"a":1 "b":2}"#, "[1 2]", "]", "}", ":", ",",
        // trailing garbage
        "{} x", "[] []", "1 2", "truex", "null null", #""a" "b""#, "{}}", "[]]", "0 1", "1,",
        // empty and whitespace only
        "", " ", "\n\t\r ",
        // whitespace JSON does not allow
        "\u{0C}1", "1\u{0C}", "\u{A0}1", "\u{FEFF}1", "[1,\u{0B}2]",
    ].map(Escaped.init))
    func rejectsInvalidJSON(_ argument: Escaped) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(argument.text) }
    }

    @Test(arguments: Array(0x00...0x1F))
    func rejectsUnescapedControlCharactersInStrings(_ code: Int) {
        let control = String(UnicodeScalar(UInt8(code)))
        // In the fast path (no escape yet) and after an escape (slow path), in values and keys.
        for json in ["\"a\(control)b\"", "\"\\n\(control)\"", "{\"k\(control)\":1}", "[\"\\t\",\"\(control)\"]"] {
            #expect(throws: JSONParseError.self, "U+\(String(code, radix: 16)) in \(json.debugDescription)") {
                try JSONParser.parse(json)
            }
        }
    }

    @Test func errorCarriesOffsetAndReason() {
        do {
            _ = try JSONParser.parse("[1,2,x]")
            Issue.record("parsed invalid JSON")
        } catch {
            #expect(error.offset == 5)
            #expect(!error.reason.isEmpty)
            #expect(error.description.contains("byte 5"))
        }
    }

    // MARK: Depth

    @Test func acceptsNestingUpToMaximumDepth() throws {
        let depth = JSONParser.maximumDepth
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        _ = try JSONParser.parse(arrays)
        let objects = String(repeating: #"{"a":"#, count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
        _ = try JSONParser.parse(objects)
    }

    @Test func rejectsNestingDeeperThanMaximumDepth() {
        let depth = JSONParser.maximumDepth + 1
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(arrays) }
        let objects = String(repeating: #"{"a":"#, count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(objects) }
        let mixed = String(repeating: #"[{"a":"#, count: depth / 2 + 1) + "1" + String(repeating: "}]", count: depth / 2 + 1)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(mixed) }
    }

    @Test func hostileDepthDoesNotCrash() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(String(repeating: "[", count: 200_000)) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse(String(repeating: #"{"a":"#, count: 100_000)) }
    }

    @Test func depthIsPerPathNotTotal() throws {
        // Many siblings at depth 2 are fine: only nesting counts.
        let siblings = "[" + Array(repeating: "[[]]", count: 1000).joined(separator: ",") + "]"
        #expect(try JSONParser.parse(siblings).arrayValue?.count == 1000)
    }

    // MARK: Accessors

    static let int64Cases: [(String, Int64?)] = [
        ("1785000000", 1_785_000_000),
        ("1.5e3", 1500),
        ("-0", 0),
        ("0", 0),
        ("-42", -42),
        ("1e0", 1),
        ("1.0", 1),
        ("2.50e1", 25),
        ("9223372036854775807", Int64.max),
        ("-9223372036854775808", Int64.min),
        ("1.5", nil),
        ("0.1", nil),
        ("-1.000001", nil),
        ("1e-1", nil),
        ("1e400", nil),
        ("1e19", nil),
        ("-1e19", nil),
    ]

    @Test(arguments: int64Cases)
    func int64Value(_ text: String, _ expected: Int64?) throws {
        #expect(try Self.parse(text).int64Value == expected)
    }

    @Test func int64ValueOfNonNumbersIsNil() throws {
        #expect(try Self.parse(#""1785000000""#).int64Value == nil)
        #expect(try Self.parse("true").int64Value == nil)
        #expect(try Self.parse("null").int64Value == nil)
        #expect(try Self.parse("[1]").int64Value == nil)
    }

    @Test func typedAccessors() throws {
        let value = try Self.parse(#"{"s":"x","b":true,"d":2.5,"a":["p",1,"q"],"o":{"k":"v"}}"#)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["s"]?.boolValue == nil)
        #expect(value["b"]?.boolValue == true)
        #expect(value["b"]?.stringValue == nil)
        #expect(value["d"]?.doubleValue == 2.5)
        #expect(value["d"]?.int64Value == nil)
        #expect(value["a"]?.stringArrayValue == ["p", "q"])
        #expect(value["s"]?.stringArrayValue == nil)
        #expect(value["o"]?.objectValue?.first?.key == "k")
        #expect(value["o"]?["k"]?.stringValue == "v")
        #expect(value["s"]?["k"] == nil)
        #expect(value.arrayValue == nil)
    }

    @Test func numbersCompareNumericallyButKeepText() throws {
        let a = try Self.parse("1.0")
        let b = try Self.parse("1")
        #expect(a == b)
        #expect(Self.numberText(a) == "1.0")
        #expect(JSONWriter.string(a) == "1.0")
        #expect(try Self.parse("1") != Self.parse("2"))
    }

    // MARK: Real shapes

    @Test func parsesJWTHeaderAndClaims() throws {
        let claims = try Self.parse(#"""
            {"iss":"https://api.workos.com/user_management/client_01","sub":"user_01","sid":"session_01",\#
            "org_id":"org_01","role":"member","roles":["member"],"permissions":["posts:read","posts:write"],\#
            "exp":1785000300,"iat":1785000000}
            """#)
        #expect(claims["sub"]?.stringValue == "user_01")
        #expect(claims["exp"]?.int64Value == 1_785_000_300)
        #expect(claims["permissions"]?.stringArrayValue == ["posts:read", "posts:write"])
    }

    /// Strings are scanned eight bytes at a time: a byte that ends the plain run must be found
    /// whatever its position in the word.
    @Test func wordScanFindsEveryStopByteAtEveryPosition() {
        let plain = Array("abcdefgh".utf8)
        for value in 0...255 {
            let stops = value == 0x22 || value == 0x5C || value < 0x20
            for position in 0..<8 {
                var bytes = plain
                bytes[position] = UInt8(value)
                let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                #expect(JSONParser.mayEndPlainRun(word) == stops, "byte \(value) at \(position)")
            }
        }
    }

    @Test func stringsOfEveryLengthAroundTheWordSize() throws {
        for length in 0...40 {
            var text = ""
            for index in 0..<length {
                text.append(index % 7 == 3 ? "é" : Character(UnicodeScalar(UInt8(97 + index % 26))))
            }
            #expect(try JSONParser.parse("\"\(text)\"") == .string(text))
            #expect(try JSONParser.parse("\"\(text)\\n\(text)\"") == .string(text + "\n" + text))
            for position in 0..<length {
                var bytes = Array("\"\(String(repeating: "a", count: length))\"".utf8)
                bytes[1 + position] = 0x0A
                #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
            }
        }
    }

    /// Bytes are parsed in place, each string decoded with replacement: the same values as
    /// replacing invalid UTF-8 in the whole document first, whatever bytes are broken.
    @Test func parsingBytesInPlaceAgreesWithDecodingTheDocumentFirst() {
        let document = Array(#"{"name":"Zoë Ünïcode","token":"aaaaaaaaaaaaaaaaaaaaaaaaa","n":[1,2.5,"ß"],"esc":"a\u00e9\n"}"#.utf8)
        var generator = SystemRandomNumberGenerator()
        let breakers: [UInt8] = [0xFF, 0xC3, 0xE2, 0x82, 0xED, 0xA0, 0xF0, 0x80, 0xBF]
        for _ in 0..<2000 {
            var bytes = document
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = breakers.randomElement(using: &generator)!
            }
            let inPlace = try? JSONParser.parse(bytes)
            let decodedFirst = try? JSONParser.parse(String(decoding: bytes, as: UTF8.self))
            #expect(inPlace == decodedFirst, "\(bytes)")
        }
    }
}
