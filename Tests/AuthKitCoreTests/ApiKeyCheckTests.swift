import Logging
import Testing
@testable import AuthKitCore

/// The check with `AUTHKIT_ALLOW_API_KEY`: which bearer goes where, the identity, 401/403,
/// never a redirect. WorkOS scripted; the same through real servers in ApiKeyThroughServersTests.
@Suite struct ApiKeyCheckTests {
    let start: Int64 = 1_785_000_000
    let factory = TokenFactory()
    let browser = ["accept": "text/html", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document"]

    func service(answer: String, assertionSigner: AssertionSigner? = nil) -> (AuthKitService, ScriptedTransport) {
        let fixture = ServiceFixture(start: start, factory: factory) { $0.assertionSigner = assertionSigner }
        let transport = ScriptedTransport { _ throws(HTTPTransportError) in ScriptedTransport.json(200, answer) }
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let apiKeys = ApiKeyAuthenticator(workos: WorkOSClient(config: Fixtures.config(), transport: transport, random: SecureRandom()),
                                          cache: ApiKeyCache(policy: ApiKeyCachePolicy()), clock: fixture.clock, logger: logger)
        let service = AuthKitService(settings: fixture.service.settings, authenticator: fixture.service.authenticator, clock: fixture.clock,
                                     random: SecureRandom(), logger: logger, apiKeys: apiKeys)
        return (service, transport)
    }

    func check(_ service: AuthKitService, _ authorization: String, _ extra: [String: String] = ["AUTHKIT_ALLOW_API_KEY": "true"],
               served: String? = "/api/x") -> AuthResponse {
        var headers = browser
        headers["authorization"] = authorization
        headers["host"] = "app.example.com:443"
        var parameters = ["AUTHKIT_ACTION": "check"].merging(extra) { a, _ in a }
        parameters["AUTHKIT_SERVED_PATH"] = served
        return service.handle(AuthRequest(method: "GET", requestURI: "/api/x", headers: headers, parameters: parameters))
    }

    static func answer(owner: String = "organization") -> String {
        #"{"api_key":{"object":"api_key","id":"api_key_01","owner":{"type":"\#(owner)","id":"org_01"},"name":"CI deploy","obfuscated_value":"sk_…abcd","last_used_at":null,"expires_at":null,"permissions":["posts:read","posts:write"],"created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z"}}"#
    }

    @Test func aValidKeyAnswersWithItsIdentity() {
        let (service, transport) = service(answer: Self.answer())
        let allowed = check(service, "Bearer sk_live_key")
        #expect(allowed.status == 200)
        #expect(allowed.header("X-AuthKit-Api-Key-Id") == "api_key_01" && allowed.header("X-AuthKit-Api-Key-Name") == "CI deploy")
        #expect(allowed.header("X-AuthKit-Organization-Id") == "org_01" && allowed.header("X-AuthKit-Permissions") == "posts:read,posts:write")
        #expect(allowed.header("X-AuthKit-User-Id") == "" && allowed.header("X-AuthKit-Role") == "")
        #expect(allowed.headers(named: "Set-Cookie").isEmpty)
        #expect(String(decoding: transport.requests.first?.body ?? [], as: UTF8.self) == #"{"value":"sk_live_key"}"#)
        // A session's identity says no key: the key fields are there, empty.
        #expect(Identity.keys.suffix(2) == ["API_KEY_ID", "API_KEY_NAME"])
    }

    /// With assertions on, an allowed key gets one for its key (`principal: api_key`, `sub` the
    /// key id, the path the server serves), a refused key none; no served path, no allow.
    @Test func anAllowedKeyGetsAnAssertionForTheKey() throws {
        let signingKey = try AssertionKey(generating: .es256)
        let signer = try AssertionSigner(source: .fixed(signingKey), algorithm: .es256, lifetimeSeconds: 60,
                                         clock: FixedClock(millis: start * 1000), random: SecureRandom())
        let (service, _) = service(answer: Self.answer(), assertionSigner: signer)
        let allowed = check(service, "Bearer sk_live_key")
        #expect(allowed.status == 200)
        #expect(allowed.header("X-AuthKit-Api-Key-Id") == "api_key_01")
        #expect(allowed.headers(named: "X-AuthKit-Assertion").count == 1)
        let (_, payload, input, signature) = try AssertionSignerTests.parts(try #require(allowed.header("X-AuthKit-Assertion")))
        #expect(signingKey.verify(signature, signingInput: input))
        #expect(payload["sub"]?.stringValue == "api_key_01" && payload["principal"]?.stringValue == "api_key")
        #expect(payload["org_id"]?.stringValue == "org_01" && payload["api_key_name"]?.stringValue == "CI deploy")
        #expect(payload["path"]?.stringValue == "/api/x" && payload["host"]?.stringValue == "app.example.com")
        let refused = check(service, "Bearer sk_live_key", ["AUTHKIT_ALLOW_API_KEY": "true", "AUTHKIT_REQUIRE_PERMISSION": "posts:delete"])
        #expect(refused.status == 403 && refused.header("X-AuthKit-Assertion") == nil)
        #expect(check(service, "Bearer sk_live_key", served: nil).status == 500)
        // Off: no assertion.
        #expect(check(self.service(answer: Self.answer()).0, "Bearer sk_live_key").header("X-AuthKit-Assertion") == nil)
    }

    @Test func requirementsAndOwnersAnswer403() {
        let (service, _) = service(answer: Self.answer())
        #expect(check(service, "Bearer sk_k", ["AUTHKIT_ALLOW_API_KEY": "true", "AUTHKIT_REQUIRE_PERMISSION": "posts:write"]).status == 200)
        #expect(check(service, "Bearer sk_k", ["AUTHKIT_ALLOW_API_KEY": "true", "AUTHKIT_REQUIRE_ORGANIZATION": "org_01"]).status == 200)
        for (name, value) in [("AUTHKIT_REQUIRE_PERMISSION", "posts:delete"), ("AUTHKIT_REQUIRE_ORGANIZATION", "org_02"),
                              ("AUTHKIT_REQUIRE_ROLE", "admin"), ("AUTHKIT_REQUIRE_ENTITLEMENT", "sso"), ("AUTHKIT_REQUIRE_FEATURE_FLAG", "beta")] {
            #expect(check(service, "Bearer sk_k", ["AUTHKIT_ALLOW_API_KEY": "true", name: value]).status == 403, "\(name)")
        }
        let (userOwned, _) = self.service(answer: Self.answer(owner: "user"))
        #expect(check(userOwned, "Bearer sk_user").status == 403)
    }

    @Test func anUnknownKeyIs401NeverARedirect() {
        let (service, _) = service(answer: #"{"api_key":null}"#)
        let refused = check(service, "Bearer sk_unknown")
        #expect(refused.status == 401 && refused.header("X-AuthKit-Sign-In") == nil && refused.headers(named: "Set-Cookie").isEmpty)
        #expect(refused.header("WWW-Authenticate") == #"Bearer error="invalid_token""#)
        // WorkOS unreachable, key never seen: unavailable (503 at the servers).
        let fixture = ServiceFixture(start: start, factory: factory)
        let down = ScriptedTransport { _ throws(HTTPTransportError) in throw .timedOut }
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let outage = AuthKitService(settings: fixture.service.settings, authenticator: fixture.service.authenticator, clock: fixture.clock,
                                    random: SecureRandom(), logger: logger, apiKeys: ApiKeyAuthenticator(
                                        workos: WorkOSClient(config: Fixtures.config(), transport: down, random: SecureRandom()),
                                        cache: ApiKeyCache(policy: ApiKeyCachePolicy()), clock: fixture.clock, logger: logger))
        let unavailable = check(outage, "Bearer sk_k")
        #expect(unavailable.status == 401 && unavailable.header("X-AuthKit-Unavailable") == "5")
    }

    @Test func withBothAllowedAJWTIsAnAccessTokenAndAnythingElseAKey() {
        let (service, transport) = service(answer: Self.answer())
        let both = ["AUTHKIT_ALLOW_API_KEY": "true", "AUTHKIT_ALLOW_BEARER": "true"]
        let token = factory.accessToken(iat: start, exp: start + 300)
        let viaToken = check(service, "Bearer \(token)", both)
        #expect(viaToken.status == 200 && viaToken.header("X-AuthKit-User-Id") == "user_01" && viaToken.header("X-AuthKit-Api-Key-Id") == "")
        #expect(transport.requests.isEmpty, "a JWT is never sent to WorkOS as an API key")
        #expect(check(service, "Bearer \(token.dropLast(3))xyz", both).status == 401)
        #expect(transport.requests.isEmpty)
        let viaKey = check(service, "Bearer sk_live_key", both)
        #expect(viaKey.status == 200 && viaKey.header("X-AuthKit-Api-Key-Id") == "api_key_01")
        // Only API keys allowed: a JWT is validated as a key (and WorkOS decides).
        _ = check(service, "Bearer \(token)")
        #expect(transport.requests.count == 2)
        // Neither allowed: the header is ignored; a page navigation is sent to sign in.
        let ignored = check(service, "Bearer sk_live_key", [:])
        #expect(ignored.status == 401 && ignored.header("X-AuthKit-Sign-In") != nil)
        for (text, shaped) in [("a.b.c", true), ("a.b", false), ("a..c", false), (".b.c", false), ("a.b.", false), ("a.b.c.d", false), ("sk_x", false)] {
            #expect(BearerToken.isJWTShaped(text) == shaped, "\(text)")
        }
    }

    @Test func theSettingIsTrueOrFalse() {
        guard case .success(let on) = LocationSettings.parse(["AUTHKIT_ALLOW_API_KEY": "TRUE"]) else { Issue.record("refused"); return }
        #expect(on.allowApiKey && !on.allowBearer)
        guard case .failure(let problems) = LocationSettings.parse(["AUTHKIT_ALLOW_API_KEY": "yes"]) else { Issue.record("accepted yes"); return }
        #expect(problems.all.map(\.parameter) == ["AUTHKIT_ALLOW_API_KEY"])
    }
}
