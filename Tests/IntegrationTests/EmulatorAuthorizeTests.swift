import AuthKitCore
import Foundation
import Testing

/// `authkit-emulator` as a process on a real socket: health and the authorize endpoint.
@Suite struct EmulatorAuthorizeTests {
    @Test func healthAndRequestIds() throws {
        let emulator = try EmulatorProcess()
        let health = try emulator.request("GET", "/health")
        #expect(health.status == 200 && health.text == #"{"status":"ok"}"#)
        #expect(health.header("X-Request-ID")?.hasPrefix("req_") == true)
        let missing = try emulator.request("GET", "/no/such/endpoint")
        #expect(missing.status == 404 && emulator.object(missing)["code"] as? String == "not_found")
        #expect(missing.header("X-Request-ID") != nil)
    }

    /// A bad client or an unregistered redirect URI gets a page, never a redirect.
    @Test func badClientOrRedirectURIGetsAnErrorPage() throws {
        let emulator = try EmulatorProcess()
        for parameters: [String: String?] in [
            ["client_id": "client_other"], ["client_id": nil],
            ["redirect_uri": "https://evil.example/callback"], ["redirect_uri": nil],
            ["redirect_uri": EmulatorProcess.callback + "/extra"],
        ] {
            let page = try emulator.authorize(parameters.merging(["state": "s"]) { a, _ in a })
            #expect(page.status == 400 && page.header("Location") == nil, "\(parameters)")
            #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
        }
    }

    /// Other problems go back to the application as OAuth errors, with the state.
    @Test func otherErrorsRedirectWithTheState() throws {
        let emulator = try EmulatorProcess()
        let cases: [([String: String?], String)] = [
            (["response_type": "token"], "unsupported_response_type"),
            (["provider": "GoogleOAuth"], "invalid_request"),
            (["code_challenge": EmulatorProcess.challenge, "code_challenge_method": "plain"], "invalid_request"),
            (["code_challenge": EmulatorProcess.challenge], "invalid_request"),
            (["login_hint": "nobody@example.com"], "access_denied"),
            (["login_hint": "grace@example.com", "organization_id": "org_01EMULATEGLOBEX000000000"], "access_denied"),
        ]
        for (parameters, error) in cases {
            let response = try emulator.authorize(parameters.merging(["state": "st-1"]) { a, _ in a })
            let query = emulator.redirectQuery(response)
            #expect(response.status == 302 && response.header("Location")?.hasPrefix(EmulatorProcess.callback + "?") == true)
            #expect(query["error"] == error && query["error_description"] != nil && query["state"] == "st-1", "\(parameters)")
            #expect(query["code"] == nil)
        }
    }

    /// Auto-approve: `login_hint` picks the user (else the first seeded one), `organization_id`
    /// the organization (else the first membership); `state` comes back byte for byte.
    @Test func autoApproveByLoginHint() throws {
        let emulator = try EmulatorProcess(arguments: ["--redirect-uri", "http://127.0.0.1:9999/cb?x=1"])
        let state = "Fe26.2**a+b/c=~*&?é \"<>"
        let response = try emulator.authorize(["login_hint": "GRACE@example.com", "state": state])
        #expect(response.status == 302)
        #expect(emulator.redirectQuery(response)["state"] == state)
        let grace = emulator.object(try emulator.exchange(try #require(emulator.redirectQuery(response)["code"])))
        #expect((grace["user"] as? [String: Any])?["email"] as? String == "grace@example.com")
        #expect(grace["organization_id"] as? String == "org_01EMULATEACME00000000000")

        let first = emulator.object(try emulator.exchange(try emulator.code(loginHint: nil)))
        #expect((first["user"] as? [String: Any])?["id"] as? String == "user_01EMULATEADMIN0000000000")
        let globex = try emulator.signIn("ada@example.com", organizationId: "org_01EMULATEGLOBEX000000000")
        #expect(globex["organization_id"] as? String == "org_01EMULATEGLOBEX000000000")
        let alan = try emulator.signIn("alan@example.com")
        #expect(alan["organization_id"] is NSNull)

        // A redirect URI registered on the command line, with a query of its own.
        let extra = try emulator.authorize(["redirect_uri": "http://127.0.0.1:9999/cb?x=1", "state": "s"])
        #expect(extra.status == 302 && extra.header("Location")?.hasPrefix("http://127.0.0.1:9999/cb?x=1&code=") == true)
        #expect(try emulator.counters()["codes_issued"] == 5)
    }

    /// `--interactive`: a page listing the seeded users and their organizations; its form
    /// posts back and the flow continues with the original PKCE challenge and state.
    @Test func interactiveSignInPage() throws {
        let emulator = try EmulatorProcess(arguments: ["--interactive"])
        let state = "\"><script>alert(1)</script>"
        let page = try emulator.authorize(["state": state, "screen_hint": "sign-up",
                                           "code_challenge": EmulatorProcess.challenge, "code_challenge_method": "S256"])
        let html = page.text
        #expect(page.status == 200 && page.header("Location") == nil)
        #expect(html.contains("<h1>Sign up</h1>"))
        for email in ["ada@example.com", "grace@example.com", "alan@example.com", "margaret@example.com"] {
            #expect(html.contains(email))
        }
        #expect(html.contains("<select name=\"organization_id\"") && html.contains("Acme · admin") && html.contains("Globex · member"))
        #expect(!html.contains("<script>alert(1)</script>") && html.contains("&lt;script&gt;"))
        #expect(try emulator.authorize([:]).text.contains("<h1>Sign in</h1>"))

        // What the browser posts when Ada picks Globex.
        let form = formEncode([
            "client_id": EmulatorProcess.clientId, "redirect_uri": EmulatorProcess.callback, "response_type": "code",
            "provider": "authkit", "state": state, "code_challenge": EmulatorProcess.challenge, "code_challenge_method": "S256",
            "user_id": "user_01EMULATEADMIN0000000000", "organization_id": "org_01EMULATEGLOBEX000000000",
        ])
        let approved = try emulator.send("POST", "/user_management/authorize/approve", body: form,
                                         headers: [("Content-Type", "application/x-www-form-urlencoded")])
        let query = emulator.redirectQuery(approved)
        #expect(approved.status == 302 && query["state"] == state)
        let answer = try emulator.exchange(try #require(query["code"]), verifier: EmulatorProcess.verifier)
        #expect(answer.status == 200 && emulator.object(answer)["organization_id"] as? String == "org_01EMULATEGLOBEX000000000")
    }
}
