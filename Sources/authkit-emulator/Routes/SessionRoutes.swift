import Hummingbird

/// Ending sessions: the browser's logout and the server's revoke.
struct SessionRoutes {
    let store: EmulatorStore

    func register(on router: Router<EmulatorContext>) {
        // Ends the session (its refresh tokens stop working), then 302 to `return_to`, or a
        // "signed out" page without one.
        router.get("/user_management/sessions/logout") { request, _ -> Response in
            let query = request.queryFields
            store.with { state in
                state.counters.bump("logout")
                if let id = query["session_id"] { state.endSession(id) }
            }
            if let returnTo = query["return_to"], !returnTo.isEmpty { return .found(returnTo) }
            return .html(.ok, HTMLPage.signedOut)
        }

        // `{"session_id": …}` with the API key as Bearer (or `client_secret`).
        router.post("/user_management/sessions/revoke") { request, context in
            var request = request
            let fields = try await request.bodyFields(context: context).fields
            let key = request.bearerToken ?? fields["client_secret"]
            return Response(store.with { state -> APIReply in
                state.counters.bump("revoke")
                guard key == state.settings.apiKey else {
                    return .error(401, code: "unauthorized", message: "Invalid API key.")
                }
                guard let id = fields["session_id"], !id.isEmpty else {
                    return .error(422, code: "invalid_request_parameters", message: "session_id is required.")
                }
                guard state.endSession(id) else {
                    return .error(404, code: "entity_not_found", message: "Could not find a session with ID '\(id)'.")
                }
                return .ok([:])
            })
        }
    }
}
