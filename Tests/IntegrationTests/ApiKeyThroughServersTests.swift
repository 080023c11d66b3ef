import AuthKitCore
import Foundation
import Testing

/// `Authorization: Bearer <WorkOS API key>` (`AUTHKIT_ALLOW_API_KEY=true`) through real nginx (the
/// example site's /api/, which also allows access tokens) and real Apache (the FastCGI
/// authorizer, a location of its own in front of the whoami script), against keys minted on
/// the emulator: identity to the upstream, refusals as 401 (never a redirect), answers cached
/// for their time, a WorkOS outage that does not lock out a key seen before, and, with
/// assertions on, a signed assertion for the key that PyJWT verifies.
@Suite(.serialized) struct ApiKeyThroughServersTests {
    enum Server: String, CaseIterable, Sendable, CustomStringConvertible {
        case nginx, apache
        var description: String { rawValue }
    }

    /// One of the two sites, reduced to what these tests need.
    struct Site {
        let base: String
        let emulator: EmulatorProcess
        /// A protected URL whose check allows API keys; its upstream prints the identity.
        let url: String
        let server: Server
        let keep: AnyObject

        init(_ server: Server, environment: [String: String] = [:]) throws {
            self.server = server
            switch server {
            case .nginx:
                let site = try NginxSite(environment: environment)
                (base, emulator, url, keep) = (site.base, site.emulator, site.base + "/api/items", site)
            case .apache:
                let extra = #"ScriptAlias "/keys/" "/srv/authkit-example/cgi-bin/""# + "\n"
                    + (try ApacheSite.adminBlock(.authorizer, location: "/keys/", with: "AUTHKIT_ALLOW_API_KEY=true\n    CGIPassAuth On"))
                let site = try ApacheSite(.authorizer, environment: environment, extraSite: extra)
                (base, emulator, url, keep) = (site.base, site.emulator, site.base + "/keys/whoami", site)
            }
        }

        func get(_ key: String?, headers extra: [(name: String, value: String)] = [("Accept", "application/json")]) throws -> HTTPResponse {
            try Browser().send("GET", url, headers: extra + (key.map { [("Authorization", "Bearer \($0)")] } ?? []))
        }

        /// A value the upstream received, by its name in the nginx echo or the CGI script.
        func identity(_ response: HTTPResponse, _ field: String) -> String? {
            let name = server == .nginx ? field : "AUTHKIT_" + field.uppercased()
            let line = String(decoding: response.body, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(name + "=") }
            return line.map { String($0.dropFirst(name.count + 1)) }
        }

        func validations() throws -> Int { try emulator.counters()["api_key_validations"] ?? 0 }
    }

    static func body(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test(arguments: Server.allCases)
    func aValidKeyReachesTheUpstreamWithItsIdentity(server: Server) throws {
        let site = try Site(server)
        let key = try site.emulator.createApiKey()
        let allowed = try site.get(key.value)
        #expect(allowed.status == 200, "\(Self.body(allowed))")
        #expect(site.identity(allowed, "api_key_id") == key.id, "\(Self.body(allowed))")
        #expect(site.identity(allowed, "api_key_name") == "CI deploy")
        #expect(site.identity(allowed, "organization_id") == EmulatorProcess.acme)
        #expect(site.identity(allowed, "permissions") == "posts:read,posts:write")
        #expect(site.identity(allowed, "user_id") == "")
        #expect(!allowed.headers.contains { $0.name.lowercased().hasPrefix("x-authkit-") || $0.name.lowercased().hasPrefix("variable-") })
        // Again: answered from the remembered check answer (CheckAnswerMemo), the same identity.
        let again = try site.get(key.value)
        #expect(again.status == 200 && Self.body(again) == Self.body(allowed), "\(Self.body(again))")
        #expect(try site.validations() == 1)

        // The client's own X-AuthKit-Api-Key-Id never reaches the upstream: nginx's check
        // refuses the request, Apache strips the header before anything reads it.
        let spoofed = try site.get(key.value, headers: [("Accept", "application/json"), ("X-AuthKit-Api-Key-Id", "api_key_spoofed"),
                                                        ("X-AuthKit-Api-Key-Name", "spoofed")])
        #expect(!Self.body(spoofed).contains("spoofed"), "\(Self.body(spoofed))")
        #expect(spoofed.status == (server == .nginx ? 400 : 200))
        if server == .apache { #expect(site.identity(spoofed, "api_key_id") == key.id) }
    }

    /// With `AUTHKIT_ASSERTION_ALG`, an allowed key's check carries an assertion too, which
    /// PyJWT (not our code) verifies against the JWKS: `sub` is the key's id and `principal`
    /// says it is a key, so no verifier can take it for a user. Every request gets its own
    /// (no remembered answer replays one); a refused key gets none.
    @Test(.enabled(if: IdentityAssertionTests.available || IdentityAssertionTests.inCI, ".build/sdk-venv (PyJWT) is needed"),
          arguments: Server.allCases)
    func anAllowedKeyCarriesAVerifiableAssertion(server: Server) throws {
        let keys = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: keys) }
        let site = try Site(server, environment: ["AUTHKIT_ASSERTION_ALG": "es256", "AUTHKIT_ASSERTION_KEY_DIR": keys.path + "/assertion"])
        let key = try site.emulator.createApiKey()
        let path = server == .nginx ? "/api/items" : "/keys/whoami"
        func assertion(_ response: HTTPResponse) -> String? { site.identity(response, "assertion").flatMap { $0.isEmpty ? nil : $0 } }

        let allowed = try site.get(key.value)
        #expect(allowed.status == 200, "\(Self.body(allowed))")
        #expect(site.identity(allowed, "api_key_id") == key.id)
        let token = try #require(assertion(allowed), "\(server): no assertion: \(Self.body(allowed))")
        let (claims, output) = try IdentityAssertionTests().verify(token, base: site.base, host: "127.0.0.1", path: path)
        let payload = try #require(claims?["claims"] as? [String: Any], "\(server): PyJWT refused: \(output)")
        #expect((payload["sub"] as? String) == key.id)
        #expect((payload["principal"] as? String) == "api_key")
        #expect((payload["api_key_name"] as? String) == "CI deploy")
        #expect((payload["org_id"] as? String) == EmulatorProcess.acme)
        #expect((payload["permissions"] as? [String]) == ["posts:read", "posts:write"])
        for absent in ["email", "sid", "role", "roles", "act"] { #expect(payload[absent] == nil, "\(absent): a key has none") }

        // Again: a token of its own, WorkOS still asked once (the key's answer is cached, the
        // check's answer is not).
        let again = try site.get(key.value)
        let second = try #require(assertion(again), "\(Self.body(again))")
        #expect(second != token)
        let secondClaims = try IdentityAssertionTests().verify(second, base: site.base, host: "127.0.0.1", path: path).claims?["claims"] as? [String: Any]
        #expect((secondClaims?["jti"] as? String) != (payload["jti"] as? String))
        #expect(try site.validations() == 1)

        let refused = try site.get("sk_not_a_key")
        #expect(refused.status == 401)
        #expect(assertion(refused) == nil)
    }

    @Test(arguments: Server.allCases)
    func unknownExpiredAndDeletedKeysAre401NeverARedirect(server: Server) throws {
        let site = try Site(server)
        let expired = try site.emulator.createApiKey(name: "old")
        #expect(try site.emulator.expireApiKey(expired.id) == 200)
        let deleted = try site.emulator.createApiKey(name: "gone")
        #expect(try site.emulator.deleteApiKey(deleted.id) == 204)
        for (name, value) in [("unknown", "sk_not_a_key"), ("expired", expired.value), ("deleted", deleted.value)] {
            for headers in [[("Accept", "application/json")], Browser.navigation] {
                let refused = try site.get(value, headers: headers)
                #expect(refused.status == 401, "\(server) \(name): \(refused.status) \(Self.body(refused))")
                #expect(refused.header("Location") == nil, "\(name): a refused key is never sent to sign in")
                #expect(refused.header("WWW-Authenticate") == #"Bearer error="invalid_token""#, "\(name)")
                #expect(refused.headers.filter { $0.name.lowercased() == "www-authenticate" }.count == 1, "\(name): \(refused.headers)")
                #expect(site.identity(refused, "api_key_id") == nil)
                if server == .nginx { #expect(Self.body(refused) == "{\"error\":\"unauthorized\"}\n") }
            }
        }
    }

    @Test(arguments: Server.allCases)
    func aDeletedKeyWorksUntilItsCachedAnswerEnds(server: Server) throws {
        let site = try Site(server, environment: ["AUTHKIT_API_KEY_CACHE_SECONDS": "3"])
        let key = try site.emulator.createApiKey()
        let first = Date()
        #expect(try site.get(key.value).status == 200)
        for _ in 0..<5 { #expect(try site.get(key.value).status == 200) }
        #expect(try site.validations() == 1, "WorkOS is asked once per key and cache time")
        #expect(try site.emulator.deleteApiKey(key.id) == 204)
        #expect(try site.get(key.value).status == 200, "cached: allowed until the positive time ends")
        Thread.sleep(forTimeInterval: max(0, 3.3 - Date().timeIntervalSince(first)))
        let after = try site.get(key.value)
        #expect(after.status == 401, "\(Self.body(after))")
        #expect(try site.validations() == 2)
        // The refusal is cached too (10 s by default): no new call.
        #expect(try site.get(key.value).status == 401)
        #expect(try site.validations() == 2)
    }

    @Test(arguments: Server.allCases)
    func aWorkOSOutageKeepsACachedKeyWorking(server: Server) throws {
        let site = try Site(server, environment: ["AUTHKIT_API_KEY_CACHE_SECONDS": "1", "AUTHKIT_HTTP_RETRIES": "0"])
        let key = try site.emulator.createApiKey()
        let unseen = try site.emulator.createApiKey(name: "never used")
        #expect(try site.get(key.value).status == 200)
        try site.emulator.request("POST", "/_emulate/hooks", json: #"{"path":"/api_keys/validations","method":"POST","status":503}"#)
        Thread.sleep(forTimeInterval: 1.3)
        let stale = try site.get(key.value)
        #expect(stale.status == 200, "\(Self.body(stale))")
        #expect(site.identity(stale, "api_key_id") == key.id)
        #expect((try site.emulator.counters()["faults_applied"] ?? 0) >= 1, "WorkOS was asked and failed")
        // A key nobody vouched for yet: try again later, not "invalid".
        let unavailable = try site.get(unseen.value)
        #expect(unavailable.status == 503, "\(unavailable.status) \(Self.body(unavailable))")
        #expect(unavailable.header("Retry-After") == "5")
        // WorkOS back: the unseen key works.
        try site.emulator.request("DELETE", "/_emulate/hooks")
        #expect(try site.get(unseen.value).status == 200)
    }
}
