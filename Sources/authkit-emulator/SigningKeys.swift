import AuthKitCrypto
import Foundation

/// The RS256 keys the emulator signs access tokens with. The newest signs; older ones stay
/// in the JWKS until dropped, so tests can exercise rotation and unknown `kid`s.
struct SigningKey: Sendable {
    let id: String
    let key: RSAPrivateKey

    static func generate(sequence: Int) -> SigningKey {
        // 2048 bits: the minimum jose (and authkit-fcgi) accept for RS256.
        SigningKey(id: "sso_oidc_key_pair_emulate_\(sequence)_\(UUID().uuidString.prefix(8).lowercased())",
                   key: try! RSAPrivateKey(generatingBits: 2048))
    }

    var jwk: [String: Any] {
        ["alg": "RS256", "kty": "RSA", "use": "sig", "kid": id,
         "n": Base64URLText.encode(try! key.modulus()), "e": Base64URLText.encode(try! key.exponent())]
    }

    /// A compact JWS over `claims`.
    func sign(claims: [String: Any]) -> String {
        let header = ["alg": "RS256", "kid": id, "typ": "JWT"]
        let encodedHeader = Base64URLText.encode(Array(try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])))
        let encodedClaims = Base64URLText.encode(Array(try! JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys, .withoutEscapingSlashes])))
        let input = "\(encodedHeader).\(encodedClaims)"
        return input + "." + Base64URLText.encode(try! key.signRS256(Array(input.utf8)))
    }
}

/// Unpadded base64url, written independently of AuthKitCore on purpose.
enum Base64URLText {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
