/// Why JSON text was rejected.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let offset: Int
    public let reason: String
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// A strict RFC 8259 parser with `JSON.parse` semantics for what the core reads: sealed
/// sessions, JWT parts, JWKS and WorkOS responses.
///
/// Input bytes that are not valid UTF-8 are replaced with U+FFFD, as `TextDecoder` does before
/// iron calls `JSON.parse`. Nesting is limited so hostile input cannot exhaust the stack.
public struct JSONParser {
    /// Deeper nesting than this is rejected.
    public static let maximumDepth = 128

    /// Parses the bytes where they are. Invalid UTF-8 can only matter inside strings (anywhere
    /// else any byte above 0x7F is already an error), and every string is decoded with
    /// replacement, which is what replacing first gives: a sequence cannot run across the
    /// ASCII quote that ends a string.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBufferPointer(parseDocument).get()
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        return try text.withUTF8(parseDocument).get()
    }

    /// The typed error travels out in a Result: `withUTF8` and `withUnsafeBufferPointer` are
    /// untyped-rethrows.
    private static func parseDocument(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONParseError> {
        var parser = JSONParser(buffer)
        do throws(JSONParseError) { return .success(try parser.parseDocument()) } catch { return .failure(error) }
    }

    private let input: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0

    private init(_ input: UnsafeBufferPointer<UInt8>) { self.input = input }

    private mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == input.count else { throw fail("unexpected data after the value") }
        return value
    }

    private func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: index, reason: reason) }

    /// JSON's four whitespace bytes.
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    private mutating func skipWhitespace() {
        while index < input.count, Self.isWhitespace(input[index]) { index += 1 }
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < input.count else { throw fail("unexpected end") }
        switch input[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected character")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= input.count else { throw fail("unexpected end") }
        let bytes = literal.utf8Start
        for offset in 0..<count where input[index + offset] != bytes[offset] {
            throw fail("bad literal")
        }
        index += count
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > Self.maximumDepth { throw fail("nesting too deep") }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        try forEachMember(buildingKeys: true) { key, parser throws(JSONParseError) in
            // Room for a typical object at once, instead of growing 1, 2, 4, 8, … by copying.
            if members.isEmpty { members.reserveCapacity(8) }
            let key = key ?? ""
            let value = try parser.parseValue()
            // JSON.parse keeps the first position of a repeated key and the last value. Lengths
            // first: nearly every pair of keys differs in length, and comparing counts is far
            // cheaper than String's `==` (this runs for every member of every object).
            if let existing = members.firstIndex(where: { $0.key.utf8.count == key.utf8.count && $0.key == key }) {
                members[existing].value = value
            } else {
                members.append((key, value))
            }
        }
        return .object(members)
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        var items: [JSONValue] = []
        try forEachElement { parser throws(JSONParseError) in
            if items.isEmpty { items.reserveCapacity(8) }
            items.append(try parser.parseValue())
        }
        return .array(items)
    }

    /// Walks the object whose `{` is at `index`: `member` gets each key (nil unless
    /// `buildingKeys`: then keys are only checked) with the parser at its value, and must
    /// consume the value. Every way of reading an object goes through here, so all of them
    /// accept and reject the same text.
    private mutating func forEachMember(
        buildingKeys: Bool, _ member: (String?, inout JSONParser) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        try enter()
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        if index < input.count, input[index] == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            guard index < input.count, input[index] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let key: String?
            if buildingKeys { key = try parseString() } else { try skipString(); key = nil }
            skipWhitespace()
            guard index < input.count, input[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipWhitespace()
            try member(key, &self)
            skipWhitespace()
            guard index < input.count else { throw fail("unexpected end in object") }
            if input[index] == UInt8(ascii: ",") { index += 1; continue }
            if input[index] == UInt8(ascii: "}") { index += 1; return }
            throw fail("expected ',' or '}'")
        }
    }

    /// Walks the array whose `[` is at `index`: `element` gets the parser at each element and
    /// must consume it. As ``forEachMember(buildingKeys:_:)`` is for objects.
    private mutating func forEachElement(_ element: (inout JSONParser) throws(JSONParseError) -> Void) throws(JSONParseError) {
        try enter()
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        if index < input.count, input[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            try element(&self)
            skipWhitespace()
            guard index < input.count else { throw fail("unexpected end in array") }
            if input[index] == UInt8(ascii: ",") { index += 1; continue }
            if input[index] == UInt8(ascii: "]") { index += 1; return }
            throw fail("expected ',' or ']'")
        }
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        if input[index] == UInt8(ascii: "-") { index += 1 }
        guard index < input.count else { throw fail("bad number") }
        if input[index] == UInt8(ascii: "0") {
            index += 1
        } else if isDigit(input[index]) {
            while index < input.count, isDigit(input[index]) { index += 1 }
        } else {
            throw fail("bad number")
        }
        if index < input.count, input[index] == UInt8(ascii: ".") {
            index += 1
            guard index < input.count, isDigit(input[index]) else { throw fail("bad fraction") }
            while index < input.count, isDigit(input[index]) { index += 1 }
        }
        if index < input.count, input[index] == UInt8(ascii: "e") || input[index] == UInt8(ascii: "E") {
            index += 1
            if index < input.count, input[index] == UInt8(ascii: "+") || input[index] == UInt8(ascii: "-") { index += 1 }
            guard index < input.count, isDigit(input[index]) else { throw fail("bad exponent") }
            while index < input.count, isDigit(input[index]) { index += 1 }
        }
        return .number(String(decoding: UnsafeBufferPointer(rebasing: input[start..<index]), as: UTF8.self))
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes, which is nearly every string in a session. Eight bytes at a
        // time while none of them is a quote, a backslash or a control character (a session's
        // access token is a 2 KB string); the byte loop below finds which one it was.
        if let base = input.baseAddress {
            while index + 8 <= input.count, !Self.mayEndPlainRun(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) {
                index += 8
            }
        }
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: input[start..<index]), as: UTF8.self)
                index += 1
                return s
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail("control character in string") }
            index += 1
        }
        var bytes = Array(UnsafeBufferPointer(rebasing: input[start..<index]))
        while index < input.count {
            let byte = input[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: bytes, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                guard index < input.count else { throw fail("unexpected end in escape") }
                let escape = input[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): bytes.append(0x22)
                case UInt8(ascii: "\\"): bytes.append(0x5C)
                case UInt8(ascii: "/"): bytes.append(0x2F)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"): appendScalar(try parseUnicodeEscape(), to: &bytes)
                default: throw fail("bad escape")
                }
            default:
                if byte < 0x20 { throw fail("control character in string") }
                bytes.append(byte)
                index += 1
            }
        }
        throw fail("unterminated string")
    }

    /// Whether any of the eight bytes in `word` is `"`, `\\` or below 0x20. (The classic
    /// "has a zero byte" and "has a byte less than n" tests; exact as to whether one exists.)
    @inline(__always) static func mayEndPlainRun(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroInQuote = (quote &- ones) & ~quote
        let zeroInBackslash = (backslash &- ones) & ~backslash
        let control = (word &- ones &* 0x20) & ~word
        return (zeroInQuote | zeroInBackslash | control) & (ones &* 0x80) != 0
    }

    /// Reads the object in `bytes` member by member without building it, for a hot path that
    /// needs only some members as typed values (an access token's claims, on every check).
    /// `member` gets each key in order, a repeated key again, and must consume the value with
    /// exactly one of ``readValue()``, ``readString()``, ``readStringArray()`` or
    /// ``readRawValue()``. Accepts and rejects exactly the text ``parse(_:)`` does, and throws if
    /// it is not an object.
    static func readObject(
        _ bytes: UnsafeBufferPointer<UInt8>, _ member: (String, inout JSONParser) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        guard parser.index < parser.input.count, parser.input[parser.index] == UInt8(ascii: "{") else {
            throw parser.fail("expected an object")
        }
        try parser.forEachMember(buildingKeys: true) { key, value throws(JSONParseError) in try member(key ?? "", &value) }
        parser.skipWhitespace()
        guard parser.index == parser.input.count else { throw parser.fail("unexpected data after the value") }
    }

    /// ``readObject(_:_:)`` over an array's bytes: true when the whole text was read.
    static func readObject(_ text: [UInt8], _ member: (String, inout JSONParser) throws(JSONParseError) -> Void) -> Bool {
        text.withUnsafeBufferPointer { bytes in
            do throws(JSONParseError) {
                try readObject(bytes, member)
                return true
            } catch {
                return false
            }
        }
    }

    /// The member's value (inside ``readObject(_:_:)``).
    mutating func readValue() throws(JSONParseError) -> JSONValue { try parseValue() }

    /// The member's value if it is a string, else nil (the value is still read and checked).
    mutating func readString() throws(JSONParseError) -> String? {
        guard index < input.count, input[index] == UInt8(ascii: "\"") else { _ = try parseValue(); return nil }
        return try parseString()
    }

    /// The member's value left as text: the range of its bytes in the input, checked exactly
    /// as parsing would check it but without building anything.
    mutating func readRawValue() throws(JSONParseError) -> Range<Int> {
        let start = index
        try skipValue()
        return start..<index
    }

    /// Checks one value as ``parseValue()`` would, building nothing.
    private mutating func skipValue() throws(JSONParseError) {
        guard index < input.count else { throw fail("unexpected end") }
        switch input[index] {
        case UInt8(ascii: "{"): try forEachMember(buildingKeys: false) { _, value throws(JSONParseError) in try value.skipValue() }
        case UInt8(ascii: "["): try forEachElement { element throws(JSONParseError) in try element.skipValue() }
        case UInt8(ascii: "\""): try skipString()
        default: _ = try parseValue()  // a literal or a number: nothing to allocate
        }
    }

    /// Checks a string as ``parseString()`` would (controls, escapes, `\u` digits), building nothing.
    private mutating func skipString() throws(JSONParseError) {
        index += 1
        while index < input.count {
            // Eight plain bytes at a time, as in parseString.
            if let base = input.baseAddress {
                while index + 8 <= input.count, !Self.mayEndPlainRun(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) {
                    index += 8
                }
            }
            guard index < input.count else { break }
            let byte = input[index]
            if byte == UInt8(ascii: "\"") { index += 1; return }
            if byte < 0x20 { throw fail("control character in string") }
            index += 1
            guard byte == UInt8(ascii: "\\") else { continue }
            guard index < input.count else { throw fail("unexpected end in escape") }
            let escape = input[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): break
            case UInt8(ascii: "u"): _ = try parseHex4()
            default: throw fail("bad escape")
            }
        }
        throw fail("unterminated string")
    }

    /// The strings of the member's value if it is an array, skipping elements that are not
    /// strings (as ``JSONValue/stringArrayValue`` does); nil if it is not an array.
    mutating func readStringArray() throws(JSONParseError) -> [String]? {
        guard index < input.count, input[index] == UInt8(ascii: "[") else { _ = try parseValue(); return nil }
        var strings: [String] = []
        try forEachElement { element throws(JSONParseError) in
            if strings.isEmpty { strings.reserveCapacity(8) }
            if element.index < element.input.count, element.input[element.index] == UInt8(ascii: "\"") {
                strings.append(try element.parseString())
            } else {
                _ = try element.parseValue()
            }
        }
        return strings
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= input.count else { throw fail("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = input[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("bad \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// Reads the four hex digits after `\u`, joining a surrogate pair when one follows.
    /// A lone surrogate (legal in JavaScript strings, impossible in Swift's) becomes U+FFFD.
    private mutating func parseUnicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
        let first = try parseHex4()
        if (0xD800...0xDBFF).contains(first),
           index + 6 <= input.count, input[index] == UInt8(ascii: "\\"), input[index + 1] == UInt8(ascii: "u") {
            let save = index
            index += 2
            let second = try parseHex4()
            if (0xDC00...0xDFFF).contains(second) {
                let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                return Unicode.Scalar(combined) ?? "\u{FFFD}"
            }
            index = save
        }
        return Unicode.Scalar(first) ?? "\u{FFFD}"
    }

    private func appendScalar(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
        for unit in UTF8.encode(scalar)! { bytes.append(unit) }
    }
}
