import Testing
@testable import AuthKitCrypto

@Suite struct AESCBCTests {
    // NIST SP 800-38A F.2.5 (CBC-AES256.Encrypt) and F.2.6 (CBC-AES256.Decrypt).
    static let nistKey = [UInt8](hex: "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
    static let nistIV = [UInt8](hex: "000102030405060708090a0b0c0d0e0f")
    static let nistPlaintext = [UInt8](hex: """
        6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51 \
        30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710
        """)
    static let nistCiphertext = [UInt8](hex: """
        f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d \
        39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b
        """)
    /// The PKCS#7 block (16 × 0x10) our API appends, encrypted after the NIST blocks.
    /// From `openssl enc -aes-256-cbc -K … -iv …` over the same 64 bytes.
    static let paddingBlock = [UInt8](hex: "3f461796d6b0d6b2e0c2a72b4d80e644")

    @Test func nistVectorsAreWellFormed() {
        #expect(Self.nistKey.count == 32)
        #expect(Self.nistIV.count == 16)
        #expect(Self.nistPlaintext.count == 64)
        #expect(Self.nistCiphertext.count == 64)
    }

    @Test func encryptMatchesNISTF25PlusPaddingBlock() throws {
        let ciphertext = try AES256CBC.encrypt(key: Self.nistKey, iv: Self.nistIV, plaintext: Self.nistPlaintext)
        #expect(ciphertext.count == 80)
        #expect(Array(ciphertext.prefix(64)) == Self.nistCiphertext)
        #expect(Array(ciphertext.suffix(16)) == Self.paddingBlock)
    }

    @Test func decryptMatchesNISTF26() throws {
        let plaintext = try AES256CBC.decrypt(
            key: Self.nistKey, iv: Self.nistIV, ciphertext: Self.nistCiphertext + Self.paddingBlock)
        #expect(plaintext == Self.nistPlaintext)
    }

    /// Each NIST block alone: CBC chaining means a prefix of the ciphertext encrypts a prefix of
    /// the plaintext, so encrypting the first k blocks reproduces the first k NIST blocks.
    @Test(arguments: 1...4)
    func nistPrefixesChainCorrectly(_ blocks: Int) throws {
        let ciphertext = try AES256CBC.encrypt(
            key: Self.nistKey, iv: Self.nistIV, plaintext: Array(Self.nistPlaintext.prefix(blocks * 16)))
        #expect(ciphertext.count == blocks * 16 + 16)
        #expect(Array(ciphertext.prefix(blocks * 16)) == Array(Self.nistCiphertext.prefix(blocks * 16)))
        let back = try AES256CBC.decrypt(key: Self.nistKey, iv: Self.nistIV, ciphertext: ciphertext)
        #expect(back == Array(Self.nistPlaintext.prefix(blocks * 16)))
    }

    /// The raw NIST ciphertext has no PKCS#7 padding: its last plaintext byte is 0x10 but the
    /// bytes before it are not, so the padding check must fail.
    @Test func nistCiphertextWithoutPaddingBlockIsRejected() {
        #expect(throws: AES256CBC.Failure.decryptionFailed) {
            try AES256CBC.decrypt(key: Self.nistKey, iv: Self.nistIV, ciphertext: Self.nistCiphertext)
        }
    }

    /// Answers from `openssl enc -aes-256-cbc` with the NIST key and IV.
    @Test(arguments: [
        ("", "7e9248e5d829ca7593f0c549db2f5b8c"),
        ("hello", "11567e234fd4575f682ce39def007307"),
    ])
    func shortPlaintextsMatchOpenSSLCommandLine(_ text: String, _ expected: String) throws {
        let ciphertext = try AES256CBC.encrypt(key: Self.nistKey, iv: Self.nistIV, plaintext: Array(text.utf8))
        #expect(ciphertext.hex == expected)
        #expect(try AES256CBC.decrypt(key: Self.nistKey, iv: Self.nistIV, ciphertext: ciphertext) == Array(text.utf8))
    }

    @Test(arguments: 0...48)
    func roundTripsEveryLengthAroundBlockBoundaries(_ length: Int) throws {
        let key = CryptoRandom.bytes(32)
        let iv = CryptoRandom.bytes(16)
        let plaintext = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let ciphertext = try AES256CBC.encrypt(key: key, iv: iv, plaintext: plaintext)
        // PKCS#7 always adds 1…16 bytes.
        #expect(ciphertext.count == (length / 16 + 1) * 16)
        #expect(try AES256CBC.decrypt(key: key, iv: iv, ciphertext: ciphertext) == plaintext)
    }

    @Test func roundTripsLargePlaintext() throws {
        let key = CryptoRandom.bytes(32)
        let iv = CryptoRandom.bytes(16)
        let plaintext = CryptoRandom.bytes(100_003)
        let ciphertext = try AES256CBC.encrypt(key: key, iv: iv, plaintext: plaintext)
        #expect(ciphertext.count == 100_016)
        #expect(try AES256CBC.decrypt(key: key, iv: iv, ciphertext: ciphertext) == plaintext)
    }

    @Test func ivChangesCiphertextAndOnlyTheFirstDecryptedBlock() throws {
        let iv2 = Self.nistIV.map { $0 ^ 0xFF }
        let c1 = try AES256CBC.encrypt(key: Self.nistKey, iv: Self.nistIV, plaintext: Self.nistPlaintext)
        let c2 = try AES256CBC.encrypt(key: Self.nistKey, iv: iv2, plaintext: Self.nistPlaintext)
        #expect(c1 != c2)
        // Decrypting with the wrong IV garbles block one only (CBC), and padding still checks out.
        let garbled = try AES256CBC.decrypt(key: Self.nistKey, iv: iv2, ciphertext: c1)
        #expect(garbled.count == 64)
        #expect(Array(garbled.prefix(16)) == zip(Self.nistPlaintext.prefix(16), zip(Self.nistIV, iv2)).map { $0 ^ $1.0 ^ $1.1 })
        #expect(Array(garbled.dropFirst(16)) == Array(Self.nistPlaintext.dropFirst(16)))
    }

    // MARK: Failures

    @Test(arguments: [1, 15, 17, 31, 63, 65, 79, 81])
    func ciphertextLengthNotMultipleOf16Fails(_ length: Int) {
        #expect(throws: AES256CBC.Failure.decryptionFailed) {
            try AES256CBC.decrypt(key: Self.nistKey, iv: Self.nistIV, ciphertext: [UInt8](repeating: 0x42, count: length))
        }
    }

    @Test func emptyCiphertextFails() {
        #expect(throws: AES256CBC.Failure.decryptionFailed) {
            try AES256CBC.decrypt(key: Self.nistKey, iv: Self.nistIV, ciphertext: [])
        }
    }

    @Test(arguments: [0, 1, 16, 24, 31, 33, 64])
    func badKeySizeIsBadParameters(_ size: Int) {
        let key = [UInt8](repeating: 7, count: size)
        #expect(throws: AES256CBC.Failure.badParameters) {
            try AES256CBC.encrypt(key: key, iv: Self.nistIV, plaintext: [1, 2, 3])
        }
        #expect(throws: AES256CBC.Failure.badParameters) {
            try AES256CBC.decrypt(key: key, iv: Self.nistIV, ciphertext: Self.nistCiphertext + Self.paddingBlock)
        }
    }

    @Test(arguments: [0, 1, 8, 12, 15, 17, 32])
    func badIVSizeIsBadParameters(_ size: Int) {
        let iv = [UInt8](repeating: 7, count: size)
        #expect(throws: AES256CBC.Failure.badParameters) {
            try AES256CBC.encrypt(key: Self.nistKey, iv: iv, plaintext: [1, 2, 3])
        }
        #expect(throws: AES256CBC.Failure.badParameters) {
            try AES256CBC.decrypt(key: Self.nistKey, iv: iv, ciphertext: Self.nistCiphertext + Self.paddingBlock)
        }
    }

    @Test func wrongKeyFailsOrGivesGarbage() throws {
        let plaintext = Array(#"{"accessToken":"eyJ","refreshToken":"r"}"#.utf8)
        let ciphertext = try AES256CBC.encrypt(key: Self.nistKey, iv: Self.nistIV, plaintext: plaintext)
        var failures = 0
        for i in 0..<64 {
            var wrongKey = Self.nistKey
            wrongKey[i % 32] ^= UInt8(1 << (i % 8))
            do {
                let result = try AES256CBC.decrypt(key: wrongKey, iv: Self.nistIV, ciphertext: ciphertext)
                #expect(result != plaintext, "wrong key \(i) decrypted to the plaintext")
            } catch {
                #expect(error == .decryptionFailed)
                failures += 1
            }
        }
        // A random last block has valid padding with probability about 1/256 each.
        #expect(failures >= 56, "only \(failures)/64 wrong keys were caught by the padding check")
    }

    /// Any change to the last block decrypts it to noise, which fails the padding check except
    /// about 1 in 256 times. Deterministic inputs, so the count does not vary between runs.
    @Test func corruptedLastBlockFailsPaddingInMostCases() throws {
        let plaintext = Array("a session of a few blocks, sealed and then tampered with".utf8)
        let ciphertext = try AES256CBC.encrypt(key: Self.nistKey, iv: Self.nistIV, plaintext: plaintext)
        var failures = 0
        var trials = 0
        for position in ciphertext.count - 16..<ciphertext.count {
            for flip in [0x01, 0x02, 0x10, 0x80, 0xFF, 0x5A] as [UInt8] {
                var corrupted = ciphertext
                corrupted[position] ^= flip
                trials += 1
                do {
                    let result = try AES256CBC.decrypt(key: Self.nistKey, iv: Self.nistIV, ciphertext: corrupted)
                    #expect(result != plaintext)
                } catch {
                    #expect(error == .decryptionFailed)
                    failures += 1
                }
            }
        }
        #expect(failures >= trials - 4, "only \(failures)/\(trials) corruptions failed the padding check")
    }

    /// Without a MAC, CBC is malleable: flipping a bit of the second-to-last block flips the same
    /// bit of the padding. Turning the last pad byte 0x10 into 0x01 still decrypts (one byte of
    /// padding removed). Iron's HMAC is what stops this; the cipher alone cannot.
    @Test func cbcWithoutMACIsMalleable() throws {
        var ciphertext = try AES256CBC.encrypt(key: Self.nistKey, iv: Self.nistIV, plaintext: Self.nistPlaintext)
        ciphertext[63] ^= 0x10 ^ 0x01
        let result = try AES256CBC.decrypt(key: Self.nistKey, iv: Self.nistIV, ciphertext: ciphertext)
        #expect(result.count == 79)
        #expect(Array(result.prefix(48)) == Array(Self.nistPlaintext.prefix(48)))
        #expect(Array(result[48..<64]) != Array(Self.nistPlaintext[48..<64]))
    }

    @Test func truncatedCiphertextFails() throws {
        let ciphertext = try AES256CBC.encrypt(key: Self.nistKey, iv: Self.nistIV, plaintext: Self.nistPlaintext)
        // Dropping the padding block leaves the NIST ciphertext, whose last block is not padding.
        #expect(throws: AES256CBC.Failure.decryptionFailed) {
            try AES256CBC.decrypt(key: Self.nistKey, iv: Self.nistIV, ciphertext: Array(ciphertext.prefix(64)))
        }
        #expect(throws: AES256CBC.Failure.decryptionFailed) {
            try AES256CBC.decrypt(key: Self.nistKey, iv: Self.nistIV, ciphertext: Array(ciphertext.prefix(79)))
        }
    }

    @Test func failureThenSuccessOnSameThread() throws {
        // A failed decrypt must not leave an OpenSSL error behind that breaks the next call.
        _ = try? AES256CBC.decrypt(key: Self.nistKey, iv: Self.nistIV, ciphertext: Self.nistCiphertext)
        let plaintext = try AES256CBC.decrypt(
            key: Self.nistKey, iv: Self.nistIV, ciphertext: Self.nistCiphertext + Self.paddingBlock)
        #expect(plaintext == Self.nistPlaintext)
    }
}
