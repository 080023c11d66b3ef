import AuthKitCore
import Foundation
import Testing

/// The signed identity assertion (`AUTHKIT_ASSERTION_ALG`) through real nginx and Apache: the
/// upstream receives `X-AuthKit-Assertion` (Apache: `AUTHKIT_ASSERTION`), and PyJWT — not our
/// code — verifies it against our JWKS endpoint, checking alg, aud, iss, exp, host and path. A
/// client's forged copy is refused; a tampered token fails; a second path gets its own token.
@Suite(.serialized) struct IdentityAssertionTests {
    static let python = repositoryRoot.appendingPathComponent(".build/sdk-venv/bin/python").path
    static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: python) }

    func body(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    /// PyJWT's verdict: the claims when it accepts the token, nil (with its reason) when not.
    func verify(_ token: String, base: String, host: String, path: String) throws -> (claims: [String: Any]?, output: String) {
        let result = try runCommand(Self.python, [repositoryRoot.appendingPathComponent("Tests/python/verify_assertion.py").path,
                                                  "\(base)/auth/jwks.json", token, base, "\(base)/auth", host, path])
        guard result.status == 0, let data = result.stdout.data(using: .utf8),
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { return (nil, result.stdout + result.stderr) }
        return (object, result.stdout)
    }

    /// The value after `prefix` on its own line of `text`.
    func line(_ text: String, _ prefix: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    func tampered(_ token: String) -> String {
        // Flip a character of the payload: the signature no longer covers it.
        var parts = token.split(separator: ".").map(String.init)
        var payload = Array(parts[1].utf8)
        payload[10] = payload[10] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        parts[1] = String(decoding: payload, as: UTF8.self)
        return parts.joined(separator: ".")
    }

    @Test(.enabled(if: (NginxSite.available && available) || inCI, "needs nginx and .build/sdk-venv (PyJWT)"),
          arguments: ["es256", "rs256"])
    func nginxUpstreamGetsAVerifiableAssertion(algorithm: String) throws {
        let keys = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: keys) }
        let site = try NginxSite(environment: ["AUTHKIT_ASSERTION_ALG": algorithm, "AUTHKIT_ASSERTION_KEY_DIR": keys.path + "/assertion"])
        defer { _ = site.stop() }
        let browser = Browser()
        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=ada%40example.com")
        let host = "127.0.0.1"

        let first = try browser.send("GET", "\(site.base)/whoami/deep?x=1")
        #expect(first.status == 200)
        let token = try #require(line(body(first), "assertion="), "\(body(first))")
        #expect(token.split(separator: ".").count == 3, "\(body(first))")
        let (claims, output) = try verify(token, base: site.base, host: host, path: "/whoami/deep")
        let verified = try #require(claims, "PyJWT refused: \(output)")
        #expect((verified["alg"] as? String) == algorithm.uppercased())
        let payload = try #require(verified["claims"] as? [String: Any])
        #expect((payload["sub"] as? String) == "user_01EMULATEADMIN0000000000")
        #expect((payload["principal"] as? String) == "user")
        #expect((payload["email"] as? String) == "ada@example.com")
        #expect((payload["org_id"] as? String) == "org_01EMULATEACME00000000000")
        #expect((payload["role"] as? String) == "admin")
        #expect((payload["permissions"] as? [String]) == ["posts:read", "posts:write", "users:manage"])
        #expect((payload["sid"] as? String)?.isEmpty == false)
        let issuedAt = try #require(payload["iat"] as? Int)
        let expiresAt = try #require(payload["exp"] as? Int)
        #expect(expiresAt == issuedAt + 60)

        // Another path, later: its own token (no cached answer replays the first one).
        let second = try browser.send("GET", "\(site.base)/whoami/other")
        let other = try #require(line(body(second), "assertion="))
        #expect(other != token)
        #expect(try verify(other, base: site.base, host: host, path: "/whoami/other").claims != nil)
        #expect(try verify(other, base: site.base, host: host, path: "/whoami/deep").claims == nil, "the path is bound")
        let again = try browser.send("GET", "\(site.base)/whoami/deep?x=1")
        let repeated = try #require(line(body(again), "assertion="))
        #expect(repeated != token, "every check signs afresh")

        // A tampered token and a wrong audience fail verification.
        #expect(try verify(tampered(token), base: site.base, host: host, path: "/whoami/deep").claims == nil)
        let wrongAudience = try runCommand(Self.python, [repositoryRoot.appendingPathComponent("Tests/python/verify_assertion.py").path,
                                                         "\(site.base)/auth/jwks.json", token, "https://other.example", "\(site.base)/auth", host, "/whoami/deep"])
        let refusal: String = wrongAudience.stdout
        #expect(wrongAudience.status != 0)
        #expect(refusal.contains("InvalidAudience"), "\(refusal)")

        // A client's own X-AuthKit-Assertion never reaches the upstream: the request is refused.
        let forged = try browser.send("GET", "\(site.base)/whoami/deep", headers: [("X-AuthKit-Assertion", "forged.token.value")])
        #expect(forged.status == 400)
        #expect(!body(forged).contains("forged"))

        // The JWKS: public keys only, cacheable for a minute.
        let jwks = try Browser().send("GET", "\(site.base)/auth/jwks.json")
        #expect(jwks.status == 200)
        #expect(jwks.header("Cache-Control") == "public, max-age=60")
        #expect(!body(jwks).contains("\"d\""))

        // Signed out: no assertion at all.
        let anonymous = try Browser().send("GET", "\(site.base)/whoami/deep")
        #expect(line(body(anonymous), "assertion=") == nil || line(body(anonymous), "assertion=") == "")
        // The key directory: 0700, keys 0600.
        let attributes = try FileManager.default.attributesOfItem(atPath: keys.path + "/assertion")
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
        for file in try FileManager.default.contentsOfDirectory(atPath: keys.path + "/assertion") where file.hasSuffix(".pem") {
            #expect((try FileManager.default.attributesOfItem(atPath: keys.path + "/assertion/" + file)[.posixPermissions] as? Int) == 0o600)
        }
        let log = site.stop().log
        #expect(!log.contains("PRIVATE KEY"), "a key was logged")
    }

    @Test(.enabled(if: available || inCI, ".build/sdk-venv (PyJWT) is needed"),
          arguments: ApacheSite.Setup.allCases)
    func apacheScriptGetsAVerifiableAssertion(setup: ApacheSite.Setup) throws {
        let keys = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: keys) }
        // The authorizer runs as this user with its own key directory; mod_fcgid and CGI run as
        // www-data and keep the keys in their AUTHKIT_CACHE_DIR.
        var environment = ["AUTHKIT_ASSERTION_ALG": "es256"]
        if setup == .authorizer { environment["AUTHKIT_ASSERTION_KEY_DIR"] = keys.path + "/assertion" }
        let site = try ApacheSite(setup, environment: environment)
        defer { _ = site.stop() }
        let browser = Browser()
        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=ada%40example.com")
        let page = try browser.send("GET", "\(site.base)/protected/cgi-bin/whoami", headers: Browser.navigation)
        #expect(page.status == 200, "\(setup): \(body(page)) \(site.errorLog)")
        let token = try #require(line(body(page), "AUTHKIT_ASSERTION="), "\(setup): \(body(page))")
        #expect(!token.isEmpty, "\(setup): \(body(page))")
        let host = "127.0.0.1"
        let (claims, output) = try verify(token, base: site.base, host: host, path: "/protected/cgi-bin/whoami")
        let payload = try #require(claims?["claims"] as? [String: Any], "\(setup): PyJWT refused: \(output)")
        #expect((payload["sub"] as? String) == "user_01EMULATEADMIN0000000000", "\(setup)")
        #expect((payload["principal"] as? String) == "user", "\(setup)")
        #expect(try verify(tampered(token), base: site.base, host: host, path: "/protected/cgi-bin/whoami").claims == nil, "\(setup)")
        // The identity variable never reaches the browser.
        #expect(page.header("Variable-AUTHKIT_ASSERTION") == nil, "\(setup)")

        let forged = try browser.send("GET", "\(site.base)/protected/cgi-bin/whoami", headers: Browser.navigation + [("X-AuthKit-Assertion", "forged.token.value")])
        #expect(!body(forged).contains("forged"), "\(setup): \(body(forged))")
        #expect(forged.status == 200 || forged.status == 400, "\(setup): \(forged.status)")
    }

    /// `AUTHKIT_ASSERTION_KEY_FILE`: the operator's key (here SEC 1 PEM from `openssl ecparam`)
    /// signs, checked by PyJWT with that key's own public half, not our JWKS.
    @Test(.enabled(if: (NginxSite.available && available) || inCI, "needs nginx and .build/sdk-venv (PyJWT)"))
    func nginxSignsWithTheConfiguredKeyFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("assertion.pem").path
        let made = try runCommand("/usr/bin/openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyFile])
        #expect(made.status == 0, "\(made.stderr)")
        let site = try NginxSite(environment: ["AUTHKIT_ASSERTION_ALG": "es256", "AUTHKIT_ASSERTION_KEY_FILE": keyFile])
        defer { _ = site.stop() }
        let browser = Browser()
        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=ada%40example.com")
        let token = try #require(line(body(try browser.send("GET", "\(site.base)/whoami/k")), "assertion="))
        let check = try runCommand(Self.python, ["-c", """
            import sys, jwt
            from cryptography.hazmat.primitives.serialization import load_pem_private_key
            key = load_pem_private_key(open(sys.argv[1], "rb").read(), None).public_key()
            claims = jwt.decode(sys.argv[2], key, algorithms=["ES256"], audience=sys.argv[3], issuer=sys.argv[3] + "/auth")
            print(claims["path"])
            """, keyFile, token, site.base])
        #expect(check.status == 0 && check.stdout == "/whoami/k\n", "\(check.stdout) \(check.stderr)")
        let jwks = try JSONSerialization.jsonObject(with: Data(try Browser().send("GET", "\(site.base)/auth/jwks.json").body)) as? [String: Any]
        #expect((jwks?["keys"] as? [Any])?.count == 1)
        #expect(try verify(token, base: site.base, host: "127.0.0.1", path: "/whoami/k").claims != nil)
    }

    /// A key that does not fit the algorithm, or a key directory others can read, stops the
    /// start-up with exit status 78 and one line naming the setting.
    @Test func badKeysStopTheStartUp() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rsa = directory.appendingPathComponent("rsa.pem").path
        #expect(try runCommand("/usr/bin/openssl", ["genrsa", "-out", rsa, "2048"]).status == 0)
        _ = try runCommand("/bin/chmod", ["0755", directory.path])
        let base = [
            "WORKOS_CLIENT_ID": "client_1", "WORKOS_API_KEY": "sk_test_1234567890abcdefghij", "WORKOS_COOKIE_PASSWORD": "this-is-a-32-character-password!",
            "WORKOS_REDIRECT_URI": "http://127.0.0.1:1/auth/callback", "AUTHKIT_ASSERTION_ALG": "es256",
        ]
        let socket = directory.appendingPathComponent("s.sock").path
        for (extra, expected) in [(["AUTHKIT_ASSERTION_KEY_FILE": rsa], "AUTHKIT_ASSERTION_KEY_FILE"),
                                  (["AUTHKIT_ASSERTION_KEY_DIR": directory.path], "AUTHKIT_ASSERTION_KEY_DIR")] {
            let result = try runCommand("/usr/bin/timeout", ["20", Binaries.path("authkit-fcgi"), "serve", "--listen", "unix:\(socket)"],
                                        environment: base.merging(extra) { a, _ in a })
            #expect(result.status == 78, "\(expected): \(result.stderr)")
            #expect(result.stderr.contains("authkit-fcgi: \(expected)"), "\(result.stderr)")
            #expect(!result.stderr.contains("PRIVATE KEY"))
        }
    }
}
