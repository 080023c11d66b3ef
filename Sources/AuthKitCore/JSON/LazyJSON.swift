/// A JSON value kept either built or as the text it was read from, and built from the text
/// only when asked for: the hot path reads a few fields of a session or token in one pass and
/// never needs the rest as values. Equal when the values are equal, however each is kept.
struct LazyJSON: Sendable, Equatable {
    private enum Storage: Sendable {
        case parsed(JSONValue)
        /// Text already read and accepted as an object.
        case text([UInt8])
    }

    private var storage: Storage

    init(_ value: JSONValue) { storage = .parsed(value) }

    /// - Parameter text: JSON text already checked to be an object.
    init(objectText text: [UInt8]) { storage = .text(text) }

    var value: JSONValue {
        switch storage {
        case .parsed(let value): value
        case .text(let bytes): (try? JSONParser.parse(bytes)) ?? .object([])
        }
    }

    static func == (lhs: LazyJSON, rhs: LazyJSON) -> Bool { lhs.value == rhs.value }
}
