// Why not swift-crypto: it embeds BoringSSL (fixes would not come with apt upgrade), and its iron unseal crypto is 1.95x slower, +8 % per check (docs/build-or-buy.md).

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
        let context = DigestContext.ofThisThread
        return [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            key.withUnsafeBytes { k in
                hmac(FetchedAlgorithms.shared.sha256, digestSize: 32, key: k, data: UnsafeRawBufferPointer(data), context: context, into: out.baseAddress!)
            }
            count = 32
        }
    }

    /// PBKDF2 with HMAC-SHA1 (RFC 8018), as iron derives its keys.
    public static func pbkdf2SHA1(password: [UInt8], salt: [UInt8], iterations: Int, keyLength: Int) -> [UInt8] {
        precondition(iterations >= 1 && keyLength >= 1)
        let md = FetchedAlgorithms.shared.sha1
        let context = DigestContext.ofThisThread
        let blocks = (keyLength + 19) / 20
        // Per block: U1 = HMAC(P, S || INT(i)), Uj = HMAC(P, Uj-1), T = U1 ^ … ^ Uc. On the
        // stack: iron derives two keys for every cookie it opens.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: salt.count + 4 + 40) { scratch in
            let saltAndIndex = UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(scratch)[0..<(salt.count + 4)])
            salt.withUnsafeBytes { saltAndIndex.copyMemory(from: $0) }
            let u = scratch.baseAddress! + salt.count + 4
            let t = u + 20
            return [UInt8](unsafeUninitializedCapacity: blocks * 20) { derived, count in
                password.withUnsafeBytes { key in
                    for block in 1...blocks {
                        saltAndIndex[salt.count] = UInt8(truncatingIfNeeded: block >> 24)
                        saltAndIndex[salt.count + 1] = UInt8(truncatingIfNeeded: block >> 16)
                        saltAndIndex[salt.count + 2] = UInt8(truncatingIfNeeded: block >> 8)
                        saltAndIndex[salt.count + 3] = UInt8(truncatingIfNeeded: block)
                        hmac(md, digestSize: 20, key: key, data: UnsafeRawBufferPointer(saltAndIndex), context: context, into: u)
                        t.update(from: u, count: 20)
                        for _ in 1..<iterations {
                            hmac(md, digestSize: 20, key: key, data: UnsafeRawBufferPointer(start: u, count: 20), context: context, into: u)
                            for j in 0..<20 { t[j] ^= u[j] }
                        }
                        (derived.baseAddress! + (block - 1) * 20).update(from: t, count: 20)
                    }
                }
                count = keyLength
                // Key material: clear the stack copies.
                u.update(repeating: 0, count: 40)
            }
        }
    }

    /// HMAC (RFC 2104) over a 64-byte-block digest, built on plain digest calls so that no MAC
    /// implementation is looked up per call, with the padded keys on the stack. `out` may be
    /// inside `data` (PBKDF2 chains Uj from Uj-1): the inner digest is taken before it is written.
    private static func hmac(
        _ md: OpaquePointer, digestSize: Int, key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer,
        context: DigestContext, into out: UnsafeMutablePointer<UInt8>
    ) {
        let blockSize = 64
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: blockSize + 64) { scratch in
            let pad = scratch.baseAddress!
            let innerDigest = pad + blockSize
            pad.initialize(repeating: 0, count: blockSize)
            if key.count > blockSize {
                context.hash(md, CollectionOfOne(key), into: pad)
            } else if let base = key.baseAddress {
                pad.update(from: base.assumingMemoryBound(to: UInt8.self), count: key.count)
            }
            for i in 0..<blockSize { pad[i] ^= 0x36 }
            context.hash(md, UnsafeRawBufferPointer(start: pad, count: blockSize), data, into: innerDigest)
            // ipad to opad in place: k ^ 0x36 ^ (0x36 ^ 0x5C) = k ^ 0x5C.
            for i in 0..<blockSize { pad[i] ^= 0x36 ^ 0x5C }
            context.hash(md, UnsafeRawBufferPointer(start: pad, count: blockSize), UnsafeRawBufferPointer(start: innerDigest, count: digestSize), into: out)
            // Key material: clear the stack copy.
            pad.update(repeating: 0, count: blockSize)
        }
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
