import AuthKitCrypto
import Foundation

/// A self-signed X.509 v3 certificate for a signing key, DER-encoded. WorkOS publishes one
/// per key in the JWKS (`x5c`, `x5t#S256`), and the official SDKs' JWKS models require both.
enum SelfSignedCertificate {
    /// sha256WithRSAEncryption
    private static let signatureAlgorithm = DER.sequence(DER.objectIdentifier([1, 2, 840, 113549, 1, 1, 11]), DER.null)
    /// rsaEncryption
    private static let rsaEncryption = DER.sequence(DER.objectIdentifier([1, 2, 840, 113549, 1, 1, 1]), DER.null)

    /// The certificate for `key`, subject and issuer `CN=<commonName>`, valid for ten years.
    static func der(for key: RSAPrivateKey, commonName: String, now: Date = Date()) throws -> [UInt8] {
        let name = DER.sequence(DER.set(DER.sequence(DER.objectIdentifier([2, 5, 4, 3]), DER.utf8String(commonName))))
        var serial = CryptoRandom.bytes(16)
        serial[0] &= 0x7f
        let publicKey = DER.sequence(DER.integer(try key.modulus()), DER.integer(try key.exponent()))
        let toBeSigned = DER.sequence(
            DER.explicit(0, DER.integer([2])),
            DER.integer(serial),
            signatureAlgorithm,
            name,
            DER.sequence(DER.utcTime(now.addingTimeInterval(-86_400)), DER.utcTime(now.addingTimeInterval(10 * 365 * 86_400))),
            name,
            DER.sequence(rsaEncryption, DER.bitString(publicKey)))
        return DER.sequence(toBeSigned, signatureAlgorithm, DER.bitString(try key.signRS256(toBeSigned)))
    }
}
