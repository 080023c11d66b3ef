import AuthKitCrypto
import Foundation
import Hummingbird

/// `POST /user_management/authenticate`: code exchange (PKCE) and single-use, rotating
/// refresh tokens, with WorkOS's error shapes and idempotency-key replay.
struct AuthenticateRoute {
    let state: EmulatorState

    func register(_ router: Router<EmulatorContext>) {
        router.post("/user_management/authenticate") { request, context in
            var request = request
            let (fields, raw) = try await request.fields(context: context)
            let idempotencyKey = request.headers[.init("Idempotency-Key")!]
            let bearer = request.bearerToken()
            return state.with { data -> Response in
                let digest = Digest.sha256(raw)
                if let key = idempotencyKey, let stored = data.idempotent[key], stored.bodyDigest == digest {
                    data.count("idempotent_replays")
                    return Reply.json(.init(code: stored.status), stored.body)
                }
                let (status, body) = authenticate(&data, fields: fields, bearer: bearer)
                if let key = idempotencyKey { data.idempotent[key] = EmulatorState.Stored(bodyDigest: digest, status: status, body: body) }
                return Reply.json(.init(code: status), body)
            }
        }
    }

    private func oauthError(_ code: String, _ description: String) -> (Int, [String: Any]) {
        (400, ["error": code, "error_description": description])
    }

    func authenticate(_ data: inout EmulatorState.Data, fields: [String: String], bearer: String?) -> (Int, [String: Any]) {
        let grant = fields["grant_type"] ?? ""
        data.count("authenticate.\(grant.isEmpty ? "none" : grant)")
        guard fields["client_id"] == data.settings.clientId else { return oauthError("invalid_client", "Invalid client ID.") }
        guard fields["client_secret"] == data.settings.apiKey || bearer == data.settings.apiKey else {
            return oauthError("invalid_client", "Invalid client secret.")
        }
        switch grant {
        case "authorization_code": return exchangeCode(&data, fields: fields)
        case "refresh_token": return refresh(&data, fields: fields)
        default: return oauthError("unsupported_grant_type", "Unsupported grant type.")
        }
    }

    private func exchangeCode(_ data: inout EmulatorState.Data, fields: [String: String]) -> (Int, [String: Any]) {
        let code = fields["code"] ?? ""
        guard var grant = data.codes[code], !grant.used, grant.expires > data.now else {
            return oauthError("invalid_grant", "The code '\(code.prefix(8))…' has expired or is invalid.")
        }
        if let challenge = grant.challenge {
            guard let verifier = fields["code_verifier"],
                  Base64URLText.encode(Digest.sha256(Array(verifier.utf8))) == challenge else {
                return oauthError("invalid_grant", "The code_verifier does not match the code_challenge supplied in the authorization request.")
            }
        }
        grant.used = true
        data.codes[code] = grant
        data.count("codes_exchanged")
        let sessionId = EmulatorState.Data.ulidLike("session_01")
        let impersonation = data.seed.impersonations?.first { $0.user_id == grant.userId }
        data.sessions[sessionId] = EmulatorState.Session(
            userId: grant.userId, organizationId: grant.organizationId, active: true,
            impersonator: impersonation, method: impersonation == nil ? "Password" : "Impersonation")
        return (200, data.authenticationResponse(sessionId: sessionId))
    }

    private func refresh(_ data: inout EmulatorState.Data, fields: [String: String]) -> (Int, [String: Any]) {
        let token = fields["refresh_token"] ?? ""
        guard let grant = data.refreshTokens[token] else { return oauthError("invalid_grant", "Refresh token not found.") }
        guard !grant.used else {
            data.count("refresh_token_reuse")
            return oauthError("invalid_grant", "Refresh token already exchanged.")
        }
        guard var session = data.sessions[grant.sessionId], session.active else {
            return oauthError("invalid_grant", "Session has already ended.")
        }
        if let organizationId = fields["organization_id"], !organizationId.isEmpty, organizationId != session.organizationId {
            guard data.seed.membership(session.userId, organizationId) != nil else {
                return (403, ["code": "organization_membership_not_found",
                              "message": "The user is not a member of organization '\(organizationId)'."])
            }
            session.organizationId = organizationId
            data.sessions[grant.sessionId] = session
        }
        data.refreshTokens[token]?.used = true
        data.count("refreshes")
        return (200, data.authenticationResponse(sessionId: grant.sessionId))
    }
}
