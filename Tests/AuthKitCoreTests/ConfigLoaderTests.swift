import Testing
@testable import AuthKitCore

@Suite struct ConfigLoaderTests {
    let minimal = [
        "WORKOS_CLIENT_ID": "client_01", "WORKOS_API_KEY": "sk_test_1234567890abcdefghij",
        "WORKOS_COOKIE_PASSWORD": "this-is-a-32-character-password!",
        "WORKOS_REDIRECT_URI": "https://app.example.com/auth/callback",
    ]

    func load(_ changes: [String: String]) throws(ConfigError) -> AuthKitConfig {
        try ConfigLoader.load(minimal.merging(changes) { _, b in b })
    }

    func failure(_ changes: [String: String]) -> ConfigError? {
        do { _ = try load(changes); return nil } catch { return error }
    }

    @Test func defaultsAreAuthkitNextjs() throws {
        let config = try load([:])
        #expect(config.cookieName == "wos-session")
        #expect(config.cookieMaxAge == 34_560_000)
        #expect(config.cookieSameSite == .lax)
        #expect(config.cookieDomain == nil)
        #expect(config.apiBaseURL == "https://api.workos.com")
        #expect(config.refreshBufferSeconds == nil)
        #expect(config.clockLeewaySeconds == 0)
        #expect(config.httpConnectTimeoutMillis == 3000 && config.httpTotalTimeoutMillis == 10_000)
        #expect(config.endpointPrefix == "/auth/")
    }

    @Test func everyVariableIsRead() throws {
        let config = try load([
            "WORKOS_COOKIE_NAME": "my-session", "WORKOS_COOKIE_MAX_AGE": "3600abc", "WORKOS_COOKIE_DOMAIN": ".example.com",
            "WORKOS_COOKIE_SAMESITE": "NONE", "WORKOS_API_HOSTNAME": "127.0.0.1", "WORKOS_API_HTTPS": "false",
            "WORKOS_API_PORT": "4100", "WORKOS_REFRESH_BUFFER_SECONDS": "0", "AUTHKIT_CLOCK_LEEWAY_SECONDS": "5",
            "WORKOS_COOKIE_PASSWORD_PREVIOUS": "an-older-password-of-at-least-32-chars, ",
            "WORKOS_UNAUTHENTICATED_PATHS": "/public/:path*, /", "AUTHKIT_ENDPOINT_PREFIX": "/_auth",
        ])
        #expect(config.cookieName == "my-session")
        #expect(config.cookieMaxAge == 3600)  // parseInt leniency
        #expect(config.cookieDomain == ".example.com")
        #expect(config.cookieSameSite == CookieSameSite.none)
        #expect(config.apiBaseURL == "http://127.0.0.1:4100")
        #expect(config.refreshBufferSeconds == 0)
        #expect(config.clockLeewaySeconds == 5)
        #expect(config.previousCookiePasswords == ["an-older-password-of-at-least-32-chars"])
        #expect(config.unauthenticatedPaths == ["/public/:path*", "/"])
        #expect(config.endpointPrefix == "/_auth/")
        #expect(try load(["WORKOS_COOKIE_MAX_AGE": "abc"]).cookieMaxAge == 34_560_000)
    }

    @Test func nextPublicRedirectURIIsAcceptedAndTheOtherWins() throws {
        var variables = minimal
        variables["WORKOS_REDIRECT_URI"] = nil
        variables["NEXT_PUBLIC_WORKOS_REDIRECT_URI"] = "http://localhost:3000/callback"
        #expect(try ConfigLoader.load(variables).redirectURI == "http://localhost:3000/callback")
        variables["WORKOS_REDIRECT_URI"] = "https://a.example/cb"
        #expect(try ConfigLoader.load(variables).redirectURI == "https://a.example/cb")
    }

    @Test(arguments: [
        ("WORKOS_CLIENT_ID", ""), ("WORKOS_API_KEY", ""), ("WORKOS_COOKIE_PASSWORD", "Qz7-pw"),
        ("WORKOS_REDIRECT_URI", ""), ("WORKOS_REDIRECT_URI", "/relative/callback"), ("WORKOS_COOKIE_SAMESITE", "sometimes"),
        ("WORKOS_COOKIE_MAX_AGE", "-5"), ("WORKOS_API_HTTPS", "maybe"), ("WORKOS_API_PORT", "70000"),
        ("WORKOS_COOKIE_NAME", "bad name;"), ("AUTHKIT_CLOCK_LEEWAY_SECONDS", "301"), ("WORKOS_REFRESH_BUFFER_SECONDS", "-1"),
        ("AUTHKIT_HTTP_TIMEOUT_MS", "100"), ("WORKOS_COOKIE_PASSWORD_PREVIOUS", "Xk9-old"),
        ("WORKOS_UNAUTHENTICATED_PATHS", "/files/*"), ("AUTHKIT_BASE_URL", "example.com"),
    ])
    func invalidValuesNameTheVariableAndTheFix(_ name: String, _ value: String) {
        guard let error = failure([name: value]) else { Issue.record("\(name)=\(value) accepted"); return }
        let expected = name == "AUTHKIT_HTTP_TIMEOUT_MS" && value == "100" ? "AUTHKIT_HTTP_TIMEOUT_MS" : name
        #expect(error.variable == expected)
        #expect(error.line.hasPrefix(expected + " "))
        #expect(error.line.contains("Fix: "))
        #expect(!error.line.contains("\n"))
        if !value.isEmpty, name.contains("PASSWORD") { #expect(!error.line.contains(value)) }
    }

    @Test func passwordLengthCountsUTF16LikeJavaScript() {
        // 30 ASCII + one emoji (2 UTF-16 units) = 32 units, 31 characters: accepted, as in JS.
        #expect(failure(["WORKOS_COOKIE_PASSWORD": String(repeating: "a", count: 30) + "😀"]) == nil)
        #expect(failure(["WORKOS_COOKIE_PASSWORD": String(repeating: "a", count: 29) + "😀"])?.problem.contains("31 characters") == true)
        #expect(failure(["WORKOS_COOKIE_PASSWORD": "short"])?.fix.contains("openssl rand -base64 24") == true)
    }

    @Test func describeMasksSecrets() throws {
        let config = try load([
            "WORKOS_API_KEY": "sk_test_Zq81Lm30Rt77Vb12Kx54Np06",
            "WORKOS_COOKIE_PASSWORD": "J8vQ2mZr5Tn1Xw4Ls7Hd0Pf3Gk6Yb9Ce",
            "WORKOS_COOKIE_PASSWORD_PREVIOUS": "Uo4Ni8Mh2Lg6Kf0Je3Id7Hc1Gb5Fa9Ez",
        ])
        let text = ConfigLoader.describe(config).map { "\($0.name)=\($0.value)" }.joined(separator: "\n")
        #expect(text.contains("WORKOS_API_KEY=sk_test_…(32 chars)"))
        #expect(text.contains("WORKOS_COOKIE_PASSWORD=(32 characters)"))
        for secret in [config.apiKey, config.cookiePassword, config.previousCookiePasswords[0]] {
            // No run of 6 characters of any secret appears.
            let characters = Array(secret)
            for start in 0...(characters.count - 6) where !"sk_test_".contains(String(characters[start..<start + 6])) {
                #expect(!text.contains(String(characters[start..<start + 6])))
            }
        }
    }
}
