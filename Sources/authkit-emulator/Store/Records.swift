import Foundation

/// An authorization code issued by `/user_management/authorize`: single use, short-lived, tied
/// to the PKCE challenge it was issued with.
struct AuthorizationCode: Sendable {
    let userId: String
    let organizationId: String?
    /// S256 challenge; nil when the request had no PKCE.
    let challenge: String?
    let redirectURI: String
    let expires: Date
    var exchanged = false
}

/// A refresh token: single use, rotated on every refresh.
struct RefreshTokenRecord: Sendable {
    let sessionId: String
    var exchanged = false
    /// The exchange that spent it (strict mode answers a reuse within the grace window with it).
    var exchange: Exchange?

    /// When a refresh token was spent, for which `organization_id`, and the answer it got.
    struct Exchange: Sendable {
        let at: Date
        let organizationId: String?
        let reply: APIReply
    }
}

/// A signed-in session (`sid`): ended by logout or revoke, after which its refresh tokens fail.
struct SessionRecord: Sendable {
    let userId: String
    var organizationId: String?
    let impersonation: Seed.Impersonation?
    /// `authentication_method` in every answer for this session.
    let method: String
    /// `auth_time`: when the user signed in.
    let authenticatedAt: Date
    /// Started by a public client (PKCE without the API key), which may refresh without it too.
    let publicClient: Bool
    var active = true
}

/// An answer kept under its `Idempotency-Key`, replayed for a retry with the same body.
struct StoredReply: Sendable {
    let bodyDigest: [UInt8]
    let reply: APIReply
}
