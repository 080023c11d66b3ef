/// The keys in the JWKS. The newest signs; older ones stay published until a rotation drops
/// them, so tests can exercise both a rotation clients must follow and an unknown `kid`.
struct SigningKeyRing: Sendable {
    private(set) var keys: [SigningKey]

    init(first: SigningKey) {
        keys = [first]
    }

    /// The key that signs new tokens.
    var current: SigningKey { keys[keys.count - 1] }

    /// The JWKS document, newest key first.
    var jwks: JSONValue { ["keys": .array(keys.reversed().map(\.jwk))] }

    /// Makes `key` the signing key; `keepOld` keeps the previous ones published.
    mutating func install(_ key: SigningKey, keepOld: Bool) {
        keys = (keepOld ? keys : []) + [key]
    }
}
