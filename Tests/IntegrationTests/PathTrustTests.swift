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

    /// curl sending the request target byte for byte (`--request-target`), body included.
    static func rawTarget(_ base: String, _ target: String, headers: [String] = []) throws -> (status: Int, body: String) {
        let result = try runCommand("/usr/bin/curl", ["-s", "--path-as-is", "--request-target", target, "-w", "\n%{http_code}",
                                                      "-H", "Accept: text/html", "-H", "Sec-Fetch-Mode: navigate"]
                                    + headers.flatMap { ["-H", $0] } + [base + "/"])
        let status = Int(result.stdout.split(separator: "\n").last ?? "") ?? 0
        return (status, result.stdout)
    }

    /// The two bypasses of issue 20, through nginx: a raw `#` (nginx cuts `$uri` there, the check
    /// read on past it to the callback) and a combining mark after `/` between encoded dot
    /// segments (grapheme splitting swallowed a separator). Both served protected files with no
    /// session; now the raw `#` is a 400 and the mark is a segment of its own.
    @Test func theServersPathDecidesThroughNginx() throws {
        let site = try NginxSite(environment: ["WORKOS_UNAUTHENTICATED_PATHS": "/protected/open/:path*"])
        let hash = try Self.rawTarget(site.base, "/admin/index.html#/../../auth/callback")
        #expect(hash.status == 400, "\(hash.body)")
        #expect(!hash.body.contains("Admin area"))
        for mark in ["%CC%B8", "%E2%80%8D", "%EF%B8%8F", "%F3%A0%84%80"] {
            let glued = try Self.rawTarget(site.base, "/protected/open/%2e%2e/\(mark)/%2e%2e/index.html")
            #expect(glued.status == 302, "\(mark): \(glued.body)")
            #expect(!glued.body.contains("<h1>Hello"), "\(mark)")
        }
        // What is public stays public, and the server's path is what counts.
        try "open".write(toFile: site.directory.appendingPathComponent("html/protected/open.txt").path, atomically: true, encoding: .utf8)
        #expect(try Self.rawTarget(site.base, "/protected/open/../open.txt").status == 302)
        #expect(try Self.rawTarget(site.base, "/protected/open/%ZZ").status == 400)
    }

    @Test(arguments: ApacheSite.Setup.allCases)
    func theServersPathDecidesThroughApache(setup: ApacheSite.Setup) throws {
        let site = try ApacheSite(setup, environment: ["WORKOS_UNAUTHENTICATED_PATHS": "/protected/open/:path*"])
        defer { _ = site.stop() }
        let hash = try Self.rawTarget(site.base, "/admin/index.html#/../../auth/callback")
        #expect(!hash.body.contains("Admin area"), "\(setup)")
        #expect(hash.status == 400, "\(setup): \(hash.body)")
        for mark in ["%CC%B8", "%E2%80%8D"] {
            let glued = try Self.rawTarget(site.base, "/protected/open/%2e%2e/\(mark)/%2e%2e/index.html")
            #expect(!glued.body.contains("<h1>Signed in"), "\(setup) \(mark)")
            #expect(glued.status == 302, "\(setup) \(mark): \(glued.body)")
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
