import AuthKitCore
import Foundation
import Testing

/// Several sites, one process: two nginx server blocks on one loopback port (virtual hosts
/// a.sites.test and b.sites.test, told apart by `Host`) share one authkit-fcgi and the
/// emulator. Each names its redirect URI (`set $authkit_site_redirect_uri …;`), which
/// `AUTHKIT_ALLOWED_REDIRECT_URIS` allows; a third names one it does not and is denied.
/// The process's own redirect URI is https, so its cookies would be Secure: the sites' (http)
/// must not be.
@Suite(.serialized) struct NginxSitesTests {
    func browser() -> Browser { SiteFlow.browser() }
    func setCookies(_ response: HTTPResponse) -> [String] { SiteFlow.setCookies(response) }
    func signIn(_ site: NginxSite, host: String, callbackPath: String) throws -> Browser {
        try SiteFlow.signIn(port: site.port, host: host, callbackPath: callbackPath, page: "Hello, Ada Lovelace")
    }

    static func server(_ name: String, redirectURI: String) -> String {
        """
        server {
            listen 127.0.0.1:{{port}};
            server_name \(name);
            root {{root}};
            set $authkit_site_redirect_uri \(redirectURI);
            include authkit/authkit.conf;
            location = / {
                try_files /index.html =404;
            }
            location /protected/ {
                auth_request /_authkit/check;
                include authkit/authkit-protect.conf;
                ssi on;
                try_files $uri $uri/index.html =404;
            }
        }
        """
    }

    func makeSite() throws -> NginxSite {
        let a = "http://a.sites.test:{{port}}/auth/callback"
        // b's callback has a path of its own: routed as b's callback only for b.
        let b = "http://b.sites.test:{{port}}/auth/b-callback"
        return try NginxSite(
            environment: [
                "WORKOS_REDIRECT_URI": "https://127.0.0.1:{{port}}/auth/callback",
                "AUTHKIT_ALLOWED_REDIRECT_URIS": "http://*.sites.test:{{port}}/auth/callback, \(b)",
            ],
            emulatorArguments: ["--redirect-uri", a, "--redirect-uri", b, "--redirect-uri", "https://127.0.0.1:{{port}}/auth/callback"],
            extraServers: Self.server("a.sites.test", redirectURI: a) + "\n" + Self.server("b.sites.test", redirectURI: b) + "\n"
                // One `*` is one label: x.y.sites.test is not allowed.
                + Self.server("evil.sites.test", redirectURI: "http://x.y.sites.test:{{port}}/auth/callback"))
    }

    @Test func twoSitesSignInThroughOneProcessEachOnItsOwnOrigin() throws {
        let site = try makeSite()
        let a = try signIn(site, host: "a.sites.test", callbackPath: "/auth/callback")
        let b = try signIn(site, host: "b.sites.test", callbackPath: "/auth/b-callback")
        let originA = "http://a.sites.test:\(site.port)", originB = "http://b.sites.test:\(site.port)"

        // Same-origin checks compare with each site's own origin.
        let token = [("Accept", "application/json"), ("Origin", originB)]
        #expect(try b.send("GET", "\(originB)/auth/token", headers: token).status == 200)
        #expect(try b.send("GET", "\(originB)/auth/token", headers: [("Accept", "application/json"), ("Origin", originA)]).status == 403)
        #expect(try a.send("GET", "\(originA)/auth/token", headers: [("Accept", "application/json"), ("Origin", originA)]).status == 200)

        // Sign-out on b returns to b, whatever return_to names.
        let (after, _) = try b.navigate("\(originB)/auth/sign-out", method: "POST", body: "return_to=https%3A%2F%2Fevil.example%2Fx")
        #expect(after == "\(originB)/x")
        #expect(b.cookie("wos-session") == nil)
        #expect(try a.send("GET", "\(originA)/protected/").status == 200, "a's session is a's")

        // The server block that names no site gets the process's redirect URI (https).
        let plain = try Browser().send("GET", "\(site.base)/auth/sign-in?return_to=%2F")
        let authorize = try #require(URLComponents(string: plain.header("Location") ?? ""))
        #expect(authorize.queryItems?.first { $0.name == "redirect_uri" }?.value == "https://127.0.0.1:\(site.port)/auth/callback")
        #expect(setCookies(plain).first?.hasSuffix("; Secure") == true)
        let (status, _) = site.stop()
        #expect(status == 0)
    }

    @Test func aSiteNamingARedirectURIOffTheAllowlistIsDenied() throws {
        let site = try makeSite()
        let evil = "http://evil.sites.test:\(site.port)"
        let browser = browser()
        let page = try browser.send("GET", "\(evil)/protected/")
        #expect(page.status == 500)
        let signIn = try browser.send("GET", "\(evil)/auth/sign-in?return_to=%2F")
        #expect(signIn.status == 500 && signIn.header("Location") == nil)
        #expect(setCookies(signIn).isEmpty && setCookies(page).isEmpty)
        let log = site.stop().log
        let lines = log.split(separator: "\n").filter { $0.contains("bad location setting") }
        #expect(lines.count == 2, "\(log.suffix(800))")
        #expect(lines.allSatisfy { $0.contains("AUTHKIT_SITE_REDIRECT_URI is ") && $0.contains("http://x.y.sites.test") && $0.contains("Fix:") }, "\(lines)")
    }
}

/// The sign-in flow on one virtual host, shared by the nginx and Apache suites.
enum SiteFlow {
    static let hosts: Set<String> = ["a.sites.test", "b.sites.test", "evil.sites.test"]

    static func browser() -> Browser {
        let browser = Browser()
        browser.loopbackNames = Self.hosts
        return browser
    }

    static func setCookies(_ response: HTTPResponse) -> [String] {
        response.headers.filter { $0.name.lowercased() == "set-cookie" }.map(\.value)
    }

    /// Signs in on one site through the whole flow, checking that every step stays on it.
    static func signIn(port: Int, host: String, callbackPath: String, page expected: String) throws -> Browser {
        let origin = "http://\(host):\(port)"
        let browser = browser()
        let (url, page) = try browser.navigate("\(origin)/protected/")
        #expect(url == "\(origin)/protected/", "\(host)")
        #expect(page.status == 200 && String(decoding: page.body, as: UTF8.self).contains(expected), "\(host): \(page.status)")
        let hops = browser.history.map { URLComponents(string: $0.url)! }
        #expect(hops.map(\.percentEncodedPath) == ["/protected/", "/auth/sign-in", "/user_management/authorize", callbackPath, "/protected/"], "\(host)")
        #expect(hops.map { $0.host ?? "" } == [host, host, "127.0.0.1", host, host], "\(host)")
        try #require(browser.history.count == 5, "\(host): \(browser.history.map(\.response.status))")

        // The sign-in endpoint sent WorkOS this site's redirect URI, and a verifier cookie for http.
        let signIn = browser.history[1].response
        let authorize = try #require(URLComponents(string: signIn.header("Location") ?? ""))
        #expect(authorize.queryItems?.first { $0.name == "redirect_uri" }?.value == "\(origin)\(callbackPath)", "\(host)")
        let verifier = try #require(setCookies(signIn).first { $0.hasPrefix("wos-auth-verifier-") })
        #expect(verifier.hasSuffix("Path=/; HttpOnly; SameSite=Lax; Max-Age=600"), "\(verifier)")

        // The callback landed on this site's origin and set the session cookie for it (not Secure).
        let callback = browser.history[3].response
        #expect(callback.status == 302 && callback.header("Location") == "\(origin)/protected/", "\(host): \(callback.header("Location") ?? "-")")
        let session = try #require(setCookies(callback).first { $0.hasPrefix("wos-session=") })
        #expect(session.hasSuffix("; Path=/; HttpOnly; SameSite=Lax; Max-Age=34560000"), "\(session)")
        #expect(!session.contains("Secure") && !session.contains("Domain"), "\(session)")
        return browser
    }
}

/// The same with Apache: two name-based VirtualHosts on one port, each naming its site with
/// `SetEnvIf` (which reaches both the FastCGI authorizer and the `/auth/` ProxyPass), sharing one
/// authkit-fcgi; a third names a redirect URI the allowlist does not allow.
@Suite(.serialized) struct ApacheSitesTests {
    static func virtualHost(_ name: String, redirectURI: String?) -> String {
        """
        <VirtualHost 127.0.0.1:{{port}}>
            ServerName \(name)
        \(redirectURI.map { "    SetEnvIf Request_URI \".\" AUTHKIT_SITE_REDIRECT_URI=\($0)" } ?? "")
        </VirtualHost>
        """
    }

    @Test func twoVirtualHostsSignInThroughOneProcess() throws {
        let a = "http://a.sites.test:{{port}}/auth/callback"
        let b = "http://b.sites.test:{{port}}/auth/b-callback"
        // The first VirtualHost is the default for the address: the process's own site.
        let site = try ApacheSite(
            .authorizer,
            environment: [
                "WORKOS_REDIRECT_URI": "https://127.0.0.1:{{port}}/auth/callback",
                "AUTHKIT_ALLOWED_REDIRECT_URIS": "http://*.sites.test:{{port}}/auth/callback,\(b)",
            ],
            emulatorArguments: ["--redirect-uri", a, "--redirect-uri", b],
            extraSite: [Self.virtualHost("127.0.0.1", redirectURI: nil), Self.virtualHost("a.sites.test", redirectURI: a),
                        Self.virtualHost("b.sites.test", redirectURI: b),
                        Self.virtualHost("evil.sites.test", redirectURI: "http://x.y.sites.test:{{port}}/auth/callback")].joined(separator: "\n"))
        defer { _ = site.stop() }
        _ = try SiteFlow.signIn(port: site.port, host: "a.sites.test", callbackPath: "/auth/callback", page: "<h1>Signed in</h1>")
        let browserB = try SiteFlow.signIn(port: site.port, host: "b.sites.test", callbackPath: "/auth/b-callback", page: "<h1>Signed in</h1>")
        let originB = "http://b.sites.test:\(site.port)"
        #expect(try browserB.send("GET", "\(originB)/auth/token", headers: [("Accept", "application/json"), ("Origin", originB)]).status == 200)

        // The default VirtualHost names no site: the process's redirect URI.
        let plain = try Browser().send("GET", "\(site.base)/auth/sign-in?return_to=%2F")
        let authorize = try #require(URLComponents(string: plain.header("Location") ?? ""))
        #expect(authorize.queryItems?.first { $0.name == "redirect_uri" }?.value == "https://127.0.0.1:\(site.port)/auth/callback")

        // Not allowed: denied, for the authorizer and for the endpoints.
        let evil = SiteFlow.browser()
        #expect(try evil.send("GET", "http://evil.sites.test:\(site.port)/protected/").status == 500)
        let signIn = try evil.send("GET", "http://evil.sites.test:\(site.port)/auth/sign-in?return_to=%2F")
        #expect(signIn.status == 500 && signIn.header("Location") == nil)
    }
}
