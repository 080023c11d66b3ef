/// What to do with a session's access token, by authkit-nextjs's rules (spec §2.1 steps 5–6).
public enum AccessTokenState: Sendable, Equatable {
    /// Valid and not expiring within the buffer: serve it.
    case valid(AccessTokenClaims)
    /// Valid but `exp < now + buffer`: refresh proactively; if that fails, serve it anyway.
    case expiringSoon(AccessTokenClaims)
    /// Not valid for any reason: refresh; if that fails, the session is over (or unavailable).
    case invalid(TokenError)
}

/// authkit's `isTokenExpiring`: buffer = `refreshBufferSeconds ?? (lifetime ≤ 300 s ? 30 : 60)`.
public struct RefreshPolicy: Sendable, Equatable {
    /// `WORKOS_REFRESH_BUFFER_SECONDS`; nil for authkit's default; 0 disables proactive refresh.
    public var bufferSeconds: Int?

    public init(bufferSeconds: Int?) { self.bufferSeconds = bufferSeconds }

    /// The buffer for a token: the configured one, or 30 s for tokens living ≤ 300 s, else 60 s.
    public func buffer(for claims: AccessTokenClaims) -> Int64 {
        if let bufferSeconds { return Int64(bufferSeconds) }
        // Clamped: the claims are a token's numbers (bounded by AccessTokenClaims, but public).
        let lifetime = claims.expiresAt.subtractingClamped(claims.issuedAt ?? claims.expiresAt)
        return lifetime <= 300 ? 30 : 60
    }

    public func state(of verification: Result<AccessTokenClaims, TokenError>, nowSeconds: Int64) -> AccessTokenState {
        switch verification {
        case .failure(let error):
            return .invalid(error)
        case .success(let claims):
            return claims.expiresAt < nowSeconds.addingClamped(buffer(for: claims)) ? .expiringSoon(claims) : .valid(claims)
        }
    }
}
