import COpenSSL

/// OpenSSL's CSPRNG.
public enum CryptoRandom {
    /// `count` bytes from `RAND_bytes`. A failing CSPRNG is not survivable, so it traps.
    public static func bytes(_ count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        precondition(ok == 1, "RAND_bytes failed: the system has no usable randomness")
        return out
    }
}
