import Testing
import AuthKitSync
@testable import AuthKitCore

/// Request shapes and error classification at unit level; the same client runs over a real
/// HTTP server against the emulator in the integration suite.
@Suite struct WorkOSClientTests {
    func client(_ handler: @escaping ScriptedTransport.Handler) -> (WorkOSClient, ScriptedTransport) {
        let transport = ScriptedTransport(handler)
        return (WorkOSClient(config: Fixtures.config(), transport: transport, random: SecureRandom()), transport)
    }

    static let success = ScriptedTransport.json(200, """
        {"user":\(Fixtures.apiUser()),"organization_id":"org_01","access_token":"at","refresh_token":"rt","authentication_method":"SSO","impersonator":{"email":"admin@foocorp.com","reason":"support"},"oauth_tokens":null}
        """)

    @Test func refusalsKeepAUsableAuthKitRedirectURL() {
        func error(_ body: String) -> WorkOSError { WorkOSClient.error(from: ScriptedTransport.json(403, body)) }
        let sso = error(#"{"error":"sso_required","error_description":"Use SSO.","authkit_redirect_url":"https://auth.example.com/sso?org=1"}"#)
        #expect(sso.code == "sso_required" && sso.redirectURL == "https://auth.example.com/sso?org=1" && sso.refusalDescription == "Use SSO.")
        #expect(error(#"{"error":"sso_required","authkit_redirect_url":"javascript:alert(1)"}"#).redirectURL == nil)
        #expect(error(#"{"error":"sso_required","authkit_redirect_url":"https://a.example/\r\nSet-Cookie: x=1"}"#).redirectURL == nil)
        #expect(error(#"{"code":"organization_membership_not_found","message":"Not a member."}"#).redirectURL == nil)
    }

    @Test func codeExchangeSendsWhatWorkOSNodeSends() throws {
        let (client, transport) = client { _ throws(HTTPTransportError) in Self.success }
        let response = try client.authenticate(code: "code_123", codeVerifier: "verifier_abc")
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "https://workos.test/user_management/authenticate")
        let headers = Dictionary(request.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(headers["Authorization"] == "Bearer sk_test_secret_api_key_value")
        #expect(headers["Content-Type"] == "application/json")
        #expect(headers["User-Agent"] == "authkit-fcgi/\(AuthKitVersion.string)")
        #expect(headers["Idempotency-Key"]?.hasPrefix("retry-") == true)
        #expect(String(decoding: request.body, as: UTF8.self)
            == #"{"grant_type":"authorization_code","client_id":"client_01","client_secret":"sk_test_secret_api_key_value","code":"code_123","code_verifier":"verifier_abc"}"#)
        #expect(response.user.id == "user_01")
        #expect(response.organizationId == "org_01")
        #expect(response.impersonator == Impersonator(email: "admin@foocorp.com", reason: "support"))
        #expect(response.oauthTokens == nil)
        // The user is converted to the SDK's camelCase shape and order.
        #expect(response.user.json.objectValue?.map(\.key) == [
            "object", "id", "email", "emailVerified", "name", "firstName", "profilePictureUrl", "lastName",
            "lastSignInAt", "locale", "createdAt", "updatedAt", "externalId", "metadata"])
        #expect(response.user.json["name"] == .null)
    }

    @Test func refreshSendsTheOrganization() throws {
        let (client, transport) = client { _ throws(HTTPTransportError) in Self.success }
        _ = try client.refresh(refreshToken: "rt_1", organizationId: "org_9")
        #expect(String(decoding: transport.requests[0].body, as: UTF8.self)
            == #"{"grant_type":"refresh_token","client_id":"client_01","client_secret":"sk_test_secret_api_key_value","refresh_token":"rt_1","organization_id":"org_9"}"#)
        _ = try client.refresh(refreshToken: "rt_2", organizationId: nil)
        #expect(!String(decoding: transport.requests[1].body, as: UTF8.self).contains("organization_id"))
        // Every call gets its own idempotency key.
        #expect(transport.requests[0].headers.last?.value != transport.requests[1].headers.last?.value)
    }

    @Test func errorsAreClassifiedAndNeverCarryTheAPIKey() {
        let cases: [(HTTPResponse, Bool, String?)] = [
            (ScriptedTransport.json(400, #"{"error":"invalid_grant","error_description":"Refresh token already exchanged."}"#), false, "invalid_grant"),
            (ScriptedTransport.json(401, #"{"message":"Unauthorized"}"#), false, nil),
            (ScriptedTransport.json(403, #"{"code":"mfa_enrollment","message":"MFA"}"#), false, "mfa_enrollment"),
            (ScriptedTransport.json(404, #"{"code":"not_found","message":"x"}"#), false, "not_found"),
            (ScriptedTransport.json(408, "{}"), true, nil),
            (ScriptedTransport.json(429, "{}", headers: [("Retry-After", "12")]), true, nil),
            (ScriptedTransport.json(500, "oops"), true, nil),
            (ScriptedTransport.json(503, "{}"), true, nil),
        ]
        for (response, transient, code) in cases {
            let (client, _) = client { _ throws(HTTPTransportError) in response }
            do {
                _ = try client.refresh(refreshToken: "rt", organizationId: nil)
                Issue.record("HTTP \(response.status) did not throw")
            } catch {
                #expect(error.isTransient == transient, "HTTP \(response.status)")
                #expect(error.code == code)
                #expect(!"\(error)".contains("sk_test_secret_api_key_value"))
                if response.status == 429, case .http(_, _, _, _, let retryAfter, _) = error { #expect(retryAfter == 12) }
            }
        }
    }

    @Test func transportFailuresAreTransientAndBadBodiesAreNot() {
        let (timeout, _) = client { _ throws(HTTPTransportError) in throw .timedOut }
        #expect(throws: WorkOSError.transport(.timedOut)) { try timeout.refresh(refreshToken: "rt", organizationId: nil) }
        #expect(WorkOSError.transport(.timedOut).isTransient)
        let (garbage, _) = client { _ throws(HTTPTransportError) in ScriptedTransport.json(200, #"{"user":{}}"#) }
        do {
            _ = try garbage.refresh(refreshToken: "rt", organizationId: nil)
            Issue.record("accepted a response without tokens")
        } catch {
            #expect(!error.isTransient)
        }
    }

    @Test func authorizationURLMatchesTheRecordedWorkOSNodeExample() {
        // spec §3.1 [ran] example: keys sorted, RFC 1738 encoding, `*` → %2A, `~` literal.
        let url = WorkOSURLs.authorization(
            baseURL: "https://api.workos.com", clientId: "client_01HXYZ",
            AuthorizationRequest(
                redirectURI: "https://app.example.com/callback", state: "Fe26.2*1*abc~2",
                codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", screenHint: .signIn,
                loginHint: "jane doe+x@example.com"))
        #expect(url == "https://api.workos.com/user_management/authorize?client_id=client_01HXYZ&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&login_hint=jane+doe%2Bx%40example.com&provider=authkit&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&response_type=code&screen_hint=sign-in&state=Fe26.2%2A1%2Aabc~2")
    }

    @Test func authorizationURLCarriesEveryOption() {
        let url = WorkOSURLs.authorization(
            baseURL: "http://127.0.0.1:4100", clientId: "c",
            AuthorizationRequest(redirectURI: "http://localhost/cb", organizationId: "org_1", domainHint: "x.com", prompt: "consent", maxAge: 300))
        #expect(url == "http://127.0.0.1:4100/user_management/authorize?client_id=c&domain_hint=x.com&max_age=300&organization_id=org_1&prompt=consent&provider=authkit&redirect_uri=http%3A%2F%2Flocalhost%2Fcb&response_type=code")
    }

    @Test func logoutAndJWKSURLs() {
        #expect(WorkOSURLs.logout(baseURL: "https://api.workos.com", sessionId: "session_01", returnTo: "https://app.example.com/signed out?a=1")
            == "https://api.workos.com/user_management/sessions/logout?session_id=session_01&return_to=https%3A%2F%2Fapp.example.com%2Fsigned+out%3Fa%3D1")
        #expect(WorkOSURLs.logout(baseURL: "https://api.workos.com", sessionId: "s", returnTo: nil)
            == "https://api.workos.com/user_management/sessions/logout?session_id=s")
        #expect(WorkOSURLs.jwks(baseURL: "https://api.workos.com", clientId: "client_01") == "https://api.workos.com/sso/jwks/client_01")
    }

    @Test func pkceMatchesRFC7636AppendixB() {
        // RFC 7636 Appendix B: verifier → challenge.
        #expect(PKCE(codeVerifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").codeChallenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        let generated = PKCE(random: SecureRandom())
        #expect(generated.codeVerifier.count == 43)
    }

    @Test func configBuildsTheBaseURLLikeWorkOSNode() {
        var config = Fixtures.config()
        #expect(config.apiBaseURL == "https://workos.test")
        config.apiHTTPS = false
        config.apiPort = 4100
        #expect(config.apiBaseURL == "http://workos.test:4100")
    }
}

@Suite struct RetryPolicyTests {
    final class RecordingSleeper: Sleeper {
        let waits = Locked<[Int64]>([])
        func sleep(millis: Int64) { waits.withLock { $0.append(millis) } }
    }

    @Test func retriesTransientErrorsWithOneIdempotencyKeyWithinTheBudget() throws {
        let attempts = Locked(0)
        let transport = ScriptedTransport { _ throws(HTTPTransportError) in
            let n = attempts.withLock { $0 += 1; return $0 }
            if n == 1 { throw .timedOut }
            if n == 2 { return ScriptedTransport.json(503, "{}") }
            return WorkOSClientTests.success
        }
        let sleeper = RecordingSleeper()
        let client = WorkOSClient(baseURL: "https://workos.test", clientId: "c", apiKey: "k", transport: transport, random: SecureRandom(),
                                  retry: RetryPolicy(maxRetries: 2, budgetMillis: 10_000), clock: FixedClock(millis: 0), sleeper: sleeper)
        _ = try client.refresh(refreshToken: "rt", organizationId: nil)
        #expect(transport.requests.count == 3)
        let keys = Set(transport.requests.compactMap { $0.headers.first { $0.name == "Idempotency-Key" }?.value })
        #expect(keys.count == 1)
        let waits = sleeper.waits.withLock { $0 }
        #expect(waits.count == 2 && (250...750).contains(waits[0]) && (375...1125).contains(waits[1]))
    }

    @Test func oneRefreshTokenIsOneOperationForTwoMinutes() throws {
        let transport = ScriptedTransport { _ throws(HTTPTransportError) in WorkOSClientTests.success }
        let clock = ManualClock(seconds: 1_785_000_000)   // a multiple of 120 s: a period starts here
        let client = WorkOSClient(baseURL: "https://workos.test", clientId: "c", apiKey: "k", transport: transport,
                                  random: SecureRandom(), clock: clock)
        _ = try client.refresh(refreshToken: "rt_secret_value", organizationId: nil)
        clock.advance(seconds: 119)
        _ = try client.refresh(refreshToken: "rt_secret_value", organizationId: nil)
        _ = try client.refresh(refreshToken: "rt_secret_value", organizationId: "org_2")
        _ = try client.refresh(refreshToken: "rt_other", organizationId: nil)
        clock.advance(seconds: 1)
        _ = try client.refresh(refreshToken: "rt_secret_value", organizationId: nil)
        let keys = transport.requests.map { $0.headers.first { $0.name == "Idempotency-Key" }!.value }
        #expect(keys[0] == keys[1], "a later call spending the same token must replay, not reuse it")
        #expect(Set([keys[0], keys[2], keys[3], keys[4]]).count == 4, "another organization, token or period is another operation")
        #expect(keys.allSatisfy { $0.hasPrefix("refresh-") && $0.count == "refresh-".count + 32 && !$0.contains("rt_") })
    }

    @Test func terminalErrorsAndExhaustedRetriesStop() {
        let transport = ScriptedTransport { _ throws(HTTPTransportError) in ScriptedTransport.json(400, #"{"error":"invalid_grant"}"#) }
        let client = WorkOSClient(baseURL: "https://workos.test", clientId: "c", apiKey: "k", transport: transport, random: SecureRandom(),
                                  retry: RetryPolicy(maxRetries: 2), clock: FixedClock(millis: 0), sleeper: RecordingSleeper())
        #expect(throws: WorkOSError.self) { try client.refresh(refreshToken: "rt", organizationId: nil) }
        #expect(transport.requests.count == 1)
        let failing = ScriptedTransport { _ throws(HTTPTransportError) in ScriptedTransport.json(502, "{}") }
        let patient = WorkOSClient(baseURL: "https://workos.test", clientId: "c", apiKey: "k", transport: failing, random: SecureRandom(),
                                   retry: RetryPolicy(maxRetries: 2), clock: FixedClock(millis: 0), sleeper: RecordingSleeper())
        #expect(throws: WorkOSError.self) { try patient.refresh(refreshToken: "rt", organizationId: nil) }
        #expect(failing.requests.count == 3)
        // Retry-After longer than the budget: no wait, no retry.
        let limited = ScriptedTransport { _ throws(HTTPTransportError) in ScriptedTransport.json(429, "{}", headers: [("Retry-After", "30")]) }
        let sleeper = RecordingSleeper()
        let budgeted = WorkOSClient(baseURL: "https://workos.test", clientId: "c", apiKey: "k", transport: limited, random: SecureRandom(),
                                    retry: RetryPolicy(maxRetries: 2, budgetMillis: 10_000), clock: FixedClock(millis: 0), sleeper: sleeper)
        #expect(throws: WorkOSError.self) { try budgeted.refresh(refreshToken: "rt", organizationId: nil) }
        #expect(limited.requests.count == 1 && sleeper.waits.withLock { $0 }.isEmpty)
    }
}

