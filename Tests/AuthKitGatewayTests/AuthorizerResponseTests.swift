import AuthKitCore
import Testing
@testable import AuthKitGateway

@Suite struct AuthorizerResponseTests {
    @Test func allowBecomesVariablesAndKeepsTheCookie() {
        let mapped = AuthorizerResponse.map(AuthResponse(status: 200, headers: [
            ("X-AuthKit-User-Id", "user_1"), ("X-AuthKit-User-Email", "a@b.c"), ("X-AuthKit-Feature-Flags", "x,y"),
            ("Set-Cookie", "wos-session=new; Path=/"), ("Cache-Control", "private, no-store"),
        ]))
        #expect(mapped.status == 200)
        #expect(mapped.header("Variable-AUTHKIT_USER_ID") == "user_1")
        #expect(mapped.header("Variable-AUTHKIT_USER_EMAIL") == "a@b.c")
        #expect(mapped.header("Variable-AUTHKIT_FEATURE_FLAGS") == "x,y")
        #expect(mapped.header("Set-Cookie") == "wos-session=new; Path=/")
        #expect(mapped.header("X-AuthKit-User-Id") == nil)
    }

    @Test func navigationsAreRedirectedOthersGet401() {
        let page = AuthorizerResponse.map(AuthResponse(status: 401, headers: [("X-AuthKit-Sign-In", "/auth/sign-in?return_to=%2Fx")]))
        #expect(page.status == 302 && page.header("Location") == "/auth/sign-in?return_to=%2Fx")
        #expect(page.header("X-AuthKit-Sign-In") == nil)
        #expect(AuthorizerResponse.map(AuthResponse(status: 401)).status == 401)
        #expect(AuthorizerResponse.map(AuthResponse(status: 403)).status == 403)
        #expect(AuthorizerResponse.isAuthorizer(["FCGI_ROLE": "AUTHORIZER"]))
        #expect(!AuthorizerResponse.isAuthorizer(["FCGI_ROLE": "RESPONDER"]))
    }
}

@Suite struct AccessCheckerTests {
    /// mod_fcgid repeats an access checker's headers once per check of the request: the cache
    /// headers go out as AUTHKIT_NO_CACHE for authkit-fcgid.conf to set once (Vary, which Apache
    /// merges, stays); a refusal leaves them to the /auth/denied answer.
    @Test func cacheHeadersBecomeOneVariable() {
        var allowed = AuthResponse(status: 200, headers: [("X-AuthKit-User-Id", "user_1")])
        allowed.addCachePrevention()
        let mapped = AuthorizerResponse.map(allowed, accessChecker: true)
        #expect(mapped.header("Variable-AUTHKIT_NO_CACHE") == "1")
        #expect(mapped.header("Cache-Control") == nil && mapped.header("Pragma") == nil && mapped.header("Expires") == nil)
        #expect(mapped.header("Vary") == "Cookie")
        // The authorizer (mod_authnz_fcgi) sends them once as they are.
        #expect(AuthorizerResponse.map(allowed).header("Cache-Control") == AuthResponse.cachePreventionControl)
        var refused = AuthResponse(status: 401)
        refused.addCachePrevention()
        let mappedRefusal = AuthorizerResponse.map(refused, accessChecker: true)
        #expect(mappedRefusal.header("Cache-Control") == nil && mappedRefusal.header("Variable-AUTHKIT_NO_CACHE") == nil)
        // A public answer: nothing to prevent.
        let open = AuthorizerResponse.map(AuthResponse(status: 200, headers: [("Vary", "Cookie")]), accessChecker: true)
        #expect(open.header("Variable-AUTHKIT_NO_CACHE") == nil && open.header("Vary") == "Cookie")
    }

    @Test func accessCheckerAlsoNamesTheUser() {
        let allowed = AuthResponse(status: 200, headers: [("X-AuthKit-User-Id", "user_1")])
        #expect(AuthorizerResponse.map(allowed, accessChecker: true).header("Variable-REMOTE_USER") == "user_1")
        // mod_authnz_fcgi names the user itself (UserExpr); nor is anyone named on a refusal.
        #expect(AuthorizerResponse.map(allowed).header("Variable-REMOTE_USER") == nil)
        #expect(AuthorizerResponse.map(AuthResponse(status: 200, headers: [("X-AuthKit-User-Id", "")]), accessChecker: true)
            .header("Variable-REMOTE_USER") == nil)
        #expect(AuthorizerResponse.isAccessChecker(["FCGI_APACHE_ROLE": "ACCESS_CHECKER"]))
        #expect(!AuthorizerResponse.isAccessChecker(["FCGI_APACHE_ROLE": "AUTHORIZER"]))
    }
}
