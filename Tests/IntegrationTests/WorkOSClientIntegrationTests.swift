import AuthKitCore
import AuthKitSync
import AuthKitCrypto
import AuthKitCurl
import Foundation
import Logging
import Testing

/// The core's WorkOS client, JWKS cache and session rules over libcurl against the emulator:
/// real HTTP, real RS256 keys, real single-use refresh tokens.
@Suite struct WorkOSClientIntegrationTests {
    /// The wall clock plus an offset the test moves, to expire tokens without sleeping.
    final class ShiftedClock: AuthKitCore.WallClock {
        let offset = Locked<Int64>(0)
        func nowMillis() -> UnixMillis { SystemClock().nowMillis() + offset.withLock { $0 } }
        func advance(seconds: Int64) { offset.withLock { $0 += seconds * 1000 } }
    }

    struct Stack {
        let emulator: EmulatorProcess
        let clock = ShiftedClock()
        let workos: WorkOSClient
        let authenticator: SessionAuthenticator

        init(emulator: EmulatorProcess, retries: Int = 0) {
            self.emulator = emulator
            var config = emulator.config()
            config.httpRetries = retries
            let transport = CurlTransport(connectTimeoutMillis: 1000, totalTimeoutMillis: 3000, userAgent: "authkit-fcgi/test")
            workos = WorkOSClient(config: config, transport: transport, random: SecureRandom(), clock: clock)
            let keys = JWKSCache(url: workos.jwksURL, transport: transport, clock: clock, userAgent: "authkit-fcgi/test")
            authenticator = SessionAuthenticator(
                sealer: SessionSealer(config: config, clock: clock, random: SecureRandom()),
                verifier: AccessTokenVerifier(keys: keys, clock: clock, issuers: config.acceptedIssuers), workos: workos,
                policy: RefreshPolicy(bufferSeconds: nil), cookieOptions: .session(config: config), clock: clock,
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        }

        /// Signs in through the emulator and returns the session cookie value.
        func signIn() throws -> String {
            let pkce = PKCE(random: SecureRandom())
            let code = try emulator.authorizationCode(challenge: pkce.codeChallenge)
            let response = try workos.authenticate(code: code, codeVerifier: pkce.codeVerifier)
            return authenticator.sealer.sealSession(response.sessionPayload)
        }
    }

    static func cookieValue(_ header: String?) -> String? {
        header.map { String($0.dropFirst("wos-session=".count).prefix { $0 != ";" }) }
    }

    @Test func signInVerifyRefreshOverHTTP() throws {
        let stack = Stack(emulator: try EmulatorProcess())
        let cookie = try stack.signIn()
        guard case .signedIn(let session, nil) = stack.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("fresh session not accepted"); return
        }
        #expect(session.payload.user.email == "ada@example.com")
        #expect(session.claims.role == "admin")

        // Past expiry: one refresh at WorkOS, one new cookie.
        stack.clock.advance(seconds: 301)
        try stack.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":301}"#)
        guard case .signedIn(let refreshed, let setCookie?) = stack.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("no refresh"); return
        }
        #expect(refreshed.refreshed)
        #expect(try stack.emulator.counters()["refreshes"] == 1)
        let newCookie = try #require(Self.cookieValue(setCookie))
        guard case .signedIn(_, nil) = stack.authenticator.authenticate(cookieValue: newCookie) else {
            Issue.record("refreshed cookie not accepted"); return
        }
    }

    @Test func transientFailureKeepsTheSessionAndTerminalDeletesIt() throws {
        let stack = Stack(emulator: try EmulatorProcess())
        let cookie = try stack.signIn()
        stack.clock.advance(seconds: 301)
        try stack.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":301}"#)
        try stack.emulator.request("POST", "/_emulate/hooks", json: #"{"path":"/user_management/authenticate","status":503,"times":1}"#)
        guard case .unavailable = stack.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("503 was not transient"); return
        }
        // libcurl retries once by itself when a reused connection dies before answering, so
        // drop twice to see the failure.
        try stack.emulator.request("POST", "/_emulate/hooks", json: #"{"path":"/user_management/authenticate","drop_connection":true,"times":2}"#)
        let dropped = stack.authenticator.authenticate(cookieValue: cookie)
        guard case .unavailable = dropped else {
            Issue.record("a dropped connection was not transient: \(dropped)"); return
        }
        // Now a real refresh works: the cookie was kept, so the session survives.
        guard case .signedIn(_, .some) = stack.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("session lost after transient faults"); return
        }
        // Within the grace window the old cookie gets the same new session, without spending
        // anything at WorkOS.
        guard case .signedIn(_, .some) = stack.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("old cookie inside the grace window lost its session"); return
        }
        #expect(try stack.emulator.counters()["refresh_token_reuse"] == nil)
        // After it — and after the two-minute idempotency period, within which WorkOS would
        // replay its answer — the spent refresh token is terminal.
        stack.clock.advance(seconds: 121)
        guard case .signedOut(let reason, .some) = stack.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("reused refresh token not terminal"); return
        }
        #expect(reason.contains("invalid_grant"))
    }

    @Test func jwksOutageSignsNobodyOut() throws {
        let stack = Stack(emulator: try EmulatorProcess())
        let cookie = try stack.signIn()
        guard case .signedIn = stack.authenticator.authenticate(cookieValue: cookie) else { Issue.record("not signed in"); return }
        try stack.emulator.request("POST", "/_emulate/hooks", json: #"{"path":"/sso/jwks","status":503}"#)
        // Age the key cache past its 10 minutes with a token that is still valid: move both clocks
        // and sign in again at the emulator's later time.
        try stack.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":700}"#)
        try stack.emulator.request("DELETE", "/_emulate/hooks")
        let later = try stack.signIn()
        try stack.emulator.request("POST", "/_emulate/hooks", json: #"{"path":"/sso/jwks","status":503}"#)
        stack.clock.advance(seconds: 700)
        guard case .signedIn(_, nil) = stack.authenticator.authenticate(cookieValue: later) else {
            Issue.record("JWKS outage signed the user out"); return
        }
        #expect((try stack.emulator.counters()["faults_applied"] ?? 0) >= 1)
    }

    @Test func transientFailuresAreRetriedWithOneIdempotencyKey() throws {
        let stack = Stack(emulator: try EmulatorProcess(), retries: 2)
        let cookie = try stack.signIn()
        stack.clock.advance(seconds: 301)
        try stack.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":301}"#)
        try stack.emulator.request("POST", "/_emulate/hooks", json: #"{"path":"/user_management/authenticate","status":503,"times":2}"#)
        let started = Date()
        guard case .signedIn(let session, .some) = stack.authenticator.authenticate(cookieValue: cookie) else {
            Issue.record("retries did not save the refresh"); return
        }
        #expect(session.refreshed)
        // Two backoffs of 250–750 ms and 375–1125 ms.
        #expect(Date().timeIntervalSince(started) < 3)
        let counters = try stack.emulator.counters()
        #expect(counters["faults_applied"] == 2)
        #expect(counters["refreshes"] == 1)

        // A 429 with Retry-After beyond the budget is not waited for.
        let other = try stack.signIn()
        stack.clock.advance(seconds: 301)
        try stack.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":602}"#)
        try stack.emulator.request("POST", "/_emulate/hooks", json: #"{"path":"/user_management/authenticate","status":429,"headers":{"Retry-After":"60"},"times":1}"#)
        let limitedStart = Date()
        guard case .unavailable = stack.authenticator.authenticate(cookieValue: other) else {
            Issue.record("429 was not transient"); return
        }
        #expect(Date().timeIntervalSince(limitedStart) < 1)
    }
}
