import COpenSSL

/// Hashes, HMAC and PBKDF2 over OpenSSL digests fetched once (see `FetchedAlgorithms`).
public enum Digest {
    /// SHA-256 of `data`.
    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        data.withUnsafeBufferPointer { sha256($0) }
    }

    /// SHA-256 of the bytes in `data`, written to the 32 bytes at `out`, with this thread's own
    /// digest context: no allocation (it runs for every check, to find the cached session).
    public static func sha256(_ data: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) {
        DigestContext.ofThisThread.hash(FetchedAlgorithms.shared.sha256, CollectionOfOne(UnsafeRawBufferPointer(data)), into: out)
    }

    /// SHA-256 of the bytes in `data`.
    public static func sha256(_ data: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            sha256(data, into: out.baseAddress!)
            count = 32
        }
    }

    /// HMAC-SHA256 of `data` under `key`.
    public static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        data.withUnsafeBufferPointer { hmacSHA256(key: key, data: $0) }
    }

    /// HMAC-SHA256 of the bytes in `data` under `key`.
    public static func hmacSHA256(key: [UInt8], data: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let context = DigestContext()
        return hmac(FetchedAlgorithms.shared.sha256, digestSize: 32, key: key, parts: [UnsafeRawBufferPointer(data)], context: context)
    }

    /// PBKDF2 with HMAC-SHA1 (RFC 8018), as iron derives its keys.
    public static func pbkdf2SHA1(password: [UInt8], salt: [UInt8], iterations: Int, keyLength: Int) -> [UInt8] {
        precondition(iterations >= 1 && keyLength >= 1)
        let md = FetchedAlgorithms.shared.sha1
        let context = DigestContext()
        var derived: [UInt8] = []
        derived.reserveCapacity(keyLength + 20)
        var block: UInt32 = 1
        while derived.count < keyLength {
            let index: [UInt8] = [UInt8(block >> 24), UInt8(block >> 16 & 0xFF), UInt8(block >> 8 & 0xFF), UInt8(block & 0xFF)]
            var u = salt.withUnsafeBytes { s in
                index.withUnsafeBytes { i in hmac(md, digestSize: 20, key: password, parts: [s, i], context: context) }
            }
            var t = u
            for _ in 1..<iterations {
                u = u.withUnsafeBytes { hmac(md, digestSize: 20, key: password, parts: [$0], context: context) }
                for j in 0..<20 { t[j] ^= u[j] }
            }
            derived.append(contentsOf: t)
            block += 1
        }
        return Array(derived.prefix(keyLength))
    }

    /// HMAC (RFC 2104) over a 64-byte-block digest, built on plain digest calls so that no
    /// MAC implementation is looked up per call.
    private static func hmac(
        _ md: OpaquePointer, digestSize: Int, key: [UInt8], parts: [UnsafeRawBufferPointer], context: DigestContext
    ) -> [UInt8] {
        let blockSize = 64
        var keyBlock = [UInt8](repeating: 0, count: blockSize)
        if key.count > blockSize {
            key.withUnsafeBytes { k in keyBlock.withUnsafeMutableBufferPointer { context.hash(md, [k], into: $0.baseAddress!) } }
        } else {
            keyBlock.replaceSubrange(0..<key.count, with: key)
        }
        var inner = keyBlock.map { $0 ^ 0x36 }
        let outer = keyBlock.map { $0 ^ 0x5C }
        var innerDigest = [UInt8](repeating: 0, count: digestSize)
        inner.withUnsafeBytes { i in
            innerDigest.withUnsafeMutableBufferPointer { context.hash(md, [i] + parts, into: $0.baseAddress!) }
        }
        var result = [UInt8](repeating: 0, count: digestSize)
        outer.withUnsafeBytes { o in
            innerDigest.withUnsafeBytes { d in
                result.withUnsafeMutableBufferPointer { context.hash(md, [o, d], into: $0.baseAddress!) }
            }
        }
        // Key material: clear the copies.
        for i in 0..<blockSize { keyBlock[i] = 0; inner[i] = 0 }
        return result
    }

    /// Compares two byte strings in time that depends only on their lengths.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) == 0 }
        }
    }
}
