#if canImport(Glibc)
import Glibc
import AuthKitSync
#endif
import MetricsTestKit
import Testing
@testable import AuthKitCore

/// Issue 22 item 4: a token due for a refresh but still valid is served at once and refreshed
/// on a ``BackgroundRefreshPool``; the old cookie's next requests get the new session, also
/// after the old token expired (its refresh token is spent by then).
@Suite struct BackgroundRefreshTests {
    /// The authenticator's own harness and helpers, with a pool.
    let base = SessionAuthenticatorTests()
    var start: Int64 { base.start }
    var factory: TokenFactory { base.factory }

    /// Holds WorkOS's answers until opened (3 s at most: a refresh made in the request, as
    /// before the pool, must fail the test, not hang it), so a test sees what happens while it "hangs".
    final class Gate: Sendable {
        private let open = Locked(false)
        func release() { open.withLock { $0 = true } }
        func wait() { for _ in 0..<3_000 where !open.withLock({ $0 }) { usleep(1_000) } }
    }

    struct Harness {
        let clock: ManualClock
        let transport: ScriptedTransport
        let authenticator: SessionAuthenticator
        let sealer: SessionSealer
        let pool: BackgroundRefreshPool
        let recorder: TestMetrics
    }

    func harness(pool: BackgroundRefreshPool = BackgroundRefreshPool(threads: 2, capacity: 8), refreshHook: RefreshHook? = nil,
                 workos: @escaping ScriptedTransport.Handler) -> Harness {
        let recorder = TestMetrics()
        let h = base.harness(workos: workos, metrics: AuthKitMetrics(factory: recorder), backgroundRefresh: pool, refreshHook: refreshHook)
        return Harness(clock: h.clock, transport: h.transport, authenticator: h.authenticator, sealer: h.sealer, pool: pool, recorder: recorder)
    }

    func sessionCookie(_ sealer: SessionSealer, accessToken: String, refreshToken: String = "rt_old") -> String {
        base.sessionCookie(sealer, accessToken: accessToken, refreshToken: refreshToken)
    }

    func refreshAnswer(accessToken: String) -> HTTPResponse { base.refreshAnswer(accessToken: accessToken) }

    func waitIdle(_ pool: BackgroundRefreshPool) {
        for _ in 0..<5_000 where pool.pending > 0 { usleep(1_000) }
    }

    func counter(_ h: Harness, _ outcome: String) -> Int64 {
        (try? h.recorder.expectCounter("authkit_background_refreshes_total", [("outcome", outcome)]).totalValue) ?? 0
    }

    @Test func aDueTokenIsServedAtOnceAndItsRefreshAnswersTheOldCookieUntilTheOldTokenExpires() throws {
        let gate = Gate()
        let newToken = factory.accessToken(iat: start + 280, exp: start + 580)
        let h = harness { [self] _ throws(HTTPTransportError) in
            gate.wait()
            return refreshAnswer(accessToken: newToken)
        }
        let cookie = sessionCookie(h.sealer, accessToken: factory.accessToken(iat: start, exp: start + 300))
        h.clock.advance(seconds: 280)  // 20 s left, inside the 30 s buffer
        // WorkOS has not answered: the still-valid token is served, no cookie set.
        for _ in 0..<3 {
            guard case .signedIn(let session, let setCookie) = h.authenticator.authenticate(cookieValue: cookie) else {
                Issue.record("not served"); return
            }
            #expect(session.refreshed == false && setCookie == nil)
            #expect(session.claims.expiresAt == start + 300)
        }
        #expect(counter(h, "started") == 1)  // one refresh for the three requests
        gate.release()
        waitIdle(h.pool)
        #expect(h.transport.requests.count == 1)
        // The old cookie's next request gets the new session.
        guard case .signedIn(let refreshed, let setCookie?) = h.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("the background refresh was lost"); return
        }
        #expect(refreshed.refreshed && refreshed.payload.refreshToken == "rt_new")
        #expect(setCookie.hasPrefix("wos-session=Fe26.2*1*"))
        // Past the old token's expiry and past the grace window from the refresh (30 s), but
        // within the old token's expiry plus the grace window: still the new session, no new
        // call (the old refresh token is spent; WorkOS would answer invalid_grant).
        h.clock.advance(seconds: 45)
        guard case .signedIn(let later, .some) = h.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("the old cookie lost its session after the old token expired"); return
        }
        #expect(later.payload.refreshToken == "rt_new")
        #expect(h.transport.requests.count == 1)
        #expect(counter(h, "started") == 1)
    }

    @Test func aFullPoolServesTheTokenWithoutRefreshing() {
        let gate = Gate()
        let h = harness(pool: BackgroundRefreshPool(threads: 1, capacity: 1)) { [self] _ throws(HTTPTransportError) in
            gate.wait()
            return refreshAnswer(accessToken: factory.accessToken(iat: start + 280, exp: start + 580))
        }
        let first = sessionCookie(h.sealer, accessToken: factory.accessToken(iat: start, exp: start + 300), refreshToken: "rt_a")
        let second = sessionCookie(h.sealer, accessToken: factory.accessToken(iat: start, exp: start + 300), refreshToken: "rt_b")
        h.clock.advance(seconds: 280)
        guard case .signedIn(_, nil) = h.authenticator.authenticate(cookieValue: first),
              case .signedIn(let session, nil) = h.authenticator.authenticate(cookieValue: second) else {
            Issue.record("not served"); return
        }
        #expect(session.refreshed == false)
        #expect(counter(h, "started") == 1)
        #expect(counter(h, "skipped") == 1)
        gate.release()
        waitIdle(h.pool)
        // Skipped, not remembered: the next request starts its refresh.
        _ = h.authenticator.authenticate(cookieValue: second)
        #expect(counter(h, "started") == 2)
        waitIdle(h.pool)
    }

    @Test func anExpiredTokenStillWaitsForItsRefresh() {
        let newToken = factory.accessToken(iat: start + 400, exp: start + 700)
        let h = harness { [self] _ throws(HTTPTransportError) in refreshAnswer(accessToken: newToken) }
        let cookie = sessionCookie(h.sealer, accessToken: factory.accessToken(iat: start, exp: start + 300))
        h.clock.advance(seconds: 400)
        guard case .signedIn(let session, .some) = h.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("an expired token was not refreshed in the request"); return
        }
        #expect(session.refreshed)
        #expect(counter(h, "started") == 0)
    }

    @Test func aFailedBackgroundRefreshKeepsServingTheValidTokenAndTriesAgain() {
        let h = harness { _ throws(HTTPTransportError) in ScriptedTransport.json(503, "{}") }
        let cookie = sessionCookie(h.sealer, accessToken: factory.accessToken(iat: start, exp: start + 300))
        h.clock.advance(seconds: 280)
        for _ in 0..<2 {
            guard case .signedIn(let session, nil) = h.authenticator.authenticate(cookieValue: cookie) else {
                Issue.record("not served"); return
            }
            #expect(session.refreshed == false)
            waitIdle(h.pool)
        }
        #expect(counter(h, "started") == 2)
        #expect((try? h.recorder.expectCounter("authkit_refreshes_total", [("outcome", "proactive_failure")]).totalValue) == 2)
    }

    @Test func theRefreshHookIsToldOfBackgroundRefreshes() {
        let hookTransport = ScriptedTransport { _ throws(HTTPTransportError) in ScriptedTransport.json(200, "{}") }
        let hook = RefreshHookTests().hook(hookTransport, metrics: TestMetrics())  // no sender: events stay queued
        let newToken = factory.accessToken(iat: start + 280, exp: start + 580)
        let h = harness(refreshHook: hook) { [self] _ throws(HTTPTransportError) in refreshAnswer(accessToken: newToken) }
        let cookie = sessionCookie(h.sealer, accessToken: factory.accessToken(iat: start, exp: start + 300))
        h.clock.advance(seconds: 280)
        _ = h.authenticator.authenticate(cookieValue: cookie)
        waitIdle(h.pool)
        #expect(hook.pending == 1)
        // The old cookie answered from the kept session: no refresh of its own, no second event.
        _ = h.authenticator.authenticate(cookieValue: cookie)
        #expect(hook.pending == 1)
    }

    @Test func aStoppingPoolRefusesWorkAndWaitsABoundedTime() {
        let pool = BackgroundRefreshPool(threads: 1, capacity: 4)
        let gate = Gate()
        #expect(pool.submit { gate.wait() })
        let started = ContinuousClock.now
        #expect(pool.stop(waitMillis: 100) == false)  // the job still runs: not waited for longer
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(pool.submit {} == false)
        gate.release()
        #expect(pool.stop(waitMillis: 5_000))
    }
}

/// The coordinator's side: a refreshed session answers for the token it replaced until that
/// token's expiry plus the grace window, in the process and through the shared store.
@Suite struct RefreshRetentionTests {
    let claims = AccessTokenClaims(payload: .object([("sub", .string("u")), ("exp", .int(2_000_000_000))]))!
    let user = SessionUser(sessionJSON: .object([("id", .string("u"))]))!

    func refreshed(_ tag: String) -> RefreshedSession {
        RefreshedSession(payload: SessionPayload(accessToken: "at_\(tag)", refreshToken: "rt_\(tag)", user: user),
                         claims: claims, setCookie: "c=at_\(tag)")
    }

    @Test func aSuccessAnswersUntilTheOldTokenExpiresPlusGrace() {
        let clock = ManualClock(seconds: 1_785_000_000)
        let coordinator = RefreshCoordinator(graceMillis: 30_000, clock: clock)
        var calls = 0
        // The old token expires in 60 s: kept until 90 s from now.
        _ = coordinator.coalesce(refreshToken: "a", oldTokenExpiresAt: 1_785_000_060) { calls += 1; return .success(refreshed("1")) }
        clock.advance(seconds: 89)
        let answer = coordinator.coalesce(refreshToken: "a", oldTokenExpiresAt: 1_785_000_060) { calls += 1; return .success(refreshed("2")) }
        #expect(calls == 1)
        #expect((try? answer.get().setCookie) == "c=at_1")
        clock.advance(seconds: 2)
        _ = coordinator.coalesce(refreshToken: "a", oldTokenExpiresAt: 1_785_000_060) { calls += 1; return .success(refreshed("3")) }
        #expect(calls == 2)
    }

    @Test func aFarExpiryIsBounded() {
        let clock = ManualClock(seconds: 1_785_000_000)
        let coordinator = RefreshCoordinator(graceMillis: 30_000, clock: clock)
        var calls = 0
        _ = coordinator.coalesce(refreshToken: "a", oldTokenExpiresAt: Int64.max) { calls += 1; return .success(refreshed("1")) }
        clock.advance(seconds: RefreshCoordinator.maxKeepMillis / 1000 + 1)
        _ = coordinator.coalesce(refreshToken: "a", oldTokenExpiresAt: Int64.max) { calls += 1; return .success(refreshed("2")) }
        #expect(calls == 2)
    }

    @Test func anotherProcessGetsTheStoredSessionUntilTheOldTokenExpiresPlusGrace() {
        let store = SharedRefreshTests.MemoryStore()
        let shared = SharedRefresh(
            store: store, encode: { $0.payload.accessToken },
            decode: { [user, claims] in RefreshedSession(payload: SessionPayload(accessToken: $0, refreshToken: "rt", user: user), claims: claims, setCookie: "c=\($0)") })
        let clock = ManualClock(seconds: 1_785_000_000)  // the memory store stamps this time
        var calls = 0
        _ = RefreshCoordinator(graceMillis: 30_000, clock: clock, shared: shared)
            .coalesce(refreshToken: "rt_old", oldTokenExpiresAt: 1_785_000_060) { calls += 1; return .success(refreshed("new")) }
        clock.advance(seconds: 80)  // past the grace window, before the old token's expiry + grace
        let processB = RefreshCoordinator(graceMillis: 30_000, clock: clock, shared: shared)
        let b = processB.coalesce(refreshToken: "rt_old", oldTokenExpiresAt: 1_785_000_060) { calls += 1; return .success(refreshed("again")) }
        #expect(calls == 1)
        #expect((try? b.get().setCookie) == "c=at_new")
        // A request without the old token's expiry gets the grace window only.
        _ = RefreshCoordinator(graceMillis: 30_000, clock: clock, shared: shared)
            .coalesce(refreshToken: "rt_old") { calls += 1; return .success(refreshed("third")) }
        #expect(calls == 2)
    }
}
