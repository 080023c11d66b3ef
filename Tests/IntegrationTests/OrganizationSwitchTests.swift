import AuthKitCore
import Foundation
import Testing

/// `/auth/refresh` with `organization_id` through real nginx and the emulator, like
/// authkit-nextjs's `switchToOrganization`: a refused switch answers an error the page can show
/// and keeps the session; an organization needing SSO answers where to sign in; a member
/// organization switches.
@Suite struct OrganizationSwitchTests {
    static let acme = "org_01EMULATEACME00000000000"
    static let globex = "org_01EMULATEGLOBEX000000000"
    static let initech = "org_01EMULATEINITECH00000000"

    /// A signed-in browser (Ada, in Acme) on a fresh site.
    static func signedIn() throws -> (NginxSite, Browser) {
        let site = try NginxSite(emulatorArguments: StrictRefresh.arguments())
        let browser = Browser()
        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=ada%40example.com")
        #expect(browser.cookie("wos-session") != nil)
        return (site, browser)
    }

    static func switchTo(_ organization: String, _ site: NginxSite, _ browser: Browser, navigation: Bool = false) throws -> HTTPResponse {
        try browser.send("POST", "\(site.base)/auth/refresh", headers: (navigation ? Browser.navigation : [("Accept", "application/json")]) + [
            ("Content-Type", "application/x-www-form-urlencoded"), ("Sec-Fetch-Site", "same-origin"),
        ], body: "organization_id=\(organization)")
    }

    static func json(_ response: HTTPResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
    }

    static func sessionOrganization(_ site: NginxSite, _ browser: Browser) throws -> String? {
        let session = try browser.send("GET", "\(site.base)/auth/session", headers: [("Accept", "application/json")])
        guard session.status == 200 else { return nil }
        return json(session)["organizationId"] as? String
    }

    static func setCookies(_ response: HTTPResponse) -> [String] {
        response.headers.filter { $0.name.lowercased() == "set-cookie" }.map(\.value)
    }

    @Test func aNonMemberOrganizationIsAnErrorAndTheSessionStays() throws {
        let (site, browser) = try Self.signedIn()
        let before = browser.cookie("wos-session")
        let answer = try Self.switchTo("org_01NOTAMEMBEROFTHIS000000", site, browser)
        #expect(answer.status == 403, "\(answer.status) \(answer.text)")
        #expect(Self.json(answer)["error"] as? String == "organization_membership_not_found")
        #expect((Self.json(answer)["error_description"] as? String)?.isEmpty == false)
        #expect(Self.setCookies(answer).isEmpty, "the cookie is not touched: \(Self.setCookies(answer))")
        #expect(browser.cookie("wos-session") == before)
        #expect(try Self.sessionOrganization(site, browser) == Self.acme, "still signed in, in Acme")
        // The token was not spent by the refusal: a switch to a member organization still works.
        let globex = try Self.switchTo(Self.globex, site, browser)
        #expect(globex.status == 200 && Self.json(globex)["organizationId"] as? String == Self.globex, "\(globex.text)")
        #expect(try Self.sessionOrganization(site, browser) == Self.globex)
        _ = site.stop()
    }

    @Test func anOrganizationRequiringSSOAnswersWhereToSignIn() throws {
        let (site, browser) = try Self.signedIn()
        let answer = try Self.switchTo(Self.initech, site, browser)
        #expect(answer.status == 403, "\(answer.status) \(answer.text)")
        let body = Self.json(answer)
        #expect(body["error"] as? String == "sso_required")
        let redirect = try #require(body["redirect"] as? String)
        #expect(redirect == "\(site.base)/auth/sign-in?organization_id=\(Self.initech)&return_to=%2F", "\(redirect)")
        #expect(Self.setCookies(answer).isEmpty)
        #expect(try Self.sessionOrganization(site, browser) == Self.acme)
        // A form a browser posts goes there itself.
        let form = try Self.switchTo(Self.initech, site, browser, navigation: true)
        #expect(form.status == 303 && form.header("Location") == redirect, "\(form.status) \(form.header("Location") ?? "")")
        // Signing in there (the emulator counts that as SSO) puts the session in Initech.
        _ = try browser.navigate(redirect)
        #expect(try Self.sessionOrganization(site, browser) == Self.initech)
        _ = site.stop()
    }

    @Test func aSpentSessionStillEndsOnAnOrganizationSwitch() throws {
        let (site, browser) = try Self.signedIn()
        try site.emulator.request("POST", "/_emulate/hooks", json: """
            {"path":"/user_management/authenticate","method":"POST","status":400,
             "body":{"error":"invalid_grant","error_description":"Session has already ended."}}
            """)
        let answer = try Self.switchTo(Self.globex, site, browser)
        #expect(answer.status == 401)
        #expect(Self.setCookies(answer).contains { $0.hasPrefix("wos-session=;") }, "\(Self.setCookies(answer))")
        _ = site.stop()
    }
}
