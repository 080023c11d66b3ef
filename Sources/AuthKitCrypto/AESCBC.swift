// Why not swift-crypto: it embeds BoringSSL (fixes would not come with apt upgrade); its AES-256-CBC decrypt is 1.48x slower (docs/build-or-buy.md).

import COpenSSL

/// AES-256-CBC with PKCS#7 padding, the cipher of iron's default `aes-256-cbc`.
public enum AES256CBC {
    public enum Failure: Error, Sendable, Equatable {
        /// Wrong key or IV size.
        case badParameters
        /// Padding or length check failed: the bytes are not a ciphertext under this key.
        case decryptionFailed
    }

    /// Encrypts `plaintext` with a 32-byte key and a 16-byte IV.
    public static func encrypt(key: [UInt8], iv: [UInt8], plaintext: [UInt8]) throws(Failure) -> [UInt8] {
        try run(encrypt: true, key: key, iv: iv, input: plaintext)
    }

    /// Decrypts and removes PKCS#7 padding.
    public static func decrypt(key: [UInt8], iv: [UInt8], ciphertext: [UInt8]) throws(Failure) -> [UInt8] {
        guard !ciphertext.isEmpty, ciphertext.count % 16 == 0 else { throw .decryptionFailed }
        return try run(encrypt: false, key: key, iv: iv, input: ciphertext)
    }

    private static func run(encrypt: Bool, key: [UInt8], iv: [UInt8], input: [UInt8]) throws(Failure) -> [UInt8] {
        guard key.count == 32, iv.count == 16 else { throw .badParameters }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw .badParameters }
        defer { EVP_CIPHER_CTX_free(ctx) }
        guard EVP_CipherInit_ex2(ctx, FetchedAlgorithms.shared.aes256CBC, key, iv, encrypt ? 1 : 0, nil) == 1 else {
            throw .badParameters
        }
        var out = [UInt8](repeating: 0, count: input.count + 16)
        var written: Int32 = 0
        var finalWritten: Int32 = 0
        let ok = out.withUnsafeMutableBufferPointer { o -> Bool in
            if !input.isEmpty {
                let updateOK = input.withUnsafeBufferPointer { i in
                    EVP_CipherUpdate(ctx, o.baseAddress, &written, i.baseAddress, Int32(i.count)) == 1
                }
                guard updateOK else { return false }
            }
            return EVP_CipherFinal_ex(ctx, o.baseAddress! + Int(written), &finalWritten) == 1
        }
        guard ok else {
            ERR_clear_error()
            throw .decryptionFailed
        }
        out.removeSubrange(Int(written + finalWritten)...)
        return out
    }
}
