import AuthKitCore
import Foundation
import Testing

/// authkit-fcgi as Apache's FastCGI authorizer (mod_authnz_fcgi) with the endpoints through
/// mod_proxy_fcgi, against a real apache2 and the emulator; a CGI script shows what it receives.
@Suite(.serialized) struct ApacheFlowTests {
    func body(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func signInIdentityForCGIRefreshSignOut() throws {
        let site = try ApacheSite()
        let browser = Browser()
        let (url, page) = try browser.navigate("\(site.base)/protected/cgi-bin/whoami?x=1")
        #expect(url == "\(site.base)/protected/cgi-bin/whoami?x=1", "\(site.errorLog)")
        #expect(page.status == 200)
        let identity = body(page)
        #expect(identity.contains("REMOTE_USER=user_01EMULATEADMIN0000000000\n"), "\(identity)")
        #expect(identity.contains("AUTHKIT_USER_EMAIL=ada@example.com\n"))
        #expect(identity.contains("AUTHKIT_ROLE=admin\n"))
        #expect(identity.contains("AUTHKIT_PERMISSIONS=posts:read,posts:write,users:manage\n"))
        #expect(browser.cookie("wos-session")?.hasPrefix("Fe26.2*1*") == true)

        // A client cannot smuggle identity in.
        let spoofed = try browser.send("GET", "\(site.base)/protected/cgi-bin/whoami", headers: Browser.navigation + [
            ("AUTHKIT_USER_ID", "user_spoofed"), ("Authkit-User-Email", "evil@example.com"), ("Variable-AUTHKIT_ROLE", "owner"),
        ])
        #expect(body(spoofed).contains("AUTHKIT_USER_ID=user_01EMULATEADMIN0000000000\n"))
        #expect(!body(spoofed).contains("spoofed") && !body(spoofed).contains("evil") && !body(spoofed).contains("owner"))

        #expect(try browser.send("GET", "\(site.base)/admin/").status == 200)

        // Refresh: an expired token is refreshed by the authorizer and the cookie reaches the browser.
        try site.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":-400}"#)
        let browser2 = Browser()
        _ = try browser2.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=ada%40example.com")
        try site.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":0}"#)
        let before = browser2.cookie("wos-session")
        let refreshed = try browser2.send("GET", "\(site.base)/protected/cgi-bin/whoami")
        #expect(refreshed.status == 200)
        #expect(refreshed.headers.filter { $0.name.lowercased() == "set-cookie" }.count == 1)
        #expect(browser2.cookie("wos-session") != before)

        // Sign-out through mod_proxy_fcgi.
        let (after, _) = try browser.navigate("\(site.base)/auth/sign-out", method: "POST", body: "return_to=%2F")
        #expect(after == "\(site.base)/")
        #expect(browser.cookie("wos-session") == nil)
        #expect(try browser.send("GET", "\(site.base)/protected/").status == 302)
        let (status, _) = site.stop()
        #expect(status == 0)
    }

    @Test func scriptsGet401AndMembersGet403() throws {
        let site = try ApacheSite()
        let browser = Browser()
        let xhr = try browser.send("GET", "\(site.base)/protected/cgi-bin/whoami", headers: [("Accept", "application/json"), ("X-Requested-With", "XMLHttpRequest")])
        #expect(xhr.status == 401)
        #expect(xhr.header("Location") == nil)
        #expect(browser.cookies.isEmpty)
        let page = try browser.send("GET", "\(site.base)/protected/")
        #expect(page.status == 302)
        #expect(page.header("Location")?.hasSuffix("/auth/sign-in?return_to=%2Fprotected%2F") == true)

        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=grace%40example.com")
        #expect(try browser.send("GET", "\(site.base)/protected/").status == 200)
        #expect(try browser.send("GET", "\(site.base)/admin/").status == 403)
    }
}
