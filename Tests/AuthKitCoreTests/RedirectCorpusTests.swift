import Foundation
import Logging
import Testing
@testable import AuthKitCore

/// Both open-redirect corpora (oauth2-proxy's and mod_auth_openidc's) replayed through every
/// entry point that redirects: sign-in → callback (`return_to` → state → Location), sign-out
/// (`return_to` in the query and the form, with and without an allowlist), and the check's
/// sign-in location. Every Location must stay on our origin (or an allowed host), carry no
/// CR/LF/NUL, and keep its scheme.
@Suite struct RedirectCorpusTests {
    let start: Int64 = 1_785_000_000
    let factory = TokenFactory()
    let browser = ["accept": "text/html", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document", "sec-fetch-site": "same-origin"]
    static let origin = "https://app.example.com"

    static var payloads: [String] {
        ["oauth2-proxy-openredirects.txt", "mod_auth_openidc-payloads.txt"].flatMap { ReturnPathTests.payloads($0) }
    }

    func makeService(allowed: AllowedReturnHosts = .none) -> AuthKitService {
        ServiceFixture(start: start, factory: factory) { $0.allowedReturnHosts = allowed }.service
    }

    /// Where a browser goes with this Location, resolved against our origin.
    static func lands(_ location: String?, allowedHosts: Set<String> = []) -> Bool {
        guard let location, !location.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }), !location.contains("\\") else { return false }
        guard let url = URL(string: location, relativeTo: URL(string: origin + "/")!)?.absoluteURL, let host = url.host else { return false }
        return (host == "app.example.com" && url.scheme == "https") || allowedHosts.contains(host)
    }

    func query(_ value: String) -> String { PercentEncoding.uriComponent(value) }

    @Test func signInThenCallbackStaysHome() throws {
        let service = makeService()
        var checked = 0
        for payload in Self.payloads {
            let signIn = service.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-in?return_to=\(query(payload))", headers: browser))
            let verifier = try #require(signIn.headers(named: "Set-Cookie").first { $0.hasPrefix("wos-auth-verifier-") })
            let pair = verifier.prefix { $0 != ";" }
            let state = String(pair[pair.index(after: pair.firstIndex(of: "=")!)...])
            let callback = service.handle(AuthRequest(
                method: "GET", requestURI: "/auth/callback?code=c&state=\(query(state))",
                headers: browser.merging(["cookie": String(pair)]) { a, _ in a }))
            #expect(callback.status == 302, "\(payload)")
            #expect(Self.lands(callback.header("Location")), "\(payload) -> \(callback.header("Location") ?? "-")")
            checked += 1
        }
        #expect(checked > 1000)
    }

    @Test func signOutStaysHomeOrOnAnAllowedHost() {
        let plain = makeService()
        let allowing = makeService(allowed: AllowedReturnHosts(list: "docs.example.com")!)
        for payload in Self.payloads {
            for service in [plain, allowing] {
                let viaQuery = service.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-out?return_to=\(query(payload))", headers: browser))
                let viaForm = service.handle(AuthRequest(method: "POST", requestURI: "/auth/sign-out",
                                                         headers: ["content-type": "application/x-www-form-urlencoded"],
                                                         body: Array("return_to=\(query(payload))".utf8)))
                for response in [viaQuery, viaForm] {
                    let allowed: Set<String> = service.settings.allowedReturnHosts.exact
                    #expect(Self.lands(response.header("Location"), allowedHosts: allowed), "\(payload) -> \(response.header("Location") ?? "-")")
                }
            }
        }
        let external = allowing.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-out?return_to=\(query("https://docs.example.com/bye"))", headers: browser))
        #expect(external.header("Location") == "https://docs.example.com/bye")
        let refused = plain.handle(AuthRequest(method: "GET", requestURI: "/auth/sign-out?return_to=\(query("https://docs.example.com/bye"))", headers: browser))
        #expect(refused.header("Location") == "https://app.example.com/bye")
    }

    @Test func theCheckNamesOnlyOurSignIn() {
        let service = makeService()
        for payload in Self.payloads where payload.hasPrefix("/") {
            let denied = service.handle(AuthRequest(method: "GET", requestURI: payload, headers: browser,
                                                    parameters: ["AUTHKIT_ACTION": "check", "AUTHKIT_SERVED_PATH": "/x"]))
            // A target the check cannot read is refused outright (400): no redirect at all.
            if denied.header("X-AuthKit-Bad-Request") != nil { continue }
            let location = denied.header("X-AuthKit-Sign-In")
            #expect(location?.hasPrefix("/auth/sign-in?return_to=") == true, "\(payload)")
            #expect(Self.lands(location), "\(payload) -> \(location ?? "-")")
        }
    }
}
