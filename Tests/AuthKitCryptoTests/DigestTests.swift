import Testing
@testable import AuthKitCrypto

/// Hex helpers for the known-answer vectors of this target.
extension Array where Element == UInt8 {
    /// Bytes from hex text; spaces are ignored so vectors can be copied from the standards.
    init(hex: String) {
        let digits = Array(hex.utf8.filter { $0 != UInt8(ascii: " ") })
        precondition(digits.count % 2 == 0, "odd hex length")
        func value(_ d: UInt8) -> UInt8 {
            switch d {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d - UInt8(ascii: "A") + 10
            default: preconditionFailure("not hex")
            }
        }
        self = stride(from: 0, to: digits.count, by: 2).map { value(digits[$0]) << 4 | value(digits[$0 + 1]) }
    }

    var hex: String { map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }
}

@Suite struct DigestTests {
    // MARK: SHA-256 (FIPS 180-2 appendix B)

    struct SHAVector: Sendable, CustomTestStringConvertible {
        let message: String
        let digest: String
        var testDescription: String { "\"\(message.prefix(20))\" (\(message.utf8.count) bytes)" }
    }

    static let sha256Vectors: [SHAVector] = [
        SHAVector(message: "", digest: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        SHAVector(message: "abc", digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        // The 448-bit (56-byte) two-block message of FIPS 180-2 B.2.
        SHAVector(
            message: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            digest: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ]

    @Test(arguments: sha256Vectors)
    func sha256KnownAnswers(_ vector: SHAVector) {
        let digest = Digest.sha256(Array(vector.message.utf8))
        #expect(digest.count == 32)
        #expect(digest.hex == vector.digest)
    }

    @Test(arguments: sha256Vectors)
    func sha256BufferOverloadAgrees(_ vector: SHAVector) {
        let bytes = Array(vector.message.utf8)
        let viaBuffer = bytes.withUnsafeBufferPointer { Digest.sha256($0) }
        #expect(viaBuffer.hex == vector.digest)
    }

    /// The per-thread context: the same answers, from many threads at once, again and again.
    @Test func sha256IntoThreadContextAgreesAcrossThreads() async {
        func intoBuffer(_ bytes: [UInt8]) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: 32)
            bytes.withUnsafeBufferPointer { input in out.withUnsafeMutableBufferPointer { Digest.sha256(input, into: $0.baseAddress!) } }
            return out
        }
        await withTaskGroup(of: Bool.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    (0..<500).allSatisfy { round in
                        let vector = Self.sha256Vectors[(worker + round) % Self.sha256Vectors.count]
                        return intoBuffer(Array(vector.message.utf8)).hex == vector.digest
                    }
                }
            }
            for await agreed in group { #expect(agreed) }
        }
    }

    /// FIPS 180-2 B.3: one million "a", many blocks through one update.
    @Test func sha256MillionA() {
        let digest = Digest.sha256([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(digest.hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func sha256IsRepeatable() {
        let message = Array("repeat me".utf8)
        #expect(Digest.sha256(message) == Digest.sha256(message))
        #expect(Digest.sha256(message) != Digest.sha256(message + [0]))
    }

    // MARK: HMAC-SHA256 (RFC 4231)

    struct HMACVector: Sendable, CustomTestStringConvertible {
        let name: String
        let key: [UInt8]
        let data: [UInt8]
        let mac: String
        var testDescription: String { name }
    }

    static let hmacVectors: [HMACVector] = [
        HMACVector(
            name: "RFC 4231 test case 1", key: [UInt8](repeating: 0x0B, count: 20), data: Array("Hi There".utf8),
            mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        HMACVector(
            name: "RFC 4231 test case 2", key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
            mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        HMACVector(
            name: "RFC 4231 test case 3", key: [UInt8](repeating: 0xAA, count: 20), data: [UInt8](repeating: 0xDD, count: 50),
            mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        HMACVector(
            name: "RFC 4231 test case 4", key: Array(1...25), data: [UInt8](repeating: 0xCD, count: 50),
            mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        HMACVector(
            name: "RFC 4231 test case 6 (131-byte key)", key: [UInt8](repeating: 0xAA, count: 131),
            data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        HMACVector(
            name: "RFC 4231 test case 7 (131-byte key, long data)", key: [UInt8](repeating: 0xAA, count: 131),
            data: Array(
                "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
                    .utf8),
            mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
        // Not from the RFC: boundaries of the key-length branch, answers from Python's hmac module.
        HMACVector(
            name: "key of exactly one block (64 bytes)", key: [UInt8](repeating: 0xAA, count: 64),
            data: Array("exactly one block key".utf8),
            mac: "a070cce143022ab2ac2136358023c8c78babe36c586ccf6dac456c18dfa00eba"),
        HMACVector(
            name: "empty key and data", key: [], data: [],
            mac: "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"),
    ]

    @Test(arguments: hmacVectors)
    func hmacSHA256KnownAnswers(_ vector: HMACVector) {
        let mac = Digest.hmacSHA256(key: vector.key, data: vector.data)
        #expect(mac.count == 32)
        #expect(mac.hex == vector.mac)
    }

    @Test(arguments: hmacVectors)
    func hmacSHA256BufferOverloadAgrees(_ vector: HMACVector) {
        let mac = vector.data.withUnsafeBufferPointer { Digest.hmacSHA256(key: vector.key, data: $0) }
        #expect(mac.hex == vector.mac)
    }

    /// RFC 4231 test case 5 checks a MAC truncated to 128 bits.
    @Test func hmacSHA256TruncatedCase5() {
        let mac = Digest.hmacSHA256(key: [UInt8](repeating: 0x0C, count: 20), data: Array("Test With Truncation".utf8))
        #expect(Array(mac.prefix(16)).hex == "a3b6167473100ee06e0c796c2955552b")
    }

    // MARK: PBKDF2-HMAC-SHA1 (RFC 6070)

    struct PBKDF2Vector: Sendable, CustomTestStringConvertible {
        let password: [UInt8]
        let salt: [UInt8]
        let iterations: Int
        let keyLength: Int
        let derived: String
        var testDescription: String {
            "\(String(decoding: password, as: UTF8.self)) c=\(iterations) dkLen=\(keyLength)"
        }
    }

    static let pbkdf2Vectors: [PBKDF2Vector] = [
        PBKDF2Vector(
            password: Array("password".utf8), salt: Array("salt".utf8), iterations: 1, keyLength: 20,
            derived: "0c60c80f961f0e71f3a9b524af6012062fe037a6"),
        PBKDF2Vector(
            password: Array("password".utf8), salt: Array("salt".utf8), iterations: 2, keyLength: 20,
            derived: "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"),
        PBKDF2Vector(
            password: Array("password".utf8), salt: Array("salt".utf8), iterations: 4096, keyLength: 20,
            derived: "4b007901b765489abead49d926f721d065a429c1"),
        PBKDF2Vector(
            password: Array("passwordPASSWORDpassword".utf8), salt: Array("saltSALTsaltSALTsaltSALTsaltSALTsalt".utf8),
            iterations: 4096, keyLength: 25, derived: "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"),
        PBKDF2Vector(
            password: Array("pass\0word".utf8), salt: Array("sa\0lt".utf8), iterations: 4096, keyLength: 16,
            derived: "56fa6aa75548099dcc37d7f03425e0c3"),
        // Not from the RFC; answers from Python's hashlib.pbkdf2_hmac. Iron's shape: a 32-byte key
        // from a 64-character hex salt in one iteration.
        PBKDF2Vector(
            password: Array("this-is-a-32-character-password!".utf8), salt: [UInt8](repeating: UInt8(ascii: "a"), count: 64),
            iterations: 1, keyLength: 32, derived: "c179214da6acbc921ff11432414c5e1e143f0e86b98eb7ab1e01e8850126bde1"),
        // Four blocks, the last one whole.
        PBKDF2Vector(
            password: Array("password".utf8), salt: Array("salt".utf8), iterations: 3, keyLength: 64,
            derived: "6b4e26125c25cf21ae35ead955f479ea2e71f6ff9e400029f04810eece31355533bb2ed348e604da707cc4562f85fe120c5c3f28ae007805d5e5fa11c0aa19fb"),
    ]

    @Test(arguments: pbkdf2Vectors)
    func pbkdf2SHA1KnownAnswers(_ vector: PBKDF2Vector) {
        let derived = Digest.pbkdf2SHA1(
            password: vector.password, salt: vector.salt, iterations: vector.iterations, keyLength: vector.keyLength)
        #expect(derived.count == vector.keyLength)
        #expect(derived.hex == vector.derived)
    }

    /// A shorter key is a prefix of a longer one with the same inputs.
    @Test(arguments: [1, 5, 19, 20, 21, 39, 40, 41])
    func pbkdf2ShorterKeysArePrefixes(_ length: Int) {
        let long = Digest.pbkdf2SHA1(password: Array("pw".utf8), salt: Array("na".utf8), iterations: 2, keyLength: 60)
        let short = Digest.pbkdf2SHA1(password: Array("pw".utf8), salt: Array("na".utf8), iterations: 2, keyLength: length)
        #expect(short == Array(long.prefix(length)))
    }

    // MARK: constantTimeEquals

    @Test func constantTimeEqualsEqual() {
        #expect(Digest.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        let mac = Digest.sha256(Array("x".utf8))
        #expect(Digest.constantTimeEquals(mac, Array(mac)))
    }

    @Test func constantTimeEqualsEmpty() {
        #expect(Digest.constantTimeEquals([], []))
        #expect(!Digest.constantTimeEquals([], [0]))
        #expect(!Digest.constantTimeEquals([0], []))
    }

    @Test func constantTimeEqualsDifferentLengths() {
        #expect(!Digest.constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(!Digest.constantTimeEquals([1, 2], [1, 2, 3]))
        #expect(!Digest.constantTimeEquals([1, 2, 3], [1, 2, 3, 0]))
    }

    @Test(arguments: 0..<32)
    func constantTimeEqualsDetectsAnyDifferingByte(_ position: Int) {
        let a = Digest.sha256(Array("mac".utf8))
        var b = a
        b[position] ^= 0x01
        #expect(!Digest.constantTimeEquals(a, b))
        b[position] ^= 0x81
        #expect(!Digest.constantTimeEquals(a, b))
    }
}

@Suite struct CryptoRandomTests {
    @Test(arguments: [0, 1, 15, 16, 32, 1000])
    func returnsRequestedLength(_ count: Int) {
        #expect(CryptoRandom.bytes(count).count == count)
    }

    @Test func negativeCountGivesEmpty() {
        #expect(CryptoRandom.bytes(-1).isEmpty)
    }

    @Test func twoCallsDiffer() {
        // 2^-256 chance of a false failure.
        #expect(CryptoRandom.bytes(32) != CryptoRandom.bytes(32))
    }

    @Test func bytesAreNotConstant() {
        // 4096 bytes all equal has probability 2^-32760.
        let bytes = CryptoRandom.bytes(4096)
        #expect(Set(bytes).count > 200)
    }
}
