import AuthKitCore
import Foundation
import Testing

/// authkit-fcgi behind a real apache2 in each shipped setup — the FastCGI authorizer
/// (mod_authnz_fcgi + mod_proxy_fcgi), mod_fcgid's access checker, and plain CGI — against the
/// emulator; a CGI script shows what it receives.
@Suite(.serialized) struct ApacheFlowTests {
    func body(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test(arguments: ApacheSite.Setup.allCases)
    func signInIdentityForCGIRefreshSignOut(setup: ApacheSite.Setup) throws {
        let site = try ApacheSite(setup, emulatorArguments: StrictRefresh.arguments())
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
        // Identity is for the script, never for the browser.
        #expect(!page.headers.contains { $0.name.lowercased().hasPrefix("variable-") || $0.name.lowercased().hasPrefix("x-authkit-") })

        // A static page in the protected area, served by Apache itself.
        let staticPage = try browser.send("GET", "\(site.base)/protected/")
        #expect(staticPage.status == 200)
        #expect(body(staticPage).contains("<h1>Signed in</h1>"))

        // A client cannot smuggle identity in.
        let spoofed = try browser.send("GET", "\(site.base)/protected/cgi-bin/whoami", headers: Browser.navigation + [
            ("AUTHKIT_USER_ID", "user_spoofed"), ("Authkit-User-Email", "evil@example.com"), ("Variable-AUTHKIT_ROLE", "owner"),
            ("X-AuthKit-User-Id", "user_spoofed"),
        ])
        #expect(body(spoofed).contains("AUTHKIT_USER_ID=user_01EMULATEADMIN0000000000\n"))
        #expect(!body(spoofed).contains("spoofed") && !body(spoofed).contains("evil") && !body(spoofed).contains("owner"))

        #expect(try browser.send("GET", "\(site.base)/admin/").status == 200)

        // Refresh: an expired token is refreshed by the check and the cookie reaches the browser.
        try site.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":-400}"#)
        let browser2 = Browser()
        _ = try browser2.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=ada%40example.com")
        try site.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":0}"#)
        let before = browser2.cookie("wos-session")
        #expect(before != nil)
        let refreshed = try browser2.send("GET", "\(site.base)/protected/cgi-bin/whoami")
        #expect(refreshed.status == 200)
        #expect(body(refreshed).contains("AUTHKIT_USER_EMAIL=ada@example.com\n"))
        #expect(refreshed.headers.filter { $0.name.lowercased() == "set-cookie" }.count == 1)
        #expect(browser2.cookie("wos-session") != before)
        #expect(try site.emulator.counters()["refreshes"] == 1)
        // The refreshed cookie works on its own, without another refresh.
        #expect(try browser2.send("GET", "\(site.base)/protected/").status == 200)
        #expect(try site.emulator.counters()["refreshes"] == 1)

        // The authorizer setup's long-running process counts its checks for a local scraper.
        if setup == .authorizer {
            let metrics = try Browser().send("GET", "\(site.base)/auth/metrics", headers: [])
            #expect(metrics.status == 200, "\(site.errorLog)")
            #expect(body(metrics).contains(#"authkit_checks_total{outcome="allowed"}"#))
            #expect(body(metrics).contains(#"authkit_refreshes_total{outcome="success"} 1"#))
        }

        // Sign-out.
        let (after, _) = try browser.navigate("\(site.base)/auth/sign-out", method: "POST", body: "return_to=%2F")
        #expect(after == "\(site.base)/")
        #expect(browser.cookie("wos-session") == nil)
        let signedOut = try browser.send("GET", "\(site.base)/protected/")
        #expect(signedOut.status == 302)
        #expect(signedOut.header("Location")?.hasSuffix("/auth/sign-in?return_to=%2Fprotected%2F") == true)
        let (status, log) = site.stop()
        #expect(status == 0)
        #expect(!log.contains("this-is-a-32-character-password!") && !log.contains(EmulatorProcess.apiKey))
    }

    @Test(arguments: ApacheSite.Setup.allCases)
    func scriptsGet401AndMembersGet403(setup: ApacheSite.Setup) throws {
        let site = try ApacheSite(setup)
        let browser = Browser()
        let xhr = try browser.send("GET", "\(site.base)/protected/cgi-bin/whoami", headers: [("Accept", "application/json"), ("X-Requested-With", "XMLHttpRequest")])
        #expect(xhr.status == 401, "\(site.errorLog)")
        #expect(xhr.header("Location") == nil)
        #expect(browser.cookies.isEmpty)
        let page = try browser.send("GET", "\(site.base)/protected/")
        #expect(page.status == 302)
        #expect(page.header("Location")?.hasSuffix("/auth/sign-in?return_to=%2Fprotected%2F") == true)
        let admin = try browser.send("GET", "\(site.base)/admin/?tab=1")
        #expect(admin.status == 302)
        #expect(admin.header("Location")?.hasSuffix("/auth/sign-in?return_to=%2Fadmin%2F%3Ftab%3D1") == true)

        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=grace%40example.com")
        #expect(try browser.send("GET", "\(site.base)/protected/").status == 200)
        let forbidden = try browser.send("GET", "\(site.base)/admin/")
        #expect(forbidden.status == 403)
        #expect(!body(forbidden).contains("Admin area"))
    }

    /// Visitors the check lets through without a session (a public path inside a protected
    /// location, a location in optional mode) get the page in every setup. Through
    /// mod_authnz_fcgi this was a 500 (AH02520: the user expression was empty) until the
    /// shipped block gained `DefaultUser -`.
    @Test(arguments: ApacheSite.Setup.allCases)
    func publicPathsAndOptionalModeServeAnonymousVisitors(setup: ApacheSite.Setup) throws {
        let optional = try ApacheSite.adminBlock(setup, location: "/optional/", with: "AUTHKIT_MODE=optional")
        let site = try ApacheSite(setup, environment: ["WORKOS_UNAUTHENTICATED_PATHS": "/protected/open/:path*"], extraSite: optional)
        defer { _ = site.stop() }
        let root = site.directory.appendingPathComponent("html")
        for folder in ["protected/open", "optional"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
            try "page in \(folder)\n".write(to: root.appendingPathComponent("\(folder)/page.txt"), atomically: true, encoding: .utf8)
        }
        _ = try? runCommand("/bin/chmod", ["-R", "a+rX", root.path])
        let anonymous = Browser()
        for folder in ["protected/open", "optional"] {
            let page = try anonymous.send("GET", "\(site.base)/\(folder)/page.txt")
            #expect(page.status == 200, "\(setup) /\(folder)/: \(page.status)")
            #expect(body(page) == "page in \(folder)\n", "\(setup) /\(folder)/")
        }
        // The rest of the protected location still needs a session.
        #expect(try anonymous.send("GET", "\(site.base)/protected/").status == 302, "\(setup)")
    }

    /// A form post to a protected script: the authorizer is sent no body (Apache's
    /// mod_authnz_fcgi sends an AUTHORIZER no FCGI_STDIN even when CONTENT_LENGTH is set), so
    /// it must answer without waiting for one; the script behind it still gets the body.
    @Test(arguments: ApacheSite.Setup.allCases)
    func postsWithABodyPassTheCheck(setup: ApacheSite.Setup) throws {
        let site = try ApacheSite(setup)
        let browser = Browser()
        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F")
        let started = Date()
        let posted: HTTPResponse
        do {
            posted = try browser.send("POST", "\(site.base)/protected/cgi-bin/whoami", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                      body: "note=" + String(repeating: "x", count: 3000))
        } catch {
            Issue.record("\(error); Apache's log: \(site.errorLog)")
            return
        }
        #expect(posted.status == 200, "\(site.errorLog)")
        #expect(body(posted).contains("REMOTE_USER=user_01EMULATEADMIN0000000000\n"))
        #expect(body(posted).contains("BODY_BYTES=3005\n"), "\(body(posted))")
        #expect(Date().timeIntervalSince(started) < 5)
        do {
            let anonymous = try Browser().send("POST", "\(site.base)/protected/cgi-bin/whoami", headers: [("Accept", "application/json")], body: "note=1")
            #expect(anonymous.status == 401)
        } catch {
            Issue.record("anonymous: \(error); Apache's log: \(site.errorLog)")
        }
    }

    /// The helper URLs of the mod_fcgid and CGI setups answer only inside Apache's own
    /// redirects: requested directly they neither reveal nor grant anything.
    @Test func helperURLsAreNotEntryPoints() throws {
        let cgi = try ApacheSite(.cgi)
        let member = Browser()
        _ = try member.navigate("\(cgi.base)/auth/sign-in?return_to=%2F&login_hint=grace%40example.com")
        // Without the admin location's requirement the guard would allow a member: refused.
        let direct = try member.send("GET", "\(cgi.base)/.authkit-guard/admin/")
        #expect(direct.status == 403)
        #expect(!body(direct).contains("Admin area"))
        _ = cgi.stop()

        let fcgid = try ApacheSite(.fcgid)
        let denied = try Browser().send("GET", "\(fcgid.base)/auth/denied")
        #expect(denied.status == 404)
        _ = fcgid.stop()
    }
}
