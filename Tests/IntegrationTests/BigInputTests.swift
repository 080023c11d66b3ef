import AuthKitCore
import Foundation
import Testing

/// Big and planted inputs never 5xx (issue 20 item 9), through real nginx and Apache with their
/// default buffers: a ~6 KB `return_to` at sign-in and sign-out (was 502), a ~2.7 KB protected
/// URL without a session (was 500), 200 stale `wos-auth-verifier-*` cookies a sibling subdomain
/// could plant (was 502, so sign-in broke), and each at and past its limit.
@Suite struct BigInputTests {
    static func longQuery(_ bytes: Int) -> String {
        "/protected/?" + (0..<(bytes / 10)).map { "k\($0 % 1000)=vvvvv" }.joined(separator: "&")
    }

    static let planted = (0..<200).map { String(format: "wos-auth-verifier-%08x=x", $0) }.joined(separator: "; ")

    func expectRedirectThatFits(_ answer: HTTPResponse, _ what: String) {
        #expect(answer.status == 302 || answer.status == 303, "\(what): \(answer.status)")
        let size = answer.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
        #expect(size < 4096, "\(what): \(size) bytes of headers")
    }

    @Test func nginxAnswersEveryBigInput() throws {
        let site = try NginxSite()
        let browser = Browser()
        // Sizes of the return_to as sent (encoded), at and past the limit; nginx itself refuses
        // a request line over 8 KB (414), which is no 5xx of ours.
        for bytes in [ResponseBudget.returnPathBytes - 20, ResponseBudget.returnPathBytes + 20, 2_700, 6_000] {
            let returnTo = PercentEncoding.uriComponent(Self.longQuery(bytes / 3))
            expectRedirectThatFits(try browser.send("GET", "\(site.base)/auth/sign-in?return_to=\(returnTo)"), "sign-in \(bytes)")
            expectRedirectThatFits(try browser.send("GET", "\(site.base)\(Self.longQuery(bytes))"), "protected URL \(bytes)")
            expectRedirectThatFits(try browser.send("POST", "\(site.base)/auth/sign-out", body: "return_to=\(returnTo)"), "sign-out \(bytes)")
        }
        let planted = try Browser().send("GET", "\(site.base)/auth/sign-in?return_to=%2F", headers: Browser.navigation + [("Cookie", Self.planted)])
        expectRedirectThatFits(planted, "sign-in with 200 planted verifier cookies")
        let deletions = planted.headers.filter { $0.name.lowercased() == "set-cookie" && $0.value.hasPrefix("wos-auth-verifier-") && $0.value.contains("Max-Age=0") }
        #expect(deletions.count == ResponseBudget.deletionsPerAnswer)
        expectRedirectThatFits(try Browser().send("POST", "\(site.base)/auth/sign-out", headers: Browser.navigation + [("Cookie", Self.planted)], body: "return_to=%2F"),
                               "sign-out with 200 planted verifier cookies")
        // The whole flow still works with a long return_to: the query was dropped on the way.
        let fresh = Browser()
        let (url, page) = try fresh.navigate("\(site.base)/auth/sign-in?return_to=\(PercentEncoding.uriComponent(Self.longQuery(2_000)))&login_hint=ada%40example.com")
        #expect(page.status == 200 && url == "\(site.base)/protected/", "\(url)")
    }

    @Test(arguments: ApacheSite.Setup.allCases)
    func apacheAnswersEveryBigInput(setup: ApacheSite.Setup) throws {
        let site = try ApacheSite(setup)
        defer { _ = site.stop() }
        let browser = Browser()
        for bytes in [2_700, 6_000] {
            expectRedirectThatFits(try browser.send("GET", "\(site.base)\(Self.longQuery(bytes))"), "\(setup) protected URL \(bytes)")
            let returnTo = PercentEncoding.uriComponent(Self.longQuery(bytes / 3))
            expectRedirectThatFits(try browser.send("GET", "\(site.base)/auth/sign-in?return_to=\(returnTo)"), "\(setup) sign-in \(bytes)")
        }
        expectRedirectThatFits(try Browser().send("GET", "\(site.base)/auth/sign-in?return_to=%2F", headers: Browser.navigation + [("Cookie", Self.planted)]),
                               "\(setup) sign-in with 200 planted verifier cookies")
    }
}
