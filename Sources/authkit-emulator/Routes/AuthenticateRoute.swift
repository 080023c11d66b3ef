import HTTPTypes
import Hummingbird

/// `POST /user_management/authenticate` (JSON or form body), with `Idempotency-Key` replay.
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
                return state.idempotent(key: key, body: raw) { $0.authenticate(fields, bearer: bearer) }
            }
            return Response(reply)
        }
    }
}
