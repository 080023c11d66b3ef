import Foundation
import AuthKitSync
import Logging
import Testing
@testable import AuthKitCore

/// API-key validation at unit level: WorkOS's answer parsed, cached for the configured times
/// (a hand-moved clock), outages served from the last valid answer, one call per key at once.
/// The same paths run through nginx and Apache against the emulator in ApiKeyThroughServersTests.
@Suite struct ApiKeyAuthenticatorTests {
    static let keyJSON = #"{"object":"api_key","id":"api_key_01","owner":{"type":"organization","id":"org_01"},"name":"CI","obfuscated_value":"sk_…abcd","last_used_at":null,"expires_at":null,"permissions":["posts:read","posts:write"],"created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z"}"#
    static let valid = ScriptedTransport.json(200, #"{"api_key":\#(keyJSON)}"#)
    static let unknown = ScriptedTransport.json(200, #"{"api_key":null}"#)

    /// What WorkOS answers next; changed by the test.
    final class WorkOSScript: Sendable {
        let next = Locked<Result<HTTPResponse, HTTPTransportError>>(.success(ApiKeyAuthenticatorTests.valid))
        func set(_ result: Result<HTTPResponse, HTTPTransportError>) { next.withLock { $0 = result } }
    }

    /// A shared store in memory, standing in for Redis.
    final class MemoryStore: SharedApiKeyStore {
        let records = Locked<[String: String]>([:])
        func loadApiKeyAnswer(digest: String) -> String? { records.withLock { $0[digest] } }
        func saveApiKeyAnswer(digest: String, record: String, ttlMillis: Int64) { records.withLock { $0[digest] = record } }
    }

    struct Setup {
        let authenticator: ApiKeyAuthenticator
        let transport: ScriptedTransport
        let script: WorkOSScript
        let clock: ManualClock
    }

    func setup(policy: ApiKeyCachePolicy = ApiKeyCachePolicy(), shared: (any SharedApiKeyStore)? = nil, clock: ManualClock = ManualClock(seconds: 1_785_000_000),
               delayMillis: UInt32 = 0) -> Setup {
        let script = WorkOSScript()
        let transport = ScriptedTransport { _ throws(HTTPTransportError) in
            if delayMillis > 0 { usleep(delayMillis * 1000) }
            return try script.next.withLock { $0 }.get()
        }
        let workos = WorkOSClient(config: Fixtures.config(), transport: transport, random: SecureRandom())
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let authenticator = ApiKeyAuthenticator(workos: workos, cache: ApiKeyCache(policy: policy), shared: shared, clock: clock, logger: logger)
        return Setup(authenticator: authenticator, transport: transport, script: script, clock: clock)
    }

    static let key = ApiKey(id: "api_key_01", name: "CI", ownerType: "organization", ownerId: "org_01", permissions: ["posts:read", "posts:write"])

    @Test func theValidationRequestIsWorkOSNodes() throws {
        let transport = ScriptedTransport { _ throws(HTTPTransportError) in Self.valid }
        let client = WorkOSClient(config: Fixtures.config(), transport: transport, random: SecureRandom())
        #expect(try client.validateApiKey("sk_live_abc") == Self.key)
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST" && request.url == "https://workos.test/api_keys/validations")
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"value":"sk_live_abc"}"#)
        let headers = Dictionary(request.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(headers["Authorization"] == "Bearer sk_test_secret_api_key_value" && headers["Content-Type"] == "application/json")
        #expect(headers["Idempotency-Key"]?.hasPrefix("retry-") == true)
    }

    @Test func answersAreParsedOnBytesAndCheckedForShape() throws {
        #expect(try ApiKey.validation(json: JSONParser.parse(#"{"api_key":null}"#)) == nil)
        #expect(try ApiKey.validation(json: JSONParser.parse(#"{"api_key":\#(Self.keyJSON)}"#)) == Self.key)
        for broken in [#"{}"#, #"[]"#, #"{"api_key":{"id":"api_key_01"}}"#, #"{"api_key":{"id":"","owner":{"type":"organization","id":"o"}}}"#,
                       #"{"api_key":"sk"}"#] {
            #expect(throws: WorkOSError.self, "\(broken)") { try ApiKey.validation(json: JSONParser.parse(broken)) }
        }
        let transport = ScriptedTransport { _ throws(HTTPTransportError) in ScriptedTransport.json(200, "<html>") }
        #expect(throws: WorkOSError.invalidResponse("body is not JSON")) {
            try WorkOSClient(config: Fixtures.config(), transport: transport, random: SecureRandom()).validateApiKey("sk")
        }
        // The shared store's record: read back exactly; anything else is no answer.
        let answer = ApiKeyAnswer(key: Self.key, answeredAt: 1_785_000_000_123)
        #expect(ApiKeyAnswer(record: answer.record) == answer)
        #expect(ApiKeyAnswer(record: ApiKeyAnswer(key: nil, answeredAt: 5).record) == ApiKeyAnswer(key: nil, answeredAt: 5))
        for bad in ["", "-", "12", "x -", "99999999999999999999 -", "12 {", "12 {\"id\":1}", "-5 -"] {
            #expect(ApiKeyAnswer(record: bad) == nil, "\(bad)")
        }
    }

    @Test func aValidKeyIsTakenOnWorkOSsWordForTheCacheTime() {
        let s = setup(policy: ApiKeyCachePolicy(positiveMillis: 60_000, negativeMillis: 10_000))
        #expect(s.authenticator.validate("sk_one") == .valid(Self.key))
        s.clock.advance(seconds: 59)
        #expect(s.authenticator.validate("sk_one") == .valid(Self.key))
        #expect(s.transport.requests.count == 1)
        // Deleted at WorkOS meanwhile: refused once the answer is older than its time.
        s.script.set(.success(Self.unknown))
        s.clock.advance(seconds: 2)
        guard case .invalid = s.authenticator.validate("sk_one") else { Issue.record("a deleted key was still allowed"); return }
        #expect(s.transport.requests.count == 2)
    }

    @Test func aRefusalIsRememberedForTheNegativeTime() {
        let s = setup(policy: ApiKeyCachePolicy(positiveMillis: 60_000, negativeMillis: 10_000))
        s.script.set(.success(Self.unknown))
        for _ in 0..<3 {
            guard case .invalid = s.authenticator.validate("sk_unknown") else { Issue.record("not refused"); return }
        }
        #expect(s.transport.requests.count == 1)
        s.script.set(.success(Self.valid))
        s.clock.advance(seconds: 11)
        #expect(s.authenticator.validate("sk_unknown") == .valid(Self.key))
        #expect(s.transport.requests.count == 2)
    }

    @Test func anOutageServesTheLastValidAnswerForTenTimesItsTime() {
        let s = setup(policy: ApiKeyCachePolicy(positiveMillis: 60_000, negativeMillis: 10_000))
        #expect(s.authenticator.validate("sk_one") == .valid(Self.key))
        for failure: Result<HTTPResponse, HTTPTransportError> in [.failure(.timedOut), .success(ScriptedTransport.json(503, "{}")),
                                                                  .success(ScriptedTransport.json(429, "{}"))] {
            s.script.set(failure)
            s.clock.advance(seconds: 61)
            #expect(s.authenticator.validate("sk_one") == .valid(Self.key), "\(failure)")
        }
        s.clock.advance(seconds: 600 - 183 + 1)
        guard case .unavailable = s.authenticator.validate("sk_one") else { Issue.record("served past ten times its time"); return }
        // A key never seen gets "unavailable" (503 at the server), not a refusal.
        guard case .unavailable = s.authenticator.validate("sk_new") else { Issue.record("an unknown key during an outage was not unavailable"); return }
        // A refusal is never stretched by an outage.
        let t = setup()
        t.script.set(.success(Self.unknown))
        _ = t.authenticator.validate("sk_gone")
        t.script.set(.failure(.timedOut))
        t.clock.advance(seconds: 11)
        guard case .unavailable = t.authenticator.validate("sk_gone") else { Issue.record("not unavailable"); return }
    }

    @Test func aLastingWorkOSErrorRefusesAndIsNotCached() {
        let s = setup()
        s.script.set(.success(ScriptedTransport.json(401, #"{"code":"unauthorized","message":"Invalid API key."}"#)))
        guard case .invalid = s.authenticator.validate("sk_one") else { Issue.record("not refused"); return }
        s.script.set(.success(Self.valid))
        #expect(s.authenticator.validate("sk_one") == .valid(Self.key))
        #expect(s.transport.requests.count == 2)
    }

    @Test func zeroTimesTurnTheCacheOff() {
        let s = setup(policy: ApiKeyCachePolicy(positiveMillis: 0, negativeMillis: 0))
        #expect(s.authenticator.validate("sk_one") == .valid(Self.key))
        #expect(s.authenticator.validate("sk_one") == .valid(Self.key))
        #expect(s.transport.requests.count == 2 && s.authenticator.cache.count == 0)
    }

    @Test func theCacheIsBoundedAndKeyedByHash() {
        let s = setup(policy: ApiKeyCachePolicy(positiveMillis: 60_000, negativeMillis: 10_000, capacity: 2))
        for value in ["sk_a", "sk_b", "sk_c"] { _ = s.authenticator.validate(value) }
        #expect(s.authenticator.cache.count == 2)
        _ = s.authenticator.validate("sk_a")  // evicted first: asked again
        #expect(s.transport.requests.count == 4)
        #expect(DigestKey("sk_a").hex.utf8.count == 64 && !DigestKey("sk_a").hex.contains("sk_a"))
    }

    /// Outcomes collected from threads.
    final class Outcomes: Sendable {
        let all = Locked<[ApiKeyOutcome]>([])
    }

    @Test func concurrentFirstChecksOfOneKeyMakeOneCall() {
        let s = setup(delayMillis: 300)
        let outcomes = Outcomes()
        let authenticator = s.authenticator
        // Threads, not tasks: the cooperative pool has only as many threads as cores.
        for _ in 0..<6 {
            Thread {
                let outcome = authenticator.validate("sk_same")
                outcomes.all.withLock { $0.append(outcome) }
            }.start()
        }
        var waited = 0
        while outcomes.all.withLock({ $0.count }) < 6, waited < 500 {
            usleep(10_000)
            waited += 1
        }
        #expect(outcomes.all.withLock { $0.count == 6 && $0.allSatisfy { $0 == .valid(Self.key) } })
        #expect(s.transport.requests.count == 1)
    }

    @Test func aSharedStoreAnswersOtherHostsAndOutages() {
        let store = MemoryStore()
        let clock = ManualClock(seconds: 1_785_000_000)
        let first = setup(shared: store, clock: clock)
        #expect(first.authenticator.validate("sk_one") == .valid(Self.key))
        #expect(store.records.withLock { $0.count } == 1)
        #expect(store.records.withLock { $0.keys.first } == DigestKey("sk_one").hex)
        #expect(store.records.withLock { $0.values.allSatisfy { !$0.contains("sk_one") } }, "the key's value is never stored")
        let second = setup(shared: store, clock: clock)
        #expect(second.authenticator.validate("sk_one") == .valid(Self.key))
        #expect(second.transport.requests.isEmpty, "another host's answer was used")
        // Past the time, WorkOS down: the shared answer stands in on a host that never asked.
        clock.advance(seconds: 120)
        let third = setup(shared: store, clock: clock)
        third.script.set(.failure(.connectionFailed("refused")))
        #expect(third.authenticator.validate("sk_one") == .valid(Self.key))
        #expect(third.transport.requests.count == 1)
        // A record from far in the future is no answer.
        store.records.withLock { $0[DigestKey("sk_two").hex] = ApiKeyAnswer(key: Self.key, answeredAt: clock.nowMillis() + 3_600_000).record }
        third.script.set(.success(Self.unknown))
        guard case .invalid = third.authenticator.validate("sk_two") else { Issue.record("a future record was trusted"); return }
    }
}
