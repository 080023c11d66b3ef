import Logging
import AuthKitSync
import Testing
@testable import AuthKitCore

/// The endpoints end to end at unit level, WorkOS scripted. The same flows run through real
/// nginx and the emulator in the integration suite.
@Suite struct AuthKitServiceTests {
    let start: Int64 = 1_785_000_000
    let factory = TokenFactory()
    let browser = ["accept": "text/html", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document"]

    func service(workos: @escaping ScriptedTransport.Handler) -> (AuthKitService, ScriptedTransport, ManualClock) {
        let config = Fixtures.config()
        let clock = ManualClock(seconds: start)
        let transport = ScriptedTransport(workos)
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let sealer = SessionSealer(config: config, clock: clock, random: SecureRandom())
        let authenticator = SessionAuthenticator(
            sealer: sealer, verifier: AccessTokenVerifier(keys: StaticKeyProvider(factory.keySet), clock: clock, issuers: TokenFactory.issuers),
            workos: WorkOSClient(config: config, transport: transport, random: SecureRandom()),
            policy: RefreshPolicy(bufferSeconds: nil), cookieOptions: .session(config: config), clock: clock, logger: logger)
        let settings = EndpointSettings(
            origin: "https://app.example.com", redirectURI: config.redirectURI,
            unauthenticatedPaths: [try! PathPattern("/public/:path*")], signUpPaths: [try! PathPattern("/join")])
        return (AuthKitService(settings: settings, authenticator: authenticator, clock: clock, random: SecureRandom(), logger: logger), transport, clock)
    }

    func authenticated(_ token: String) -> HTTPResponse {
        ScriptedTransport.json(200, """
            {"user":\(Fixtures.apiUser()),"organization_id":"org_01","access_token":"\(token)","refresh_token":"rt_1","authentication_method":"Password"}
            """)
    }

    static func cookieValue(_ setCookie: String) -> (name: String, value: String) {
        let pair = setCookie.prefix { $0 != ";" }
        let equals = pair.firstIndex(of: "=")!
        return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
    }

    /// `switchToOrganization`: refusals keep the cookie; SSO/MFA and `authkit_redirect_url` say where to go.
    @Test func organizationSwitchRefusalsKeepTheSession() throws {
        let refusal = Locked("")
        let (service, _, _) = service { _ throws(HTTPTransportError) in ScriptedTransport.json(403, refusal.withLock { $0 }) }
        let user = SessionUser(apiJSON: try JSONParser.parse(Fixtures.apiUser()))!
        let cookie = service.sealer.sealSession(SessionPayload(
            accessToken: factory.accessToken(iat: start, exp: start + 300), refreshToken: "rt_1", user: user))
        func switchTo(_ body: String, navigation: Bool = false) -> AuthResponse {
            var headers = ["cookie": "wos-session=\(cookie)", "sec-fetch-site": "same-origin", "content-type": "application/x-www-form-urlencoded",
                           "accept": "application/json"]
            if navigation { headers.merge(browser) { _, page in page } }
            return service.handle(AuthRequest(method: "POST", requestURI: "/auth/refresh", headers: headers, body: Array(body.utf8)))
        }
        refusal.withLock { $0 = #"{"code":"organization_membership_not_found","message":"Not a member of org_02."}"# }
        let member = switchTo("organization_id=org_02")
        #expect(member.status == 403 && member.headers(named: "Set-Cookie").isEmpty)
        #expect(String(decoding: member.body, as: UTF8.self) == #"{"error":"organization_membership_not_found","error_description":"Not a member of org_02."}"#)

        refusal.withLock { $0 = #"{"error":"mfa_enrollment","error_description":"Enroll in MFA."}"# }
        let mfa = try JSONParser.parse(switchTo("organization_id=org_02&return_to=%2Fdocs%2F").body)
        #expect(mfa["redirect"]?.stringValue == "https://app.example.com/auth/sign-in?organization_id=org_02&return_to=%2Fdocs%2F")
        let form = switchTo("organization_id=org_02", navigation: true)
        #expect(form.status == 303 && form.header("Location") == "https://app.example.com/auth/sign-in?organization_id=org_02&return_to=%2F")

        refusal.withLock { $0 = #"{"error":"sso_required","error_description":"SSO.","authkit_redirect_url":"https://auth.example.com/sso/abc"}"# }
        #expect(try JSONParser.parse(switchTo("organization_id=org_02").body)["redirect"]?.stringValue == "https://auth.example.com/sso/abc")
        #expect(switchTo("organization_id=org%0A02").status == 400)
    }

    @Test func wholeFlowSignInCallbackCheckSignOut() throws {
        let token = factory.accessToken(iat: start, exp: start + 300)
        let (service, transport, _) = service { [self] _ throws(HTTPTransportError) in authenticated(token) }

        // 1. A protected page without a session: 401 with where to sign in.
        let denied = service.handle(AuthRequest(method: "GET", requestURI: "/docs/page?x=1", headers: browser, parameters: ["AUTHKIT_ACTION": "check", "AUTHKIT_SERVED_PATH": "/docs/page"]))
        #expect(denied.status == 401)
        #expect(denied.header("X-AuthKit-Sign-In") == "/auth/sign-in?return_to=%2Fdocs%2Fpage%3Fx%3D1")
        #expect(denied.header("Cache-Control") == AuthResponse.cachePreventionControl)

        // 2. Sign-in: redirect to WorkOS with PKCE; the verifier cookie holds the state.
        let signIn = service.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-in?return_to=%2Fdocs%2Fpage%3Fx%3D1", headers: browser))
        #expect(signIn.status == 302)
        let location = try #require(signIn.header("Location"))
        #expect(location.hasPrefix("https://workos.test/user_management/authorize?client_id=client_01&code_challenge="))
        #expect(location.contains("&screen_hint=sign-in&state=Fe26.2%2A1%2A"))
        let verifier = Self.cookieValue(try #require(signIn.headers(named: "Set-Cookie").first))
        #expect(verifier.name.hasPrefix("wos-auth-verifier-"))
        #expect(signIn.headers(named: "Set-Cookie").first!.contains("Max-Age=600"))
        let state = verifier.value

        // 3. Callback: exchange, session cookie, verifier deleted, back to the page.
        let callback = service.handle(AuthRequest(
            method: "GET", requestURI: "/auth/callback?code=code_1&state=\(PercentEncoding.uriComponent(state))",
            headers: browser.merging(["cookie": "\(verifier.name)=\(state)"]) { a, _ in a }))
        #expect(callback.status == 302)
        #expect(callback.header("Location") == "https://app.example.com/docs/page?x=1")
        let cookies = callback.headers(named: "Set-Cookie")
        #expect(cookies.count == 2)
        #expect(cookies[0].hasPrefix("\(verifier.name)=;") && cookies[0].contains("Max-Age=0"))
        let session = Self.cookieValue(cookies[1])
        #expect(session.name == "wos-session")
        let exchange = try JSONParser.parse(transport.requests[0].body)
        #expect(exchange["code"]?.stringValue == "code_1")
        #expect(PKCE.challenge(for: exchange["code_verifier"]!.stringValue!) == location.split(separator: "&").first { $0.hasPrefix("code_challenge=") }!.dropFirst("code_challenge=".count).description)

        // 4. The check now allows, with identity.
        let allowed = service.handle(AuthRequest(method: "GET", requestURI: "/docs/page", headers: ["cookie": "wos-session=\(session.value)"], parameters: ["AUTHKIT_ACTION": "check"]))
        #expect(allowed.status == 200)
        #expect(allowed.header("X-AuthKit-User-Email") == "jane@example.com")
        #expect(allowed.header("X-AuthKit-Organization-Id") == "org_01")
        #expect(allowed.headers(named: "Set-Cookie").isEmpty)

        // 5. A failed role requirement is 403.
        let forbidden = service.handle(AuthRequest(method: "GET", requestURI: "/admin", headers: ["cookie": "wos-session=\(session.value)"],
                                                   parameters: ["AUTHKIT_ACTION": "check", "AUTHKIT_REQUIRE_ROLE": "owner"]))
        #expect(forbidden.status == 403)
        #expect(forbidden.header("X-AuthKit-User-Id") == nil)

        // 6. Sign-out by POST ends the WorkOS session too.
        let signOut = service.handle(AuthRequest(method: "POST", requestURI: "/auth/sign-out", headers: ["cookie": "wos-session=\(session.value)"]))
        #expect(signOut.status == 303)
        #expect(signOut.header("Location") == "https://workos.test/user_management/sessions/logout?session_id=session_01&return_to=https%3A%2F%2Fapp.example.com%2F")
        #expect(signOut.headers(named: "Set-Cookie").first?.hasPrefix("wos-session=;") == true)
    }

    @Test func nonNavigationsGetAPlain401AndNoLoginState() {
        let (service, _, _) = service { _ throws(HTTPTransportError) in throw .timedOut }
        let xhr = service.handle(AuthRequest(method: "GET", requestURI: "/api/data", headers: ["accept": "application/json"], parameters: ["AUTHKIT_ACTION": "check", "AUTHKIT_SERVED_PATH": "/api/data"]))
        #expect(xhr.status == 401)
        #expect(xhr.header("X-AuthKit-Sign-In") == nil)
        let signIn = service.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-in", headers: ["sec-fetch-mode": "cors"]))
        #expect(signIn.status == 401)
        #expect(signIn.headers(named: "Set-Cookie").isEmpty)
    }

    @Test func optionalModeUnauthenticatedAndSignUpPaths() {
        let (service, _, _) = service { _ throws(HTTPTransportError) in throw .timedOut }
        #expect(service.handle(AuthRequest(method: "GET", requestURI: "/x", parameters: ["AUTHKIT_ACTION": "check", "AUTHKIT_MODE": "optional"])).status == 200)
        func check(_ target: String, served: String?, headers: [String: String] = [:]) -> AuthResponse {
            var parameters = ["AUTHKIT_ACTION": "check"]
            parameters["AUTHKIT_SERVED_PATH"] = served
            return service.handle(AuthRequest(method: "GET", requestURI: target, headers: headers, parameters: parameters))
        }
        #expect(check("/public/a/b", served: "/public/a/b").status == 200)
        #expect(check("/auth/callback", served: "/auth/callback").status == 200)
        let join = check("/join", served: "/join", headers: browser)
        #expect(join.header("X-AuthKit-Sign-In") == "/auth/sign-up?return_to=%2Fjoin")
        // A rule holds only when the server's path and the raw target's both match it.
        #expect(check("/public/a/b", served: "/secret").status == 401, "the server serves /secret")
        #expect(check("/public/../secret", served: "/public/x").status == 401, "an upstream reads /secret")
        #expect(check("/public/..;/secret", served: "/public/..;/secret").status == 401, "a ; in the path is never public")
        // The server did not say what it serves: denied with a 500, never public.
        #expect(check("/public/a/b", served: nil).status == 500)
        #expect(check("/public/a/b", served: "").status == 500)
        #expect(check("/public/a/b", served: "/public/../x").header("X-AuthKit-Bad-Request") == "1")
        // A target that cannot be read with certainty: refused (the servers answer 400), whoever asks.
        #expect(check("/public/%2e%2e/%CC%B8/%2e%2e/secret", served: "/public/a/b").status == 401, "a glued mark is a segment: /secret")
        for raw in ["/secret#/../../auth/callback", "/public/a%2Fb", "/public/\\..\\x", "/public/%c0%ae"] {
            let refused = check(raw, served: "/public/a/b", headers: browser)
            #expect(refused.status == 401 && refused.header("X-AuthKit-Bad-Request") == "1" && refused.header("X-AuthKit-Sign-In") == nil, "\(raw)")
        }
        #expect(service.handle(AuthRequest(method: "GET", requestURI: "/x#y", parameters: ["AUTHKIT_ACTION": "check", "AUTHKIT_MODE": "optional"]))
                    .header("X-AuthKit-Bad-Request") == "1", "optional mode too")
    }

    @Test func callbackRejectsMismatchedOrMissingState() {
        let (service, transport, _) = service { _ throws(HTTPTransportError) in throw .timedOut }
        let missing = service.handle(AuthRequest(method: "GET", requestURI: "/auth/callback?code=c", headers: browser))
        #expect(missing.status == 400)
        let noCookie = service.handle(AuthRequest(method: "GET", requestURI: "/auth/callback?code=c&state=Fe26.2", headers: browser))
        #expect(noCookie.status == 400)
        #expect(String(decoding: noCookie.body, as: UTF8.self).contains("missing_pkce_cookie"))
        let mismatch = service.handle(AuthRequest(method: "GET", requestURI: "/auth/callback?code=c&state=abc",
                                                  headers: ["cookie": "wos-auth-verifier=xyz", "accept": "application/json"]))
        #expect(mismatch.status == 400)
        #expect(mismatch.header("Content-Type") == "application/json")
        #expect(transport.requests.isEmpty)
    }

    @Test func crossSiteGetCannotSignOutOrReadTheToken() {
        let (service, _, _) = service { _ throws(HTTPTransportError) in throw .timedOut }
        #expect(service.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-out", headers: ["sec-fetch-site": "cross-site", "sec-fetch-mode": "cors"])).status == 405)
        #expect(service.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-out", headers: ["sec-fetch-site": "same-origin"])).status == 302)
        // Opened by address or from another site's link: a page with a button, nothing ended.
        for site in ["none", "cross-site", "same-site"] {
            let page = service.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-out?return_to=%2Fbye%22%CC%81%3E",
                                                  headers: ["sec-fetch-site": site, "sec-fetch-mode": "navigate", "accept": "text/html"]))
            let html = String(decoding: page.body, as: UTF8.self)
            #expect(page.status == 200 && page.headers(named: "Set-Cookie").isEmpty, "\(site)")
            #expect(html.contains(#"<form method="post" action="/auth/sign-out">"#) && html.contains(#"name="return_to" value="/bye%22%CC%81%3E">"#), "\(html)")
            #expect(page.header("X-Frame-Options") == "DENY")
        }
        // A cross-site POST (another site's form, a sibling subdomain's) ends nothing.
        let cookie = ["cookie": "wos-session=x"]
        for headers in [["sec-fetch-site": "cross-site"], ["sec-fetch-site": "same-site"], ["origin": "https://evil.example"],
                        ["origin": "null"], ["referer": "https://evil.example/page"], ["referer": "not a url"],
                        ["origin": "https://app.example.co\u{212A}"]] {
            let refused = service.handle(AuthRequest(method: "POST", requestURI: "/auth/sign-out", headers: headers.merging(cookie) { a, _ in a }))
            #expect(refused.status == 403 && refused.headers(named: "Set-Cookie").isEmpty, "\(headers)")
        }
        for headers in [["sec-fetch-site": "same-origin"], ["origin": "https://APP.example.com"], ["referer": "https://app.example.com/x"], [:]] {
            let allowed = service.handle(AuthRequest(method: "POST", requestURI: "/auth/sign-out", headers: headers.merging(cookie) { a, _ in a }))
            #expect(allowed.status == 303 && allowed.headers(named: "Set-Cookie").first?.hasPrefix("wos-session=;") == true, "\(headers)")
        }
        #expect(service.handle(AuthRequest(method: "GET", requestURI: "/auth/token", headers: ["origin": "https://evil.example"])).status == 403)
        #expect(service.handle(AuthRequest(method: "GET", requestURI: "/auth/health")).status == 200)
        #expect(service.handle(AuthRequest(method: "GET", requestURI: "/auth/nope")).status == 404)
    }

    @Test func atMostFiveVerifierCookiesOldestExpiredFirst() {
        let (service, _, _) = service { _ throws(HTTPTransportError) in throw .timedOut }
        let existing = (1...5).map { "wos-auth-verifier-0000000\($0)=Fe26.2*1*s*i*c*\(1_785_000_000_000 + Int64($0))*m*h~2" }.joined(separator: "; ")
        let response = service.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-in", headers: browser.merging(["cookie": existing]) { a, _ in a }))
        let cookies = response.headers(named: "Set-Cookie").filter { $0.hasPrefix("wos-auth-verifier-") }
        #expect(cookies.count == 2)
        #expect(cookies[0].hasPrefix("wos-auth-verifier-00000001=;"))
    }
}

/// The extras: eager-auth cookie, sign-in hook, custom error page.
@Suite struct AuthKitServiceExtrasTests {
    let start: Int64 = 1_785_000_000
    let factory = TokenFactory()
    let browser = ["accept": "text/html", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document"]

    func makeService(settings change: (inout EndpointSettings) -> Void) -> (AuthKitService, SessionSealer) {
        let fixture = ServiceFixture(start: start, factory: factory, settings: change)
        return (fixture.service, fixture.sealer)
    }

    func callbackRequest(_ service: AuthKitService, sealer: SessionSealer, customState: String? = nil) -> AuthRequest {
        let state = sealer.seal(PKCEState(nonce: "n", codeVerifier: "v", customState: customState, returnPathname: "/x").json, ttlSeconds: 600)
        return AuthRequest(method: "GET", requestURI: "/auth/callback?code=c&state=\(PercentEncoding.uriComponent(state))",
                           headers: browser.merging(["cookie": "\(VerifierCookie.name(forSealedState: state))=\(state)"]) { a, _ in a })
    }

    @Test func eagerAuthCookieOnPageLoadsOnly() throws {
        let (service, sealer) = makeService { $0.eagerAuth = true }
        let session = try #require(service.handle(callbackRequest(service, sealer: sealer)).headers(named: "Set-Cookie").last)
        let value = String(session.dropFirst("wos-session=".count).prefix { $0 != ";" })
        let page = service.handle(AuthRequest(method: "GET", requestURI: "/p", headers: browser.merging(["cookie": "wos-session=\(value)"]) { a, _ in a },
                                              parameters: ["AUTHKIT_ACTION": "check"]))
        let eager = try #require(page.header("X-AuthKit-Eager-Auth-Cookie"))
        #expect(eager.hasPrefix("workos-access-token=eyJ") && eager.hasSuffix("; SameSite=Lax; Max-Age=30; Secure"))
        let xhr = service.handle(AuthRequest(method: "GET", requestURI: "/p", headers: ["accept": "application/json", "cookie": "wos-session=\(value)"],
                                             parameters: ["AUTHKIT_ACTION": "check"]))
        #expect(xhr.status == 200 && xhr.header("X-AuthKit-Eager-Auth-Cookie") == nil)
    }

    @Test func signInHookIsSignedAndCanBeRequired() throws {
        let received = ScriptedTransport { _ throws(HTTPTransportError) in HTTPResponse(status: 204) }
        let clock = ManualClock(seconds: start)
        let (service, sealer) = makeService {
            $0.signInHook = SignInHook(url: "https://hooks.example/sign-in", secret: "0123456789abcdef", required: true, transport: received, clock: clock)
        }
        let ok = service.handle(callbackRequest(service, sealer: sealer, customState: "team_1"))
        #expect(ok.status == 302)
        let request = try #require(received.requests.first)
        let body = try JSONParser.parse(request.body)
        #expect(body["user"]?["email"]?.stringValue == "jane@example.com")
        #expect(body["state"]?.stringValue == "team_1")
        let signature = try #require(request.headers.first { $0.name == "X-AuthKit-Signature" }?.value)
        #expect(signature == HookSigner.signature(secret: Array("0123456789abcdef".utf8), timestamp: start, body: request.body))

        let failing = ScriptedTransport { _ throws(HTTPTransportError) in throw .connectionFailed("refused") }
        let (strict, sealer2) = makeService {
            $0.signInHook = SignInHook(url: "https://hooks.example/sign-in", secret: "0123456789abcdef", required: true, transport: failing, clock: clock)
        }
        let refused = strict.handle(callbackRequest(strict, sealer: sealer2))
        #expect(refused.status == 502)
        #expect(!refused.headers(named: "Set-Cookie").contains { $0.hasPrefix("wos-session=Fe26") })
        let (lenient, sealer3) = makeService {
            $0.signInHook = SignInHook(url: "https://hooks.example/sign-in", secret: "0123456789abcdef", required: false, transport: failing, clock: clock)
        }
        #expect(lenient.handle(callbackRequest(lenient, sealer: sealer3)).status == 302)
    }

    @Test func customErrorPage() {
        let (service, _) = makeService { $0.errorPageTemplate = "<h1>Oops {{code}}</h1><p>{{message}}</p>" }
        let response = service.handle(AuthRequest(method: "GET", requestURI: "/auth/callback?error=access_denied&error_description=%3Cb%3E", headers: browser))
        #expect(response.status == 400)
        // A fixed text per code: error_description is never shown (it is whatever the link said).
        #expect(String(decoding: response.body, as: UTF8.self) == "<h1>Oops access_denied</h1><p>Sign-in was cancelled or not allowed.</p>")
        let unknown = service.handle(AuthRequest(method: "GET", requestURI: "/auth/callback?error=%3Cscript%3Ex&error_description=Call+0800+SCAM", headers: browser))
        let body = String(decoding: unknown.body, as: UTF8.self)
        #expect(body == "<h1>Oops authorization_error</h1><p>WorkOS could not sign you in.</p>")
        let json = service.handle(AuthRequest(method: "GET", requestURI: "/auth/callback?error=x&error_description=Call+0800+SCAM", headers: ["accept": "application/json"]))
        #expect(!String(decoding: json.body, as: UTF8.self).contains("SCAM"))
    }
}

@Suite struct HTMLTextTests {
    /// On bytes: a combining mark glued to `"` or `<` must not carry it through unescaped.
    @Test func escapesEveryByteEvenWhenGlued() {
        #expect(HTMLText.escape("a\"\u{301}b<\u{301}c&'>") == "a&quot;\u{301}b&lt;\u{301}c&amp;&#39;&gt;")
        for scalar: Unicode.Scalar in ["\u{301}", "\u{200D}", "\u{FE0F}", "\u{E0100}", "\u{1F3FB}"] {
            let escaped = HTMLText.escape("\"\(scalar)<\(scalar)>\(scalar)&\(scalar)'\(scalar)")
            #expect(!escaped.utf8.contains { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "'") })
        }
    }
}

@Suite struct ResponseBudgetTests {
    @Test func returnPathsShortenQueryFirst() {
        let long = "/a/b?" + String(repeating: "x", count: 5_000)
        #expect(ResponseBudget.returnPath("/a/b?c=1") == "/a/b?c=1")
        #expect(ResponseBudget.returnPath(long) == "/a/b")
        #expect(ResponseBudget.returnPath("/" + String(repeating: "p", count: 5_000)) == "/")
        #expect(ResponseBudget.returnPathCandidates(long).last == "/")
        #expect(ResponseBudget.returnPathCandidates("/x") == ["/x", "/"])
    }
}
