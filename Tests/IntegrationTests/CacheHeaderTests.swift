import AuthKitCore
import Foundation
import Testing

/// Every answer from a protected location is marked for no shared cache, in every setup
/// (issue 26 item 3: through the CGI guard, allowed answers carried none and kept ETag and
/// Last-Modified, so a shared cache could hand one user's page to another).
@Suite struct CacheHeaderTests {
    func expectPrivate(_ answer: HTTPResponse, _ what: String) {
        let cacheControl = answer.headers.filter { $0.name.lowercased() == "cache-control" }.map(\.value)
        #expect(cacheControl.contains { $0.contains("private") && $0.contains("no-store") }, "\(what): Cache-Control \(cacheControl)")
        let vary = answer.headers.filter { $0.name.lowercased() == "vary" }.map { $0.value.lowercased() }
        #expect(vary.contains { $0.contains("cookie") }, "\(what): Vary \(vary)")
    }

    @Test func nginxMarksProtectedAnswers() throws {
        let site = try NginxSite()
        let browser = Browser()
        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=ada%40example.com")
        for path in ["/protected/", "/admin/", "/whoami", "/blog/"] {
            expectPrivate(try browser.send("GET", site.base + path), "nginx \(path)")
        }
    }

    @Test(arguments: ApacheSite.Setup.allCases)
    func apacheMarksProtectedAnswers(setup: ApacheSite.Setup) throws {
        let site = try ApacheSite(setup)
        defer { _ = site.stop() }
        let browser = Browser()
        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=ada%40example.com")
        for path in ["/protected/", "/protected/index.html", "/protected/cgi-bin/whoami", "/admin/"] {
            let answer = try browser.send("GET", site.base + path)
            #expect(answer.status == 200, "\(setup) \(path)")
            expectPrivate(answer, "\(setup) \(path)")
        }
        // Refusals too.
        expectPrivate(try Browser().send("GET", site.base + "/protected/"), "\(setup) anonymous")
    }
}
