// Why not swift-crypto: it embeds BoringSSL (fixes would not come with apt upgrade); its RS256 verify is 0.93x, not enough to pay for that (docs/build-or-buy.md).

import AuthKitSync
import COpenSSL

/// Errors from RSA key handling.
public enum RSAKeyError: Error, Sendable, Equatable {
    case invalidKey(String)
    case operationFailed(String)
}

/// An RSA public key for RS256 (RSASSA-PKCS1-v1_5 with SHA-256) verification.
///
/// `EVP_PKEY` is safe to share between threads for read-only operations such as verify, hence
/// the unchecked `Sendable`.
public final class RSAPublicKey: @unchecked Sendable {
    let pkey: OpaquePointer
    /// Verify contexts set up for RS256, reused across calls: setting one up looks up the
    /// signature implementation and digest, which costs as much as the RSA operation itself.
    /// A context is used by one thread at a time.
    private let verifyContexts = Locked<[VerifyContext]>([])

    /// An `EVP_PKEY_CTX` handed between threads through the pool, used by one at a time.
    private struct VerifyContext: @unchecked Sendable { let pointer: OpaquePointer }
    private static let maximumPooledContexts = 32

    /// Builds a key from the big-endian modulus and exponent of a JWK (`n`, `e`).
    public init(modulus: [UInt8], exponent: [UInt8]) throws(RSAKeyError) {
        guard !modulus.isEmpty, !exponent.isEmpty else { throw .invalidKey("empty modulus or exponent") }
        guard let n = BN_bin2bn(modulus, Int32(modulus.count), nil),
              let e = BN_bin2bn(exponent, Int32(exponent.count), nil) else {
            throw .invalidKey("bad big number")
        }
        defer { BN_free(n); BN_free(e) }
        guard let builder = OSSL_PARAM_BLD_new() else { throw .operationFailed("OSSL_PARAM_BLD_new") }
        defer { OSSL_PARAM_BLD_free(builder) }
        guard OSSL_PARAM_BLD_push_BN(builder, authkit_param_rsa_n, n) == 1,
              OSSL_PARAM_BLD_push_BN(builder, authkit_param_rsa_e, e) == 1,
              let params = OSSL_PARAM_BLD_to_param(builder) else {
            throw .operationFailed("OSSL_PARAM_BLD")
        }
        defer { OSSL_PARAM_free(params) }
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, "RSA", nil) else { throw .operationFailed("EVP_PKEY_CTX_new_from_name") }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer?
        guard EVP_PKEY_fromdata_init(ctx) == 1,
              EVP_PKEY_fromdata(ctx, &key, authkit_evp_pkey_public_key, params) == 1, let key else {
            ERR_clear_error()
            throw .invalidKey("OpenSSL rejected the RSA public key")
        }
        self.pkey = key
    }

    init(owning pkey: OpaquePointer) { self.pkey = pkey }

    deinit {
        verifyContexts.withLock { contexts in contexts.forEach { EVP_PKEY_CTX_free($0.pointer) } }
        EVP_PKEY_free(pkey)
    }

    /// Size of the modulus in bits.
    public var bits: Int { Int(EVP_PKEY_get_bits(pkey)) }

    /// Verifies an RS256 signature over `message`.
    public func verifyRS256(signature: [UInt8], message: [UInt8]) -> Bool {
        let digest = Digest.sha256(message)
        guard let context = verifyContexts.withLock({ $0.popLast()?.pointer }) ?? makeVerifyContext() else { return false }
        let result = signature.withUnsafeBufferPointer { s in
            EVP_PKEY_verify(context, s.baseAddress, s.count, digest, digest.count)
        }
        if result != 1 { ERR_clear_error() }
        let pooled = verifyContexts.withLock { contexts -> Bool in
            guard contexts.count < Self.maximumPooledContexts else { return false }
            contexts.append(VerifyContext(pointer: context))
            return true
        }
        if !pooled { EVP_PKEY_CTX_free(context) }
        return result == 1
    }

    private func makeVerifyContext() -> OpaquePointer? {
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil) else { return nil }
        guard EVP_PKEY_verify_init(context) == 1,
              EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) == 1,
              EVP_PKEY_CTX_set_signature_md(context, FetchedAlgorithms.shared.sha256) == 1 else {
            ERR_clear_error()
            EVP_PKEY_CTX_free(context)
            return nil
        }
        return context
    }
}

/// An RSA private key that signs RS256; used by the WorkOS emulator and by tests.
public final class RSAPrivateKey: @unchecked Sendable {
    let pkey: OpaquePointer

    /// Generates a new key of `bits` bits (public exponent 65537).
    public init(generatingBits bits: Int = 2048) throws(RSAKeyError) {
        guard let key = PrivateKeys.generateKey("RSA", { EVP_PKEY_CTX_set_rsa_keygen_bits($0, Int32(bits)) }) else {
            throw .operationFailed("RSA key generation")
        }
        self.pkey = key
    }

    /// Reads a PEM private key (PKCS#8 or traditional).
    public init(pem: String) throws(RSAKeyError) {
        let key = PrivateKeys.readPrivateKey(pem)
        guard let key, EVP_PKEY_is_a(key, "RSA") == 1 else {
            // A key of another type was read: it is ours to free (found by AddressSanitizer).
            if let key { EVP_PKEY_free(key) }
            ERR_clear_error()
            throw .invalidKey("not an RSA private key in PEM")
        }
        self.pkey = key
    }

    deinit { EVP_PKEY_free(pkey) }

    /// The key as PKCS#8 PEM.
    public func pem() throws(RSAKeyError) -> String {
        do { return try PrivateKeys.privateKey(pkey) } catch { throw .operationFailed("PEM_write_bio_PrivateKey") }
    }

    /// Big-endian modulus (`n` of a JWK).
    public func modulus() throws(RSAKeyError) -> [UInt8] { try bigNumber("n") }
    /// Big-endian public exponent (`e` of a JWK).
    public func exponent() throws(RSAKeyError) -> [UInt8] { try bigNumber("e") }

    /// The matching public key.
    public func publicKey() throws(RSAKeyError) -> RSAPublicKey {
        try RSAPublicKey(modulus: modulus(), exponent: exponent())
    }

    /// Signs `message` with RS256.
    public func signRS256(_ message: [UInt8]) throws(RSAKeyError) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { throw .operationFailed("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, EVP_sha256(), nil, pkey) == 1 else { throw .operationFailed("EVP_DigestSignInit") }
        var length = 0
        let sizeOK = message.withUnsafeBufferPointer { m in
            EVP_DigestSign(ctx, nil, &length, m.baseAddress, m.count) == 1
        }
        guard sizeOK else { throw .operationFailed("EVP_DigestSign size") }
        var signature = [UInt8](repeating: 0, count: length)
        let signOK = message.withUnsafeBufferPointer { m in
            signature.withUnsafeMutableBufferPointer { s in
                EVP_DigestSign(ctx, s.baseAddress, &length, m.baseAddress, m.count) == 1
            }
        }
        guard signOK else { throw .operationFailed("EVP_DigestSign") }
        return Array(signature.prefix(length))
    }

    private func bigNumber(_ name: String) throws(RSAKeyError) -> [UInt8] {
        var bn: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pkey, name, &bn) == 1, let bn else {
            throw .operationFailed("EVP_PKEY_get_bn_param \(name)")
        }
        defer { BN_free(bn) }
        let size = (Int(BN_num_bits(bn)) + 7) / 8
        var out = [UInt8](repeating: 0, count: size)
        _ = BN_bn2bin(bn, &out)
        return out
    }
}
