import Testing
@testable import AuthKitCore

/// Every expected string here was produced by running node v20:
/// `node -e 'console.log(JSON.stringify(VALUE))'`, and pasted in verbatim.
@Suite struct JSONWriterTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let value: JSONValue
        /// Output of node's `JSON.stringify` for the same JavaScript value.
        let node: String
        var testDescription: String { name }
    }

    /// The 32 control characters U+0000…U+001F as one string.
    static let allControls = String(decoding: (0..<32).map(UInt8.init), as: UTF8.self)

    static let cases: [Case] = [
        // JSON.stringify(String.fromCharCode(...Array.from({length:32},(_, i)=>i)))
        Case(
            name: "control characters 0x00–0x1f", value: .string(allControls),
            node: #""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f""#),
        // JSON.stringify('a"b\\c/d')
        Case(name: "quote, backslash, slash", value: .string("a\"b\\c/d"), node: #""a\"b\\c/d""#),
        // JSON.stringify('x\u2028y\u2029z'): U+2028/U+2029 are written raw.
        Case(name: "U+2028 and U+2029", value: .string("x\u{2028}y\u{2029}z"), node: "\"x\u{2028}y\u{2029}z\""),
        // JSON.stringify('é日本😀')
        Case(name: "non-ASCII", value: .string("é日本😀"), node: "\"é日本😀\""),
        // JSON.stringify('a\x7fb'): DEL is written raw.
        Case(name: "DEL", value: .string("a\u{7F}b"), node: "\"a\u{7F}b\""),
        // JSON.stringify("")
        Case(name: "empty string", value: .string(""), node: #""""#),
        // JSON.stringify({z:1,a:{y:[1,"x",null,true,false,-0.5,[]],b:{}},m:[],"":"","k\"ey\n":"v\t"})
        Case(
            name: "nested objects keep key order",
            value: .object([
                ("z", .number("1")),
                ("a", .object([
                    ("y", .array([.number("1"), .string("x"), .null, .bool(true), .bool(false), .number("-0.5"), .array([])])),
                    ("b", .object([])),
                ])),
                ("m", .array([])),
                ("", .string("")),
                ("k\"ey\n", .string("v\t")),
            ]),
            node: #"{"z":1,"a":{"y":[1,"x",null,true,false,-0.5,[]],"b":{}},"m":[],"":"","k\"ey\n":"v\t"}"#),
        // JSON.stringify(["\u0000é\u001f\"\\/", {"é":"日本"}])
        Case(
            name: "escapes mixed with non-ASCII",
            value: .array([.string("\0é\u{1F}\"\\/"), .object([("é", .string("日本"))])]),
            node: #"["\u0000é\u001f\"\\/",{"é":"日本"}]"#),
        // JSON.stringify({}), JSON.stringify([]), JSON.stringify(null), JSON.stringify(true)
        Case(name: "empty object", value: .object([]), node: "{}"),
        Case(name: "empty array", value: .array([]), node: "[]"),
        Case(name: "null", value: .null, node: "null"),
        Case(name: "booleans", value: .array([.bool(true), .bool(false)]), node: "[true,false]"),
        // JSON.stringify({exp: 1785000300, n: -42})
        Case(name: "integers", value: .object([("exp", .int(1_785_000_300)), ("n", .int(-42))]), node: #"{"exp":1785000300,"n":-42}"#),
    ]

    @Test(arguments: cases)
    func matchesJSONStringify(_ c: Case) {
        #expect(JSONWriter.string(c.value) == c.node)
        #expect(JSONWriter.bytes(c.value) == Array(c.node.utf8))
    }

    /// Parsing node's output and writing it again reproduces it byte for byte.
    @Test(arguments: cases)
    func reproducesNodeOutputAfterParsing(_ c: Case) throws {
        let parsed = try JSONParser.parse(c.node)
        #expect(parsed == c.value)
        #expect(JSONWriter.string(parsed) == c.node)
    }

    /// Each control character alone, through both the short and the `\u00XX` forms.
    /// From node: `[...Array(32).keys()].map(i => JSON.stringify(String.fromCharCode(i)))`.
    static let controlEscapes: [String] = [
        #"\u0000"#, #"\u0001"#, #"\u0002"#, #"\u0003"#, #"\u0004"#, #"\u0005"#, #"\u0006"#, #"\u0007"#,
        #"\b"#, #"\t"#, #"\n"#, #"\u000b"#, #"\f"#, #"\r"#, #"\u000e"#, #"\u000f"#,
        #"\u0010"#, #"\u0011"#, #"\u0012"#, #"\u0013"#, #"\u0014"#, #"\u0015"#, #"\u0016"#, #"\u0017"#,
        #"\u0018"#, #"\u0019"#, #"\u001a"#, #"\u001b"#, #"\u001c"#, #"\u001d"#, #"\u001e"#, #"\u001f"#,
    ]

    @Test(arguments: 0..<32)
    func escapesEachControlCharacter(_ code: Int) {
        let character = String(UnicodeScalar(UInt8(code)))
        let escape = Self.controlEscapes[code]
        #expect(JSONWriter.string(.string(character)) == "\"\(escape)\"")
        // After non-ASCII too, and as an object key.
        #expect(JSONWriter.string(.string("é" + character + "é")) == "\"é\(escape)é\"")
        #expect(JSONWriter.string(.object([(character, .null)])) == "{\"\(escape)\":null}")
    }

    @Test func charactersAbove0x1FAreNotEscapedExceptQuoteAndBackslash() {
        for code in 0x20..<0x80 {
            let character = String(UnicodeScalar(UInt8(code)))
            let expected: String
            switch code {
            case 0x22: expected = #""\"""#
            case 0x5C: expected = #""\\""#
            default: expected = "\"\(character)\""
            }
            #expect(JSONWriter.string(.string(character)) == expected)
        }
    }

    @Test func numbersAreWrittenAsTheirText() {
        #expect(JSONWriter.string(.number("1.50")) == "1.50")
        #expect(JSONWriter.string(.number("-0")) == "-0")
        #expect(JSONWriter.string(.int(0)) == "0")
        #expect(JSONWriter.string(.int(Int64.min)) == "-9223372036854775808")
    }

    @Test func writeAppendsToAnExistingBuffer() {
        var out = Array("prefix:".utf8)
        JSONWriter.write(.array([.string("a\nb")]), into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"prefix:["a\nb"]"#)
        var string = Array("x".utf8)
        JSONWriter.writeString("é\"", into: &string)
        #expect(String(decoding: string, as: UTF8.self) == #"x"é\"""#)
    }

    @Test func longStringsWithAndWithoutEscapes() {
        let plain = String(repeating: "abcdefghij", count: 1000)
        #expect(JSONWriter.string(.string(plain)) == "\"\(plain)\"")
        let escaped = String(repeating: "a\"b", count: 1000)
        #expect(JSONWriter.string(.string(escaped)) == "\"" + String(repeating: #"a\"b"#, count: 1000) + "\"")
    }

    /// JavaScript objects put array-index keys first, in numeric order, whatever the text order:
    /// node `JSON.stringify(JSON.parse('{"b":1,"1":2,"a":3,"0":4}'))` → `{"0":4,"1":2,"b":1,"a":3}`.
    /// Our parser keeps text order, so parse → write differs from JSON.parse → JSON.stringify
    /// for such objects (harmless for reading sessions; only affects byte-identical re-sealing).
    @Test func integerLikeKeysAreOrderedLikeJavaScript() throws {
        let value = try JSONParser.parse(#"{"b":1,"1":2,"a":3,"0":4}"#)
        withKnownIssue("JSONParser keeps text order; JavaScript orders array-index keys first") {
            #expect(JSONWriter.string(value) == #"{"0":4,"1":2,"b":1,"a":3}"#)
        }
    }

    // MARK: The real session shapes

    nonisolated(unsafe) static let ironVectors: [[String: Any]] =
        (try? SharedVectors.json("iron-vectors.json") as? [[String: Any]]) ?? []

    @Test func ironVectorsArePresent() {
        #expect(Self.ironVectors.count == 13)
    }

    /// `plaintext_json` is what iron-session sealed: the output of `JSON.stringify` on
    /// authkit-nextjs's session objects. Parse + write must give it back byte for byte.
    @Test(arguments: ironVectors.indices)
    func reproducesIronPlaintextJSON(_ index: Int) throws {
        let vector = Self.ironVectors[index]
        let json = try #require(vector["plaintext_json"] as? String)
        let written = JSONWriter.bytes(try JSONParser.parse(json))
        #expect(written == Array(json.utf8), "vector \(vector["id"] ?? index)")
        #expect(JSONWriter.bytes(try JSONParser.parse(Array(json.utf8))) == Array(json.utf8))
    }
}
