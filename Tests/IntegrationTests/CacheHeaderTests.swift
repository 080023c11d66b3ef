import AuthKitCore
import Foundation
import Testing

/// Every answer from a protected location is marked for no shared cache, in every setup
/// (issue 26 item 3: through the CGI guard, allowed answers carried none and kept ETag and
/// Last-Modified, so a shared cache could hand one user's page to another). Issue 21 item 3:
/// with exactly authkit-nextjs's headers, each once (not repeated by the snippets), and a public
/// answer without a session cookie stays cacheable.
@Suite struct CacheHeaderTests {
    func values(_ answer: HTTPResponse, _ name: String) -> [String] {
        answer.headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    func expectPrivate(_ answer: HTTPResponse, _ what: String) {
        #expect(values(answer, "Cache-Control") == ["private, no-cache, no-store, must-revalidate, max-age=0"], "\(what)")
        #expect(values(answer, "Pragma") == ["no-cache"], "\(what)")
        #expect(values(answer, "Expires") == ["0"], "\(what)")
        #expect(values(answer, "Vary") == ["Cookie"], "\(what)")
    }

    /// Cacheable: none of the prevention headers, only `Vary: Cookie` (a signed-in visitor's copy
    /// of the same URL may differ).
    func expectCacheable(_ answer: HTTPResponse, _ what: String) {
        #expect(values(answer, "Cache-Control").isEmpty, "\(what): \(values(answer, "Cache-Control"))")
        #expect(values(answer, "Pragma").isEmpty && values(answer, "Expires").isEmpty, "\(what)")
        #expect(values(answer, "Vary") == ["Cookie"], "\(what)")
    }

    @Test func nginxMarksProtectedAnswers() throws {
        let site = try NginxSite()
        // Before signing in: a refusal is private, an optional page is not.
        expectPrivate(try Browser().send("GET", site.base + "/protected/"), "nginx anonymous /protected/")
        expectPrivate(try Browser().send("GET", site.base + "/protected/", headers: [("Accept", "application/json")]), "nginx anonymous 401")
        let anonymous = try Browser().send("GET", site.base + "/blog/")
        #expect(anonymous.status == 200)
        expectCacheable(anonymous, "nginx anonymous /blog/ (optional)")
        // A stale or broken cookie is still an answer about a session (authkit tests presence).
        expectPrivate(try Browser().send("GET", site.base + "/blog/", headers: [("Cookie", "wos-session=broken")]), "nginx /blog/ with a bad cookie")

        let browser = Browser()
        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=ada%40example.com")
        for path in ["/protected/", "/admin/", "/whoami", "/blog/"] {
            expectPrivate(try browser.send("GET", site.base + path), "nginx \(path)")
        }
        expectPrivate(try browser.send("GET", site.base + "/auth/session"), "nginx /auth/session")
    }

    @Test(arguments: ApacheSite.Setup.allCases)
    func apacheMarksProtectedAnswers(setup: ApacheSite.Setup) throws {
        let site = try ApacheSite(setup, environment: ["WORKOS_UNAUTHENTICATED_PATHS": "/protected/app.html"])
        defer { _ = site.stop() }
        let anonymousPublic = try Browser().send("GET", site.base + "/protected/app.html")
        #expect(anonymousPublic.status == 200, "\(setup) public file")
        if setup == .cgi {
            // The guard's hand-back request cannot learn the check's answer: every file is marked.
            expectPrivate(anonymousPublic, "\(setup) public file")
        } else {
            expectCacheable(anonymousPublic, "\(setup) public file")
        }
        let browser = Browser()
        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=ada%40example.com")
        for path in ["/protected/", "/protected/index.html", "/protected/app.html", "/protected/cgi-bin/whoami", "/admin/"] {
            let answer = try browser.send("GET", site.base + path)
            #expect(answer.status == 200, "\(setup) \(path)")
            expectPrivate(answer, "\(setup) \(path)")
        }
        // Refusals too.
        expectPrivate(try Browser().send("GET", site.base + "/protected/"), "\(setup) anonymous")
    }
}
