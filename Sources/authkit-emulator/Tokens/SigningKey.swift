import AuthKitCrypto
import Foundation

/// An RS256 key the emulator signs access tokens with, and its public JWK as WorkOS publishes
/// it: `{"alg":"RS256","kty":"RSA","use":"sig","kid":…,"n":…,"e":…,"x5c":[…],"x5t#S256":…}`.
struct SigningKey: Sendable {
    let id: String
    let key: RSAPrivateKey
    let jwk: JSONValue

    /// A fresh 2048-bit key (the minimum authkit-fcgi and jose accept for RS256), with a
    /// WorkOS-looking `kid` (`sso_oidc_key_pair_01…`).
    static func generate() throws -> SigningKey {
        try SigningKey(id: Identifiers.ulid("sso_oidc_key_pair_"), key: RSAPrivateKey(generatingBits: 2048))
    }

    init(id: String, key: RSAPrivateKey) throws {
        self.id = id
        self.key = key
        let certificate = try SelfSignedCertificate.der(for: key, commonName: "authkit-emulator \(id)")
        jwk = [
            "alg": "RS256", "kty": "RSA", "use": "sig", "kid": .string(id),
            "n": .string(Base64URL.encode(try key.modulus())), "e": .string(Base64URL.encode(try key.exponent())),
            "x5c": [.string(Data(certificate).base64EncodedString())],
            "x5t#S256": .string(Base64URL.encode(Digest.sha256(certificate))),
        ]
    }

    /// A compact JWS over `claims`, header `{"alg":"RS256","kid":…,"typ":"JWT"}`.
    func sign(claims: JSONValue) throws -> String {
        let header: JSONValue = ["alg": "RS256", "kid": .string(id), "typ": "JWT"]
        let input = Base64URL.encode(header.bytes()) + "." + Base64URL.encode(claims.bytes())
        return input + "." + Base64URL.encode(try key.signRS256(Array(input.utf8)))
    }
}
