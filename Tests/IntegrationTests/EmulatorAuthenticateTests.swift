import AuthKitCore
import Foundation
import Testing

/// `authkit-emulator` over a real socket: `POST /user_management/authenticate`, sessions.
@Suite struct EmulatorAuthenticateTests {
    typealias E = EmulatorProcess

    @Test func codeExchangeWithPKCE() throws {
        let emulator = try EmulatorProcess()
        let code = try emulator.code(challenge: E.challenge)
        let wrong = try emulator.exchange(code, verifier: "x" + E.verifier.dropFirst())
        #expect(wrong.status == 400 && emulator.object(wrong)["error"] as? String == "invalid_grant")
        #expect(try emulator.exchange(code).status == 400, "the verifier is required when the code has a challenge")

        let good = try emulator.exchange(code, verifier: E.verifier)
        #expect(good.status == 200 && good.header("X-Request-ID") != nil)
        let body = emulator.object(good)
        let user = try #require(body["user"] as? [String: Any])
        // WorkOS's user object: every key present, absent values as null.
        #expect(Set(user.keys) == ["object", "id", "email", "email_verified", "first_name", "last_name", "name",
                                   "profile_picture_url", "last_sign_in_at", "locale", "created_at", "updated_at",
                                   "external_id", "metadata"])
        #expect(user["object"] as? String == "user" && user["email"] as? String == "ada@example.com")
        #expect(user["name"] as? String == "Ada Lovelace" && user["profile_picture_url"] is NSNull)
        #expect(body["organization_id"] as? String == "org_01EMULATEACME00000000000")
        #expect(body["authentication_method"] as? String == "Password" && body["impersonator"] == nil)
        #expect((body["access_token"] as? String)?.split(separator: ".").count == 3 && body["refresh_token"] is String)

        let reused = try emulator.exchange(code, verifier: E.verifier)
        #expect(reused.status == 400 && emulator.object(reused)["error"] as? String == "invalid_grant")
        let counters = try emulator.counters()
        #expect(counters["codes_issued"] == 1 && counters["codes_exchanged"] == 1)
        #expect(counters["authenticate.authorization_code"] == 4 && counters["errors.invalid_grant"] == 3)
    }

    /// The key is checked wherever it is given; a public client needs PKCE; form bodies work.
    @Test func clientAuthentication() throws {
        let emulator = try EmulatorProcess()
        let code = try emulator.code()
        let wrongSecret = try emulator.exchange(code, secret: "sk_test_wrong")
        #expect(wrongSecret.status == 401 && emulator.object(wrongSecret)["error"] as? String == "invalid_client")
        let wrongBearer = try emulator.authenticate(
            ["grant_type": "authorization_code", "client_id": E.clientId, "code": code],
            headers: [("Authorization", "Bearer sk_test_wrong")])
        #expect(wrongBearer.status == 401)
        let wrongClient = try emulator.authenticate(["grant_type": "authorization_code", "client_id": "client_x",
                                                     "client_secret": E.apiKey, "code": code])
        #expect(wrongClient.status == 400 && emulator.object(wrongClient)["error"] as? String == "invalid_client")
        #expect(try emulator.exchange(code, secret: nil).status == 401, "a public client without PKCE")
        let bearerOnly = try emulator.authenticate(["grant_type": "authorization_code", "client_id": E.clientId, "code": code],
                                                   headers: [("Authorization", "Bearer \(E.apiKey)")])
        #expect(bearerOnly.status == 200)

        // Public client: PKCE instead of the key, for the exchange and its refreshes.
        let publicAnswer = try emulator.exchange(try emulator.code(challenge: E.challenge), verifier: E.verifier, secret: nil)
        #expect(publicAnswer.status == 200)
        let publicRefresh = try emulator.authenticate(["grant_type": "refresh_token", "client_id": E.clientId,
                                                       "refresh_token": emulator.object(publicAnswer)["refresh_token"] as! String])
        #expect(publicRefresh.status == 200)
        let confidential = emulator.object(bearerOnly)["refresh_token"] as! String
        #expect(try emulator.authenticate(["grant_type": "refresh_token", "client_id": E.clientId, "refresh_token": confidential])
            .status == 401, "a confidential session refreshes with the key")

        let form = formEncode(["grant_type": "authorization_code", "client_id": E.clientId, "client_secret": E.apiKey,
                               "code": try emulator.code()])
        let formAnswer = try emulator.send("POST", "/user_management/authenticate", body: form,
                                           headers: [("Content-Type", "application/x-www-form-urlencoded")])
        #expect(formAnswer.status == 200)
        #expect(emulator.object(try emulator.authenticate(["client_id": E.clientId, "client_secret": E.apiKey, "grant_type": "password"]))["error"]
            as? String == "unsupported_grant_type")
    }

    /// Single-use refresh tokens that rotate, WorkOS's exact error on reuse, counted.
    @Test func refreshTokensRotateAndAreSingleUse() throws {
        let emulator = try EmulatorProcess()
        let token1 = try emulator.signIn()["refresh_token"] as! String
        let second = try emulator.refresh(token1)
        #expect(second.status == 200)
        let token2 = emulator.object(second)["refresh_token"] as! String
        #expect(token2 != token1)
        let reused = try emulator.refresh(token1)
        #expect(reused.status == 400)
        #expect(reused.text == #"{"error":"invalid_grant","error_description":"Refresh token already exchanged."}"#)
        #expect(try emulator.refresh(token2).status == 200, "the rotated token works once")
        let unknown = try emulator.refresh("not-a-token")
        #expect(unknown.status == 400 && emulator.object(unknown)["error"] as? String == "invalid_grant")

        let counters = try emulator.counters()
        #expect(counters["refresh_token_reuse"] == 1 && counters["refreshes"] == 2)
        #expect(counters["authenticate.refresh_token"] == 4 && counters["authenticate"] == 5)
        try emulator.control("POST", "/_emulate/counters/reset")
        #expect(try emulator.counters().isEmpty)
    }

    /// `organization_id` switches where the user is a member; elsewhere a 403 that leaves the
    /// refresh token unused.
    @Test func organizationSwitch() throws {
        let emulator = try EmulatorProcess()
        let ada = try emulator.signIn()
        let switched = try emulator.refresh(ada["refresh_token"] as! String, organizationId: "org_01EMULATEGLOBEX000000000")
        #expect(switched.status == 200 && emulator.object(switched)["organization_id"] as? String == "org_01EMULATEGLOBEX000000000")
        let claims = try CompactJWT(emulator.object(switched)["access_token"] as! String).claims
        #expect(claims["org_id"] as? String == "org_01EMULATEGLOBEX000000000" && claims["role"] as? String == "member")

        let grace = try emulator.signIn("grace@example.com")["refresh_token"] as! String
        let denied = try emulator.refresh(grace, organizationId: "org_01EMULATEGLOBEX000000000")
        #expect(denied.status == 403 && emulator.object(denied)["code"] as? String == "organization_membership_not_found")
        #expect(emulator.object(denied)["message"] is String)
        #expect(try emulator.refresh(grace).status == 200, "a denied switch does not consume the token")
        #expect(try emulator.counters()["organization_switches"] == 1)
    }

    /// Logout (browser) and revoke (API key) end the session: its refresh tokens stop working.
    @Test func logoutAndRevokeEndSessions() throws {
        let emulator = try EmulatorProcess()
        let first = try emulator.signIn()
        let sid = try CompactJWT(first["access_token"] as! String).claims["sid"] as! String
        let logout = try emulator.request("GET", "/user_management/sessions/logout?session_id=\(sid)&return_to=http%3A%2F%2Flocalhost%3A8080%2Fbye%3Fa%3D1")
        #expect(logout.status == 302 && logout.header("Location") == "http://localhost:8080/bye?a=1")
        let ended = try emulator.refresh(first["refresh_token"] as! String)
        #expect(ended.status == 400 && emulator.object(ended)["error"] as? String == "invalid_grant")
        let page = try emulator.request("GET", "/user_management/sessions/logout?session_id=\(sid)")
        #expect(page.status == 200 && page.text.contains("Signed out"))

        let second = try emulator.signIn("grace@example.com")
        let sid2 = try CompactJWT(second["access_token"] as! String).claims["sid"] as! String
        let body = #"{"session_id":"\#(sid2)"}"#
        #expect(try emulator.request("POST", "/user_management/sessions/revoke", json: body).status == 401)
        let auth = [(name: "Authorization", value: "Bearer \(E.apiKey)")]
        #expect(try emulator.request("POST", "/user_management/sessions/revoke", json: #"{"session_id":"session_nope"}"#, headers: auth).status == 404)
        #expect(try emulator.request("POST", "/user_management/sessions/revoke", json: body, headers: auth).status == 200)
        #expect(try emulator.refresh(second["refresh_token"] as! String).status == 400)
        #expect(try emulator.counters()["sessions_ended"] == 2)
    }

    /// A retried POST with the same `Idempotency-Key` and body gets the stored answer and
    /// consumes nothing; the same key with another body is refused.
    @Test func idempotencyKeyReplay() throws {
        let emulator = try EmulatorProcess()
        let token = try emulator.signIn()["refresh_token"] as! String
        let key = [(name: "Idempotency-Key", value: "retry-\(UUID().uuidString)")]
        let a = try emulator.refresh(token, headers: key)
        let b = try emulator.refresh(token, headers: key)
        #expect(a.status == 200 && b.status == 200 && a.body == b.body)
        #expect(b.header("Idempotent-Replayed") == "true")
        let counters = try emulator.counters()
        #expect(counters["refreshes"] == 1 && counters["idempotent_replays"] == 1 && counters["refresh_token_reuse"] == nil)
        let other = try emulator.refresh(emulator.object(a)["refresh_token"] as! String, headers: key)
        #expect(other.status == 400 && emulator.object(other)["code"] as? String == "idempotency_key_reused")
        // Without a key the same refresh is a reuse.
        #expect(try emulator.refresh(token).text.contains("Refresh token already exchanged."))
    }
}
