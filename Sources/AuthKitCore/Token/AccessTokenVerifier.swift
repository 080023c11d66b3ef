/// Verifies WorkOS access tokens: RS256 only, signature against the JWKS, then `exp`/`nbf`
/// with the configured leeway — jose's `jwtVerify` as authkit calls it, restricted to RS256.
///
/// Two stricter rules than jose as authkit-nextjs calls it: `exp` is required, since a token
/// without it would never expire and the refresh rules need it; and `iss` must be one of the
/// ``AcceptedIssuers`` (authkit-nextjs checks it only when `WORKOS_ISSUER` is set), so a token
/// WorkOS signed for another environment or issuer is never accepted. A refused issuer is an
/// invalid token like any other (the session is refreshed), logged once per key id and issuer.
public struct AccessTokenVerifier: Sendable {
    private let keys: any SigningKeyProvider
    private let clock: any WallClock
    private let leewaySeconds: Int64
    /// The `iss` values accepted.
    public let issuers: AcceptedIssuers
    private let refusedIssuers: RefusedIssuerLog?

    public init(keys: any SigningKeyProvider, clock: any WallClock, leewaySeconds: Int = 0, issuers: AcceptedIssuers,
                refusedIssuers: RefusedIssuerLog? = nil) {
        self.keys = keys
        self.clock = clock
        self.leewaySeconds = Int64(leewaySeconds)
        self.issuers = issuers
        self.refusedIssuers = refusedIssuers
    }

    /// The clock leeway in seconds (`AUTHKIT_CLOCK_LEEWAY_SECONDS`).
    public var leeway: Int64 { leewaySeconds }

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
        // After the signature: only tokens signed with WorkOS's key get this far (and are logged).
        guard issuers.accepts(claims.issuer) else {
            refusedIssuers?.refused(keyId: jwt.keyId, issuer: claims.issuer, accepted: issuers)
            throw .wrongIssuer(claims.issuer)
        }
        return claims
    }

    /// The claims of a token without verifying it, like jose's `decodeJwt`; used only to read
    /// `org_id` for a refresh and to describe tokens fresh from WorkOS.
    public static func decodeUnverified(_ token: String) -> AccessTokenClaims? {
        guard let jwt = try? JWT(token) else { return nil }
        return AccessTokenClaims(payloadJSON: jwt.payloadJSON)
    }
}
