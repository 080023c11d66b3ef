import Hummingbird

/// `GET /user_management/users` (API key): the seeded users as WorkOS lists them; the cheap
/// authenticated read `authkit-fcgi check-config --online` uses to test the API key.
struct UserRoutes {
    let store: EmulatorStore

    func register(on router: Router<EmulatorContext>) {
        router.get("/user_management/users") { request, _ in
            let query = request.queryFields
            let bearer = request.bearerToken
            return Response(store.with { $0.listUsers(query, bearer: bearer) })
        }
    }
}
