import Testing
@testable import AuthKitCore

/// `ConfigLoader`: authkit-nextjs's variables, names and defaults, plus ours; one-line errors.
@Suite struct ConfigLoaderTests {
    let minimal = [
        "WORKOS_CLIENT_ID": "client_01", "WORKOS_API_KEY": "sk_test_1234567890abcdefghij",
        "WORKOS_COOKIE_PASSWORD": "this-is-a-32-character-password!",
        "WORKOS_REDIRECT_URI": "https://app.example.com/auth/callback",
    ]

    func load(_ changes: [String: String]) throws(ConfigErrors) -> AuthKitConfig {
        try ConfigLoader.load(minimal.merging(changes) { _, b in b })
    }

    /// The first problem reported (the only one, where one setting is bad).
    func failure(_ changes: [String: String]) -> ConfigError? {
        do { _ = try load(changes); return nil } catch { return error.errors.first }
    }

    func failure(without names: [String], _ changes: [String: String] = [:]) -> ConfigError? {
        var variables = minimal.merging(changes) { _, b in b }
        for name in names { variables[name] = nil }
        do { _ = try ConfigLoader.load(variables); return nil } catch { return error.errors.first }
    }

    // MARK: Defaults

    @Test func defaultsAreAuthkitNextjs() throws {
        let config = try load([:])
        #expect(config.clientId == "client_01")
        #expect(config.apiKey == "sk_test_1234567890abcdefghij")
        #expect(config.cookiePassword == "this-is-a-32-character-password!")
        #expect(config.previousCookiePasswords.isEmpty)
        #expect(config.redirectURI == "https://app.example.com/auth/callback")
        #expect(config.cookieName == "wos-session")
        #expect(config.cookieMaxAge == 34_560_000)
        #expect(config.cookieSameSite == .lax)
        #expect(config.cookieDomain == nil)
        #expect(config.apiHostname == "api.workos.com")
        #expect(config.apiHTTPS == true)
        #expect(config.apiPort == nil)
        #expect(config.apiBaseURL == "https://api.workos.com")
        #expect(config.refreshBufferSeconds == nil)
        #expect(config.clockLeewaySeconds == 0)
        #expect(config.httpConnectTimeoutMillis == 3000)
        #expect(config.httpTotalTimeoutMillis == 10_000)
        #expect(config.endpointPrefix == "/auth/")
    }

    @Test func emptyValuesCountAsUnset() throws {
        let names = [
            "WORKOS_COOKIE_NAME", "WORKOS_COOKIE_MAX_AGE", "WORKOS_COOKIE_DOMAIN", "WORKOS_COOKIE_SAMESITE",
            "WORKOS_API_HOSTNAME", "WORKOS_API_HTTPS", "WORKOS_API_PORT", "WORKOS_COOKIE_PASSWORD_PREVIOUS",
            "WORKOS_REFRESH_BUFFER_SECONDS", "AUTHKIT_CLOCK_LEEWAY_SECONDS", "AUTHKIT_HTTP_CONNECT_TIMEOUT_MS",
            "AUTHKIT_HTTP_TIMEOUT_MS", "NEXT_PUBLIC_WORKOS_REDIRECT_URI",
        ]
        let config = try load(Dictionary(uniqueKeysWithValues: names.map { ($0, "") }))
        #expect(config == (try load([:])))
        // Required ones: empty is "not set".
        for name in ["WORKOS_CLIENT_ID", "WORKOS_API_KEY", "WORKOS_COOKIE_PASSWORD", "WORKOS_REDIRECT_URI"] {
            #expect(failure([name: ""])?.line.hasPrefix("\(name) is not set") == true)
        }
    }

    // MARK: Each variable

    @Test func everyVariableIsRead() throws {
        let config = try load([
            "WORKOS_COOKIE_NAME": "my-session", "WORKOS_COOKIE_MAX_AGE": "3600", "WORKOS_COOKIE_DOMAIN": ".example.com",
            "WORKOS_COOKIE_SAMESITE": "strict", "WORKOS_API_HOSTNAME": "127.0.0.1", "WORKOS_API_HTTPS": "false",
            "WORKOS_API_PORT": "4100", "WORKOS_REFRESH_BUFFER_SECONDS": "0", "AUTHKIT_CLOCK_LEEWAY_SECONDS": "300",
            "AUTHKIT_HTTP_CONNECT_TIMEOUT_MS": "500", "AUTHKIT_HTTP_TIMEOUT_MS": "500",
            "WORKOS_COOKIE_PASSWORD_PREVIOUS": "an-older-password-of-at-least-32-chars, ",
            "WORKOS_UNAUTHENTICATED_PATHS": "/public/:path*, /", "AUTHKIT_ENDPOINT_PREFIX": "/_auth",
        ])
        #expect(config.cookieName == "my-session")
        #expect(config.cookieMaxAge == 3600)
        #expect(config.cookieDomain == ".example.com")
        #expect(config.cookieSameSite == .strict)
        #expect(config.apiBaseURL == "http://127.0.0.1:4100")
        #expect(config.apiPort == 4100)
        #expect(config.refreshBufferSeconds == 0)
        #expect(config.clockLeewaySeconds == 300)
        #expect(config.httpConnectTimeoutMillis == 500 && config.httpTotalTimeoutMillis == 500)
        #expect(config.previousCookiePasswords == ["an-older-password-of-at-least-32-chars"])
        #expect(config.unauthenticatedPaths == ["/public/:path*", "/"])
        #expect(config.endpointPrefix == "/_auth/")
    }

    @Test(arguments: [
        ("3600abc", 3600), ("  42", 42), ("+7", 7), ("0", 0), ("12.9", 12), ("1e3", 1), ("abc", 34_560_000), ("-", 34_560_000),
    ])
    func cookieMaxAgeIsParseIntWithAuthkitsFallback(_ text: String, _ expected: Int) throws {
        // authkit-nextjs: `parseInt(WORKOS_COOKIE_MAX_AGE, 10)`, 34560000 when NaN.
        #expect(try load(["WORKOS_COOKIE_MAX_AGE": text]).cookieMaxAge == expected)
    }

    @Test func refreshHooksNeedASecretAndAnHTTPURL() throws {
        let both = try load([
            "AUTHKIT_ON_REFRESH_SUCCESS_URL": "http://127.0.0.1:3000/refreshed", "AUTHKIT_ON_REFRESH_ERROR_URL": "https://hooks.example/failed",
            "AUTHKIT_ON_REFRESH_SECRET": "0123456789abcdef",
        ])
        #expect(both.onRefreshSuccessURL == "http://127.0.0.1:3000/refreshed" && both.onRefreshErrorURL == "https://hooks.example/failed")
        #expect(ConfigLoader.describe(both).first { $0.name == "AUTHKIT_ON_REFRESH_SECRET" }?.value == "(16 characters)")
        #expect(try load([:]).onRefreshSecret == nil)
        #expect(failure(["AUTHKIT_ON_REFRESH_ERROR_URL": "https://hooks.example/failed"])?.variable == "AUTHKIT_ON_REFRESH_SECRET")
        #expect(failure(["AUTHKIT_ON_REFRESH_SUCCESS_URL": "https://hooks.example/r", "AUTHKIT_ON_REFRESH_SECRET": "short"])?.variable == "AUTHKIT_ON_REFRESH_SECRET")
        #expect(failure(["AUTHKIT_ON_REFRESH_SUCCESS_URL": "/relative", "AUTHKIT_ON_REFRESH_SECRET": "0123456789abcdef"])?.variable == "AUTHKIT_ON_REFRESH_SUCCESS_URL")
    }

    @Test func negativeCookieMaxAgeIsRefused() {
        let error = failure(["WORKOS_COOKIE_MAX_AGE": "-5"])
        #expect(error?.variable == "WORKOS_COOKIE_MAX_AGE")
        #expect(error?.line.contains("negative") == true)
    }

    @Test(arguments: [("lax", CookieSameSite.lax), ("Strict", .strict), ("NONE", CookieSameSite.none), ("LaX", .lax)])
    func sameSiteIsCaseInsensitive(_ text: String, _ expected: CookieSameSite) throws {
        #expect(try load(["WORKOS_COOKIE_SAMESITE": text]).cookieSameSite == expected)
    }

    @Test func sameSiteErrorNamesTheAllowedValues() {
        let line = failure(["WORKOS_COOKIE_SAMESITE": "sometimes"])?.line ?? ""
        #expect(line.hasPrefix("WORKOS_COOKIE_SAMESITE "))
        for allowed in ["lax", "strict", "none"] { #expect(line.contains(allowed)) }
    }

    @Test func apiHTTPSAcceptsTrueAndFalse() throws {
        #expect(try load(["WORKOS_API_HTTPS": "true"]).apiHTTPS == true)
        #expect(try load(["WORKOS_API_HTTPS": "FALSE"]).apiHTTPS == false)
        #expect(try load(["WORKOS_API_HTTPS": "False", "WORKOS_API_PORT": "80"]).apiBaseURL == "http://api.workos.com:80")
        // authkit-nextjs compares with 'true'; anything else would be read differently, so refuse it.
        #expect(failure(["WORKOS_API_HTTPS": "1"])?.variable == "WORKOS_API_HTTPS")
        #expect(failure(["WORKOS_API_HTTPS": "yes"])?.variable == "WORKOS_API_HTTPS")
    }

    @Test func cookieNameMustBeAnRFC6265Token() throws {
        for good in ["wos-session", "__Host-session", "a.b_c!#$%&'*+^`|~"] {
            #expect(try load(["WORKOS_COOKIE_NAME": good]).cookieName == good)
        }
        for bad in ["a b", "a=b", "a;b", "a,b", "(x)", "\"x\"", "a/b", "sessión", "a\tb", "a\u{7F}"] {
            #expect(failure(["WORKOS_COOKIE_NAME": bad])?.variable == "WORKOS_COOKIE_NAME", "\(bad.debugDescription)")
        }
    }

    @Test func cookieDomainIsVerbatim() throws {
        #expect(try load(["WORKOS_COOKIE_DOMAIN": ".Example.COM"]).cookieDomain == ".Example.COM")
    }

    @Test func timeouts() throws {
        #expect(try load(["AUTHKIT_HTTP_CONNECT_TIMEOUT_MS": "1000"]).httpConnectTimeoutMillis == 1000)
        #expect(try load(["AUTHKIT_HTTP_TIMEOUT_MS": "20000"]).httpTotalTimeoutMillis == 20000)
        let error = failure(["AUTHKIT_HTTP_CONNECT_TIMEOUT_MS": "5000", "AUTHKIT_HTTP_TIMEOUT_MS": "4000"])
        #expect(error?.variable == "AUTHKIT_HTTP_TIMEOUT_MS")
        #expect(error?.line.contains("AUTHKIT_HTTP_CONNECT_TIMEOUT_MS") == true)
        // The default total (10000) is checked against a longer connect timeout too.
        #expect(failure(["AUTHKIT_HTTP_CONNECT_TIMEOUT_MS": "20000"])?.variable == "AUTHKIT_HTTP_TIMEOUT_MS")
    }

    // MARK: Redirect URI

    @Test func nextPublicRedirectURIIsAcceptedAndTheOtherWins() throws {
        var variables = minimal
        variables["WORKOS_REDIRECT_URI"] = nil
        variables["NEXT_PUBLIC_WORKOS_REDIRECT_URI"] = "http://localhost:3000/callback"
        #expect(try ConfigLoader.load(variables).redirectURI == "http://localhost:3000/callback")
        variables["WORKOS_REDIRECT_URI"] = ""
        #expect(try ConfigLoader.load(variables).redirectURI == "http://localhost:3000/callback")
        variables["WORKOS_REDIRECT_URI"] = "https://a.example/cb"
        #expect(try ConfigLoader.load(variables).redirectURI == "https://a.example/cb")
    }

    @Test func redirectURIErrorsNameTheVariableInUse() {
        #expect(failure(without: ["WORKOS_REDIRECT_URI"])?.line.hasPrefix(
            "WORKOS_REDIRECT_URI is not set (NEXT_PUBLIC_WORKOS_REDIRECT_URI is accepted too)") == true)
        #expect(failure(without: ["WORKOS_REDIRECT_URI"], ["NEXT_PUBLIC_WORKOS_REDIRECT_URI": "/callback"])?.variable
            == "NEXT_PUBLIC_WORKOS_REDIRECT_URI")
        #expect(failure(["WORKOS_REDIRECT_URI": "/callback", "NEXT_PUBLIC_WORKOS_REDIRECT_URI": "https://a.example/cb"])?.variable
            == "WORKOS_REDIRECT_URI")
    }

    @Test(arguments: [
        "/relative/callback", "localhost:3000/callback", "ftp://a.example/cb", "https://", "https:///cb", "https://:443/cb",
        "https://user@/cb", "https://a.example:99999/cb", "https://a.example:0/cb", "https://a.example:+80/cb",
        "https://a.example:/cb", "http://exa mple.com/cb", "https://[::1/cb", "javascript://x",
    ])
    func redirectURIMustBeAbsoluteHTTPWithAHost(_ uri: String) {
        let error = failure(["WORKOS_REDIRECT_URI": uri])
        #expect(error?.variable == "WORKOS_REDIRECT_URI")
        #expect(error?.line.contains("Fix: ") == true)
    }

    @Test(arguments: [
        "http://localhost:3000/callback", "https://app.example.com/auth/callback", "HTTPS://APP.EXAMPLE.COM/cb",
        "https://[::1]:8443/cb", "http://127.0.0.1/cb?x=1", "https://user:pw@a.example/cb", "https://a.example",
    ])
    func acceptedRedirectURIs(_ uri: String) throws {
        #expect(try load(["WORKOS_REDIRECT_URI": uri]).redirectURI == uri)
    }

    // MARK: Passwords

    @Test func passwordLengthCountsUTF16LikeJavaScript() throws {
        // 30 ASCII + one emoji (2 UTF-16 units) = 32 units in 31 characters: accepted, as in JS.
        let emoji = String(repeating: "a", count: 30) + "😀"
        #expect(emoji.count == 31 && emoji.utf16.count == 32)
        #expect(try load(["WORKOS_COOKIE_PASSWORD": emoji]).cookiePassword == emoji)
        // 16 × "e + combining acute": 16 characters, 32 UTF-16 units.
        #expect(failure(["WORKOS_COOKIE_PASSWORD": String(repeating: "e\u{301}", count: 16)]) == nil)
        // 29 ASCII + emoji = 31 units: refused, and the count reported is JavaScript's.
        let short = failure(["WORKOS_COOKIE_PASSWORD": String(repeating: "a", count: 29) + "😀"])
        #expect(short?.problem == "is too short (31 characters; at least 32 are required)")
        #expect(failure(["WORKOS_COOKIE_PASSWORD": String(repeating: "b", count: 31)])?.variable == "WORKOS_COOKIE_PASSWORD")
        #expect(failure(["WORKOS_COOKIE_PASSWORD": String(repeating: "b", count: 32)]) == nil)
    }

    @Test func previousPasswords() throws {
        let old1 = String(repeating: "1", count: 32), old2 = String(repeating: "2", count: 40)
        let config = try load(["WORKOS_COOKIE_PASSWORD_PREVIOUS": " \(old1) ,, \(old2),"])
        #expect(config.previousCookiePasswords == [old1, old2])
        let error = failure(["WORKOS_COOKIE_PASSWORD_PREVIOUS": "\(old1),Zk81-tooShort-Pw9"])
        #expect(error?.variable == "WORKOS_COOKIE_PASSWORD_PREVIOUS")
        #expect(error?.problem == "is too short (entry 2) (17 characters; at least 32 are required)")
        #expect(error?.line.contains("Zk81") == false)
    }

    // MARK: Error lines

    @Test func errorLinesReadAsTheBriefSays() {
        #expect(failure(["WORKOS_COOKIE_PASSWORD": "Qz7-pw-12chr"])?.line ==
            "WORKOS_COOKIE_PASSWORD is too short (12 characters; at least 32 are required). Fix: set it to a random string, e.g. the output of `openssl rand -base64 24`.")
        #expect(failure(["WORKOS_CLIENT_ID": ""])?.line ==
            "WORKOS_CLIENT_ID is not set. Fix: copy the client ID (client_…) from the WorkOS dashboard, API Keys page.")
        #expect(failure(without: ["WORKOS_API_KEY"])?.line.hasPrefix("WORKOS_API_KEY is not set. Fix: ") == true)
        #expect(failure(without: ["WORKOS_COOKIE_PASSWORD"])?.line.contains("openssl rand -base64 24") == true)
        #expect(ConfigError(variable: "X", problem: "is odd", fix: "do this.").line == "X is odd. Fix: do this.")
    }

    @Test func requiredVariablesAreReportedFirst() {
        #expect(failure(without: ["WORKOS_CLIENT_ID"], ["WORKOS_COOKIE_SAMESITE": "bad"])?.variable == "WORKOS_CLIENT_ID")
        #expect(failure(without: Array(minimal.keys))?.variable == "WORKOS_CLIENT_ID")
    }

    @Test(arguments: [
        ("WORKOS_CLIENT_ID", ""), ("WORKOS_API_KEY", ""), ("WORKOS_COOKIE_PASSWORD", ""), ("WORKOS_COOKIE_PASSWORD", "Qz7-pw"),
        ("WORKOS_REDIRECT_URI", ""), ("WORKOS_REDIRECT_URI", "/relative/callback"), ("WORKOS_COOKIE_SAMESITE", "sometimes"),
        ("WORKOS_COOKIE_MAX_AGE", "-5"), ("WORKOS_API_HTTPS", "maybe"), ("WORKOS_API_PORT", "70000"), ("WORKOS_API_PORT", "0"),
        ("WORKOS_API_PORT", "http"), ("WORKOS_COOKIE_NAME", "bad name;"), ("AUTHKIT_CLOCK_LEEWAY_SECONDS", "301"),
        ("AUTHKIT_CLOCK_LEEWAY_SECONDS", "-1"), ("AUTHKIT_CLOCK_LEEWAY_SECONDS", "1.5"), ("WORKOS_REFRESH_BUFFER_SECONDS", "-1"),
        ("WORKOS_REFRESH_BUFFER_SECONDS", "soon"), ("AUTHKIT_HTTP_CONNECT_TIMEOUT_MS", "0"), ("AUTHKIT_HTTP_CONNECT_TIMEOUT_MS", "3s"),
        ("AUTHKIT_HTTP_TIMEOUT_MS", "100"), ("AUTHKIT_HTTP_TIMEOUT_MS", "ten"), ("WORKOS_COOKIE_PASSWORD_PREVIOUS", "Xk9-old"),
        ("WORKOS_UNAUTHENTICATED_PATHS", "/files/*"), ("AUTHKIT_BASE_URL", "example.com"),
    ])
    func invalidValuesNameTheVariableAndTheFix(_ name: String, _ value: String) {
        guard let error = failure([name: value]) else { Issue.record("\(name)=\(value) accepted"); return }
        #expect(error.variable == name)
        #expect(error.line.hasPrefix(name + " "))
        #expect(error.line.contains(". Fix: "))
        #expect(error.line.hasSuffix("."))
        #expect(!error.line.contains("\n"))
        if !value.isEmpty, name.contains("PASSWORD") || name.contains("API_KEY") { #expect(!error.line.contains(value)) }
    }

    // MARK: Every problem at once

    @Test func everyBadSettingIsReportedAtOnceInTheOrderOfTheVariables() {
        var variables = minimal.merging([
            "WORKOS_COOKIE_PASSWORD": "Qz7-pw-12chr", "AUTHKIT_HTTP_RETRIES": "abc", "WORKOS_COOKIE_SAMESITE": "sideways",
            "AUTHKIT_ALLOWED_REDIRECT_URIS": "https://*.com/cb", "AUTHKIT_ASSERTION_TTL_SECONDS": "0",
        ]) { _, b in b }
        variables["WORKOS_CLIENT_ID"] = nil
        do {
            let config = try ConfigLoader.load(variables)
            Issue.record("loaded: \(config)")
        } catch {
            #expect(error.errors.map(\.variable) == [
                "WORKOS_CLIENT_ID", "WORKOS_COOKIE_PASSWORD", "WORKOS_COOKIE_SAMESITE", "AUTHKIT_HTTP_RETRIES",
                "AUTHKIT_ALLOWED_REDIRECT_URIS", "AUTHKIT_ASSERTION_TTL_SECONDS",
            ])
            #expect(error.lines == error.errors.map(\.line))
            #expect(error.lines.first == "WORKOS_CLIENT_ID is not set. Fix: copy the client ID (client_…) from the WorkOS dashboard, API Keys page.")
            for (problem, line) in zip(error.errors, error.lines) {
                #expect(line.hasPrefix(problem.variable + " ") && line.contains(". Fix: ") && !line.contains("\n"), "\(line)")
            }
            #expect(!error.description.contains("Qz7-pw"))
            #expect(error.description.split(separator: "\n").count == 6)
        }
    }

    @Test func aProblemIsReportedOnceNotAgainThroughTheChecksThatDependOnIt() {
        func variables(_ changes: [String: String], without names: [String] = []) -> [String] {
            var all = minimal.merging(changes) { _, b in b }
            for name in names { all[name] = nil }
            do { _ = try ConfigLoader.load(all); return [] } catch { return error.errors.map(\.variable) }
        }
        // A missing password is not also too short; a bad timeout is not also compared with the other.
        #expect(variables([:], without: ["WORKOS_COOKIE_PASSWORD"]) == ["WORKOS_COOKIE_PASSWORD"])
        #expect(variables(["AUTHKIT_HTTP_CONNECT_TIMEOUT_MS": "abc", "AUTHKIT_HTTP_TIMEOUT_MS": "1000"]) == ["AUTHKIT_HTTP_CONNECT_TIMEOUT_MS"])
        #expect(variables(["AUTHKIT_HTTP_CONNECT_TIMEOUT_MS": "5000", "AUTHKIT_HTTP_TIMEOUT_MS": "x"]) == ["AUTHKIT_HTTP_TIMEOUT_MS"])
        // A refused key directory is not also "nowhere to keep the key".
        #expect(variables(["AUTHKIT_ASSERTION_ALG": "es256", "AUTHKIT_ASSERTION_KEY_DIR": "keys"]) == ["AUTHKIT_ASSERTION_KEY_DIR"])
        #expect(variables(["AUTHKIT_ASSERTION_ALG": "es256", "AUTHKIT_CACHE_DIR": "cache"]) == ["AUTHKIT_CACHE_DIR"])
        // One refresh secret for both hooks: missing once; a bad hook URL and the missing secret both.
        #expect(variables(["AUTHKIT_ON_REFRESH_SUCCESS_URL": "https://h.example/r", "AUTHKIT_ON_REFRESH_ERROR_URL": "https://h.example/e"])
            == ["AUTHKIT_ON_REFRESH_SECRET"])
        #expect(variables(["AUTHKIT_ON_SUCCESS_URL": "/relative"]) == ["AUTHKIT_ON_SUCCESS_URL", "AUTHKIT_ON_SUCCESS_SECRET"])
        #expect(variables([:], without: ["WORKOS_REDIRECT_URI", "WORKOS_API_KEY"]) == ["WORKOS_API_KEY", "WORKOS_REDIRECT_URI"])
    }

    // MARK: describe

    @Test func describeMasksSecrets() throws {
        let config = try load([
            "WORKOS_API_KEY": "sk_test_Zq81Lm30Rt77Vb12Kx54Np06",
            "WORKOS_COOKIE_PASSWORD": "J8vQ2mZr5Tn1Xw4Ls7Hd0Pf3Gk6Yb9Ce",
            "WORKOS_COOKIE_PASSWORD_PREVIOUS": "Uo4Ni8Mh2Lg6Kf0Je3Id7Hc1Gb5Fa9Ez,Wp3Oq7Rs1Tu5Vw9Xy2Za6Bc0De4Fg8Hi",
        ])
        let described = ConfigLoader.describe(config)
        let text = described.map { "\($0.name)=\($0.value)" }.joined(separator: "\n")
        #expect(text.contains("WORKOS_API_KEY=sk_test_…(32 chars)\n"))
        #expect(text.contains("WORKOS_COOKIE_PASSWORD=(32 characters)\n"))
        #expect(text.contains("WORKOS_COOKIE_PASSWORD_PREVIOUS=(32 characters), (32 characters)\n"))
        #expect(!text.contains(config.apiKey))
        for secret in [config.apiKey, config.cookiePassword] + config.previousCookiePasswords {
            // No run of 6 characters of any secret appears (the public `sk_test_` prefix aside).
            let characters = Array(secret)
            for start in 0...(characters.count - 6) {
                let run = String(characters[start..<start + 6])
                if "sk_test_".contains(run) { continue }
                #expect(!text.contains(run), "\(run)")
            }
        }
    }

    @Test func describeShowsEverythingElseInFull() throws {
        let config = try load([
            "WORKOS_CLIENT_ID": "client_01HXYZ", "WORKOS_COOKIE_DOMAIN": ".example.com", "WORKOS_COOKIE_SAMESITE": "None",
            "WORKOS_API_HOSTNAME": "127.0.0.1", "WORKOS_API_HTTPS": "false", "WORKOS_API_PORT": "4100",
            "WORKOS_COOKIE_MAX_AGE": "3600", "WORKOS_REFRESH_BUFFER_SECONDS": "45", "AUTHKIT_CLOCK_LEEWAY_SECONDS": "5",
        ])
        let values = Dictionary(ConfigLoader.describe(config).map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(ConfigLoader.describe(config).count == values.count)  // one line per name
        #expect(values["WORKOS_CLIENT_ID"] == "client_01HXYZ")
        #expect(values["WORKOS_REDIRECT_URI"] == "https://app.example.com/auth/callback")
        #expect(values["WORKOS_COOKIE_NAME"] == "wos-session")
        #expect(values["WORKOS_COOKIE_MAX_AGE"] == "3600")
        #expect(values["WORKOS_COOKIE_DOMAIN"] == ".example.com")
        #expect(values["WORKOS_COOKIE_SAMESITE"] == "none")
        #expect(values["WORKOS_API_HOSTNAME"] == "127.0.0.1")
        #expect(values["WORKOS_API_HTTPS"] == "false")
        #expect(values["WORKOS_API_PORT"] == "4100")
        #expect(values["WORKOS_REFRESH_BUFFER_SECONDS"] == "45")
        #expect(values["AUTHKIT_CLOCK_LEEWAY_SECONDS"] == "5")
        #expect(values["AUTHKIT_HTTP_CONNECT_TIMEOUT_MS"] == "3000")
        #expect(values["AUTHKIT_HTTP_TIMEOUT_MS"] == "10000")
        #expect(values["WORKOS_COOKIE_PASSWORD_PREVIOUS"] == "(none)")
        for (name, value) in ConfigLoader.describe(config) {
            #expect(!name.isEmpty && !name.contains("=") && !value.contains("\n"))
        }
    }

    @Test func maskKeyNeverShowsTheSecretPart() {
        #expect(ConfigLoader.maskKey("sk_test_" + String(repeating: "x", count: 32)) == "sk_test_…(40 chars)")
        #expect(ConfigLoader.maskKey("sk_live_abc") == "sk_live_…(11 chars)")
        #expect(ConfigLoader.maskKey("abcdef") == "…(6 chars)")
        #expect(ConfigLoader.maskKey("key_" + String(repeating: "q", count: 36)) == "key…(40 chars)")
    }

    @Test func apiKeyCacheSettings() throws {
        let defaults = try ConfigLoader.load(minimal).apiKeyCache
        #expect(defaults == ApiKeyCachePolicy(positiveMillis: 60_000, negativeMillis: 10_000, capacity: 10_000))
        let set = try ConfigLoader.load(minimal.merging([
            "AUTHKIT_API_KEY_CACHE_SECONDS": "5", "AUTHKIT_API_KEY_NEGATIVE_CACHE_SECONDS": "0", "AUTHKIT_API_KEY_CACHE_SIZE": "7",
        ]) { _, b in b })
        #expect(set.apiKeyCache == ApiKeyCachePolicy(positiveMillis: 5000, negativeMillis: 0, capacity: 7))
        #expect(ConfigLoader.describe(set).contains { $0.name == "AUTHKIT_API_KEY_CACHE_SECONDS" && $0.value == "5" })
        for (name, value) in [("AUTHKIT_API_KEY_CACHE_SECONDS", "-1"), ("AUTHKIT_API_KEY_NEGATIVE_CACHE_SECONDS", "86401"), ("AUTHKIT_API_KEY_CACHE_SIZE", "1e3")] {
            #expect(throws: ConfigErrors.self, "\(name)") { try ConfigLoader.load(minimal.merging([name: value]) { _, b in b }) }
        }
        // Process settings, not location ones: a CGI environment or Apache SetEnv carrying them is not refused.
        #expect((try? LocationSettings.parse(["AUTHKIT_API_KEY_CACHE_SECONDS": "5"]).get()) != nil)
    }
}

/// `AUTHKIT_ASSERTION_*`: off by default; on needs somewhere to keep the key; bad values refused.
@Suite struct AssertionConfigTests {
    let base = ConfigLoaderTests()

    @Test func offByDefaultWithItsDefaults() throws {
        let config = try base.load([:])
        #expect(config.assertionAlgorithm == nil)
        #expect(config.assertionLifetimeSeconds == 60 && config.assertionRotateDays == 30)
        #expect(try base.load(["AUTHKIT_ASSERTION_ALG": "OFF"]).assertionAlgorithm == nil)
    }

    @Test func onWithADirectoryOrAKeyFile() throws {
        #expect(try base.load(["AUTHKIT_ASSERTION_ALG": "ES256", "AUTHKIT_CACHE_DIR": "/var/cache/a"]).assertionAlgorithm == .es256)
        let config = try base.load(["AUTHKIT_ASSERTION_ALG": "rs256", "AUTHKIT_ASSERTION_KEY_DIR": "/k", "AUTHKIT_ASSERTION_TTL_SECONDS": "30"])
        #expect(config.assertionAlgorithm == .rs256 && config.assertionKeyDirectory == "/k" && config.assertionLifetimeSeconds == 30)
        #expect(try base.load(["AUTHKIT_ASSERTION_ALG": "es256", "AUTHKIT_ASSERTION_KEY_FILE": "/k.pem"]).assertionKeyFile == "/k.pem")
    }

    @Test func badValuesAreRefusedNamingTheVariable() {
        #expect(base.failure(["AUTHKIT_ASSERTION_ALG": "es256"])?.variable == "AUTHKIT_ASSERTION_ALG", "nowhere to keep the key")
        #expect(base.failure(["AUTHKIT_ASSERTION_ALG": "hs256", "AUTHKIT_CACHE_DIR": "/c"])?.variable == "AUTHKIT_ASSERTION_ALG")
        #expect(base.failure(["AUTHKIT_ASSERTION_ALG": "none", "AUTHKIT_CACHE_DIR": "/c"])?.variable == "AUTHKIT_ASSERTION_ALG")
        #expect(base.failure(["AUTHKIT_ASSERTION_TTL_SECONDS": "0"])?.variable == "AUTHKIT_ASSERTION_TTL_SECONDS")
        #expect(base.failure(["AUTHKIT_ASSERTION_TTL_SECONDS": "3600"])?.variable == "AUTHKIT_ASSERTION_TTL_SECONDS")
        #expect(base.failure(["AUTHKIT_ASSERTION_ROTATE_DAYS": "0"])?.variable == "AUTHKIT_ASSERTION_ROTATE_DAYS")
        #expect(base.failure(["AUTHKIT_ASSERTION_KEY_DIR": "relative/keys"])?.variable == "AUTHKIT_ASSERTION_KEY_DIR")
    }

    @Test func everySettingIsAProcessName() {
        for name in ["AUTHKIT_ASSERTION_ALG", "AUTHKIT_ASSERTION_TTL_SECONDS", "AUTHKIT_ASSERTION_KEY_FILE", "AUTHKIT_ASSERTION_KEY_DIR", "AUTHKIT_ASSERTION_ROTATE_DAYS"] {
            #expect(LocationSettings.processNames.contains(name), "\(name)")
            #expect(ConfigLoader.describe(try! base.load([:])).contains { $0.name == name }, "\(name) in check-config")
        }
        #expect(LocationSettings.identityNames.contains("AUTHKIT_ASSERTION"))
    }
}
