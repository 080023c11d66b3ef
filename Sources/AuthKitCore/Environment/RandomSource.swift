import AuthKitCrypto

/// Supplies random bytes for salts, IVs, PKCE verifiers and nonces.
/// Injected so tests can reproduce a seal byte for byte.
public protocol RandomSource: Sendable {
    func bytes(_ count: Int) -> [UInt8]
}

/// OpenSSL's CSPRNG (`RAND_bytes`).
public struct SecureRandom: RandomSource {
    public init() {}
    public func bytes(_ count: Int) -> [UInt8] { CryptoRandom.bytes(count) }
}
