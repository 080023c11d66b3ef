import Testing
@testable import AuthKitCore

/// Issue 21 item 3: authkit-nextjs's cache headers on every answer about a session, each once;
/// a public answer without a session cookie or `Authorization` stays cacheable.
@Suite struct CachePreventionTests {
    let start: Int64 = 1_785_000_000
    let factory = TokenFactory()

    func fixture() -> ServiceFixture {
        ServiceFixture(start: start, factory: factory) { settings in
            settings.pathRules.append(try! PathPattern("/public/:path*"))
        }
    }

    func signedInCookie(_ fixture: ServiceFixture) -> String {
        let user = SessionUser(apiJSON: try! JSONParser.parse(Array(Fixtures.apiUser().utf8)))!
        let token = factory.accessToken(iat: start, exp: start + 300)
        return fixture.sealer.sealSession(SessionPayload(accessToken: token, refreshToken: "rt", user: user))
    }

    func check(_ fixture: ServiceFixture, path: String, headers: [String: String] = [:], mode: String? = nil) -> AuthResponse {
        var parameters = ["AUTHKIT_ACTION": "check", "AUTHKIT_SERVED_PATH": path]
        if let mode { parameters["AUTHKIT_MODE"] = mode }
        return fixture.service.handle(AuthRequest(method: "GET", requestURI: path, headers: headers, parameters: parameters))
    }

    /// Each of the four headers exactly once, with authkit-nextjs's values.
    func expectPrevented(_ response: AuthResponse, vary: String = "Cookie", _ what: String) {
        #expect(response.headers(named: "Cache-Control") == ["private, no-cache, no-store, must-revalidate, max-age=0"], "\(what)")
        #expect(response.headers(named: "Pragma") == ["no-cache"], "\(what)")
        #expect(response.headers(named: "Expires") == ["0"], "\(what)")
        #expect(response.headers(named: "Vary") == [vary], "\(what)")
    }

    @Test func signedInAnswersCarryTheWholeSetOnce() {
        let fixture = fixture()
        let cookie = "wos-session=\(signedInCookie(fixture))"
        let allowed = check(fixture, path: "/docs/", headers: ["cookie": cookie])
        #expect(allowed.status == 200)
        #expect(allowed.header("X-AuthKit-User-Id") == "user_01")
        expectPrevented(allowed, "signed-in check")
        // A public path and optional mode with the cookie: still an answer about a session.
        expectPrevented(check(fixture, path: "/public/x", headers: ["cookie": cookie]), "public path, signed in")
        expectPrevented(check(fixture, path: "/docs/", headers: ["cookie": cookie], mode: "optional"), "optional, signed in")
    }

    @Test func aBadOrStaleCookieCountsAsASession() {
        let fixture = fixture()
        // authkit tests for the cookie's presence, not its validity.
        expectPrevented(check(fixture, path: "/public/x", headers: ["cookie": "wos-session=garbage"]), "bad cookie, public path")
        expectPrevented(check(fixture, path: "/public/x", headers: ["cookie": "wos-session="]), "empty cookie, public path")
    }

    @Test func authorizationAddsToVary() {
        let fixture = fixture()
        let answer = check(fixture, path: "/public/x", headers: ["authorization": "Bearer nope"])
        #expect(answer.status == 200)
        expectPrevented(answer, vary: "Cookie, Authorization", "Authorization on a public path")
        expectPrevented(check(fixture, path: "/docs/", headers: ["authorization": "Basic eDp5"]), vary: "Cookie, Authorization", "refused with Authorization")
    }

    @Test func publicAnswersWithoutASessionStayCacheable() {
        let fixture = fixture()
        for (path, mode) in [("/public/x", nil), ("/docs/", "optional")] {
            let answer = check(fixture, path: path, headers: ["cookie": "theme=dark"], mode: mode)
            #expect(answer.status == 200, "\(path)")
            #expect(answer.headers(named: "Cache-Control").isEmpty, "\(path)")
            #expect(answer.headers(named: "Pragma").isEmpty, "\(path)")
            #expect(answer.headers(named: "Expires").isEmpty, "\(path)")
            // Kept apart from the signed-in copy of the same URL, which an upstream may personalise.
            #expect(answer.headers(named: "Vary") == ["Cookie"], "\(path)")
        }
    }

    @Test func refusalsAndEndpointsAreNeverCacheable() {
        let fixture = fixture()
        let refused = check(fixture, path: "/docs/", headers: ["accept": "text/html", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document"])
        #expect(refused.status == 401)
        expectPrevented(refused, "refused check")
        for path in ["/auth/session", "/auth/health", "/auth/sign-in?return_to=%2F", "/auth/nowhere"] {
            expectPrevented(fixture.service.handle(AuthRequest(method: "GET", requestURI: path)), path)
        }
        var bad = AuthResponse(status: 500, headers: [("Cache-Control", "public"), ("Vary", "Accept")])
        bad.addCachePrevention()
        expectPrevented(bad, "replaced, not added")
    }
}
