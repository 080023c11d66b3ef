import Hummingbird

/// `GET /sso/jwks/{client_id}`: the published keys, newest first; 404 for another client.
struct JWKSRoute {
    let store: EmulatorStore

    func register(on router: Router<EmulatorContext>) {
        router.get("/sso/jwks/:client_id") { _, context in
            let clientId = context.parameters.get("client_id")
            return Response(store.with { state -> APIReply in
                state.counters.bump("jwks")
                guard clientId == state.settings.clientId else {
                    return .error(404, code: "entity_not_found", message: "Could not find a client with ID '\(clientId ?? "")'.")
                }
                return .ok(state.keys.jwks)
            })
        }
    }
}
