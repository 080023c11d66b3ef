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

/// An `EVP_MD_CTX` for a run of hashes (an HMAC's two, PBKDF2's many); re-initialising it for
/// the same digest reuses its provider state instead of allocating it again.
final class DigestContext {
    let context: OpaquePointer

    init() { context = EVP_MD_CTX_new() }
    deinit { EVP_MD_CTX_free(context) }

    /// Hashes the concatenation of `parts` with `md` into `out` (which must be big enough).
    func hash<Parts: Sequence<UnsafeRawBufferPointer>>(_ md: OpaquePointer, _ parts: Parts, into out: UnsafeMutablePointer<UInt8>) {
        digest(md, into: out) { for part in parts { update(part) } }
    }

    /// Hashes `first` then `second` (HMAC's pad and message) without an array of the two.
    func hash(_ md: OpaquePointer, _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) {
        digest(md, into: out) {
            update(first)
            update(second)
        }
    }

    private func digest(_ md: OpaquePointer, into out: UnsafeMutablePointer<UInt8>, _ feed: () -> Void) {
        var length: UInt32 = 0
        guard EVP_DigestInit_ex2(context, md, nil) == 1 else { fatalError("EVP_DigestInit_ex2 failed") }
        feed()
        _ = EVP_DigestFinal_ex(context, out, &length)
    }

    private func update(_ part: UnsafeRawBufferPointer) {
        if part.count > 0 { _ = EVP_DigestUpdate(context, part.baseAddress, part.count) }
    }

    /// This thread's own context, kept for the life of the thread (released when it ends).
    static var ofThisThread: DigestContext {
        if let existing = pthread_getspecific(threadKey) { return Unmanaged<DigestContext>.fromOpaque(existing).takeUnretainedValue() }
        let created = DigestContext()
        pthread_setspecific(threadKey, Unmanaged.passRetained(created).toOpaque())
        return created
    }

    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        guard pthread_key_create(&key, { Unmanaged<DigestContext>.fromOpaque($0!).release() }) == 0 else {
            fatalError("pthread_key_create failed")
        }
        return key
    }()
}
