import AuthKitCore
import Foundation
import Testing

/// `authkit-emulator --seed FILE`: the seed's client, users, memberships and impersonation.
@Suite struct EmulatorSeedTests {
    static let seed = """
        {"client_id":"client_seeded","api_key":"sk_test_seeded","redirect_uris":["http://app.test:8081/callback"],
         "users":[{"id":"user_1","email":"jo@example.com","first_name":"Jo","external_id":"ext-1","locale":"fr-FR",
                   "metadata":{"plan":"pro"}},
                  {"id":"user_2","email":"sam@example.com","email_verified":false}],
         "organizations":[{"id":"org_1","name":"One","entitlements":["sso"],"feature_flags":["f1"]}],
         "memberships":[{"user_id":"user_1","organization_id":"org_1","role":"owner","permissions":["all"]}],
         "impersonations":[{"user_id":"user_1","impersonator_email":"support@example.com","reason":"ticket 42"}]}
        """

    @Test func seedFileWithImpersonation() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("seed.json")
        try Self.seed.write(to: file, atomically: true, encoding: .utf8)
        let emulator = try EmulatorProcess(arguments: ["--seed", file.path])

        let authorize = "/user_management/authorize?client_id=client_seeded&response_type=code&provider=authkit&redirect_uri="
        #expect(try emulator.request("GET", authorize + "http%3A%2F%2Flocalhost%3A8080%2Fauth%2Fcallback").status == 302,
                "the default redirect URIs stay registered")
        let redirect = try emulator.request("GET", authorize + "http%3A%2F%2Fapp.test%3A8081%2Fcallback&login_hint=jo%40example.com")
        let code = try #require(emulator.redirectQuery(redirect)["code"])
        #expect(redirect.header("Location")?.hasPrefix("http://app.test:8081/callback?code=") == true)

        // The seed's API key, given as Bearer only.
        let answer = emulator.object(try emulator.request("POST", "/user_management/authenticate",
            json: #"{"grant_type":"authorization_code","client_id":"client_seeded","code":"\#(code)"}"#,
            headers: [("Authorization", "Bearer sk_test_seeded")]))
        #expect(answer["authentication_method"] as? String == "Impersonation")
        #expect(answer["impersonator"] as? [String: String] == ["email": "support@example.com", "reason": "ticket 42"])
        let user = try #require(answer["user"] as? [String: Any])
        #expect(user["metadata"] as? [String: String] == ["plan": "pro"] && user["external_id"] as? String == "ext-1")
        #expect(user["locale"] as? String == "fr-FR" && user["last_name"] is NSNull && user["name"] as? String == "Jo")

        let token = try CompactJWT(answer["access_token"] as! String)
        let claims = token.claims
        #expect(claims["act"] as? [String: String] == ["sub": "support@example.com"])
        #expect(claims["iss"] as? String == "\(emulator.base)/user_management/client_seeded")
        #expect(claims["role"] as? String == "owner" && claims["roles"] as? [String] == ["owner"] && claims["permissions"] as? [String] == ["all"])
        #expect(claims["entitlements"] as? [String] == ["sso"] && claims["feature_flags"] as? [String] == ["f1"])
        #expect(try token.verifies(withJWKS: try emulator.request("GET", "/sso/jwks/client_seeded").body))
        #expect(try emulator.request("GET", "/sso/jwks/client_emulate").status == 404)

        // The default key is not this seed's.
        let wrongKey = try emulator.request("POST", "/user_management/sessions/revoke", json: #"{"session_id":"\#(claims["sid"] as! String)"}"#,
                                            headers: [("Authorization", "Bearer sk_test_default")])
        #expect(wrongKey.status == 401)
    }

    /// A seed that does not hold together stops the emulator at start with a reason.
    @Test func invalidSeedsAreRefused() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases = [
            (#"{"users":[{"id":"u","email":"a@b"}],"memberships":[{"user_id":"nobody","organization_id":"org"}]}"#, "unknown user nobody"),
            (#"{"users":[]}"#, "at least one user"),
            (#"{"users":[{"id":"u"}]}"#, "missing .users[0].email"),
            ("users: []", "not JSON"),
        ]
        for (index, (seed, reason)) in cases.enumerated() {
            let file = directory.appendingPathComponent("seed\(index).json")
            try seed.write(to: file, atomically: true, encoding: .utf8)
            let result = try runWithTimeout(Binaries.path("authkit-emulator"), ["--port", "0", "--seed", file.path])
            #expect(result.status != 0 && result.stderr.contains(reason), "\(seed): \(result.stderr)")
            #expect(!result.stdout.contains("listening"))
        }
    }

    /// Runs a command that is expected to exit by itself; killed after `seconds`.
    func runWithTimeout(_ path: String, _ arguments: [String], seconds: Double = 10) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus,
                             stdout: String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                             stderr: String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }
}
