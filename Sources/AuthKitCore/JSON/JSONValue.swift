/// A JSON value that keeps object keys in their order, as JavaScript objects do.
///
/// Sessions must be written with authkit-nextjs's exact key order (`JSON.stringify` keeps
/// insertion order), and `Codable` promises no order, so the core has its own small model.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number, kept as its JSON text so that re-serialising changes nothing.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in order. Keys are unique (the parser keeps the last value, as `JSON.parse` does).
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): a == b || (Double(a) != nil && Double(a) == Double(b))
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// A number from an integer.
    public static func int(_ value: Int64) -> JSONValue { .number(String(value)) }

    /// The member named `key` of an object, or nil.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(members) = self else { return nil }
        // Lengths first, as in the parser: cheaper than `==` for keys that differ.
        let length = key.utf8.count
        return members.last { $0.key.utf8.count == length && $0.key == key }?.value
    }

    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }

    /// The number as a Double, as JavaScript would read it.
    public var doubleValue: Double? {
        if case let .number(text) = self { return Double(text) }
        return nil
    }

    /// The number as a whole Int64 when it is integral and in range (e.g. `exp`, `iat`).
    public var int64Value: Int64? {
        guard case let .number(text) = self else { return nil }
        if let exact = Int64(text) { return exact }
        guard let d = Double(text), d.isFinite, d.rounded(.towardZero) == d,
              d >= -9.2e18, d <= 9.2e18 else { return nil }
        return Int64(d)
    }

    public var arrayValue: [JSONValue]? {
        if case let .array(a) = self { return a }
        return nil
    }

    public var objectValue: [(key: String, value: JSONValue)]? {
        if case let .object(o) = self { return o }
        return nil
    }

    /// The strings of an array of strings; non-string elements are skipped.
    public var stringArrayValue: [String]? {
        guard case let .array(items) = self else { return nil }
        return items.compactMap(\.stringValue)
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
