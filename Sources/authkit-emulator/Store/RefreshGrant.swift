/// The `refresh_token` grant.
extension StoreState {
    /// Refreshes once per token, rotating it, exactly as WorkOS does: a reused token gets
    /// `400 {"error":"invalid_grant","error_description":"Refresh token already exchanged."}`.
    /// `organization_id` switches the session's organization when the user is a member; a
    /// denied switch leaves the token unused. A non-member gets WorkOS's 403
    /// `{"code":"organization_membership_not_found",…}`; an organization that requires SSO
    /// (`sso_required` in the seed), for a session not signed in with SSO, the OAuth-style 403
    /// `{"error":"sso_required","error_description",…,"connection_ids","pending_authentication_token"}`
    /// (spec §7.1), after which signing in into that organization lets the switch through.
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
            if seed.organization(id: organizationId)?.ssoRequired == true, session.method != "SSO" {
                counters.bump("errors.sso_required")
                return APIReply(status: 403, body: [
                    "error": .string("sso_required"),
                    "error_description": .string("Organization \(organizationId) requires signing in with SSO."),
                    "connection_ids": .array([.string("conn_" + organizationId.dropFirst(4))]),
                    "pending_authentication_token": .string(Identifiers.secret()),
                ])
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
