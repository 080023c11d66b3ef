import Testing
@testable import AuthKitCore

/// One process, several sites: a location's `AUTHKIT_SITE_REDIRECT_URI` (allowed by
/// `AUTHKIT_ALLOWED_REDIRECT_URIS`) decides the redirect URI, the callback path, the origin
/// redirects land on and same-origin checks compare with, and the cookies' attributes.
@Suite struct SiteTests {
    let browser = ["accept": "text/html", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document"]
    static let siteB = "http://b.example.net:8080/b/callback"

    func fixture() -> ServiceFixture {
        ServiceFixture { settings in
            settings.allowedRedirectURIs = try! AllowedRedirectURIs.parse("http://b.example.net:8080/b/callback,https://*.example.org/auth/callback").get()
            settings.eagerAuth = true
        }
    }

    func site(_ uri: String, base: String? = nil) -> [String: String] {
        var parameters = [Site.redirectURIParameter: uri]
        parameters[Site.baseURLParameter] = base
        return parameters
    }

    static func cookie(_ setCookie: String) -> (name: String, value: String) {
        let pair = setCookie.prefix { $0 != ";" }
        let equals = pair.firstIndex(of: "=")!
        return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
    }

    @Test func theWholeFlowFollowsTheSite() throws {
        let fixture = fixture()
        let service = fixture.service
        let b = site(Self.siteB)

        // The check's sign-in redirect is relative: it stays on the host the browser is on.
        var check = b
        check["AUTHKIT_ACTION"] = "check"
        check["AUTHKIT_SERVED_PATH"] = "/docs/"
        let denied = service.handle(AuthRequest(method: "GET", requestURI: "/docs/", headers: browser, parameters: check))
        #expect(denied.status == 401 && denied.header("X-AuthKit-Sign-In") == "/auth/sign-in?return_to=%2Fdocs%2F")
        // The site's callback path is public on the site.
        check["AUTHKIT_SERVED_PATH"] = "/b/callback"
        #expect(service.handle(AuthRequest(method: "GET", requestURI: "/b/callback", headers: browser, parameters: check)).status == 200)

        // Sign-in: the site's redirect URI; its verifier cookie is not Secure (http site).
        let signIn = service.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-in?return_to=%2Fdocs%2F", headers: browser, parameters: b))
        let location = try #require(signIn.header("Location"))
        #expect(location.contains("redirect_uri=\(PercentEncoding.uriComponent(Self.siteB))&"), "\(location)")
        let verifierHeader = try #require(signIn.headers(named: "Set-Cookie").first)
        #expect(!verifierHeader.contains("Secure"), "\(verifierHeader)")
        let verifier = Self.cookie(verifierHeader)

        // The callback is routed at the site's path, and lands on the site's origin.
        let callback = service.handle(AuthRequest(
            method: "GET", requestURI: "/b/callback?code=code_1&state=\(PercentEncoding.uriComponent(verifier.value))",
            headers: browser.merging(["cookie": "\(verifier.name)=\(verifier.value)"]) { a, _ in a }, parameters: b))
        #expect(callback.status == 302)
        #expect(callback.header("Location") == "http://b.example.net:8080/docs/")
        let sessionHeader = try #require(callback.headers(named: "Set-Cookie").last)
        #expect(sessionHeader.hasPrefix("wos-session=") && !sessionHeader.contains("Secure"), "\(sessionHeader)")
        // Without the site, the process's callback path is the callback and /b/callback is nothing.
        #expect(service.handle(AuthRequest(method: "GET", requestURI: "/b/callback?code=c&state=s", headers: browser)).status == 404)
        let session = Self.cookie(sessionHeader).value

        // eagerAuth's cookie is Secure by the site's scheme.
        var allowed = b
        allowed["AUTHKIT_ACTION"] = "check"
        allowed["AUTHKIT_SERVED_PATH"] = "/docs/"
        let page = browser.merging(["cookie": "wos-session=\(session)"]) { a, _ in a }
        let eagerB = service.handle(AuthRequest(method: "GET", requestURI: "/docs/", headers: page, parameters: allowed))
        #expect(eagerB.status == 200 && eagerB.header("X-AuthKit-Eager-Auth-Cookie")?.hasSuffix("; SameSite=Lax; Max-Age=30") == true)
        let eagerProcess = service.handle(AuthRequest(method: "GET", requestURI: "/docs/", headers: page, parameters: ["AUTHKIT_ACTION": "check", "AUTHKIT_SERVED_PATH": "/docs/"]))
        #expect(eagerProcess.header("X-AuthKit-Eager-Auth-Cookie")?.hasSuffix("; Max-Age=30; Secure") == true)

        // A refresh through the check sets the session cookie with the site's attributes.
        fixture.clock.advance(seconds: 400)
        let refreshed = service.handle(AuthRequest(method: "GET", requestURI: "/docs/", headers: ["cookie": "wos-session=\(session)"], parameters: allowed))
        #expect(refreshed.status == 200)
        #expect(refreshed.header("Set-Cookie").map { $0.hasPrefix("wos-session=") && $0.hasSuffix("Max-Age=34560000") } == true, "\(refreshed.header("Set-Cookie") ?? "-")")
        let refreshedProcess = service.handle(AuthRequest(method: "GET", requestURI: "/docs/", headers: ["cookie": "wos-session=\(session)"],
                                                          parameters: ["AUTHKIT_ACTION": "check", "AUTHKIT_SERVED_PATH": "/docs/"]))
        #expect(refreshedProcess.header("Set-Cookie")?.hasSuffix("; Secure") == true, "\(refreshedProcess.header("Set-Cookie") ?? "-")")
        fixture.clock.advance(seconds: -400)

        // Same-origin checks compare with the site's origin.
        let asB = ["cookie": "wos-session=\(session)", "origin": "http://b.example.net:8080"]
        #expect(service.handle(AuthRequest(method: "GET", requestURI: "/auth/token", headers: asB, parameters: b)).status == 200)
        #expect(service.handle(AuthRequest(method: "GET", requestURI: "/auth/token", headers: asB)).status == 403)
        let asProcess = ["cookie": "wos-session=\(session)", "origin": "https://app.example.com"]
        #expect(service.handle(AuthRequest(method: "GET", requestURI: "/auth/token", headers: asProcess, parameters: b)).status == 403)
        let crossSite = service.handle(AuthRequest(method: "POST", requestURI: "/auth/sign-out", headers: asProcess, parameters: b))
        #expect(crossSite.status == 403)

        // Sign-out returns to the site's origin; its cookie deletion has the site's attributes.
        let signOut = service.handle(AuthRequest(method: "POST", requestURI: "/auth/sign-out", headers: asB.merging(["content-type": "application/x-www-form-urlencoded"]) { a, _ in a },
                                                 parameters: b, body: Array("return_to=https%3A%2F%2Fevil.com%2Fx".utf8)))
        #expect(signOut.status == 303)
        #expect(signOut.header("Location")?.hasSuffix("return_to=\(PercentEncoding.uriComponent("http://b.example.net:8080/x"))") == true, "\(signOut.header("Location") ?? "")")
        #expect(signOut.headers(named: "Set-Cookie").first.map { $0.hasPrefix("wos-session=;") && !$0.contains("Secure") } == true)
    }

    @Test func theProcessSiteIsUnchangedWithoutTheParameter() throws {
        let service = fixture().service
        let signIn = service.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-in", headers: browser))
        #expect(signIn.header("Location")?.contains("redirect_uri=\(PercentEncoding.uriComponent("https://app.example.com/auth/callback"))&") == true)
        #expect(signIn.headers(named: "Set-Cookie").first?.contains("; Secure") == true)
        // An empty value is no site (nginx's if_not_empty sends none, Apache may send an empty one).
        let empty = service.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-in", headers: browser, parameters: [Site.redirectURIParameter: ""]))
        #expect(empty.status == 302)
        #expect(empty.header("Location")?.contains("redirect_uri=\(PercentEncoding.uriComponent("https://app.example.com/auth/callback"))&") == true)
    }

    @Test func aSiteTheAllowlistDoesNotAllowIsDeniedWith500() {
        let service = fixture().service
        for parameters in [
            site("https://evil.com/auth/callback"), site("https://x.y.example.org/auth/callback"),
            site("https://a.example.org.evil.com/auth/callback"), site("https://a.example.org@evil.com/auth/callback"),
            site("http://a.example.org/auth/callback"), site(Self.siteB, base: "https://evil.com"),
            [Site.baseURLParameter: "http://b.example.net:8080"],
        ] {
            for (action, uri) in [("check", "/docs/"), (nil, "/auth/sign-in"), (nil, "/b/callback?code=c&state=s"), (nil, "/auth/callback?code=c&state=s"),
                                  (nil, "/auth/token"), (nil, "/auth/nothing")] {
                var all = parameters
                all["AUTHKIT_ACTION"] = action
                all["AUTHKIT_SERVED_PATH"] = "/docs/"
                let answer = service.handle(AuthRequest(method: "GET", requestURI: uri, headers: browser, parameters: all))
                #expect(answer.status == 500, "\(parameters) \(uri)")
                #expect(answer.header("Location") == nil && answer.headers(named: "Set-Cookie").isEmpty)
            }
        }
        // No allowlist: no site may be named.
        let noList = ServiceFixture().service
        #expect(noList.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-in", headers: browser, parameters: site(Self.siteB))).status == 500)
    }

    @Test func problemsNameTheParameterAndTheFix() throws {
        guard case .failure(let none) = Site.named(by: site(Self.siteB), allowlist: .none) else { Issue.record("accepted"); return }
        #expect(none.all.map(\.description) == ["AUTHKIT_SITE_REDIRECT_URI is set, but AUTHKIT_ALLOWED_REDIRECT_URIS is not. Fix: list http://b.example.net:8080/b/callback (or a pattern such as https://*.example.com/auth/callback) in the process setting AUTHKIT_ALLOWED_REDIRECT_URIS, and register it in the WorkOS dashboard"])
        let list = try AllowedRedirectURIs.parse(Self.siteB).get()
        guard case .failure(let other) = Site.named(by: site("https://evil.com/cb"), allowlist: list) else { Issue.record("accepted"); return }
        #expect(other.all.first?.parameter == "AUTHKIT_SITE_REDIRECT_URI" && other.all.first?.problem.contains("\"https://evil.com/cb\", which AUTHKIT_ALLOWED_REDIRECT_URIS does not allow") == true)
        guard case .failure(let base) = Site.named(by: site(Self.siteB, base: "http://c.example.net:8080"), allowlist: list) else { Issue.record("accepted"); return }
        #expect(base.all.first?.parameter == "AUTHKIT_SITE_BASE_URL")
    }

    @Test func aBaseURLOnTheSameOriginOrAllowedItselfMovesTheOrigin() throws {
        let list = try AllowedRedirectURIs.parse("https://a.example.org/auth/callback,https://app.example.org/").get()
        let same = try #require(try Site.named(by: site("https://a.example.org/auth/callback", base: "HTTPS://A.example.org/ignored/path"), allowlist: list).get())
        #expect(same.origin == "https://a.example.org" && same.callbackPath == "/auth/callback")
        let other = try #require(try Site.named(by: site("https://a.example.org/auth/callback", base: "https://app.example.org"), allowlist: list).get())
        #expect(other.origin == "https://app.example.org" && other.redirectURI == "https://a.example.org/auth/callback")
        #expect(throws: LocationSettings.Problems.self) { try Site.named(by: site("https://a.example.org/auth/callback", base: "https://b.example.org"), allowlist: list).get() }
        #expect(throws: LocationSettings.Problems.self) { try Site.named(by: site("https://a.example.org/auth/callback", base: "https://a.example.org@evil.com"), allowlist: list).get() }
    }

    @Test func cookieAttributesFollowTheSite() {
        let process = CookieOptions(name: "wos-session", domain: ".example.org", sameSite: .lax, secure: true, maxAge: 60)
        let https = Site(origin: "https://a.example.org", redirectURI: "https://a.example.org/auth/callback")
        let http = Site(origin: "http://b.example.net:8080", redirectURI: "http://b.example.net:8080/cb")
        #expect(process.forSite(https) == process)
        let b = process.forSite(http)
        #expect(b.secure == false && b.domain == nil, "a domain the host is not under is dropped: the browser would refuse the cookie")
        #expect(CookieOptions(name: "s", domain: "example.org", sameSite: .lax, secure: true, maxAge: 1).forSite(https).domain == "example.org")
        #expect(CookieOptions(name: "s", domain: "ample.org", sameSite: .lax, secure: true, maxAge: 1).forSite(https).domain == nil)
        #expect(CookieOptions(name: "s", domain: nil, sameSite: .none, secure: true, maxAge: 1).forSite(http).secure, "SameSite=None is always Secure")
    }
}
