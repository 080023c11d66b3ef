import HTTPTypes
import Hummingbird

/// `POST /user_management/authenticate` (JSON or form body), with `Idempotency-Key` replay —
/// except for the `refresh_token` grant in strict mode, which WorkOS documents as single-use
/// (and `Idempotency-Key` only for other endpoints): there a repeat is a reuse, answered only
/// within the grace window (`StoreState.refresh`).
struct AuthenticateRoute {
    let store: EmulatorStore

    func register(on router: Router<EmulatorContext>) {
        router.post("/user_management/authenticate") { request, context in
            var request = request
            let (fields, raw) = try await request.bodyFields(context: context)
            let key = request.headers[HTTPField.Name("Idempotency-Key")!]
            let bearer = request.bearerToken
            let reply = store.with { state in
                state.counters.bump("authenticate")
                if state.settings.strictRefresh, fields["grant_type"] == "refresh_token" {
                    return state.authenticate(fields, bearer: bearer)
                }
                return state.idempotent(key: key, body: raw) { $0.authenticate(fields, bearer: bearer) }
            }
            return Response(reply)
        }
    }
}
