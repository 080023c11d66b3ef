import AuthKitCrypto

/// The identity assertion's signature algorithm (`AUTHKIT_ASSERTION_ALG`).
public enum AssertionAlgorithm: String, Sendable, CaseIterable {
    /// ECDSA P-256 with SHA-256: small tokens, fast signing (the default when on).
    case es256
    /// RSASSA-PKCS1-v1_5 with SHA-256 and a 2048-bit key, for verifiers without ES256.
    case rs256

    /// The JOSE `alg` name.
    public var jwsName: String { self == .es256 ? "ES256" : "RS256" }
}

/// A private key that signs identity assertions, with its public JWK and RFC 7638 `kid`.
/// Secret: ``pem()`` is for the key file only, never for a log.
public struct AssertionKey: Sendable {
    private enum Material: Sendable {
        case p256(P256PrivateKey)
        case rsa(RSAPrivateKey)
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case unreadable
        case operationFailed
        public var description: String {
            switch self {
            case .unreadable: "not a P-256 (ES256) or RSA (RS256) private key in PEM"
            case .operationFailed: "OpenSSL could not use the key"
            }
        }
    }

    private let material: Material
    public let algorithm: AssertionAlgorithm
    /// The public members of the JWK in RFC 7638's lexicographic order (`crv`, `kty`, `x`, `y`
    /// or `e`, `kty`, `n`).
    public let publicMembers: [(key: String, value: String)]
    /// RFC 7638 thumbprint of the public key, base64url.
    public let kid: String

    /// A new key (RSA: 2048 bits).
    public init(generating algorithm: AssertionAlgorithm) throws(Failure) {
        do {
            switch algorithm {
            case .es256: try self.init(material: .p256(P256PrivateKey()))
            case .rs256: try self.init(material: .rsa(RSAPrivateKey(generatingBits: 2048)))
            }
        } catch { throw .operationFailed }
    }

    /// A key from PEM: P-256 signs ES256, RSA (2048 bits or more) RS256.
    public init(pem: String) throws(Failure) {
        if let ec = try? P256PrivateKey(pem: pem) {
            try self.init(material: .p256(ec))
        } else if let rsa = try? RSAPrivateKey(pem: pem), let bits = try? rsa.publicKey().bits, bits >= 2048 {
            try self.init(material: .rsa(rsa))
        } else {
            throw .unreadable
        }
    }

    private init(material: Material) throws(Failure) {
        self.material = material
        do {
            switch material {
            case .p256(let key):
                let point = try key.publicCoordinates()
                algorithm = .es256
                publicMembers = [("crv", "P-256"), ("kty", "EC"), ("x", Base64URL.encode(point.x)), ("y", Base64URL.encode(point.y))]
            case .rsa(let key):
                algorithm = .rs256
                publicMembers = [("e", Base64URL.encode(try key.exponent())), ("kty", "RSA"), ("n", Base64URL.encode(try key.modulus()))]
            }
        } catch { throw .operationFailed }
        kid = Self.thumbprint(publicMembers)
    }

    /// RFC 7638: base64url(SHA-256(the required members, sorted, no whitespace)).
    public static func thumbprint(_ members: [(key: String, value: String)]) -> String {
        let json = JSONWriter.bytes(.object(members.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            .map { ($0.key, JSONValue.string($0.value)) }))
        return Base64URL.encode(Digest.sha256(json))
    }

    /// The key's entry in the JWKS: the public members, `kid`, `use` and `alg`.
    public var publicJWK: JSONValue {
        .object(publicMembers.map { ($0.key, JSONValue.string($0.value)) }
            + [("kid", .string(kid)), ("use", .string("sig")), ("alg", .string(algorithm.jwsName))])
    }

    /// The JWS signature of `signingInput` (ES256: `r || s`, 64 bytes).
    public func sign(_ signingInput: [UInt8]) throws(Failure) -> [UInt8] {
        do {
            switch material {
            case .p256(let key): return try key.signES256(signingInput)
            case .rsa(let key): return try key.signRS256(signingInput)
            }
        } catch { throw .operationFailed }
    }

    /// Whether `signature` over `signingInput` is this key's (for tests and self-checks).
    public func verify(_ signature: [UInt8], signingInput: [UInt8]) -> Bool {
        switch material {
        case .p256(let key): return key.verifyES256(signature: signature, message: signingInput)
        case .rsa(let key): return (try? key.publicKey().verifyRS256(signature: signature, message: signingInput)) ?? false
        }
    }

    /// PKCS#8 PEM, for the key directory. Secret.
    public func pem() throws(Failure) -> String {
        do {
            switch material {
            case .p256(let key): return try key.pem()
            case .rsa(let key): return try key.pem()
            }
        } catch { throw .operationFailed }
    }
}
