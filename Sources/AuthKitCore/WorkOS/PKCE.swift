import AuthKitCrypto

/// A PKCE pair as workos-node makes it: the verifier is the first 43 characters of
/// base64url(33 random bytes); the challenge is base64url(SHA-256(verifier)), method S256.
public struct PKCE: Sendable, Equatable {
    public var codeVerifier: String
    public var codeChallenge: String

    public init(random: some RandomSource) {
        self.init(codeVerifier: String(Base64URL.encode(random.bytes(33)).prefix(43)))
    }

    public init(codeVerifier: String) {
        self.codeVerifier = codeVerifier
        self.codeChallenge = Self.challenge(for: codeVerifier)
    }

    public static func challenge(for verifier: String) -> String {
        Base64URL.encode(Digest.sha256(Array(verifier.utf8)))
    }
}
