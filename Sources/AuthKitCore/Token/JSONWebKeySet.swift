import AuthKitCrypto

/// The RS256 verification keys of a JWKS document.
///
/// Keys are chosen as jose 5 does for an RS256 token: `kty` RSA, then `kid` if the token has
/// one, then `alg` (absent or RS256), `use` (absent or `sig`) and `key_ops` (absent or
/// containing `verify`). Keys under 2048 bits are refused, as jose refuses them for RS256.
public struct JSONWebKeySet: Sendable {
    public struct Key: Sendable {
        public var keyId: String?
        public var publicKey: RSAPublicKey
    }

    public private(set) var keys: [Key]

    public init(keys: [Key]) { self.keys = keys }

    /// Parses a JWKS document. Unusable keys are skipped; a document that is not a JWKS fails.
    public init(json bytes: [UInt8]) throws(TokenError) {
        let document: JSONValue
        do { document = try JSONParser.parse(bytes) } catch { throw .keysUnavailable("JWKS is not JSON") }
        guard let entries = document["keys"]?.arrayValue else { throw .keysUnavailable("JWKS has no keys array") }
        var keys: [Key] = []
        for entry in entries {
            guard entry["kty"]?.stringValue?.bytesEqual("RSA") == true else { continue }
            if let alg = entry["alg"], alg.stringValue?.bytesEqual("RS256") != true { continue }
            if let use = entry["use"], use.stringValue?.bytesEqual("sig") != true { continue }
            if let ops = entry["key_ops"], !(ops.stringArrayValue ?? []).contains(where: { $0.bytesEqual("verify") }) { continue }
            guard let n = entry["n"]?.stringValue.flatMap(Base64URL.decode),
                  let e = entry["e"]?.stringValue.flatMap(Base64URL.decode),
                  let key = try? RSAPublicKey(modulus: n, exponent: e), key.bits >= 2048 else { continue }
            keys.append(Key(keyId: entry["kid"]?.stringValue, publicKey: key))
        }
        self.keys = keys
    }

    /// The candidate keys for a token header's `kid` (all keys when the token has no kid).
    public func candidates(forKeyId keyId: String?) -> [RSAPublicKey] {
        guard let keyId else { return keys.map(\.publicKey) }
        // Bytes, not canonical equivalence: the kid comes from the token's header.
        return keys.filter { $0.keyId?.bytesEqual(keyId) == true }.map(\.publicKey)
    }
}
