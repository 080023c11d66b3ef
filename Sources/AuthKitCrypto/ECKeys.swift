import COpenSSL

/// Errors from P-256 key handling.
public enum ECKeyError: Error, Sendable, Equatable {
    case invalidKey(String)
    case operationFailed(String)
}

/// A P-256 private key that signs ES256 (ECDSA with SHA-256, RFC 7518 §3.4): the identity
/// assertion's default algorithm.
///
/// Signatures are JOSE's: the 32-byte big-endian `r` then `s` (64 bytes), not OpenSSL's DER
/// `ECDSA-Sig-Value`. `EVP_PKEY` is safe to share between threads for signing.
public final class P256PrivateKey: @unchecked Sendable {
    let pkey: OpaquePointer

    /// The length of one coordinate and of `r` and `s`.
    public static let coordinateBytes = 32

    /// Generates a new key.
    public init() throws(ECKeyError) {
        guard let key = PrivateKeys.generateKey("EC", { EVP_PKEY_CTX_set_group_name($0, "P-256") }) else {
            throw .operationFailed("P-256 key generation")
        }
        self.pkey = key
    }

    /// Reads a PEM private key (PKCS#8 or SEC 1 `EC PRIVATE KEY`) on the P-256 curve.
    public init(pem: String) throws(ECKeyError) {
        let key = PrivateKeys.readPrivateKey(pem)
        guard let key, EVP_PKEY_is_a(key, "EC") == 1, Self.isP256(key) else {
            if let key { EVP_PKEY_free(key) }
            ERR_clear_error()
            throw .invalidKey("not a P-256 private key in PEM")
        }
        self.pkey = key
    }

    deinit { EVP_PKEY_free(pkey) }

    private static func isP256(_ key: OpaquePointer) -> Bool {
        var name = [CChar](repeating: 0, count: 64)
        var length = 0
        guard EVP_PKEY_get_group_name(key, &name, name.count, &length) == 1 else { return false }
        let group = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return group == "prime256v1" || group == "P-256"
    }

    /// The key as PKCS#8 PEM. Secret: never log it.
    public func pem() throws(ECKeyError) -> String {
        do { return try PrivateKeys.privateKey(pkey) } catch { throw .operationFailed("PEM_write_bio_PrivateKey") }
    }

    /// The public point's `x` and `y`, 32 bytes each, big-endian (a JWK's `x` and `y`).
    public func publicCoordinates() throws(ECKeyError) -> (x: [UInt8], y: [UInt8]) {
        (try coordinate(authkit_param_ec_pub_x), try coordinate(authkit_param_ec_pub_y))
    }

    private func coordinate(_ name: UnsafePointer<CChar>) throws(ECKeyError) -> [UInt8] {
        var bn: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pkey, name, &bn) == 1, let bn else { throw .operationFailed("EVP_PKEY_get_bn_param") }
        defer { BN_free(bn) }
        var out = [UInt8](repeating: 0, count: Self.coordinateBytes)
        guard BN_bn2binpad(bn, &out, Int32(Self.coordinateBytes)) == Int32(Self.coordinateBytes) else { throw .operationFailed("BN_bn2binpad") }
        return out
    }

    /// Signs `message` with ES256: 64 bytes, `r || s`.
    public func signES256(_ message: [UInt8]) throws(ECKeyError) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { throw .operationFailed("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit_ex(ctx, nil, "SHA256", nil, nil, pkey, nil) == 1 else {
            ERR_clear_error()
            throw .operationFailed("EVP_DigestSignInit_ex")
        }
        // A DER ECDSA-Sig-Value for P-256 is at most 72 bytes.
        var der = [UInt8](repeating: 0, count: 80)
        var length = der.count
        let signed = message.withUnsafeBufferPointer { m in
            der.withUnsafeMutableBufferPointer { s in EVP_DigestSign(ctx, s.baseAddress, &length, m.baseAddress, m.count) == 1 }
        }
        guard signed else {
            ERR_clear_error()
            throw .operationFailed("EVP_DigestSign")
        }
        return try Self.joseSignature(fromDER: Array(der.prefix(length)))
    }

    /// Verifies an ES256 signature in the JOSE form (64 bytes) with this key's public half.
    public func verifyES256(signature: [UInt8], message: [UInt8]) -> Bool {
        guard signature.count == 2 * Self.coordinateBytes, let der = Self.derSignature(fromJOSE: signature),
              let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit_ex(ctx, nil, "SHA256", nil, nil, pkey, nil) == 1 else {
            ERR_clear_error()
            return false
        }
        let result = der.withUnsafeBufferPointer { d in
            message.withUnsafeBufferPointer { m in EVP_DigestVerify(ctx, d.baseAddress, d.count, m.baseAddress, m.count) }
        }
        if result != 1 { ERR_clear_error() }
        return result == 1
    }

    /// DER `SEQUENCE { r INTEGER, s INTEGER }` to `r || s`, each left-padded to 32 bytes.
    static func joseSignature(fromDER der: [UInt8]) throws(ECKeyError) -> [UInt8] {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { d in
            var cursor: UnsafePointer<UInt8>? = d.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, d.count)
        }
        guard let parsed else { throw .operationFailed("d2i_ECDSA_SIG") }
        defer { ECDSA_SIG_free(parsed) }
        var out = [UInt8](repeating: 0, count: 2 * coordinateBytes)
        let ok = out.withUnsafeMutableBufferPointer { o -> Bool in
            guard let r = ECDSA_SIG_get0_r(parsed), let s = ECDSA_SIG_get0_s(parsed) else { return false }
            return BN_bn2binpad(r, o.baseAddress, Int32(coordinateBytes)) == Int32(coordinateBytes)
                && BN_bn2binpad(s, o.baseAddress! + coordinateBytes, Int32(coordinateBytes)) == Int32(coordinateBytes)
        }
        guard ok else { throw .operationFailed("ECDSA signature does not fit P-256") }
        return out
    }

    /// `r || s` to DER, for OpenSSL's verify.
    static func derSignature(fromJOSE signature: [UInt8]) -> [UInt8]? {
        guard let sig = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(sig) }
        guard let r = BN_bin2bn(signature, Int32(coordinateBytes), nil) else { return nil }
        guard let s = Array(signature[coordinateBytes...]).withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress, Int32(coordinateBytes), nil) }) else {
            BN_free(r)
            return nil
        }
        // ECDSA_SIG_set0 takes ownership of both numbers.
        guard ECDSA_SIG_set0(sig, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_ECDSA_SIG(sig, &out)
        guard length > 0, let out else { return nil }
        defer { CRYPTO_free(out, #fileID, #line) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }
}

/// Key generation and PEM reading and writing, shared by the key types.
enum PrivateKeys {
    struct Failure: Error {}

    /// A new key of OpenSSL's `type` ("RSA", "EC"), `configure` setting its size or curve on
    /// the keygen context (1 for success); owned by the caller.
    static func generateKey(_ type: String, _ configure: (OpaquePointer) -> Int32) -> OpaquePointer? {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, type, nil) else { return nil }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(ctx) == 1, configure(ctx) == 1, EVP_PKEY_generate(ctx, &key) == 1, let key else {
            ERR_clear_error()
            return nil
        }
        return key
    }

    /// The private key in PEM text (PKCS#8 or traditional), owned by the caller; nil if none.
    static func readPrivateKey(_ pem: String) -> OpaquePointer? {
        Array(pem.utf8).withUnsafeBufferPointer { b in
            guard let bio = BIO_new_mem_buf(b.baseAddress, Int32(b.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
    }

    /// PKCS#8 PEM of a private key.
    static func privateKey(_ pkey: OpaquePointer) throws(Failure) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw Failure() }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PrivateKey(bio, pkey, nil, nil, 0, nil, nil) == 1 else { throw Failure() }
        var pointer: UnsafeMutablePointer<CChar>?
        let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &pointer)
        guard length > 0, let pointer else { throw Failure() }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: Int(length)), as: UTF8.self)
    }
}
