import Hummingbird

/// `GET /user_management/authorize` and the sign-in page's `POST …/authorize/approve`.
struct AuthorizeRoutes {
    let store: EmulatorStore

    func register(on router: Router<EmulatorContext>) {
        router.get("/user_management/authorize") { request, _ in
            answer(request.queryFields, approved: false, counter: "authorize")
        }
        router.post("/user_management/authorize/approve") { request, context in
            var request = request
            let fields = try await request.bodyFields(context: context).fields
            return answer(fields, approved: true, counter: "authorize.approve")
        }
    }

    private func answer(_ query: [String: String], approved: Bool, counter: String) -> Response {
        let (outcome, seed) = store.with { state in
            state.counters.bump(counter)
            return (state.authorize(query, approved: approved), state.seed)
        }
        switch outcome {
        case .errorPage(let title, let message): return .html(.badRequest, HTMLPage.error(title: title, message: message))
        case .redirect(let location): return .found(location)
        case .signInPage: return .html(.ok, SignInPage(seed: seed, query: query).render())
        }
    }
}
