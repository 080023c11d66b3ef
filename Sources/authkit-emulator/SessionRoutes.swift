import Foundation
import Hummingbird

/// JWKS, logout, revoke and health.
struct SessionRoutes {
    let state: EmulatorState

    func register(_ router: Router<EmulatorContext>) {
        router.get("/health") { _, _ in Reply.json(.ok, ["status": "ok"]) }

        router.get("/sso/jwks/:client_id") { _, context in
            state.with { data -> Response in
                data.count("jwks")
                guard context.parameters.get("client_id") == data.settings.clientId else {
                    return Reply.json(.notFound, ["message": "Not Found"])
                }
                return Reply.json(.ok, ["keys": data.keys.reversed().map(\.jwk)])
            }
        }

        // Ends the session: its refresh tokens stop working.
        router.get("/user_management/sessions/logout") { request, _ in
            let query = request.query
            return state.with { data -> Response in
                data.count("logout")
                if let id = query["session_id"] { data.sessions[id]?.active = false }
                if let returnTo = query["return_to"], !returnTo.isEmpty { return Reply.redirect(returnTo) }
                return Reply.html(.ok, "<!doctype html><title>Signed out</title><h1>Signed out</h1><p>The WorkOS emulator ended the session.</p>")
            }
        }

        router.post("/user_management/sessions/revoke") { request, context in
            var request = request
            let fields = try await request.fields(context: context).fields
            let bearer = request.bearerToken()
            return state.with { data -> Response in
                data.count("revoke")
                guard bearer == data.settings.apiKey else { return Reply.json(.unauthorized, ["message": "Unauthorized"]) }
                guard let id = fields["session_id"], data.sessions[id] != nil else {
                    return Reply.json(.notFound, ["code": "entity_not_found", "message": "Session not found."])
                }
                data.sessions[id]?.active = false
                return Reply.json(.ok, [:] as [String: String])
            }
        }
    }
}
