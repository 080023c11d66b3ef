import Logging
import Testing
@testable import AuthKitCore

/// `AUTHKIT_MAX_AUTH_AGE`: authkit-nextjs's `checkRecentAuth` staleness rule, its setting, and
/// the check's and sign-in endpoint's answers for a sign-in too old for the location.
@Suite struct RecentAuthenticationTests {
    let start: Int64 = 1_785_000_000
    let factory = TokenFactory()
    let browser = ["accept": "text/html", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document"]

    @Test func staleIsOlderThanTheMaximumAgeAndMissingIsStale() {
        #expect(!RecentAuthentication.isStale(authTime: start - 600, maxAge: 600, nowSeconds: start), "exactly the age: authkit's > ")
        #expect(RecentAuthentication.isStale(authTime: start - 601, maxAge: 600, nowSeconds: start))
        #expect(!RecentAuthentication.isStale(authTime: start, maxAge: 600, nowSeconds: start))
        #expect(!RecentAuthentication.isStale(authTime: start + 3600, maxAge: 600, nowSeconds: start), "WorkOS's clock ahead of ours")
        #expect(RecentAuthentication.isStale(authTime: nil, maxAge: 600, nowSeconds: start), "no auth_time fails closed")
        #expect(RecentAuthentication.isStale(authTime: nil, maxAge: .max, nowSeconds: start))
        // The clock leeway widens the age as it does exp; a negative one is no leeway.
        #expect(!RecentAuthentication.isStale(authTime: start - 605, maxAge: 600, nowSeconds: start, leewaySeconds: 5))
        #expect(RecentAuthentication.isStale(authTime: start - 606, maxAge: 600, nowSeconds: start, leewaySeconds: 5))
        #expect(RecentAuthentication.isStale(authTime: start - 601, maxAge: 600, nowSeconds: start, leewaySeconds: -100))
    }

    @Test func extremeValuesNeitherTrapNorPass() {
        for authTime in [Int64.min, Int64.min + 1, -1_000_000_000_000_000, 0] {
            for now in [start, Int64.max, Int64.max - 1] {
                #expect(RecentAuthentication.isStale(authTime: authTime, maxAge: 600, nowSeconds: now, leewaySeconds: 300), "\(authTime) \(now)")
            }
        }
        #expect(!RecentAuthentication.isStale(authTime: Int64.max, maxAge: 600, nowSeconds: Int64.min))
        #expect(!RecentAuthentication.isStale(authTime: start, maxAge: Int64.max, nowSeconds: Int64.max, leewaySeconds: Int64.max))
    }

    @Test func theMaximumAgeIsDigitsWithinBounds() {
        let range = RecentAuthentication.allowedMaxAge
        #expect(RecentAuthentication.maxAge("600", range: range) == 600)
        #expect(RecentAuthentication.maxAge("60", range: range) == 60)
        #expect(RecentAuthentication.maxAge("315360000", range: range) == 315_360_000)
        for bad in ["", "59", "0", "315360001", "9999999999", "+600", "-600", " 600", "600 ", "6e2", "600.0", "0x258", "٦٠٠", "６００",
                    String(repeating: "9", count: 400), "600\u{0}"] {
            #expect(RecentAuthentication.maxAge(bad, range: range) == nil, "\(bad)")
        }
        #expect(RecentAuthentication.maxAge("0", range: RecentAuthentication.allowedRequestMaxAge) == 0, "OIDC's max_age=0")
        #expect(RecentAuthentication.maxAge("0000000060", range: RecentAuthentication.allowedRequestMaxAge) == nil, "ten digits")
    }

    @Test func theLocationSettingFailsClosed() throws {
        #expect(try LocationSettings.parse(["AUTHKIT_MAX_AUTH_AGE": "900"]).get().maxAuthAge == 900)
        #expect(try LocationSettings.parse([:]).get().maxAuthAge == nil)
        for bad in ["", "abc", "10", "-900", "900s", "1e9", "99999999999999999999"] {
            guard case .failure(let problems) = LocationSettings.parse(["AUTHKIT_MAX_AUTH_AGE": bad]) else { Issue.record("accepted \(bad)"); continue }
            #expect(problems.all.map(\.parameter) == ["AUTHKIT_MAX_AUTH_AGE"])
            #expect(problems.all[0].fix.contains("seconds"))
        }
    }

    /// A service whose check caches verified sessions, with a clock the test moves.
    func service(token: String) -> (AuthKitService, ManualClock, SessionSealer) {
        let config = Fixtures.config()
        let clock = ManualClock(seconds: start)
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let sealer = SessionSealer(config: config, clock: clock, random: SecureRandom())
        let workos = ScriptedTransport { _ throws(HTTPTransportError) in
            ScriptedTransport.json(200, #"{"user":\#(Fixtures.apiUser()),"organization_id":"org_01","access_token":"\#(token)","refresh_token":"rt_2"}"#)
        }
        let authenticator = SessionAuthenticator(
            sealer: sealer, verifier: AccessTokenVerifier(keys: StaticKeyProvider(factory.keySet), clock: clock, issuers: TokenFactory.issuers),
            workos: WorkOSClient(config: config, transport: workos, random: SecureRandom()),
            policy: RefreshPolicy(bufferSeconds: nil), cookieOptions: .session(config: config), clock: clock, logger: logger,
            cache: VerifiedSessionCache(capacity: 16))
        let settings = EndpointSettings(origin: "https://app.example.com", redirectURI: config.redirectURI,
                                        unauthenticatedPaths: [try! PathPattern("/billing/help")])
        return (AuthKitService(settings: settings, authenticator: authenticator, clock: clock, random: SecureRandom(), logger: logger), clock, sealer)
    }

    func cookie(_ sealer: SessionSealer, _ token: String) -> String {
        let user = SessionUser(apiJSON: try! JSONParser.parse(Array(Fixtures.apiUser().utf8)))!
        return sealer.sealSession(SessionPayload(accessToken: token, refreshToken: "rt_1", user: user))
    }

    func check(_ service: AuthKitService, cookie: String?, maxAge: String? = "120", headers: [String: String]? = nil, extra: [String: String] = [:]) -> AuthResponse {
        var parameters = ["AUTHKIT_ACTION": "check", "AUTHKIT_SERVED_PATH": "/billing/"].merging(extra) { _, b in b }
        parameters["AUTHKIT_MAX_AUTH_AGE"] = maxAge
        var all = headers ?? browser
        if let cookie { all["cookie"] = "wos-session=\(cookie)" }
        return service.handle(AuthRequest(method: "GET", requestURI: "/billing/", headers: all, parameters: parameters))
    }

    @Test func aCachedSessionGoesStaleWithTheClock() {
        let token = factory.accessToken(iat: start, exp: start + 3600, extra: [("auth_time", .int(start - 60))])
        let (service, clock, sealer) = service(token: token)
        let session = cookie(sealer, token)
        #expect(check(service, cookie: session).status == 200)
        #expect(check(service, cookie: session, maxAge: nil).status == 200)
        clock.advance(seconds: 60)
        #expect(check(service, cookie: session).status == 200, "exactly 120 s since the sign-in")
        clock.advance(seconds: 1)
        // The token is valid and cached; the sign-in is 121 s old.
        let page = check(service, cookie: session)
        #expect(page.status == 401)
        #expect(page.header("X-AuthKit-Sign-In") == "/auth/sign-in?return_to=%2Fbilling%2F&max_age=120")
        #expect(page.header("X-AuthKit-User-Id") == nil && page.header("Set-Cookie") == nil)
        let script = check(service, cookie: session, headers: ["accept": "application/json"])
        #expect(script.status == 401 && script.header("X-AuthKit-Sign-In") == nil)
        #expect(script.header("WWW-Authenticate") == #"Bearer error="insufficient_user_authentication", error_description="A more recent sign-in is required", max_age=120"#)
        // Elsewhere any age still passes; in optional mode the request passes without identity.
        #expect(check(service, cookie: session, maxAge: nil).status == 200)
        let optional = check(service, cookie: session, extra: ["AUTHKIT_MODE": "optional"])
        #expect(optional.status == 200 && optional.header("X-AuthKit-User-Id") == nil)
        // A bearer token with the same sign-in gets the same 401.
        let bearer = check(service, cookie: nil, headers: ["accept": "application/json", "authorization": "Bearer \(token)"], extra: ["AUTHKIT_ALLOW_BEARER": "true"])
        #expect(bearer.status == 401 && bearer.header("WWW-Authenticate")?.contains("insufficient_user_authentication") == true)
        let anyAge = check(service, cookie: nil, maxAge: nil, headers: ["accept": "application/json", "authorization": "Bearer \(token)"], extra: ["AUTHKIT_ALLOW_BEARER": "true"])
        #expect(anyAge.status == 200)
    }

    @Test func aPublicPathPassesAnOldSignInWithoutIdentity() {
        let token = factory.accessToken(iat: start, exp: start + 3600, extra: [("auth_time", .int(start - 3600))])
        let (service, _, sealer) = service(token: token)
        var headers = browser
        headers["cookie"] = "wos-session=\(cookie(sealer, token))"
        func check(_ path: String, served: String?) -> AuthResponse {
            var parameters = ["AUTHKIT_ACTION": "check", "AUTHKIT_MAX_AUTH_AGE": "120"]
            parameters["AUTHKIT_SERVED_PATH"] = served
            return service.handle(AuthRequest(method: "GET", requestURI: path, headers: headers, parameters: parameters))
        }
        let help = check("/billing/help", served: "/billing/help")
        #expect(help.status == 200 && help.header("X-AuthKit-User-Id") == nil, "as for a signed-out visitor")
        #expect(check("/billing/", served: "/billing/").status == 401)
        #expect(check("/billing/help", served: nil).status == 500, "no served path: path rules cannot be decided")
        #expect(check("/billing/help", served: "/billing/%ZZ").status == 401)
    }

    @Test func aTokenWithoutAuthTimeNeverPassesAMaximumAge() {
        let token = factory.accessToken(iat: start, exp: start + 3600)
        let (service, _, sealer) = service(token: token)
        let session = cookie(sealer, token)
        #expect(check(service, cookie: session, maxAge: "315360000").status == 401)
        #expect(check(service, cookie: session, maxAge: nil).status == 200)
    }

    @Test func aRefreshedSessionKeepsItsCookieOnTheWayToSignIn() {
        // Expired token, so the check refreshes; WorkOS's new token keeps the old auth_time.
        let refreshed = factory.accessToken(iat: start, exp: start + 300, extra: [("auth_time", .int(start - 3600))])
        let (service, _, sealer) = service(token: refreshed)
        let expired = factory.accessToken(iat: start - 3900, exp: start - 3600, extra: [("auth_time", .int(start - 3600))])
        let page = check(service, cookie: cookie(sealer, expired))
        #expect(page.status == 401)
        #expect(page.header("X-AuthKit-Sign-In")?.hasSuffix("&max_age=120") == true)
        #expect(page.header("Set-Cookie")?.hasPrefix("wos-session=Fe26.2*") == true, "the rotated refresh token must not be lost")
    }

    @Test func aRefreshedCookieThatWouldOverflowTheAnswerIsLeftOut() {
        let permissions = JSONValue.array((0..<12).map { .string("resource_\($0):read-and-write") })
        let refreshed = factory.accessToken(iat: start, exp: start + 300, extra: [("auth_time", .int(start - 3600)), ("permissions", permissions)])
        let (service, _, sealer) = service(token: refreshed)
        let expired = factory.accessToken(iat: start - 3900, exp: start - 3600, extra: [("auth_time", .int(start - 3600))])
        var headers = browser
        headers["cookie"] = "wos-session=\(cookie(sealer, expired))"
        func check(_ target: String) -> AuthResponse {
            service.handle(AuthRequest(method: "GET", requestURI: target, headers: headers, parameters: [
                "AUTHKIT_ACTION": "check", "AUTHKIT_SERVED_PATH": target, "AUTHKIT_MAX_AUTH_AGE": "120"]))
        }
        let short = check("/billing/")
        #expect(short.header("Set-Cookie")?.hasPrefix("wos-session=") == true, "it fits beside a short sign-in location: \(ResponseBudget.headerSize(short)) \(short.headers.map(\.name))")
        let page = check("/billing/" + String(repeating: "x", count: 1000))
        #expect(page.status == 401)
        #expect(page.header("X-AuthKit-Sign-In")?.hasSuffix("&max_age=120") == true)
        #expect(page.header("Set-Cookie") == nil, "the sign-in replaces the session; the answer must fit 4 KB")
        #expect(ResponseBudget.headerSize(page) <= ResponseBudget.headerBytes)
    }

    @Test func theSignInEndpointPassesMaxAgeToWorkOS() throws {
        let (service, _, _) = service(token: "unused")
        let signIn = service.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-in?return_to=%2Fbilling%2F&max_age=120", headers: browser))
        #expect(signIn.status == 302)
        let location = try #require(signIn.header("Location"))
        #expect(location.contains("&max_age=120&"), "\(location)")
        #expect(location.contains("screen_hint=sign-in"))
        let zero = service.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-in?max_age=0", headers: browser))
        #expect(zero.header("Location")?.contains("&max_age=0&") == true)
        let none = service.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-in", headers: browser))
        #expect(none.header("Location")?.contains("max_age") == false)
        for bad in ["-1", "%2B120", "1e3", "120%20", "%D9%A1", "9999999999", "", "abc"] {
            let refused = service.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-in?max_age=\(bad)", headers: browser))
            #expect(refused.status == 400, "\(bad)")
            #expect(refused.header("Location") == nil)
        }
    }

    @Test func theSignInLocationFitsTheBudgetWithMaxAge() {
        let settings = EndpointSettings(origin: "https://app.example.com", redirectURI: "https://app.example.com/auth/callback")
        let long = "/" + String(repeating: "a", count: 5000) + "?q=" + String(repeating: "b", count: 5000)
        let location = settings.signInLocation(returnTo: long, signUp: false, maxAge: 315_360_000)
        #expect(location.hasSuffix("&max_age=315360000"))
        #expect(location.utf8.count <= ResponseBudget.returnPathBytes * 3 / 2 + 64)
    }
}
