import COpenSSL

/// Hashes, HMAC and PBKDF2 over OpenSSL.
public enum Digest {
    /// Stands in for the base address of an empty buffer, which may be nil; OpenSSL wants a pointer.
    private static let placeholder: [UInt8] = [0]

    /// SHA-256 of `data`.
    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        data.withUnsafeBufferPointer { sha256($0) }
    }

    /// SHA-256 of the bytes in `data`.
    public static func sha256(_ data: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        placeholder.withUnsafeBufferPointer { ph in
            _ = SHA256(data.count > 0 ? data.baseAddress! : ph.baseAddress!, data.count, &out)
        }
        return out
    }

    /// HMAC-SHA256 of `data` under `key`.
    public static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        data.withUnsafeBufferPointer { hmacSHA256(key: key, data: $0) }
    }

    /// HMAC-SHA256 of the bytes in `data` under `key`.
    public static func hmacSHA256(key: [UInt8], data: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var outLength: UInt32 = 32
        placeholder.withUnsafeBufferPointer { ph in
            key.withUnsafeBufferPointer { k in
                let kp = k.count > 0 ? k.baseAddress! : ph.baseAddress!
                let dp = data.count > 0 ? data.baseAddress! : ph.baseAddress!
                _ = HMAC(EVP_sha256(), kp, Int32(k.count), dp, data.count, &out, &outLength)
            }
        }
        return out
    }

    /// PBKDF2 with HMAC-SHA1, as iron derives its keys.
    public static func pbkdf2SHA1(password: [UInt8], salt: [UInt8], iterations: Int, keyLength: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: keyLength)
        let ok = placeholder.withUnsafeBufferPointer { ph in
            password.withUnsafeBufferPointer { p in
                salt.withUnsafeBufferPointer { s in
                    let pp = UnsafeRawPointer(p.count > 0 ? p.baseAddress! : ph.baseAddress!)
                    let sp = s.count > 0 ? s.baseAddress! : ph.baseAddress!
                    return PKCS5_PBKDF2_HMAC_SHA1(
                        pp.assumingMemoryBound(to: CChar.self), Int32(p.count),
                        sp, Int32(s.count), Int32(iterations), Int32(keyLength), &out)
                }
            }
        }
        precondition(ok == 1, "PKCS5_PBKDF2_HMAC_SHA1 failed")
        return out
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
