import Testing
@testable import AuthKitCrypto

/// ES256 with P-256 keys made in process: JOSE signatures (r || s), PEM round trips.
@Suite struct P256KeyTests {
    static let key: P256PrivateKey = try! P256PrivateKey()
    static let message = Array("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyXzAxIn0".utf8)

    @Test func signaturesAreSixtyFourRawBytesThatVerify() throws {
        for _ in 0..<20 {
            let signature = try Self.key.signES256(Self.message)
            #expect(signature.count == 64, "JOSE r || s, not DER (which starts 0x30 and is 70–72 bytes)")
            #expect(Self.key.verifyES256(signature: signature, message: Self.message))
        }
    }

    @Test func aChangedMessageOrSignatureFails() throws {
        var signature = try Self.key.signES256(Self.message)
        #expect(!Self.key.verifyES256(signature: signature, message: Self.message + [0x2E]))
        signature[10] ^= 1
        #expect(!Self.key.verifyES256(signature: signature, message: Self.message))
        #expect(!Self.key.verifyES256(signature: Array(signature.prefix(63)), message: Self.message))
        #expect(!(try P256PrivateKey()).verifyES256(signature: try Self.key.signES256(Self.message), message: Self.message))
    }

    /// DER integers drop leading zero bytes (and add one before a high bit): both must come out
    /// as 32 bytes each.
    @Test func derToJOSEPadsShortIntegers() throws {
        // SEQUENCE { INTEGER 0x01, INTEGER 0x00ff…(32 bytes of 0xff) }
        let s = [UInt8](repeating: 0xFF, count: 32)
        let der: [UInt8] = [0x30, 3 + 35, 0x02, 0x01, 0x01, 0x02, 0x21, 0x00] + s
        let jose = try P256PrivateKey.joseSignature(fromDER: der)
        #expect(jose == [UInt8](repeating: 0, count: 31) + [0x01] + s)
        #expect(P256PrivateKey.derSignature(fromJOSE: jose) == der)
    }

    @Test func coordinatesAreThirtyTwoBytes() throws {
        let point = try Self.key.publicCoordinates()
        #expect(point.x.count == 32 && point.y.count == 32)
    }

    @Test func pemRoundTripsAndOtherKeysAreRefused() throws {
        let pem = try Self.key.pem()
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let again = try P256PrivateKey(pem: pem)
        #expect(try again.publicCoordinates().x == Self.key.publicCoordinates().x)
        #expect(again.verifyES256(signature: try Self.key.signES256(Self.message), message: Self.message))
        let rsa = try RSAPrivateKey(generatingBits: 2048).pem()
        #expect(throws: ECKeyError.self) { try P256PrivateKey(pem: rsa) }
        #expect(throws: ECKeyError.self) { try P256PrivateKey(pem: "not a key") }
    }
}
