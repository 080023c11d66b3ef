import AuthKitCore
import Testing
@testable import AuthKitGateway

/// The Apache authorizer renderer, on decisions: the whole answer compared, headers in order.
@Suite struct AuthorizerResponseTests {
    static let noStore = AuthResponse.cachePreventionHeaders()
    static let identity: [(name: String, value: String)] = [
        ("X-AuthKit-User-Id", "user_1"), ("X-AuthKit-User-Email", "a@b.c"), ("X-AuthKit-Feature-Flags", "x,y"), ("X-AuthKit-Assertion", "eyJ.a.b"),
    ]

    @Test func allowBecomesVariablesAndKeepsTheCookies() {
        let rendered = AuthorizerResponse.render(CheckAnswer(
            decision: CheckDecision(.allow(identity: Self.identity, eagerAuthCookie: "workos-access-token=t; SameSite=Lax; Max-Age=30"),
                                    setCookie: "wos-session=new; Path=/"), cacheHeaders: Self.noStore))
        #expect(rendered == AuthResponse(status: 200, headers: [
            ("Variable-AUTHKIT_USER_ID", "user_1"), ("Variable-AUTHKIT_USER_EMAIL", "a@b.c"), ("Variable-AUTHKIT_FEATURE_FLAGS", "x,y"),
            ("Variable-AUTHKIT_ASSERTION", "eyJ.a.b"),
            ("Set-Cookie", "workos-access-token=t; SameSite=Lax; Max-Age=30"), ("Set-Cookie", "wos-session=new; Path=/"),
        ] + Self.noStore))
    }

    @Test func navigationsAreRedirectedOthersGet401() {
        let page = AuthorizerResponse.render(CheckAnswer(decision: CheckDecision(.signIn(url: "/auth/sign-in?return_to=%2Fx")), cacheHeaders: Self.noStore))
        #expect(page == AuthResponse(status: 302, headers: Self.noStore + [("Location", "/auth/sign-in?return_to=%2Fx")]))
        let api = AuthorizerResponse.render(CheckAnswer(decision: CheckDecision(.unauthenticated(challenge: "Bearer"), setCookie: "c=; Max-Age=0"), cacheHeaders: []))
        #expect(api == AuthResponse(status: 401, headers: [("WWW-Authenticate", "Bearer"), ("Set-Cookie", "c=; Max-Age=0")]))
        #expect(AuthorizerResponse.render(CheckAnswer(decision: CheckDecision(.forbidden(.permission("p"))), cacheHeaders: [])).status == 403)
    }

    /// nginx needs a 401 for these; Apache passes any status, so the browser gets the real one.
    @Test func unavailableIs503AndABadTargetIs400() {
        let unavailable = AuthorizerResponse.render(CheckAnswer(decision: CheckDecision(.unavailable(retryAfterSeconds: 5), setCookie: "s=new"), cacheHeaders: Self.noStore))
        #expect(unavailable == AuthResponse(status: 503, headers: [("Set-Cookie", "s=new")] + Self.noStore + [("Retry-After", "5")]))
        let bad = AuthorizerResponse.render(CheckAnswer(decision: CheckDecision(.badRequest), cacheHeaders: Self.noStore))
        #expect(bad == BrowserResponse.badRequest())
        #expect(AuthorizerResponse.render(CheckAnswer(decision: CheckDecision(.misconfigured), cacheHeaders: [])).status == 500)
    }
}

@Suite struct AccessCheckerTests {
    /// mod_fcgid repeats an access checker's headers once per check of the request: the cache
    /// headers go out as AUTHKIT_NO_CACHE for authkit-fcgid.conf to set once (Vary, which Apache
    /// merges, stays); a refusal leaves them to the /auth/denied answer.
    @Test func cacheHeadersBecomeOneVariable() {
        let allowed = CheckAnswer(decision: CheckDecision(.allow(identity: [("X-AuthKit-User-Id", "user_1")], eagerAuthCookie: nil)),
                                  cacheHeaders: AuthResponse.cachePreventionHeaders())
        let mapped = AuthorizerResponse.render(allowed, accessChecker: true)
        #expect(mapped.header("Variable-AUTHKIT_NO_CACHE") == "1")
        #expect(mapped.header("Cache-Control") == nil && mapped.header("Pragma") == nil && mapped.header("Expires") == nil)
        #expect(mapped.header("Vary") == "Cookie")
        // The authorizer (mod_authnz_fcgi) sends them once as they are.
        #expect(AuthorizerResponse.render(allowed).header("Cache-Control") == AuthResponse.cachePreventionControl)
        let refused = CheckAnswer(decision: CheckDecision(.unauthenticated(challenge: nil)), cacheHeaders: AuthResponse.cachePreventionHeaders())
        let mappedRefusal = AuthorizerResponse.render(refused, accessChecker: true)
        #expect(mappedRefusal.header("Cache-Control") == nil && mappedRefusal.header("Variable-AUTHKIT_NO_CACHE") == nil)
        // A public answer: nothing to prevent.
        let open = AuthorizerResponse.render(CheckAnswer(decision: .pass(), cacheHeaders: [("Vary", "Cookie")]), accessChecker: true)
        #expect(open.header("Variable-AUTHKIT_NO_CACHE") == nil && open.header("Vary") == "Cookie")
    }

    @Test func accessCheckerAlsoNamesTheUser() {
        func allowed(_ user: String) -> CheckAnswer {
            CheckAnswer(decision: CheckDecision(.allow(identity: [("X-AuthKit-User-Id", user)], eagerAuthCookie: nil)), cacheHeaders: [])
        }
        #expect(AuthorizerResponse.render(allowed("user_1"), accessChecker: true).header("Variable-REMOTE_USER") == "user_1")
        // mod_authnz_fcgi names the user itself (UserExpr); nor is anyone named on a refusal.
        #expect(AuthorizerResponse.render(allowed("user_1")).header("Variable-REMOTE_USER") == nil)
        #expect(AuthorizerResponse.render(allowed(""), accessChecker: true).header("Variable-REMOTE_USER") == nil)
    }
}
