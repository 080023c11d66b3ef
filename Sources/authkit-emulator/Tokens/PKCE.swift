import AuthKitCrypto

/// PKCE (RFC 7636) as WorkOS checks it: only `S256`.
enum PKCE {
    /// Whether `verifier` hashes to `challenge`: base64url(SHA-256(ASCII verifier)), no padding.
    ///
    /// `PKCE.matches(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    ///               challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM") == true`
    static func matches(verifier: String, challenge: String) -> Bool {
        let computed = Array(Base64URL.encode(Digest.sha256(Array(verifier.utf8))).utf8)
        return Digest.constantTimeEquals(computed, Array(challenge.utf8))
    }
}
