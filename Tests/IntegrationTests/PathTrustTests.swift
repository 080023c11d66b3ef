import AuthKitCore
import Foundation
import Testing

/// Path rules and client-controlled headers through real nginx: a public-path rule cannot be
/// walked out of with dot segments or escapes (nginx serves the normalised path), and forwarded
/// headers change nothing.
@Suite struct PathTrustTests {
    /// curl with the request target exactly as given (`--path-as-is`), as an attacker sends it.
    func rawGet(_ url: String, headers: [String] = []) throws -> (status: Int, location: String) {
        let result = try runCommand("/usr/bin/curl", ["-s", "-o", "/dev/null", "--path-as-is", "-w", "%{http_code} %{redirect_url}",
                                                      "-H", "Accept: text/html", "-H", "Sec-Fetch-Mode: navigate"]
                                    + headers.flatMap { ["-H", $0] } + [url])
        let parts = result.stdout.split(separator: " ", maxSplits: 1).map(String.init)
        return (Int(parts.first ?? "") ?? 0, parts.count > 1 ? parts[1] : "")
    }

    @Test func publicRulesCannotBeWalkedOutOf() throws {
        let site = try NginxSite(environment: ["WORKOS_UNAUTHENTICATED_PATHS": "/protected/open/:path*"])
        for target in ["/protected/open/../index.html", "/protected/open/%2e%2e/index.html", "/protected/open/./../index.html"] {
            let answer = try rawGet(site.base + target)
            #expect(answer.status == 302, "\(target) answered \(answer.status)")
            #expect(answer.location.contains("/auth/sign-in?return_to="), "\(target)")
        }
    }

    @Test func forwardedHeadersChangeNothing() throws {
        let site = try NginxSite()
        let answer = try rawGet(site.base + "/auth/sign-in?return_to=%2Fprotected%2F", headers: [
            "X-Forwarded-Host: evil.example", "X-Forwarded-Proto: https", "Forwarded: host=evil.example;proto=https",
            "Host: evil.example",
        ])
        #expect(answer.status == 302)
        let redirectURI = URLComponents(string: answer.location)?.queryItems?.first { $0.name == "redirect_uri" }?.value
        #expect(redirectURI == "http://127.0.0.1:\(site.port)/auth/callback", "\(answer.location)")
        #expect(!answer.location.contains("evil.example"))
    }
}

/// `Authorization: Bearer <access token>` on the example site's /api/ (AUTHKIT_ALLOW_BEARER):
/// verified, identity to the upstream, never refreshed or redirected; elsewhere ignored.
@Suite struct BearerThroughNginxTests {
    @Test func bearerTokensReachTheAPI() throws {
        let site = try NginxSite()
        let browser = Browser()
        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=ada%40example.com")
        let sealed = try #require(browser.cookie("wos-session"))
        let opened = SessionSealer(password: "this-is-a-32-character-password!", clock: SystemClock(), random: SecureRandom()).openSession(sealed)
        guard case .success(let session) = opened else { Issue.record("cookie did not open"); return }
        let api = Browser()
        let allowed = try api.send("GET", "\(site.base)/api/items", headers: [("Accept", "application/json"), ("Authorization", "Bearer \(session.payload.accessToken)")])
        #expect(allowed.status == 200)
        let body = String(decoding: allowed.body, as: UTF8.self)
        #expect(body.contains("user_id=user_01EMULATEADMIN0000000000\n") && body.contains("role=admin\n"), "\(body)")
        #expect(allowed.headers.filter { $0.name.lowercased() == "set-cookie" && !$0.value.isEmpty }.isEmpty)
        let forged = try api.send("GET", "\(site.base)/api/items", headers: [("Accept", "text/html"), ("Sec-Fetch-Mode", "navigate"),
                                                                           ("Authorization", "Bearer \(session.payload.accessToken.dropLast(4))AAAA")])
        #expect(forged.status == 401, "a bad bearer token is a 401, never a redirect")
        // /protected/ does not allow bearer tokens: the header is ignored.
        let elsewhere = try api.send("GET", "\(site.base)/protected/", headers: [("Accept", "application/json"), ("Authorization", "Bearer \(session.payload.accessToken)")])
        #expect(elsewhere.status == 401)
        #expect(try site.emulator.counters()["refreshes"] == nil)
    }
}
