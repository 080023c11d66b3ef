import AuthKitCore
import AuthKitCrypto
import Foundation
import Testing

/// The emulator as a process over real sockets: WorkOS's shapes and rules.
@Suite struct EmulatorTests {
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

    func exchange(_ emulator: EmulatorProcess, code: String, verifier: String?, secret: String = EmulatorProcess.apiKey) throws -> HTTPResponse {
        var body = #"{"grant_type":"authorization_code","client_id":"client_emulate","client_secret":"\#(secret)","code":"\#(code)""#
        if let verifier { body += #","code_verifier":"\#(verifier)""# }
        return try emulator.request("POST", "/user_management/authenticate", json: body + "}")
    }

    func refresh(_ emulator: EmulatorProcess, _ token: String, organization: String? = nil) throws -> HTTPResponse {
        var body = #"{"grant_type":"refresh_token","client_id":"client_emulate","client_secret":"sk_test_default","refresh_token":"\#(token)""#
        if let organization { body += #","organization_id":"\#(organization)""# }
        return try emulator.request("POST", "/user_management/authenticate", json: body + "}")
    }

    @Test func healthAndValidation() throws {
        let emulator = try EmulatorProcess()
        let health = try emulator.request("GET", "/health")
        #expect(health.status == 200 && health.header("X-Request-ID") != nil)
        // Unregistered redirect URI: an error page, never a redirect.
        let bad = try emulator.request("GET", "/user_management/authorize?client_id=client_emulate&redirect_uri=https%3A%2F%2Fevil.example%2F&response_type=code&provider=authkit")
        #expect(bad.status == 400 && bad.header("Location") == nil)
        let wrongClient = try emulator.request("GET", "/user_management/authorize?client_id=nope&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fauth%2Fcallback&response_type=code&provider=authkit")
        #expect(wrongClient.status == 400)
        let badType = try emulator.request("GET", "/user_management/authorize?client_id=client_emulate&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fauth%2Fcallback&response_type=token&provider=authkit&state=s1")
        #expect(badType.status == 302 && badType.header("Location")!.contains("error=unsupported_response_type") && badType.header("Location")!.contains("state=s1"))
    }

    @Test func codeExchangeWithPKCE() throws {
        let emulator = try EmulatorProcess()
        // Bad verifier, then the right one; the code is single-use.
        let code = try emulator.authorizationCode(challenge: challenge)
        let wrong = try exchange(emulator, code: code, verifier: "x" + verifier.dropFirst())
        #expect(wrong.status == 400 && emulator.object(wrong)["error"] as? String == "invalid_grant")
        let code2 = try emulator.authorizationCode(challenge: challenge)
        let good = try exchange(emulator, code: code2, verifier: verifier)
        #expect(good.status == 200)
        let body = emulator.object(good)
        #expect((body["user"] as? [String: Any])?["email"] as? String == "ada@example.com")
        #expect(body["organization_id"] as? String == "org_01EMULATEACME00000000000")
        #expect(body["authentication_method"] as? String == "Password")
        #expect(try exchange(emulator, code: code2, verifier: verifier).status == 400)
        // The client secret is checked.
        let code3 = try emulator.authorizationCode()
        #expect(emulator.object(try exchange(emulator, code: code3, verifier: nil, secret: "sk_test_wrong"))["error"] as? String == "invalid_client")
        #expect(try exchange(emulator, code: code3, verifier: nil).status == 200)
    }

    @Test func refreshTokensRotateAndAreSingleUse() throws {
        let emulator = try EmulatorProcess()
        let first = emulator.object(try exchange(emulator, code: try emulator.authorizationCode(), verifier: nil))
        let token1 = first["refresh_token"] as! String
        let second = try refresh(emulator, token1)
        #expect(second.status == 200)
        let token2 = emulator.object(second)["refresh_token"] as! String
        #expect(token2 != token1)
        let reused = try refresh(emulator, token1)
        #expect(reused.status == 400)
        #expect(String(decoding: reused.body, as: UTF8.self) == #"{"error":"invalid_grant","error_description":"Refresh token already exchanged."}"# ||
                emulator.object(reused) as NSDictionary == ["error": "invalid_grant", "error_description": "Refresh token already exchanged."])
        let counters = try emulator.counters()
        #expect(counters["refresh_token_reuse"] == 1)
        #expect(counters["authenticate.refresh_token"] == 2)
        // Switch organization: allowed where the user is a member, WorkOS error shape where not.
        let switched = try refresh(emulator, token2, organization: "org_01EMULATEGLOBEX000000000")
        #expect(emulator.object(switched)["organization_id"] as? String == "org_01EMULATEGLOBEX000000000")
        let token3 = emulator.object(switched)["refresh_token"] as! String
        let denied = try refresh(emulator, token3, organization: "org_unknown")
        #expect(denied.status == 403 && emulator.object(denied)["code"] as? String == "organization_membership_not_found")
        // Logout ends the session: its refresh token stops working.
        let claims = try decodeClaims(emulator.object(switched)["access_token"] as! String)
        let logout = try emulator.request("GET", "/user_management/sessions/logout?session_id=\(claims["sid"] as! String)&return_to=http%3A%2F%2Flocalhost%3A8080%2F")
        #expect(logout.status == 302 && logout.header("Location") == "http://localhost:8080/")
        #expect(try refresh(emulator, token3).status == 400)
    }

    func decodeClaims(_ token: String) throws -> [String: Any] {
        let part = String(token.split(separator: ".")[1])
        let bytes = try #require(Base64URL.decode(part))
        return try JSONSerialization.jsonObject(with: Data(bytes)) as! [String: Any]
    }

    @Test func accessTokensVerifyAgainstTheJWKSAndKeysRotate() throws {
        let emulator = try EmulatorProcess(arguments: ["--access-token-ttl", "120"])
        let token = emulator.object(try exchange(emulator, code: try emulator.authorizationCode(), verifier: nil))["access_token"] as! String
        let jwks = try JSONWebKeySet(json: try emulator.request("GET", "/sso/jwks/client_emulate").body)
        let jwt = try JWT(token)
        #expect(jwt.algorithm == "RS256")
        #expect(jwks.candidates(forKeyId: jwt.keyId).contains { $0.verifyRS256(signature: jwt.signature, message: jwt.signingInput) })
        let claims = try decodeClaims(token)
        #expect(claims["sub"] as? String == "user_01EMULATEADMIN0000000000")
        #expect(claims["role"] as? String == "admin")
        #expect(claims["permissions"] as? [String] == ["posts:read", "posts:write", "users:manage"])
        #expect((claims["exp"] as! Int) - (claims["iat"] as! Int) == 120)
        #expect(try emulator.request("GET", "/sso/jwks/other_client").status == 404)

        let rotated = emulator.object(try emulator.request("POST", "/_emulate/keys/rotate", json: #"{"keep_old":false}"#))
        let token2 = emulator.object(try exchange(emulator, code: try emulator.authorizationCode(), verifier: nil))["access_token"] as! String
        #expect(try JWT(token2).keyId == rotated["kid"] as? String)
        #expect(try JWT(token2).keyId != jwt.keyId)
        let newSet = try JSONWebKeySet(json: try emulator.request("GET", "/sso/jwks/client_emulate").body)
        #expect(newSet.candidates(forKeyId: jwt.keyId).isEmpty)

        // Clock shift moves iat/exp.
        try emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":3600}"#)
        let shifted = try decodeClaims(emulator.object(try exchange(emulator, code: try emulator.authorizationCode(), verifier: nil))["access_token"] as! String)
        #expect((shifted["iat"] as! Int) - Int(Date().timeIntervalSince1970) > 3500)
    }

    @Test func faultsCanBeInjected() throws {
        let emulator = try EmulatorProcess()
        try emulator.request("POST", "/_emulate/hooks", json: #"{"path":"/user_management/authenticate","status":503,"times":2}"#)
        #expect(try refresh(emulator, "x").status == 503)
        #expect(try refresh(emulator, "x").status == 503)
        #expect(try refresh(emulator, "x").status == 400)
        try emulator.request("POST", "/_emulate/hooks", json: #"{"path":"/user_management/authenticate","status":429,"headers":{"Retry-After":"3"},"times":1}"#)
        let limited = try refresh(emulator, "x")
        #expect(limited.status == 429 && limited.header("Retry-After") == "3")
        try emulator.request("POST", "/_emulate/hooks", json: #"{"path":"/sso/jwks","latency_ms":400,"times":1}"#)
        let started = Date()
        #expect(try emulator.request("GET", "/sso/jwks/client_emulate").status == 200)
        #expect(Date().timeIntervalSince(started) >= 0.35)
        try emulator.request("POST", "/_emulate/hooks", json: #"{"path":"/health","drop_connection":true}"#)
        #expect(throws: HTTPTransportError.self) { try emulator.request("GET", "/health") }
        try emulator.request("DELETE", "/_emulate/hooks")
        #expect(try emulator.request("GET", "/health").status == 200)
    }

    @Test func idempotencyKeyReplaysTheSameAnswer() throws {
        let emulator = try EmulatorProcess()
        let first = emulator.object(try exchange(emulator, code: try emulator.authorizationCode(), verifier: nil))
        let body = #"{"grant_type":"refresh_token","client_id":"client_emulate","client_secret":"sk_test_default","refresh_token":"\#(first["refresh_token"] as! String)"}"#
        let a = try emulator.request("POST", "/user_management/authenticate", json: body, headers: [("Idempotency-Key", "retry-1")])
        let b = try emulator.request("POST", "/user_management/authenticate", json: body, headers: [("Idempotency-Key", "retry-1")])
        #expect(a.status == 200 && b.status == 200)
        #expect(emulator.object(a)["refresh_token"] as? String == emulator.object(b)["refresh_token"] as? String)
        #expect(try emulator.counters()["refresh_token_reuse"] == nil)
    }

    @Test func interactivePageListsTheSeededUsers() throws {
        let emulator = try EmulatorProcess(arguments: ["--interactive"])
        let page = try emulator.request("GET", "/user_management/authorize?client_id=client_emulate&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fauth%2Fcallback&response_type=code&provider=authkit&state=s&screen_hint=sign-up")
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(page.status == 200)
        #expect(html.contains("Sign up") && html.contains("ada@example.com") && html.contains("grace@example.com") && html.contains("Globex"))
    }

    @Test func seedFileImpersonationAndRevoke() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let seed = directory.appendingPathComponent("seed.json")
        try """
            {"client_id":"client_seeded","api_key":"sk_test_seeded",
             "users":[{"id":"user_1","email":"jo@example.com","first_name":"Jo","metadata":{"plan":"pro"}}],
             "organizations":[{"id":"org_1","name":"One","entitlements":["sso"],"feature_flags":["f1"]}],
             "memberships":[{"user_id":"user_1","organization_id":"org_1","role":"owner","roles":["owner"],"permissions":["all"]}],
             "impersonations":[{"user_id":"user_1","impersonator_email":"support@example.com","reason":"ticket 42"}]}
            """.write(to: seed, atomically: true, encoding: .utf8)
        let emulator = try EmulatorProcess(arguments: ["--seed", seed.path])
        let url = WorkOSURLs.authorization(baseURL: emulator.base, clientId: "client_seeded", AuthorizationRequest(redirectURI: "http://localhost:8080/auth/callback"))
        let redirect = try emulator.http.send(HTTPRequest(method: "GET", url: url))
        let code = try #require(URLComponents(string: redirect.header("Location") ?? "")?.queryItems?.first { $0.name == "code" }?.value)
        let answer = emulator.object(try emulator.request("POST", "/user_management/authenticate", json: """
            {"grant_type":"authorization_code","client_id":"client_seeded","code":"\(code)"}
            """, headers: [("Authorization", "Bearer sk_test_seeded")]))
        #expect(answer["authentication_method"] as? String == "Impersonation")
        #expect((answer["impersonator"] as? [String: Any])?["email"] as? String == "support@example.com")
        #expect(((answer["user"] as? [String: Any])?["metadata"] as? [String: String]) == ["plan": "pro"])
        let claims = try decodeClaims(answer["access_token"] as! String)
        #expect((claims["act"] as? [String: String])?["sub"] == "support@example.com")
        #expect(claims["entitlements"] as? [String] == ["sso"] && claims["feature_flags"] as? [String] == ["f1"])

        // Revoke needs the API key and ends the session.
        let sid = claims["sid"] as! String
        #expect(try emulator.request("POST", "/user_management/sessions/revoke", json: #"{"session_id":"\#(sid)"}"#).status == 401)
        #expect(try emulator.request("POST", "/user_management/sessions/revoke", json: #"{"session_id":"\#(sid)"}"#,
                                     headers: [("Authorization", "Bearer sk_test_seeded")]).status == 200)
        let refresh = try emulator.request("POST", "/user_management/authenticate", json: """
            {"grant_type":"refresh_token","client_id":"client_seeded","client_secret":"sk_test_seeded","refresh_token":"\(answer["refresh_token"] as! String)"}
            """)
        #expect(refresh.status == 400)
    }
}
