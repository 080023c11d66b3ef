/// Verifies WorkOS access tokens: RS256 only, signature against the JWKS, then `exp`/`nbf`
/// with the configured leeway — jose's `jwtVerify` as authkit calls it, restricted to RS256.
///
/// One stricter rule than jose: `exp` is required, since a token without it would never expire
/// and the refresh rules need it.
public struct AccessTokenVerifier: Sendable {
    private let keys: any SigningKeyProvider
    private let clock: any Clock
    private let leewaySeconds: Int64

    public init(keys: any SigningKeyProvider, clock: any Clock, leewaySeconds: Int = 0) {
        self.keys = keys
        self.clock = clock
        self.leewaySeconds = Int64(leewaySeconds)
    }

    public func verify(_ token: String) -> Result<AccessTokenClaims, TokenError> {
        do throws(TokenError) {
            return .success(try verifyOrThrow(token))
        } catch {
            return .failure(error)
        }
    }

    private func verifyOrThrow(_ token: String) throws(TokenError) -> AccessTokenClaims {
        let jwt = try JWT(token)
        guard jwt.algorithm?.bytesEqual("RS256") == true else { throw .unsupportedAlgorithm(jwt.algorithm ?? "(none)") }
        // jose refuses extensions it does not understand; so do we.
        if jwt.header["crit"] != nil { throw .unsupportedAlgorithm("crit header") }
        let candidates = try keys.keys(forKeyId: jwt.keyId)
        guard candidates.contains(where: { $0.verifyRS256(signature: jwt.signature, message: jwt.signingInput) }) else {
            throw .badSignature
        }
        guard let claims = AccessTokenClaims(payloadJSON: jwt.payloadJSON) else {
            throw .malformed("payload not a JSON object, or sub/exp/iat/nbf missing or mistyped")
        }
        let now = clock.nowSeconds()
        if claims.expiresAt <= now.subtractingClamped(leewaySeconds) { throw .expired }
        if let nbf = claims.notBefore, nbf > now.addingClamped(leewaySeconds) { throw .notYetValid }
        return claims
    }

    /// The claims of a token without verifying it, like jose's `decodeJwt`; used only to read
    /// `org_id` for a refresh and to describe tokens fresh from WorkOS.
    public static func decodeUnverified(_ token: String) -> AccessTokenClaims? {
        guard let jwt = try? JWT(token) else { return nil }
        return AccessTokenClaims(payloadJSON: jwt.payloadJSON)
    }
}
