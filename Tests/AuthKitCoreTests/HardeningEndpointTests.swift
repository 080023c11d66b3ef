import Logging
import Testing
@testable import AuthKitCore

/// Bearer tokens for API clients, the sign-in loop guard and the 4 KB cookie limit, at the
/// service level with WorkOS scripted.
@Suite struct HardeningEndpointTests {
    let start: Int64 = 1_785_000_000
    let factory = TokenFactory()
    let browser = ["accept": "text/html", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document"]

    func makeService(apiUser: String = Fixtures.apiUser(), token: String? = nil) -> (AuthKitService, ScriptedTransport, ManualClock) {
        let fixture = ServiceFixture(start: start, factory: factory, apiUser: apiUser, token: token)
        return (fixture.service, fixture.workos, fixture.clock)
    }

    func check(_ service: AuthKitService, authorization: String?, allow: Bool = true, extra: [String: String] = [:]) -> AuthResponse {
        var headers = browser
        headers["authorization"] = authorization
        var parameters = ["AUTHKIT_ACTION": "check", "AUTHKIT_SERVED_PATH": "/api/x"].merging(extra) { a, _ in a }
        if allow { parameters["AUTHKIT_ALLOW_BEARER"] = "true" }
        return service.handle(AuthRequest(method: "GET", requestURI: "/api/x", headers: headers, parameters: parameters))
    }

    @Test func bearerTokensAreVerifiedNeverRefreshedNeverRedirected() {
        let (service, workos, _) = makeService()
        let valid = factory.accessToken(iat: start, exp: start + 300)
        let allowed = check(service, authorization: "Bearer \(valid)")
        #expect(allowed.status == 200)
        #expect(allowed.header("X-AuthKit-User-Id") == "user_01" && allowed.header("X-AuthKit-Session-Id") == "session_01")
        #expect(allowed.header("X-AuthKit-Role") == "admin" && allowed.header("X-AuthKit-User-Email") == "")
        #expect(allowed.headers(named: "Set-Cookie").isEmpty)
        #expect(check(service, authorization: "bearer  \(valid)").status == 200)

        #expect(check(service, authorization: "Bearer \(valid)", extra: ["AUTHKIT_REQUIRE_ROLE": "owner"]).status == 403)
        let expired = factory.accessToken(iat: start - 600, exp: start - 300)
        for refused in ["Bearer \(expired)", "Bearer \(valid)x", "Bearer not.a.jwt", "Bearer \(valid.dropLast(10))"] {
            let response = check(service, authorization: refused)
            #expect(response.status == 401, "\(refused.prefix(20))")
            #expect(response.header("X-AuthKit-Sign-In") == nil && response.headers(named: "Set-Cookie").isEmpty)
            #expect(response.header("WWW-Authenticate") == #"Bearer error="invalid_token""#)
        }
        #expect(workos.requests.isEmpty, "a bearer token is never refreshed")
        // Not allowed on this location: the header is ignored; a page navigation is sent to sign in.
        let ignored = check(service, authorization: "Bearer \(valid)", allow: false)
        #expect(ignored.status == 401 && ignored.header("X-AuthKit-Sign-In") != nil)
        #expect(BearerToken.parse("Basic abc") == nil && BearerToken.parse("Bearer ") == nil && BearerToken.parse("Bearer a b") == nil)
    }

    @Test func aSignInLoopGetsAnErrorPageNotAnotherRedirect() {
        let (service, _, clock) = makeService()
        var cookie: String?
        func signIn() -> AuthResponse {
            var headers = browser
            if let cookie { headers["cookie"] = cookie }
            let response = service.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-in?return_to=%2Fdocs", headers: headers))
            let set = response.headers(named: "Set-Cookie").first { $0.hasPrefix(SignInLoopGuard.cookieName + "=") }
            cookie = set.map { String($0.prefix { $0 != ";" }) }
            return response
        }
        for _ in 0..<10 { #expect(signIn().status == 302) }
        let stopped = signIn()
        #expect(stopped.status == 429)
        #expect(stopped.header("Location") == nil && stopped.header("Retry-After") == "60")
        #expect(String(decoding: stopped.body, as: UTF8.self).contains("refusing the session cookie"))
        #expect(!stopped.headers(named: "Set-Cookie").contains { $0.hasPrefix("wos-auth-verifier-") })
        // The guard cookie is not Secure: it must survive when a Secure session cookie does not.
        #expect(cookie != nil)
        clock.advance(seconds: 61)
        #expect(signIn().status == 302, "the window passes")
        #expect(SignInLoopGuard().record(cookie: "garbage", nowSeconds: 100).attempts == 1)
        #expect(SignInLoopGuard().record(cookie: "5.200", nowSeconds: 100).attempts == 1, "a start in the future is ignored")
    }

    @Test func oversizedSessionsAreSlimmedOrRefusedNeverSetTooLarge() throws {
        let huge = String(repeating: "x", count: 3000)
        let fat = #"{"object":"user","id":"user_01","email":"jane@example.com","first_name":"Jane","last_name":"Doe","profile_picture_url":"https://img.example.com/\#(huge)","metadata":{}}"#
        let beforeSlimmed = SessionCookieLimit.slimmed.load(ordering: .relaxed)
        let (slimService, _, _) = makeService(apiUser: fat)
        let state = slimService.authenticator.sealer.seal(PKCEState(nonce: "n", codeVerifier: "v", customState: nil, returnPathname: "/x").json, ttlSeconds: 600)
        let callback = AuthRequest(method: "GET", requestURI: "/auth/callback?code=c&state=\(PercentEncoding.uriComponent(state))",
                                   headers: browser.merging(["cookie": "\(VerifierCookie.name(forSealedState: state))=\(state)"]) { a, _ in a })
        let slim = slimService.handle(callback)
        #expect(slim.status == 302)
        let session = try #require(slim.headers(named: "Set-Cookie").first { $0.hasPrefix("wos-session=") })
        #expect(session.prefix { $0 != ";" }.utf8.count <= 4096)
        #expect(SessionCookieLimit.slimmed.load(ordering: .relaxed) > beforeSlimmed)

        // A token too large even with a slim user: no cookie, an error page.
        let bloated = factory.accessToken(iat: start, exp: start + 300, extra: [("permissions", .array((0..<300).map { .string("permission:\($0):\(huge.prefix(8))") }))])
        let beforeRefused = SessionCookieLimit.refused.load(ordering: .relaxed)
        let (refuseService, _, _) = makeService(token: bloated)
        let refused = refuseService.handle(callback)
        #expect(refused.status == 500)
        #expect(!refused.headers(named: "Set-Cookie").contains { $0.hasPrefix("wos-session=") && !$0.hasPrefix("wos-session=;") })
        #expect(String(decoding: refused.body, as: UTF8.self).contains("too large"))
        #expect(SessionCookieLimit.refused.load(ordering: .relaxed) > beforeRefused)
    }
}
