import Logging
import AuthKitSync
import MetricsTestKit
import Testing
@testable import AuthKitCore

/// The refresh hooks' queue and sender at unit level: bounded (drops are counted), retries
/// with capped exponential backoff on a recording sleeper, bodies without tokens, signatures
/// the receiver can verify, and one event per refresh performed (none for coalesced followers).
@Suite struct RefreshHookTests {
    static let secret = "0123456789abcdef-refresh"
    let start: Int64 = 1_785_000_000

    /// Records the waits instead of sleeping.
    final class RecordingSleeper: Sleeper {
        private let log = Locked<[Int64]>([])
        var waits: [Int64] { log.withLock { $0 } }
        func sleep(millis: Int64) { log.withLock { $0.append(millis) } }
    }

    func hook(_ transport: ScriptedTransport, sleeper: RecordingSleeper = RecordingSleeper(), metrics: TestMetrics,
              errorURL: String? = "https://hooks.example/refresh-error", change: (inout RefreshHook.Settings) -> Void = { _ in }) -> RefreshHook {
        var settings = RefreshHook.Settings(successURL: "https://hooks.example/refreshed", errorURL: errorURL, secret: Self.secret)
        change(&settings)
        return RefreshHook(settings: settings, transport: transport, clock: FixedClock(millis: start * 1000), sleeper: sleeper,
                           metrics: AuthKitMetrics(factory: metrics), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    func count(_ metrics: TestMetrics, _ outcome: String) -> Int64 {
        (try? metrics.expectCounter("authkit_refresh_hook_events_total", [("outcome", outcome)]).totalValue) ?? 0
    }

    func payload() -> SessionPayload {
        let user = SessionUser(apiJSON: try! JSONParser.parse(Fixtures.apiUser()))!
        return SessionPayload(accessToken: TokenFactory().accessToken(iat: start, exp: start + 300), refreshToken: "rt_secret_refresh_token",
                              user: user, impersonator: Impersonator(email: "support@example.com", reason: "ticket"))
    }

    func event() -> RefreshEvent {
        let payload = payload()
        return .refreshed(payload, claims: AccessTokenVerifier.decodeUnverified(payload.accessToken)!, time: start)
    }

    @Test func aFullQueueDropsAndCounts() {
        let metrics = TestMetrics()
        let hook = hook(ScriptedTransport { _ throws(HTTPTransportError) in ScriptedTransport.json(200, "{}") }, metrics: metrics) { $0.capacity = 3 }
        for _ in 0..<5 { hook.enqueue(event()) }
        #expect(hook.pending == 3)
        #expect(count(metrics, "dropped") == 2)
    }

    @Test func aDeadReceiverIsRetriedWithCappedBackoffThenCountedFailed() {
        let metrics = TestMetrics(), sleeper = RecordingSleeper()
        let transport = ScriptedTransport { _ throws(HTTPTransportError) in throw .timedOut }
        let hook = hook(transport, sleeper: sleeper, metrics: metrics) {
            $0.maxAttempts = 5
            $0.baseDelayMillis = 500
            $0.maxDelayMillis = 1500
        }
        #expect(hook.deliver(event()) == false)
        #expect(transport.requests.count == 5)
        #expect(sleeper.waits == [500, 1000, 1500, 1500])
        #expect(count(metrics, "failed") == 1)
        #expect(count(metrics, "sent") == 0)
    }

    @Test func aReceiverThatRecoversGetsTheEventOnce() {
        let metrics = TestMetrics(), sleeper = RecordingSleeper()
        let calls = Locked(0)
        let transport = ScriptedTransport { _ throws(HTTPTransportError) in
            calls.withLock { $0 += 1; return $0 } < 3 ? ScriptedTransport.json(503, "{}") : ScriptedTransport.json(204, "")
        }
        let hook = hook(transport, sleeper: sleeper, metrics: metrics)
        #expect(hook.deliver(event()))
        #expect(sleeper.waits == [500, 1000])
        #expect(count(metrics, "sent") == 1)
        #expect(count(metrics, "failed") == 0)
    }

    @Test func theBodyCarriesNoTokenAndTheSignatureVerifies() throws {
        let metrics = TestMetrics()
        let transport = ScriptedTransport { _ throws(HTTPTransportError) in ScriptedTransport.json(200, "{}") }
        let hook = hook(transport, metrics: metrics)
        let payload = payload()
        hook.deliver(event())
        hook.deliver(.failed(payload, organizationId: "org_02", error: .http(status: 400, code: "invalid_grant", message: "spent", requestId: nil, retryAfterSeconds: nil), time: start))
        #expect(transport.requests.map(\.url) == ["https://hooks.example/refreshed", "https://hooks.example/refresh-error"])
        for request in transport.requests {
            let text = String(decoding: request.body, as: UTF8.self)
            #expect(!text.contains(payload.accessToken) && !text.contains(payload.refreshToken) && !text.contains("rt_secret"))
            let signature = try #require(request.headers.first { $0.name == "X-AuthKit-Signature" }?.value)
            #expect(signature == HookSigner.signature(secret: Array(Self.secret.utf8), timestamp: start, body: request.body))
        }
        let refreshed = try JSONParser.parse(transport.requests[0].body)
        #expect(refreshed["event"]?.stringValue == "session.refreshed")
        #expect(refreshed["user"]?["id"]?.stringValue == "user_01" && refreshed["user"]?["email"]?.stringValue == "jane@example.com")
        #expect(refreshed["sessionId"]?.stringValue == "session_01" && refreshed["organizationId"]?.stringValue == "org_01")
        #expect(refreshed["impersonator"]?["email"]?.stringValue == "support@example.com")
        let failed = try JSONParser.parse(transport.requests[1].body)
        #expect(failed["event"]?.stringValue == "session.refresh_failed")
        #expect(failed["organizationId"]?.stringValue == "org_02")
        #expect(failed["error"]?["code"]?.stringValue == "invalid_grant" && failed["error"]?["transient"]?.boolValue == false)
    }

    @Test func anEventWithoutAHookIsNotQueued() {
        let metrics = TestMetrics()
        let hook = hook(ScriptedTransport { _ throws(HTTPTransportError) in ScriptedTransport.json(200, "{}") }, metrics: metrics, errorURL: nil)
        hook.enqueue(.failed(payload(), organizationId: nil, error: .transport(.timedOut), time: start))
        #expect(hook.pending == 0)
        hook.enqueue(event())
        #expect(hook.pending == 1)
    }

    /// Thirty checks with one expired cookie: one refresh at WorkOS, one event.
    @Test func coalescedFollowersSendNoEvent() async throws {
        let config = Fixtures.config()
        let clock = ManualClock(seconds: start)
        let factory = TokenFactory()
        let fresh = factory.accessToken(iat: start, exp: start + 300)
        let workos = ScriptedTransport { _ throws(HTTPTransportError) in
            ThreadSleeper().sleep(millis: 200)
            return ScriptedTransport.json(200, #"{"user":\#(Fixtures.apiUser()),"organization_id":"org_01","access_token":"\#(fresh)","refresh_token":"rt_new"}"#)
        }
        let receiver = ScriptedTransport { _ throws(HTTPTransportError) in ScriptedTransport.json(200, "{}") }
        let hook = hook(receiver, metrics: TestMetrics())
        let sealer = SessionSealer(config: config, clock: clock, random: SecureRandom())
        let authenticator = SessionAuthenticator(
            sealer: sealer, verifier: AccessTokenVerifier(keys: StaticKeyProvider(factory.keySet), clock: clock, issuers: TokenFactory.issuers),
            workos: WorkOSClient(config: config, transport: workos, random: SecureRandom()),
            policy: RefreshPolicy(bufferSeconds: nil), cookieOptions: .session(config: config), clock: clock,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), refreshHook: hook)
        var old = payload()
        old.accessToken = factory.accessToken(iat: start - 400, exp: start - 100)
        let cookie = sealer.sealSession(old)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<30 { group.addTask { _ = authenticator.authenticate(cookieValue: cookie) } }
        }
        #expect(workos.requests.count == 1)
        #expect(hook.pending == 1)
    }
}
