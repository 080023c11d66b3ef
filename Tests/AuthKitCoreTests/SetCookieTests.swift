import Testing
@testable import AuthKitCore

/// `Set-Cookie` values of authkit-nextjs's middleware path (spec §1.1) and the options behind them.
@Suite struct SetCookieTests {
    static func options(
        name: String = "wos-session", domain: String? = nil, sameSite: CookieSameSite = .lax, secure: Bool = false,
        maxAge: Int = 34_560_000
    ) -> CookieOptions {
        CookieOptions(name: name, domain: domain, sameSite: sameSite, secure: secure, maxAge: maxAge)
    }

    static func config(redirectURI: String, sameSite: CookieSameSite = .lax, domain: String? = nil) -> AuthKitConfig {
        AuthKitConfig(
            clientId: "client_01", apiKey: "sk_test", cookiePassword: "this-is-a-32-character-password!",
            redirectURI: redirectURI, cookieDomain: domain, cookieSameSite: sameSite)
    }

    // MARK: Set

    @Test func setDefault() {
        #expect(SetCookie.set("Fe26.2*1*abc~2", options: Self.options())
            == "wos-session=Fe26.2*1*abc~2; Path=/; HttpOnly; SameSite=Lax; Max-Age=34560000")
    }

    @Test func setWithDomain() {
        #expect(SetCookie.set("v", options: Self.options(domain: "example.com"))
            == "wos-session=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=34560000; Domain=example.com")
    }

    @Test func setWithSecure() {
        #expect(SetCookie.set("v", options: Self.options(secure: true))
            == "wos-session=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=34560000; Secure")
    }

    @Test func setWithDomainAndSecure() {
        #expect(SetCookie.set("v", options: Self.options(domain: ".example.com", secure: true))
            == "wos-session=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=34560000; Domain=.example.com; Secure")
    }

    @Test func setWithCustomNameAndMaxAge() {
        #expect(SetCookie.set("v", options: Self.options(name: "my-session", maxAge: 3600))
            == "my-session=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600")
    }

    @Test(arguments: [(CookieSameSite.lax, "Lax"), (.strict, "Strict"), (.none, "None")])
    func sameSiteIsCapitalised(_ sameSite: CookieSameSite, _ written: String) {
        #expect(sameSite.attributeValue == written)
        #expect(SetCookie.set("v", options: Self.options(sameSite: sameSite, secure: true))
            == "wos-session=v; Path=/; HttpOnly; SameSite=\(written); Max-Age=34560000; Secure")
        #expect(SetCookie.delete(options: Self.options(sameSite: sameSite))
            == "wos-session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=\(written); Max-Age=0")
    }

    // MARK: Delete

    @Test func deleteDefault() {
        #expect(SetCookie.delete(options: Self.options())
            == "wos-session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
    }

    @Test func deleteWithDomainAndSecure() {
        #expect(SetCookie.delete(options: Self.options(domain: "example.com", secure: true))
            == "wos-session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Domain=example.com; Secure")
    }

    @Test func deleteIgnoresConfiguredMaxAge() {
        #expect(SetCookie.delete(options: Self.options(maxAge: 42)).hasSuffix("Max-Age=0"))
    }

    // MARK: CookieOptions.session(config:)

    @Test func sessionOptionsFromDefaultConfig() {
        let options = CookieOptions.session(config: Self.config(redirectURI: "https://app.example.com/auth/callback"))
        #expect(options == CookieOptions(name: "wos-session", domain: nil, sameSite: .lax, secure: true, maxAge: 34_560_000))
    }

    @Test func sessionOptionsCarryNameDomainAndMaxAge() {
        var config = Self.config(redirectURI: "http://localhost:3000/callback", sameSite: .strict, domain: "example.com")
        config.cookieName = "custom"
        config.cookieMaxAge = 600
        let options = CookieOptions.session(config: config)
        #expect(options == CookieOptions(name: "custom", domain: "example.com", sameSite: .strict, secure: false, maxAge: 600))
        #expect(SetCookie.set("v", options: options)
            == "custom=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=600; Domain=example.com")
    }

    /// Expected values agree with authkit-nextjs's rule as run in node v20:
    /// `sameSite === 'none' || !u ? true : (() => { try { return new URL(u).protocol === 'https:' } catch { return true } })()`.
    @Test(arguments: [
        // https → Secure
        ("https://app.example.com/auth/callback", CookieSameSite.lax, true),
        ("HTTPS://APP.EXAMPLE.COM/callback", .lax, true),
        ("https://localhost:8443/callback", .strict, true),
        ("https:app.example.com", .lax, true),
        ("https:/x", .lax, true),
        // http → not Secure
        ("http://localhost:3000/auth/callback", .lax, false),
        ("HTTP://localhost/callback", .strict, false),
        ("http://127.0.0.1:8080/cb", .lax, false),
        ("http://[::1]:8080/cb", .lax, false),
        // SameSite=None → always Secure
        ("http://localhost:3000/auth/callback", .none, true),
        ("https://app.example.com/cb", .none, true),
        ("not a url", .none, true),
        // No URL or an unparseable one → Secure
        ("", .lax, true),
        ("not a url", .lax, true),
        ("//app.example.com/callback", .lax, true),
        ("/auth/callback", .strict, true),
    ])
    func secureRule(_ uri: String, _ sameSite: CookieSameSite, _ secure: Bool) {
        #expect(CookieOptions.session(config: Self.config(redirectURI: uri, sameSite: sameSite)).secure == secure)
        #expect(CookieOptions.secureFlag(sameSite: sameSite, url: uri) == secure)
    }

    @Test func noURLMeansSecure() {
        #expect(CookieOptions.secureFlag(sameSite: .lax, url: nil))
        #expect(CookieOptions.secureFlag(sameSite: .strict, url: nil))
    }

    @Test func httpsSessionCookieEndToEnd() {
        let options = CookieOptions.session(config: Self.config(redirectURI: "https://app.example.com/auth/callback", domain: "example.com"))
        #expect(SetCookie.set("seal", options: options)
            == "wos-session=seal; Path=/; HttpOnly; SameSite=Lax; Max-Age=34560000; Domain=example.com; Secure")
        #expect(SetCookie.delete(options: options)
            == "wos-session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Domain=example.com; Secure")
    }
}
