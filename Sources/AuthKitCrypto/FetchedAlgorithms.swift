import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// Algorithm implementations fetched from OpenSSL's default provider once per process.
///
/// OpenSSL 3's convenience calls (`SHA256()`, `HMAC()`, `PKCS5_PBKDF2_HMAC_SHA1()`,
/// `EVP_aes_256_cbc()` in a cipher init) look the implementation up on every call, which
/// profiles showed as most of the cost of opening a session cookie. Fetched objects are
/// immutable and safe to share between threads.
struct FetchedAlgorithms: @unchecked Sendable {
    let sha1: OpaquePointer
    let sha256: OpaquePointer
    let aes256CBC: OpaquePointer

    static let shared: FetchedAlgorithms = {
        guard let sha1 = EVP_MD_fetch(nil, "SHA1", nil),
              let sha256 = EVP_MD_fetch(nil, "SHA256", nil),
              let aes = EVP_CIPHER_fetch(nil, "AES-256-CBC", nil) else {
            fatalError("OpenSSL's default provider lacks SHA1, SHA256 or AES-256-CBC")
        }
        return FetchedAlgorithms(sha1: sha1, sha256: sha256, aes256CBC: aes)
    }()
}

/// A digest context reused by one thread, so a hash does not allocate one each time.
final class DigestContext {
    let context: OpaquePointer

    init() { context = EVP_MD_CTX_new() }
    deinit { EVP_MD_CTX_free(context) }

    /// Hashes the concatenation of `parts` with `md` into `out` (which must be big enough).
    func hash(_ md: OpaquePointer, _ parts: [UnsafeRawBufferPointer], into out: UnsafeMutablePointer<UInt8>) {
        var length: UInt32 = 0
        guard EVP_DigestInit_ex2(context, md, nil) == 1 else { fatalError("EVP_DigestInit_ex2 failed") }
        for part in parts where part.count > 0 {
            _ = EVP_DigestUpdate(context, part.baseAddress, part.count)
        }
        _ = EVP_DigestFinal_ex(context, out, &length)
    }
}

/// One `EVP_MD_CTX` per thread, freed when the thread ends: re-initialising a context for the
/// same digest reuses its provider state, where a fresh context allocates twice and frees twice.
enum ThreadDigestContext {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        guard pthread_key_create(&key, { EVP_MD_CTX_free(OpaquePointer($0)) }) == 0 else {
            fatalError("pthread_key_create failed")
        }
        return key
    }()

    /// This thread's context.
    static var current: Context {
        if let existing = pthread_getspecific(key) { return Context(context: OpaquePointer(existing)) }
        guard let created = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed") }
        pthread_setspecific(key, UnsafeRawPointer(created))
        return Context(context: created)
    }

    struct Context {
        let context: OpaquePointer

        /// Hashes `data` with `md` into `out` (which must be big enough).
        func hash(_ md: OpaquePointer, _ data: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) {
            var length: UInt32 = 0
            guard EVP_DigestInit_ex2(context, md, nil) == 1 else { fatalError("EVP_DigestInit_ex2 failed") }
            if data.count > 0 { _ = EVP_DigestUpdate(context, data.baseAddress, data.count) }
            _ = EVP_DigestFinal_ex(context, out, &length)
        }
    }
}
