/// The `refresh_token` grant.
extension StoreState {
    /// Refreshes once per token, rotating it, exactly as WorkOS does: a reused token gets
    /// `400 {"error":"invalid_grant","error_description":"Refresh token already exchanged."}`.
    /// `organization_id` switches the session's organization when the user is a member; a
    /// denied switch leaves the token unused.
    mutating func refresh(_ fields: [String: String], proof: ClientProof) -> APIReply {
        let token = fields["refresh_token"] ?? ""
        guard let record = refreshTokens[token] else {
            return .oauthError("invalid_grant", "Refresh token not found.")
        }
        guard !record.exchanged else {
            counters.bump("refresh_token_reuse")
            return .oauthError("invalid_grant", "Refresh token already exchanged.")
        }
        guard var session = sessions[record.sessionId], session.active else {
            return .oauthError("invalid_grant", "Session has already ended.")
        }
        guard proof == .apiKey || session.publicClient else {
            return .oauthError("invalid_client", "client_secret is required.", status: 401)
        }
        if let organizationId = fields["organization_id"], !organizationId.isEmpty, organizationId != session.organizationId {
            guard seed.membership(user: session.userId, organization: organizationId) != nil else {
                return .error(403, code: "organization_membership_not_found",
                              message: "The user is not a member of organization \(organizationId).")
            }
            session.organizationId = organizationId
            sessions[record.sessionId] = session
            counters.bump("organization_switches")
        }
        refreshTokens[token]?.exchanged = true
        counters.bump("refreshes")
        return authenticationReply(sessionId: record.sessionId)
    }
}
