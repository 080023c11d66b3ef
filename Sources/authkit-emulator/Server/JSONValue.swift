import Foundation

/// A JSON document as a value: what the emulator reads from request bodies and seed files
/// and writes in every answer.
///
/// WorkOS writes absent fields as explicit `null`s (the official SDKs' models require the
/// keys), which `Codable` structs would drop, so answers are built from this type:
///
/// ```swift
/// let body: JSONValue = ["error": "invalid_grant", "error_description": "Refresh token already exchanged."]
/// body.bytes() // {"error":"invalid_grant","error_description":"Refresh token already exchanged."}
/// ```
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// A string, or `null` when absent.
    init(_ string: String?) { self = string.map(JSONValue.string) ?? .null }

    /// An array of strings.
    init(_ strings: [String]) { self = .array(strings.map(JSONValue.string)) }

    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    var intValue: Int? {
        switch self {
        case .int(let int): int
        case .double(let double) where double == double.rounded() && abs(double) < 1e15: Int(double)
        case .string(let string): Int(string)
        default: nil
        }
    }

    var doubleValue: Double? {
        switch self {
        case .int(let int): Double(int)
        case .double(let double): double
        case .string(let string): Double(string)
        default: nil
        }
    }

    /// `true`/`false`, also from `"true"`, `"1"` and numbers (form bodies carry strings).
    var boolValue: Bool? {
        switch self {
        case .bool(let bool): bool
        case .int(let int): int != 0
        case .string(let string): ["true", "1", "yes"].contains(string.lowercased()) ? true
            : ["false", "0", "no"].contains(string.lowercased()) ? false : nil
        default: nil
        }
    }

    var objectValue: [String: JSONValue]? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The compact encoding, keys sorted, slashes unescaped.
    func bytes() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data("null".utf8))
    }

    /// Parses JSON text; nil when it is not JSON.
    static func parse(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }
}

extension JSONValue: Codable {
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? container.decode(Int.self) {
            self = .int(int)
        } else if let double = try? container.decode(Double.self) {
            self = .double(double)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let bool): try container.encode(bool)
        case .int(let int): try container.encode(int)
        case .double(let double): try container.encode(double)
        case .string(let string): try container.encode(string)
        case .array(let array): try container.encode(array)
        case .object(let object): try container.encode(object)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    init(nilLiteral: ()) { self = .null }
}
