import AuthKitSync
import Testing
@testable import AuthKitCore

/// `check-config --online` over a scripted WorkOS: what is asked, and one line per outcome.
@Suite struct OnlineCheckTests {
    let config = Fixtures.config()
    var jwksURL: String { "https://workos.test/sso/jwks/client_01" }
    var usersURL: String { "https://workos.test/user_management/users?limit=1" }

    /// A monotonic clock that moves 7 ms between readings.
    static func steppingClock() -> @Sendable () -> Int64 {
        let now = Locked<Int64>(1_000_000_000)
        return { now.withLock { $0 += 7_000_000; return $0 } }
    }

    func run(_ handler: @escaping ScriptedTransport.Handler) -> ([OnlineCheck.Outcome], ScriptedTransport) {
        let transport = ScriptedTransport(handler)
        return (OnlineCheck(config: config, transport: transport, nanoseconds: Self.steppingClock()).run(), transport)
    }

    /// WorkOS answering the JWKS with `jwks` and the users list with `users`.
    func workOS(jwks: HTTPResponse = ScriptedTransport.json(200, TokenFactory().jwksJSON),
                users: HTTPResponse = ScriptedTransport.json(200, #"{"object":"list","data":[],"list_metadata":{"before":null,"after":null}}"#))
        -> ScriptedTransport.Handler {
        { request throws(HTTPTransportError) in request.url.contains("/sso/jwks/") ? jwks : users }
    }

    /// Every outcome is one line; a failure says what to do; the API key never shows.
    func expectWellFormed(_ outcomes: [OnlineCheck.Outcome]) {
        for outcome in outcomes {
            #expect(!outcome.detail.contains("\n"))
            #expect(!outcome.detail.contains(config.apiKey))
            #expect(!outcome.detail.contains("secret_api"))
            if outcome.result == .failed { #expect(outcome.detail.contains(". Fix: ") && outcome.detail.hasSuffix(".")) }
        }
    }

    @Test func allGoodReportsStatusKeysAndLatency() {
        let (outcomes, transport) = run(workOS())
        expectWellFormed(outcomes)
        #expect(outcomes.map(\.result) == [.ok, .ok])
        #expect(outcomes.allSatisfy { $0.passed })
        #expect(outcomes[0].detail == "\(jwksURL): HTTP 200, 1 key (key_1), 7 ms")
        #expect(outcomes[1].detail == "\(usersURL): HTTP 200, key accepted, 7 ms")
        #expect(transport.requests.map(\.url) == [jwksURL, usersURL])
        #expect(transport.requests[0].url == WorkOSClient(config: config, transport: transport, random: CountingRandom()).jwksURL)
        #expect(transport.requests.allSatisfy { $0.method == "GET" && $0.body.isEmpty })
        #expect(!transport.requests[0].headers.contains { $0.name == "Authorization" })  // the JWKS is public
        #expect(transport.requests[1].headers.contains { $0.name == "Authorization" && $0.value == "Bearer \(config.apiKey)" })
    }

    @Test func keysWithoutKidAndUnusableKeysAreCounted() {
        var second = TokenFactory(key: TokenFactory.otherKey, keyId: "key_2").jwksJSON
        second = second.replacing(#""keys":["#, with: #""keys":[{"kty":"EC","kid":"ec_1"},"#)
        let (outcomes, _) = run(workOS(jwks: ScriptedTransport.json(200, second)))
        #expect(outcomes[0].detail == "\(jwksURL): HTTP 200, 1 key (key_2) (1 more not usable for RS256), 7 ms")
    }

    @Test func wrongAPIKeyIsRefused() {
        let (outcomes, _) = run(workOS(users: ScriptedTransport.json(
            401, #"{"code":"unauthorized","message":"Invalid API key sk_test_secret_api_key_value."}"#, headers: [("X-Request-ID", "req_42")])))
        expectWellFormed(outcomes)
        #expect(outcomes.map(\.result) == [.ok, .failed])
        #expect(!outcomes[1].passed)
        #expect(outcomes[1].detail.hasPrefix("API key sk_test_…(28 chars) at \(usersURL): refused: WorkOS does not accept this API key (HTTP 401 in 7 ms) (WorkOS: unauthorized: Invalid API key sk_test_…(28 chars).; request req_42). Fix: copy the API key"))
    }

    @Test func forbiddenKeyIsRecognised() {
        let (outcomes, _) = run(workOS(users: ScriptedTransport.json(403, #"{"code":"forbidden","message":"Forbidden"}"#)))
        #expect(outcomes.map(\.result) == [.ok, .ok])
        #expect(outcomes[1].detail.contains("HTTP 403, key recognised"))
    }

    @Test(arguments: [
        (HTTPTransportError.connectionFailed("Couldn't connect to server (curl 7)"), "connection refused or host unreachable after 7 ms (Couldn't connect to server, curl 7). Fix: check WORKOS_API_HOSTNAME and WORKOS_API_PORT (workos.test:443)"),
        (.connectionFailed("Couldn't resolve host name (curl 6)"), "host name workos.test not found (Couldn't resolve host name, curl 6). Fix: check WORKOS_API_HOSTNAME"),
        (.connectionFailed("SSL peer certificate or SSH remote key was not OK (curl 60)"), "TLS error after 7 ms (SSL peer certificate or SSH remote key was not OK, curl 60). Fix: update the CA certificates"),
        (.connectionFailed("Server returned nothing (no headers, no data) (curl 52)"), "connection closed without an answer"),
        (.timedOut, "timed out after 7 ms (AUTHKIT_HTTP_CONNECT_TIMEOUT_MS=3000, AUTHKIT_HTTP_TIMEOUT_MS=10000). Fix: check that this host can reach workos.test:443"),
        (.connectionFailed("refused"), "cannot connect after 7 ms (refused). Fix: check WORKOS_API_HOSTNAME"),
        (.other("Unsupported protocol (curl 1)"), "request failed after 7 ms (Unsupported protocol, curl 1)"),
    ] as [(HTTPTransportError, String)])
    func noAnswerIsOneLineAndSkipsTheKeyCheck(_ error: HTTPTransportError, _ expected: String) {
        let (outcomes, transport) = run { _ throws(HTTPTransportError) in throw error }
        expectWellFormed(outcomes)
        #expect(transport.requests.count == 1)
        #expect(outcomes.map(\.result) == [.failed, .skipped])
        #expect(outcomes[1].passed)
        #expect(outcomes[0].detail.hasPrefix("JWKS \(jwksURL): \(expected)"), "\(outcomes[0].detail)")
    }

    @Test(arguments: [
        (404, #"{"code":"entity_not_found","message":"Could not find a client with ID 'client_01'."}"#, "HTTP 404 in 7 ms: no key set for client client_01 (WorkOS: entity_not_found: Could not find a client with ID 'client_01'.). Fix: check WORKOS_CLIENT_ID"),
        (503, "", "HTTP 503 in 7 ms: WorkOS is failing. Fix: run it again later"),
        (429, "{}", "HTTP 429 in 7 ms: rate limited. Fix: wait"),
        (200, "<html>proxy</html>", "HTTP 200 but no usable RS256 key (0 listed) after 7 ms. Fix: check that WORKOS_API_HOSTNAME is the WorkOS API"),
        (200, #"{"keys":[]}"#, "HTTP 200 but no usable RS256 key (0 listed)"),
        (418, "", "HTTP 418 in 7 ms. Fix: check WORKOS_API_HOSTNAME, WORKOS_API_HTTPS and WORKOS_API_PORT."),
    ])
    func badJWKSAnswersFailButTheKeyIsStillChecked(_ status: Int, _ body: String, _ expected: String) {
        let (outcomes, transport) = run(workOS(jwks: ScriptedTransport.json(status, body)))
        expectWellFormed(outcomes)
        #expect(transport.requests.count == 2)
        #expect(outcomes.map(\.result) == [.failed, .ok])
        #expect(outcomes[0].detail.hasPrefix("JWKS \(jwksURL): \(expected)"), "\(outcomes[0].detail)")
    }

    @Test func redirectIsNotFollowedAndNamesWhere() {
        let moved = HTTPResponse(status: 301, headers: [("Location", "https://www.workos.test/\nx")])
        let (outcomes, transport) = run(workOS(jwks: moved, users: moved))
        expectWellFormed(outcomes)
        #expect(transport.requests.count == 2)
        #expect(outcomes[0].detail.contains("HTTP 301 redirect to https://www.workos.test/ x in 7 ms (redirects are not followed)"))
        #expect(outcomes[1].result == .failed)
    }

    @Test func curlCodeIsReadFromTheEnd() {
        #expect(ReachabilityProblem.curlCode("Couldn't connect to server (curl 7)") == 7)
        #expect(ReachabilityProblem.curlCode("a (curl 3) b (curl 60)") == 60)
        #expect(ReachabilityProblem.curlCode("refused") == nil)
        #expect(ReachabilityProblem.curlCode("(curl x)") == nil)
        #expect(ReachabilityProblem.unnested("Couldn't connect to server (curl 7)") == "Couldn't connect to server, curl 7")
        #expect(ReachabilityProblem.unnested("refused (really)") == "refused (really)")
    }
}
