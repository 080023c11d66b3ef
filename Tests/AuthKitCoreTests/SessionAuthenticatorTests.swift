import Logging
import MetricsTestKit
import Testing
@testable import AuthKitCore

/// The authkit-nextjs `updateSession` rules, driven through a scripted WorkOS at unit level.
/// The same flows run against the real emulator over HTTP in the integration suite.
@Suite struct SessionAuthenticatorTests {
    let start: Int64 = 1_785_000_000
    let factory = TokenFactory()

    struct Harness {
        let clock: ManualClock
        let transport: ScriptedTransport
        let authenticator: SessionAuthenticator
        let sealer: SessionSealer
    }

    func harness(
        config: AuthKitConfig = Fixtures.config(),
        workos: @escaping ScriptedTransport.Handler = { _ throws(HTTPTransportError) in ScriptedTransport.json(500, "{}") },
        metrics: AuthKitMetrics = .disabled, backgroundRefresh: BackgroundRefreshPool? = nil, refreshHook: RefreshHook? = nil
    ) -> Harness {
        let clock = ManualClock(seconds: start)
        let transport = ScriptedTransport(workos)
        let sealer = SessionSealer(config: config, clock: clock, random: SecureRandom())
        let authenticator = SessionAuthenticator(
            sealer: sealer,
            verifier: AccessTokenVerifier(keys: StaticKeyProvider(factory.keySet), clock: clock, issuers: TokenFactory.issuers),
            workos: WorkOSClient(config: config, transport: transport, random: SecureRandom()),
            policy: RefreshPolicy(bufferSeconds: config.refreshBufferSeconds),
            cookieOptions: .session(config: config), clock: clock,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), metrics: metrics,
            refreshHook: refreshHook, backgroundRefresh: backgroundRefresh)
        return Harness(clock: clock, transport: transport, authenticator: authenticator, sealer: sealer)
    }

    func sessionCookie(_ sealer: SessionSealer, accessToken: String, refreshToken: String = "rt_old", userId: String = "user_01") -> String {
        let user = SessionUser(apiJSON: try! JSONParser.parse(Fixtures.apiUser(id: userId)))!
        return sealer.sealSession(SessionPayload(accessToken: accessToken, refreshToken: refreshToken, user: user))
    }

    func refreshAnswer(accessToken: String, refreshToken: String = "rt_new") -> HTTPResponse {
        ScriptedTransport.json(200, """
            {"user":\(Fixtures.apiUser()),"organization_id":"org_01","access_token":"\(accessToken)","refresh_token":"\(refreshToken)","authentication_method":"Password"}
            """)
    }

    @Test func noCookieIsSignedOutWithoutTouchingCookies() {
        let h = harness()
        #expect(h.authenticator.authenticate(cookieValue: nil) == .signedOut(reason: "no session cookie", setCookie: nil))
        #expect(h.authenticator.authenticate(cookieValue: "") == .signedOut(reason: "no session cookie", setCookie: nil))
        #expect(h.transport.requests.isEmpty)
    }

    @Test func validTokenIsServedWithoutCallingWorkOS() throws {
        let h = harness()
        let cookie = sessionCookie(h.sealer, accessToken: factory.accessToken(iat: start, exp: start + 300))
        guard case .signedIn(let session, let setCookie) = h.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("not signed in"); return
        }
        #expect(setCookie == nil)
        #expect(session.refreshed == false)
        #expect(session.payload.user.email == "jane@example.com")
        #expect(session.claims.organizationId == "org_01")
        #expect(h.transport.requests.isEmpty)
    }

    @Test(arguments: ["garbage", "Fe26.2*1*a*b*c**d*e~2", "Fe26.1*1*a*b*c**d*e~2"])
    func unreadableCookieIsSignedOutAndDeleted(_ value: String) {
        let h = harness()
        guard case .signedOut(_, let setCookie) = h.authenticator.authenticate(cookieValue: value) else {
            Issue.record("accepted"); return
        }
        #expect(setCookie == "wos-session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure")
    }

    @Test func cookieFromAnotherPasswordIsSignedOut() {
        let h = harness()
        let foreign = SessionSealer(password: "some-other-password-of-32-characters!!", clock: h.clock, random: SecureRandom())
        let cookie = sessionCookie(foreign, accessToken: factory.accessToken(iat: start, exp: start + 300))
        guard case .signedOut = h.authenticator.authenticate(cookieValue: cookie) else { Issue.record("accepted"); return }
    }

    @Test func expiredTokenRefreshesAndSetsOneNewCookie() throws {
        let newToken = factory.accessToken(iat: start + 400, exp: start + 700)
        let h = harness(workos: { [self] _ throws(HTTPTransportError) in refreshAnswer(accessToken: newToken) })
        let cookie = sessionCookie(h.sealer, accessToken: factory.accessToken(iat: start, exp: start + 300))
        h.clock.advance(seconds: 400)
        guard case .signedIn(let session, let setCookie?) = h.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("no refreshed session"); return
        }
        #expect(session.refreshed)
        #expect(session.payload.refreshToken == "rt_new")
        #expect(session.claims.expiresAt == start + 700)
        // The request WorkOS got: refresh grant with the old token and the current org.
        let request = try #require(h.transport.requests.first)
        let body = try JSONParser.parse(request.body)
        #expect(body["grant_type"]?.stringValue == "refresh_token")
        #expect(body["refresh_token"]?.stringValue == "rt_old")
        #expect(body["organization_id"]?.stringValue == "org_01")
        #expect(body["client_secret"]?.stringValue == "sk_test_secret_api_key_value")
        // The new cookie opens to the compact shape, camelCase user.
        #expect(setCookie.hasPrefix("wos-session=Fe26.2*1*"))
        #expect(setCookie.hasSuffix("~2; Path=/; HttpOnly; SameSite=Lax; Max-Age=34560000; Secure"))
        let value = String(setCookie.dropFirst("wos-session=".count).prefix { $0 != ";" })
        let reopened = try h.sealer.unsealValue(value).value
        #expect(reopened.objectValue?.map(\.key) == ["accessToken", "refreshToken", "user", "authenticationMethod"])
        #expect(reopened["user"]?["firstName"]?.stringValue == "Jane")
    }

    @Test func expiringTokenRefreshesProactively() {
        let newToken = factory.accessToken(iat: start + 280, exp: start + 580)
        let h = harness(workos: { [self] _ throws(HTTPTransportError) in refreshAnswer(accessToken: newToken) })
        let cookie = sessionCookie(h.sealer, accessToken: factory.accessToken(iat: start, exp: start + 300))
        h.clock.advance(seconds: 280) // 20 s left, inside the 30 s buffer
        guard case .signedIn(let session, .some) = h.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("no proactive refresh"); return
        }
        #expect(session.refreshed)
    }

    @Test func failedProactiveRefreshServesTheStillValidToken() {
        let h = harness(workos: { _ throws(HTTPTransportError) in
            ScriptedTransport.json(400, #"{"error":"invalid_grant","error_description":"Refresh token already exchanged."}"#)
        })
        let cookie = sessionCookie(h.sealer, accessToken: factory.accessToken(iat: start, exp: start + 300))
        h.clock.advance(seconds: 280)
        guard case .signedIn(let session, nil) = h.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("proactive failure signed the user out"); return
        }
        #expect(!session.refreshed)
        #expect(h.transport.requests.count == 1)
    }

    @Test func terminalRefreshFailureDeletesTheCookie() {
        let h = harness(workos: { _ throws(HTTPTransportError) in
            ScriptedTransport.json(400, #"{"error":"invalid_grant","error_description":"Refresh token already exchanged."}"#)
        })
        let cookie = sessionCookie(h.sealer, accessToken: factory.accessToken(iat: start, exp: start + 300))
        h.clock.advance(seconds: 301)
        guard case .signedOut(let reason, let setCookie?) = h.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("expected sign-out with deletion"); return
        }
        #expect(reason.contains("invalid_grant"))
        #expect(setCookie.contains("Max-Age=0"))
    }

    /// A token with another issuer is invalid like any other: refreshed. A refreshed token we
    /// would refuse next time is not served now (it would refresh on every request).
    @Test func aWrongIssuerIsRefreshedAndARefreshedWrongIssuerIsRefused() throws {
        let otherIssuer = factory.accessToken(iat: start, exp: start + 300, extra: [("iss", .string("https://api.workos.com"))])
        let good = factory.accessToken(iat: start, exp: start + 300)
        let refreshes = harness(workos: { [self] _ throws(HTTPTransportError) in refreshAnswer(accessToken: good) })
        guard case .signedIn(let session, let setCookie?) = refreshes.authenticator.authenticate(cookieValue: sessionCookie(refreshes.sealer, accessToken: otherIssuer)) else {
            Issue.record("not refreshed"); return
        }
        #expect(session.refreshed && session.claims.issuer == TokenFactory.issuer && setCookie.hasPrefix("wos-session="))
        #expect(refreshes.transport.requests.count == 1)

        let stillWrong = harness(workos: { [self] _ throws(HTTPTransportError) in refreshAnswer(accessToken: otherIssuer) })
        guard case .signedOut(let reason, let deletion?) = stillWrong.authenticator.authenticate(cookieValue: sessionCookie(stillWrong.sealer, accessToken: otherIssuer)) else {
            Issue.record("a refreshed token with another issuer was served"); return
        }
        #expect(reason.contains("issuer https://api.workos.com is not accepted") && reason.contains("WORKOS_ISSUER"), "\(reason)")
        #expect(deletion.contains("Max-Age=0"))
    }

    @Test(arguments: [408, 429, 500, 502, 503, 504])
    func transientStatusKeepsTheCookie(_ status: Int) {
        let h = harness(workos: { _ throws(HTTPTransportError) in ScriptedTransport.json(status, "{}", headers: [("Retry-After", "7")]) })
        let cookie = sessionCookie(h.sealer, accessToken: factory.accessToken(iat: start, exp: start + 300))
        h.clock.advance(seconds: 301)
        guard case .unavailable = h.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("status \(status) was not transient"); return
        }
    }

    @Test func networkFailureKeepsTheCookie() {
        let h = harness(workos: { _ throws(HTTPTransportError) in throw .timedOut })
        let cookie = sessionCookie(h.sealer, accessToken: factory.accessToken(iat: start, exp: start + 300))
        h.clock.advance(seconds: 301)
        guard case .unavailable = h.authenticator.authenticate(cookieValue: cookie) else { Issue.record("timeout signed out"); return }
    }

    @Test func userIdMustMatchTokenSubject() {
        let h = harness()
        let cookie = sessionCookie(h.sealer, accessToken: factory.accessToken(sub: "user_other", iat: start, exp: start + 300))
        guard case .signedOut(_, .some) = h.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("mismatched user accepted"); return
        }
    }

    @Test func sessionOpenedWithPreviousPasswordIsResealedWithTheCurrentOne() throws {
        let oldSealer = SessionSealer(password: Fixtures.oldPassword, clock: ManualClock(seconds: start), random: SecureRandom())
        let h = harness(config: Fixtures.config(previous: [Fixtures.oldPassword]))
        let cookie = sessionCookie(oldSealer, accessToken: factory.accessToken(iat: start, exp: start + 300))
        guard case .signedIn(_, let setCookie?) = h.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("no re-seal"); return
        }
        let value = String(setCookie.dropFirst("wos-session=".count).prefix { $0 != ";" })
        #expect(value.hasPrefix("Fe26.2*1*"))
        // The new seal opens with the current password alone, as a Next.js app would open it.
        let currentOnly = SessionSealer(password: Fixtures.password, clock: h.clock, random: SecureRandom())
        guard case .success = currentOnly.openSession(value) else { Issue.record("re-seal not under current password"); return }
    }

    @Test func readsTheWholeResponseShapeThatRefreshSessionWrites() throws {
        // authkit's refreshSession() seals the whole AuthenticationResponse (spec §1.2).
        let h = harness()
        let token = factory.accessToken(iat: start, exp: start + 300)
        let whole = """
            {"user":{"object":"user","id":"user_01","email":"jane@example.com"},"organizationId":"org_01","accessToken":"\(token)","refreshToken":"rt","impersonator":null,"authenticationMethod":"SSO","oauthTokens":{"provider":"x"},"extra_field":1}
            """
        let cookie = h.sealer.seal(try JSONParser.parse(whole), ttlSeconds: 0)
        guard case .signedIn(let session, nil) = h.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("whole-response shape rejected"); return
        }
        #expect(session.payload.impersonator == nil)
        #expect(session.payload.authenticationMethod == "SSO")
    }

    /// authkit_refreshes_total by outcome, one per request's refresh; coalesced ones counted apart.
    @Test func refreshesAreCountedByOutcome() throws {
        func count(_ metrics: TestMetrics, _ outcome: String) -> Int64 {
            (try? metrics.expectCounter("authkit_refreshes_total", [("outcome", outcome)]).totalValue) ?? 0
        }
        let newToken = factory.accessToken(iat: start + 301, exp: start + 601)
        let recorder = TestMetrics()
        let h = harness(workos: { [self] _ throws(HTTPTransportError) in refreshAnswer(accessToken: newToken) },
                        metrics: AuthKitMetrics(factory: recorder))
        let cookie = sessionCookie(h.sealer, accessToken: factory.accessToken(iat: start, exp: start + 300))
        h.clock.advance(seconds: 301)
        _ = h.authenticator.authenticate(cookieValue: cookie)
        // The same expired cookie again within the grace window: answered by the first refresh.
        _ = h.authenticator.authenticate(cookieValue: cookie)
        #expect(count(recorder, "success") == 2)
        #expect(try recorder.expectCounter("authkit_refreshes_coalesced_total").totalValue == 1)
        #expect(h.transport.requests.count == 1)

        let failures = TestMetrics()
        let terminal = harness(workos: { _ throws(HTTPTransportError) in
            ScriptedTransport.json(400, #"{"error":"invalid_grant","error_description":"Refresh token already exchanged."}"#)
        }, metrics: AuthKitMetrics(factory: failures))
        let old = sessionCookie(terminal.sealer, accessToken: factory.accessToken(iat: start, exp: start + 300))
        terminal.clock.advance(seconds: 280)
        _ = terminal.authenticator.authenticate(cookieValue: old)   // 20 s left: proactive
        terminal.clock.advance(seconds: 21)
        _ = terminal.authenticator.authenticate(cookieValue: old)   // expired: terminal
        #expect(count(failures, "proactive_failure") == 1 && count(failures, "terminal_failure") == 1 && count(failures, "success") == 0)

        let outage = TestMetrics()
        let transient = harness(workos: { _ throws(HTTPTransportError) in throw .timedOut }, metrics: AuthKitMetrics(factory: outage))
        let kept = sessionCookie(transient.sealer, accessToken: factory.accessToken(iat: start, exp: start + 300))
        transient.clock.advance(seconds: 301)
        _ = transient.authenticator.authenticate(cookieValue: kept)
        #expect(count(outage, "transient_failure") == 1)
    }
}
