/// The `refresh_token` grant.
///
/// What WorkOS documents, and where (looked up 2026-12-03):
/// - The AuthKit session guides (workos.com/docs/authkit/sessions and
///   …/sessions/integrating-sessions): refresh tokens are rotated on use; always replace the old
///   one with the newly returned one. The grace period's length is not documented there.
/// - WorkOS's own authkit-session, pull request 39 (github.com/workos/authkit-session/pull/39):
///   "WorkOS accepts reused refresh tokens within a grace window (~10-30s)", for pods that
///   refresh the same expired cookie at once.
/// - A WorkOS customer's report, kurrent-io/kcap-cli issue 946 and pull request 947, quoting
///   WorkOS: a replay of the just-exchanged token inside the 30-second grace window returns the
///   same rotated pair; presented after it, the retired token gets `invalid_grant`.
///
/// So in strict mode (`--strict-refresh`) a spent token presented again within
/// `--refresh-grace-seconds` of its exchange gets that exchange's answer again — the same access
/// and refresh token, not another pair — counted as `refresh_grace_replays`; after the window
/// (or with a window of 0, the default) it is a reuse: `invalid_grant`, counted as
/// `refresh_token_reuse`. Not documented, so the emulator's choice: the replay needs the same
/// `organization_id` as the exchange, a live session and the same client proof.
extension StoreState {
    /// Refreshes once per token, rotating it, exactly as WorkOS does: a reused token gets
    /// `400 {"error":"invalid_grant","error_description":"Refresh token already exchanged."}`
    /// (in strict mode, within the grace window, the first exchange's answer instead).
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
        let requested = fields["organization_id"].flatMap { $0.isEmpty ? nil : $0 }
        guard !record.exchanged else { return reuse(record, organizationId: requested, proof: proof) }
        guard var session = sessions[record.sessionId], session.active else {
            return .oauthError("invalid_grant", "Session has already ended.")
        }
        guard proof == .apiKey || session.publicClient else {
            return .oauthError("invalid_client", "client_secret is required.", status: 401)
        }
        if let organizationId = requested, organizationId != session.organizationId {
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
        let reply = authenticationReply(sessionId: record.sessionId)
        let exchange = RefreshTokenRecord.Exchange(at: now, organizationId: requested, reply: reply)
        refreshTokens[token]?.exchange = exchange
        return reply
    }

    /// A spent token presented again: in strict mode within the grace window, the answer its
    /// exchange got; otherwise `invalid_grant`.
    private mutating func reuse(_ record: RefreshTokenRecord, organizationId: String?, proof: ClientProof) -> APIReply {
        let grace = Double(settings.refreshGraceSeconds)
        if settings.strictRefresh, grace > 0, let exchange = record.exchange, exchange.organizationId == organizationId,
           case let elapsed = now.timeIntervalSince(exchange.at), elapsed >= 0, elapsed < grace {
            guard let session = sessions[record.sessionId], session.active else {
                return .oauthError("invalid_grant", "Session has already ended.")
            }
            guard proof == .apiKey || session.publicClient else {
                return .oauthError("invalid_client", "client_secret is required.", status: 401)
            }
            counters.bump("refresh_grace_replays")
            return exchange.reply
        }
        counters.bump("refresh_token_reuse")
        return .oauthError("invalid_grant", "Refresh token already exchanged.")
    }
}
