import AuthKitCore
import Foundation
import Testing

/// `AUTHKIT_MAX_AUTH_AGE` (authkit-nextjs's `checkRecentAuth` as a location rule) and the
/// access token issuer check, through a real nginx in front of authkit-fcgi and the emulator.
@Suite(.serialized) struct RecentAuthAndIssuerTests {
    static let password = "this-is-a-32-character-password!"

    /// /recent/ needs a sign-in at most 60 s old; its check also takes bearer tokens.
    static let recentLocations = """
        location /recent/ {
            auth_request /_authkit/check/recent;
            include authkit/authkit-protect.conf;
            ssi on;
            try_files /protected/index.html =404;
        }
        location = /_authkit/check/recent {
            internal;
            include authkit/authkit-check.conf;
            fastcgi_param AUTHKIT_MAX_AUTH_AGE 60;
            fastcgi_param AUTHKIT_ALLOW_BEARER true;
        }
        """

    static let json: [(name: String, value: String)] = [("Accept", "application/json")]

    func opened(_ cookie: String) throws -> SessionPayload {
        try SessionSealer(password: Self.password, clock: SystemClock(), random: SecureRandom()).openSession(cookie).get().payload
    }

    /// The claims of the access token in `browser`'s session cookie.
    func tokenClaims(_ browser: Browser) throws -> AccessTokenClaims {
        let cookie = try #require(browser.cookie("wos-session"))
        return try #require(AccessTokenVerifier.decodeUnverified(try opened(cookie).accessToken))
    }

    func seal(_ payload: SessionPayload) -> String {
        SessionSealer(password: Self.password, clock: SystemClock(), random: SecureRandom()).sealSession(payload)
    }

    @Test func anOldSignInIsSentThroughWorkOSAgainWithMaxAgeAndThenPasses() throws {
        let site = try NginxSite(extraLocations: Self.recentLocations)
        let browser = Browser()
        // Signed in ten minutes ago by WorkOS's clock: the token has expired and auth_time is old.
        try site.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":-600}"#)
        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=ada%40example.com")
        try site.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":0}"#)
        let now = Int64(Date().timeIntervalSince1970)

        // Any age will do at /protected/: refreshed, and the refresh keeps the original auth_time.
        let page = try browser.send("GET", "\(site.base)/protected/")
        #expect(page.status == 200)
        #expect(try site.emulator.counters()["refreshes"] == 1)
        let refreshed = try tokenClaims(browser)
        #expect(abs(refreshed.issuedAt! - now) < 30, "a new token")
        #expect(abs(refreshed.authTime! - (now - 600)) < 30, "the sign-in's time, not the refresh's")

        // /recent/ wants a sign-in at most 60 s old: a page goes to sign in with max_age, twice
        // (the session is cached by now, and no remembered answer lets it through).
        for _ in 0..<2 {
            let stale = try browser.send("GET", "\(site.base)/recent/")
            #expect(stale.status == 302)
            #expect(stale.header("Location") == "\(site.base)/auth/sign-in?return_to=%2Frecent%2F&max_age=60")
        }
        // A script learns it must re-authenticate (RFC 9470), not just that it is signed out.
        let script = try browser.send("GET", "\(site.base)/recent/", headers: Self.json)
        #expect(script.status == 401)
        #expect(script.header("WWW-Authenticate")?.contains(#"error="insufficient_user_authentication""#) == true, "\(script.headers)")
        #expect(script.header("WWW-Authenticate")?.contains("max_age=60") == true)
        // Once: nginx's auth_request passes a 401's WWW-Authenticate, and @authkit_unauthorized adds its own.
        #expect(script.headers.filter { $0.name.lowercased() == "www-authenticate" }.count == 1, "\(script.headers)")
        #expect(script.header("Location") == nil)
        // So does a bearer token with that sign-in.
        let bearer = try Browser().send("GET", "\(site.base)/recent/", headers: Self.json + [("Authorization", "Bearer \(try opened(browser.cookie("wos-session")!).accessToken)")])
        #expect(bearer.status == 401)
        #expect(bearer.header("WWW-Authenticate")?.contains("insufficient_user_authentication") == true)

        // The sign-in asks WorkOS for max_age=60; WorkOS signs the user in afresh; /recent/ passes.
        let signIn = try browser.send("GET", "\(site.base)/auth/sign-in?return_to=%2Frecent%2F&max_age=60")
        let authorize = try #require(signIn.header("Location"))
        #expect(URLComponents(string: authorize)?.queryItems?.first { $0.name == "max_age" }?.value == "60", "\(authorize)")
        let (url, after) = try browser.navigate(authorize)
        #expect(url == "\(site.base)/recent/")
        #expect(after.status == 200 && String(decoding: after.body, as: UTF8.self).contains("ada@example.com"))
        #expect(try site.emulator.counters()["authorize.max_age"] == 1)
        let fresh = try tokenClaims(browser)
        #expect(abs(fresh.authTime! - Int64(Date().timeIntervalSince1970)) < 30)
        // No loop: it keeps passing, page, script and bearer alike.
        for _ in 0..<2 { #expect(try browser.send("GET", "\(site.base)/recent/").status == 200) }
        #expect(try browser.send("GET", "\(site.base)/recent/", headers: Self.json).status == 200)
        let bearerAfter = try Browser().send("GET", "\(site.base)/recent/", headers: Self.json + [("Authorization", "Bearer \(try opened(browser.cookie("wos-session")!).accessToken)")])
        #expect(bearerAfter.status == 200)

        // A max_age that is not a number of seconds is refused, never dropped.
        #expect(try Browser().send("GET", "\(site.base)/auth/sign-in?return_to=%2F&max_age=-1").status == 400)
        #expect(try Browser().send("GET", "\(site.base)/auth/sign-in?return_to=%2F&max_age=1e3").status == 400)
        let (status, _) = site.stop()
        #expect(status == 0)
    }

    @Test(arguments: ApacheSite.Setup.allCases)
    func apacheSendsAnOldSignInThroughWorkOSAgain(setup: ApacheSite.Setup) throws {
        let block = try ApacheSite.adminBlock(setup, location: "/recent/", with: "AUTHKIT_MAX_AUTH_AGE=60")
        let site = try ApacheSite(setup, extraSite: block)
        defer { _ = site.stop() }
        let folder = site.directory.appendingPathComponent("html/recent")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "<h1>Recent area</h1>".write(to: folder.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        let browser = Browser()
        try site.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":-600}"#)
        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=ada%40example.com")
        try site.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":0}"#)

        #expect(try browser.send("GET", "\(site.base)/protected/").status == 200, "\(setup)")
        let stale = try browser.send("GET", "\(site.base)/recent/")
        #expect(stale.status == 302, "\(setup)")
        #expect(stale.header("Location")?.hasSuffix("/auth/sign-in?return_to=%2Frecent%2F&max_age=60") == true, "\(setup): \(stale.header("Location") ?? "-")")
        let script = try browser.send("GET", "\(site.base)/recent/", headers: Self.json)
        #expect(script.status == 401, "\(setup)")
        #expect(script.header("WWW-Authenticate")?.contains("insufficient_user_authentication") == true, "\(setup): \(script.headers)")

        let (url, page) = try browser.navigate(Browser.resolve(try #require(stale.header("Location")), against: site.base))
        #expect(url == "\(site.base)/recent/", "\(setup)")
        #expect(page.status == 200 && String(decoding: page.body, as: UTF8.self).contains("Recent area"), "\(setup)")
        #expect(try browser.send("GET", "\(site.base)/recent/").status == 200, "\(setup): no loop")
    }

    /// Claims like the emulator's, with `iss` chosen, signed with the emulator's real key.
    func token(_ site: NginxSite, issuer: String?, subject: String, sessionId: String) throws -> String {
        let now = Int(Date().timeIntervalSince1970)
        let iss = issuer.map { #""iss":"\#($0)","# } ?? ""
        let answer = site.emulator.object(try site.emulator.request("POST", "/_emulate/tokens/sign", json: """
            {"claims":{\(iss)"sub":"\(subject)","sid":"\(sessionId)","iat":\(now),"exp":\(now + 300),"auth_time":\(now)}}
            """))
        return try #require(answer["access_token"] as? String)
    }

    @Test func aTokenFromAnotherIssuerIsNotSignedIn() throws {
        let site = try NginxSite()
        let browser = Browser()
        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=ada%40example.com")
        let cookie = try #require(browser.cookie("wos-session"))
        let session = try opened(cookie)
        let claims = try #require(AccessTokenVerifier.decodeUnverified(session.accessToken))
        #expect(claims.issuer == "\(site.emulator.base)/user_management/\(EmulatorProcess.clientId)")

        let right = try token(site, issuer: claims.issuer, subject: session.user.id, sessionId: claims.sessionId!)
        let others = [
            "http://127.0.0.1:\(site.emulator.port + 1)/user_management/\(EmulatorProcess.clientId)",  // another port
            "https://127.0.0.1:\(site.emulator.port)/user_management/\(EmulatorProcess.clientId)",  // https for http
            "\(site.emulator.base)/user_management/client_other",  // another client
            "\(site.emulator.base)/user_management/\(EmulatorProcess.clientId)/",  // trailing slash
            "https://api.workos.com",
        ]
        var wrong = try others.map { try token(site, issuer: $0, subject: session.user.id, sessionId: claims.sessionId!) }
        wrong.append(try token(site, issuer: nil, subject: session.user.id, sessionId: claims.sessionId!))

        // Signed by WorkOS's key, but not for this environment: not signed in (the refresh
        // token here is not one WorkOS knows, so the refresh fails and the cookie goes).
        for accessToken in wrong {
            let visitor = Browser()
            visitor.setCookie("wos-session", seal(SessionPayload(accessToken: accessToken, refreshToken: "rt_unknown", user: session.user)))
            let api = try visitor.send("GET", "\(site.base)/protected/", headers: Self.json)
            #expect(api.status == 401, "\(String(decoding: Base64URL.decode(String(accessToken.split(separator: ".")[1])) ?? [], as: UTF8.self))")
            #expect(try visitor.send("GET", "\(site.base)/protected/").header("Location")?.hasPrefix("\(site.base)/auth/sign-in?") == true)
            // As a bearer token too.
            #expect(try Browser().send("GET", "\(site.base)/api/items", headers: Self.json + [("Authorization", "Bearer \(accessToken)")]).status == 401)
        }
        #expect(try site.emulator.counters()["refreshes"] == nil)
        // The same claims with the right issuer pass.
        let visitor = Browser()
        visitor.setCookie("wos-session", seal(SessionPayload(accessToken: right, refreshToken: "rt_unknown", user: session.user)))
        #expect(try visitor.send("GET", "\(site.base)/protected/", headers: Self.json).status == 200)
        #expect(try Browser().send("GET", "\(site.base)/api/items", headers: Self.json + [("Authorization", "Bearer \(right)")]).status == 200)

        // Like any invalid token, a wrong issuer with a good refresh token is refreshed into a
        // session with the right one.
        let refreshing = Browser()
        refreshing.setCookie("wos-session", seal(SessionPayload(accessToken: wrong[0], refreshToken: session.refreshToken, user: session.user)))
        let page = try refreshing.send("GET", "\(site.base)/protected/", headers: Self.json)
        #expect(page.status == 200)
        #expect(try site.emulator.counters()["refreshes"] == 1)
        #expect(try tokenClaims(refreshing).issuer == claims.issuer)

        // Each refused issuer is logged once, however often it comes.
        let (status, log) = site.stop()
        #expect(status == 0)
        let refusals = log.components(separatedBy: "\n").filter { $0.contains("its issuer is not accepted") }
        #expect(refusals.count == others.count + 1, "\(refusals.joined(separator: "\n"))")
        #expect(refusals.filter { $0.contains("client_other") }.count == 1)
    }

    @Test func workosIssuerNamesACustomAuthDomain() throws {
        let site = try NginxSite(environment: ["WORKOS_ISSUER": "https://auth.example.com, https://auth.example.com/user_management/\(EmulatorProcess.clientId)"])
        let browser = Browser()
        // The emulator's own issuer is no longer one of them: signing in stops at the callback
        // with an error rather than looping.
        let (url, page) = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=ada%40example.com")
        #expect(url.hasPrefix("\(site.base)/auth/callback?"))
        #expect(page.status == 502 && String(decoding: page.body, as: UTF8.self).contains("unexpected_issuer"))
        #expect(browser.cookie("wos-session") == nil)

        // A token of the custom domain, signed with WorkOS's key, is accepted.
        let code = try site.emulator.authorizationCode(redirectURI: "http://127.0.0.1:\(site.port)/auth/callback")
        let answer = site.emulator.object(try site.emulator.request("POST", "/user_management/authenticate", json: """
            {"grant_type":"authorization_code","client_id":"client_emulate","client_secret":"sk_test_default","code":"\(code)"}
            """))
        let user = SessionUser(apiJSON: try JSONParser.parse(String(decoding: try JSONSerialization.data(withJSONObject: answer["user"]!), as: UTF8.self)))!
        for issuer in ["https://auth.example.com", "https://auth.example.com/user_management/\(EmulatorProcess.clientId)"] {
            let accessToken = try token(site, issuer: issuer, subject: user.id, sessionId: "session_x")
            let visitor = Browser()
            visitor.setCookie("wos-session", seal(SessionPayload(accessToken: accessToken, refreshToken: "rt_unknown", user: user)))
            #expect(try visitor.send("GET", "\(site.base)/protected/", headers: Self.json).status == 200, "\(issuer)")
        }
        // A bad list refuses to start (exit 78), naming the variable.
        let bad = try runCommand(Binaries.path("authkit-fcgi"), ["check-config"], environment: [
            "WORKOS_CLIENT_ID": "client_x", "WORKOS_API_KEY": "sk_test_x", "WORKOS_COOKIE_PASSWORD": Self.password,
            "WORKOS_REDIRECT_URI": "http://127.0.0.1/auth/callback", "WORKOS_ISSUER": "auth.example.com",
        ])
        #expect(bad.status == 78 && bad.stderr.contains("WORKOS_ISSUER"), "\(bad.stderr)")
    }
}
