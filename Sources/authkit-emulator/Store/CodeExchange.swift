/// The `authorization_code` grant.
extension StoreState {
    /// Exchanges a code once: it must exist, be unused and unexpired, and its PKCE challenge
    /// must match `code_verifier`. A public client (no API key) must have used PKCE.
    /// Success starts a session and answers with tokens.
    mutating func exchangeCode(_ fields: [String: String], proof: ClientProof) -> APIReply {
        let code = fields["code"] ?? ""
        guard var grant = codes[code], !grant.exchanged, grant.expires > now else {
            return .oauthError("invalid_grant", "The code '\(code.prefix(8))…' has expired or is invalid.")
        }
        if let challenge = grant.challenge {
            guard let verifier = fields["code_verifier"], PKCE.matches(verifier: verifier, challenge: challenge) else {
                return .oauthError("invalid_grant", "The code_verifier does not match the code_challenge supplied in the authorization request.")
            }
        } else if proof == .publicClient {
            return .oauthError("invalid_client", "client_secret is required when the authorization request had no code_challenge.", status: 401)
        }
        grant.exchanged = true
        codes[code] = grant
        counters.bump("codes_exchanged")

        let sessionId = Identifiers.ulid("session_")
        let impersonation = seed.impersonation(of: grant.userId)
        sessions[sessionId] = SessionRecord(
            userId: grant.userId, organizationId: grant.organizationId, impersonation: impersonation,
            // Signing in into an organization that requires SSO is an SSO sign-in.
            method: impersonation != nil ? "Impersonation" : grant.organizationId.flatMap(seed.organization(id:))?.ssoRequired == true ? "SSO" : "Password",
            authenticatedAt: now,
            publicClient: proof == .publicClient)
        return authenticationReply(sessionId: sessionId)
    }
}
