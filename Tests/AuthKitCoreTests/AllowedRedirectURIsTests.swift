import Testing
@testable import AuthKitCore

/// `AUTHKIT_ALLOWED_REDIRECT_URIS`: which redirect URIs a site may name, and the attacks that
/// must not pass (another host, a suffix trick, two labels for one `*`, user info, encodings).
@Suite struct AllowedRedirectURIsTests {
    let allowed = try! AllowedRedirectURIs.parse(
        "https://app.example.com/auth/callback, https://*.example.com/auth/callback, http://a.test:8080/cb").get()

    func permits(_ candidate: String) -> String? { allowed.permitted(candidate)?.text }

    @Test func exactAndOneLabelWildcardMatch() {
        #expect(permits("https://app.example.com/auth/callback") == "https://app.example.com/auth/callback")
        #expect(permits("https://docs.example.com/auth/callback") == "https://docs.example.com/auth/callback")
        #expect(permits("https://x-1.example.com/auth/callback") == "https://x-1.example.com/auth/callback")
        #expect(permits("http://a.test:8080/cb") == "http://a.test:8080/cb")
    }

    @Test func attacksAreRefused() {
        for attack in [
            "https://evil.com/auth/callback",
            "https://a.example.com.evil.com/auth/callback",   // the allowed name as a prefix of another
            "https://evil-example.com/auth/callback",
            "https://example.com/auth/callback",               // * needs a label
            "https://x.y.example.com/auth/callback",           // * is one label, not two
            "https://a.example.com@evil.com/auth/callback",    // user info
            "https://evil.com@a.example.com/auth/callback",    // user info, even before an allowed host
            "https://a.example.com./auth/callback",            // trailing dot: another origin
            "https://a%2eexample.com/auth/callback",           // percent-encoded dot
            "https://a.example%2ecom/auth/callback",
            "https://ａ.example.com/auth/callback",            // fullwidth a (non-ASCII)
            "https://a.exаmple.com/auth/callback",             // Cyrillic а
            "https://a.example.com\u{301}/auth/callback",      // a combining mark glued on
            "http://app.example.com/auth/callback",            // http for an https entry
            "https://a.test:8080/cb",                          // https for an http entry
            "http://a.test/cb", "http://a.test:80/cb", "http://a.test:08080/cb",  // ports are exact
            "https://app.example.com/auth/callback/", "https://app.example.com/auth/callbacks",
            "https://app.example.com/AUTH/callback",           // the path is bytes
            "https://app.example.com/auth/%63allback",
            "https://app.example.com/auth/../auth/callback",
            "https://app.example.com/auth/callback?x=1", "https://app.example.com/auth/callback#x",
            "https://app.example.com\\auth/callback", "https://app.example.com/auth/callback ",
            " https://app.example.com/auth/callback", "https://app.example.com/auth/call\nback",
            "//app.example.com/auth/callback", "/auth/callback", "app.example.com/auth/callback",
            "javascript://app.example.com/auth/callback", "https:/app.example.com/auth/callback",
            "https://[::1]/auth/callback", "https://*.example.com/auth/callback", "https://a..example.com/auth/callback",
            "", "https://",
        ] {
            #expect(permits(attack) == nil, "\(attack)")
        }
    }

    @Test func schemeAndHostCompareCaseInsensitivelyAndAreRebuiltLowerCase() {
        #expect(permits("HTTPS://APP.Example.COM/auth/callback") == "https://app.example.com/auth/callback")
        #expect(permits("https://DOCS.EXAMPLE.COM/auth/callback") == "https://docs.example.com/auth/callback")
        // KELVIN SIGN is not a k.
        #expect(AllowedRedirectURIs.parse("https://kb.example.com/cb").map { $0.permitted("https://\u{212A}b.example.com/cb") == nil } == .success(true))
    }

    @Test func noListAllowsNothing() throws {
        #expect(AllowedRedirectURIs.none.permitted("https://app.example.com/auth/callback") == nil)
        #expect(try AllowedRedirectURIs.parse(" , ").get().isEmpty)
    }

    @Test func badEntriesAreEachReported() throws {
        let result = AllowedRedirectURIs.parse(
            "https://ok.example.com/cb,https://*.com/cb,https://a*.example.com/cb,https://*.*.example.com/cb,https://u@a.example.com/cb,ftp://a.example.com/cb,https://a.example.com/cb/*,https://*.10.0.0.1/cb,https://a.example.com/cb?x")
        guard case .failure(let problems) = result else { Issue.record("accepted"); return }
        #expect(problems.all.map(\.position) == [2, 3, 4, 5, 6, 7, 8, 9])
        #expect(problems.all[0].description.hasPrefix("entry 2 (https://*.com/cb) has too few labels after *"))
        #expect(problems.all[1].reason.contains("a * may only be the whole first label"))
        #expect(problems.all[3].reason.contains("user info"))
        #expect(problems.all[4].reason.contains("not an http:// or https:// URL"))
        #expect(problems.all[5].reason.contains("* in its path"))
        #expect(problems.all[6].reason.contains("IP address"))
        #expect(problems.all[7].reason.contains("query"))
    }

    @Test func configRefusesABadListWithEveryEntryInOneLine() {
        var variables = ["WORKOS_CLIENT_ID": "client_1", "WORKOS_API_KEY": "sk_test_1", "WORKOS_COOKIE_PASSWORD": Fixtures.password,
                         "WORKOS_REDIRECT_URI": "https://app.example.com/auth/callback"]
        variables["AUTHKIT_ALLOWED_REDIRECT_URIS"] = "https://*.com/cb,https://ok.example.com/cb,https://a.example.com@evil.com/cb"
        #expect(throws: ConfigErrors.self) { try ConfigLoader.load(variables) }
        do {
            _ = try ConfigLoader.load(variables)
        } catch {
            #expect(error.errors.count == 1)
            let error = error.errors.first ?? ConfigError(variable: "", problem: "", fix: "")
            #expect(error.variable == "AUTHKIT_ALLOWED_REDIRECT_URIS")
            #expect(error.line.contains("entry 1 (https://*.com/cb)") && error.line.contains("entry 3 (https://a.example.com@evil.com/cb) has user info"), "\(error.line)")
            #expect(error.line.contains("Fix: list redirect URIs"))
        }
        variables["AUTHKIT_ALLOWED_REDIRECT_URIS"] = "https://*.example.com/auth/callback"
        let config = try? ConfigLoader.load(variables)
        #expect(config?.allowedRedirectURIs.permitted("https://b.example.com/auth/callback") != nil)
        #expect(LocationSettings.processNames.contains("AUTHKIT_ALLOWED_REDIRECT_URIS"))
    }
}
