import AuthKitCore
import Foundation
import Testing

/// The whole product behind a real nginx: sign-in through the emulator, identity upstream,
/// refresh through `auth_request`, sign-out, 401/403, optional mode, path rules.
@Suite(.serialized) struct NginxFlowTests {
    func body(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    func signIn(_ site: NginxSite, _ browser: Browser, as email: String = "ada@example.com", page: String = "/protected/") throws -> (url: String, response: HTTPResponse) {
        // The emulator approves by login_hint; the sign-in endpoint passes it through.
        try browser.navigate("\(site.base)/auth/sign-in?return_to=\(PercentEncoding.uriComponent(page))&login_hint=\(PercentEncoding.uriComponent(email))")
    }

    @Test func protectedPageSignInIdentitySignOut() throws {
        let site = try NginxSite(emulatorArguments: StrictRefresh.arguments())
        let browser = Browser()

        // A protected page sends the browser to sign in, to WorkOS, back to the callback, back to the page.
        let (url, page) = try browser.navigate("\(site.base)/protected/")
        #expect(url == "\(site.base)/protected/")
        #expect(page.status == 200)
        #expect(body(page).contains("Hello, Ada Lovelace"))
        #expect(body(page).contains("ada@example.com"))
        let hops = browser.history.map { String(URLComponents(string: $0.url)!.percentEncodedPath) }
        #expect(hops == ["/protected/", "/auth/sign-in", "/user_management/authorize", "/auth/callback", "/protected/"])
        #expect(browser.cookie("wos-session")?.hasPrefix("Fe26.2*1*") == true)
        #expect(!browser.cookies.keys.contains { $0.hasPrefix("wos-auth-verifier") })
        #expect(page.header("Cache-Control") == AuthResponse.cachePreventionControl)

        // The upstream receives the identity; a request carrying the client's own is refused.
        let spoofed = try browser.send("GET", "\(site.base)/whoami", headers: Browser.navigation + [("X-AuthKit-User-Id", "user_spoofed"), ("X-AuthKit-Role", "owner")])
        #expect(spoofed.status == 400 && !body(spoofed).contains("user_id="))
        let whoami = try browser.send("GET", "\(site.base)/whoami")
        let identity = body(whoami)
        #expect(identity.contains("user_id=user_01EMULATEADMIN0000000000\n"))
        #expect(identity.contains("email=ada@example.com\n"))
        #expect(identity.contains("organization_id=org_01EMULATEACME00000000000\n"))
        #expect(identity.contains("role=admin\n"))
        #expect(identity.contains("permissions=posts:read,posts:write,users:manage\n"))
        #expect(identity.contains("entitlements=audit-logs\n"))
        #expect(identity.contains("feature_flags=beta-dashboard\n"))
        #expect(identity.contains("access_token=\n"))
        #expect(!identity.contains("user_spoofed") && !identity.contains("owner"))

        // Admin area: role admin.
        #expect(try browser.send("GET", "\(site.base)/admin/").status == 200)

        // Sign-out (POST) ends the WorkOS session and clears the cookie.
        let sessionCookie = try #require(browser.cookie("wos-session"))
        let (after, _) = try browser.navigate("\(site.base)/auth/sign-out", method: "POST", body: "return_to=%2F")
        #expect(after == "\(site.base)/")
        #expect(browser.cookie("wos-session") == nil)
        #expect(try site.emulator.counters()["logout"] == 1)
        // The old cookie's refresh token no longer works at WorkOS.
        let sealer = SessionSealer(password: "this-is-a-32-character-password!", clock: SystemClock(), random: SecureRandom())
        let old = try sealer.openSession(sessionCookie).get()
        let refresh = try site.emulator.request("POST", "/user_management/authenticate", json: """
            {"grant_type":"refresh_token","client_id":"client_emulate","client_secret":"sk_test_default","refresh_token":"\(old.payload.refreshToken)"}
            """)
        #expect(refresh.status == 400)
        let (status, log) = site.stop()
        #expect(status == 0)
        #expect(!log.contains("sk_test_default"))
        #expect(!log.contains(sessionCookie.prefix(40)))
    }

    @Test func expiredTokenIsRefreshedThroughAuthRequest() throws {
        let site = try NginxSite(emulatorArguments: StrictRefresh.arguments())
        let browser = Browser()
        // Sign in with WorkOS's clock 400 s behind: the session's access token is already expired.
        try site.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":-400}"#)
        _ = try signIn(site, browser, page: "/")
        try site.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":0}"#)
        let before = try #require(browser.cookie("wos-session"))

        let page = try browser.send("GET", "\(site.base)/protected/")
        #expect(page.status == 200)
        let setCookies = page.headers.filter { $0.name.lowercased() == "set-cookie" }
        #expect(setCookies.count == 1)
        #expect(setCookies.first?.value.hasPrefix("wos-session=Fe26.2*1*") == true)
        #expect(setCookies.first?.value.contains("HttpOnly; SameSite=Lax; Max-Age=34560000") == true)
        #expect(browser.cookie("wos-session") != before)
        let counters = try site.emulator.counters()
        #expect(counters["refreshes"] == 1, "\(counters)")

        // The new cookie needs no further refresh.
        let again = try browser.send("GET", "\(site.base)/protected/")
        #expect(again.status == 200 && !again.headers.contains { $0.name.lowercased() == "set-cookie" })
        #expect(try site.emulator.counters()["refreshes"] == 1)
    }

    @Test func scriptsGetA401WithoutLoginStateAndMembersGet403() throws {
        let site = try NginxSite()
        let browser = Browser()
        let xhr = try browser.send("GET", "\(site.base)/api/items", headers: [("Accept", "application/json"), ("X-Requested-With", "XMLHttpRequest")])
        #expect(xhr.status == 401)
        #expect(xhr.header("Location") == nil)
        #expect(body(xhr).contains("unauthorized"))
        #expect(xhr.header("Content-Type") == "application/json")
        #expect(browser.cookies.isEmpty)

        _ = try signIn(site, browser, as: "grace@example.com")
        #expect(try browser.send("GET", "\(site.base)/protected/").status == 200)
        let admin = try browser.send("GET", "\(site.base)/admin/")
        #expect(admin.status == 403)
        let api = try browser.send("GET", "\(site.base)/api/items", headers: [("Accept", "application/json")])
        #expect(api.status == 200 && body(api).contains("email=grace@example.com\n"))
    }

    /// Repeated checks with one cookie are answered from the verified-session cache (and the
    /// answer remembered beside it); each location must keep its own answer and identity.
    @Test func repeatedChecksKeepEachLocationsAnswer() throws {
        let site = try NginxSite()
        let grace = Browser(), ada = Browser()
        _ = try signIn(site, grace, as: "grace@example.com")
        _ = try signIn(site, ada)
        for _ in 0..<4 {
            #expect(try grace.send("GET", "\(site.base)/protected/").status == 200)
            #expect(try grace.send("GET", "\(site.base)/admin/").status == 403, "grace is a member, not an admin")
            #expect(try ada.send("GET", "\(site.base)/admin/").status == 200)
            let graceAPI = body(try grace.send("GET", "\(site.base)/api/items", headers: [("Accept", "application/json")]))
            #expect(graceAPI.contains("email=grace@example.com\n") && !graceAPI.contains("ada@"))
            let adaIdentity = body(try ada.send("GET", "\(site.base)/whoami", headers: Browser.navigation))
            #expect(adaIdentity.contains("email=ada@example.com\n") && adaIdentity.contains("role=admin\n"))
            // A request without the cookie is still signed out at a location just answered for a session.
            #expect(try Browser().send("GET", "\(site.base)/api/items", headers: [("Accept", "application/json")]).status == 401)
        }
        let (status, _) = site.stop()
        #expect(status == 0)
    }

    @Test func optionalModeUnauthenticatedAndSignUpPaths() throws {
        let site = try NginxSite(environment: [
            "WORKOS_UNAUTHENTICATED_PATHS": "/protected/open/:path*",
            "WORKOS_SIGN_UP_PATHS": "/protected/join",
        ])
        let browser = Browser()
        let anonymous = try browser.send("GET", "\(site.base)/blog/post")
        #expect(anonymous.status == 200 && body(anonymous).contains("user_id=\nemail=\n"))
        // An unauthenticated path under a protected location passes without a session.
        let open = try browser.send("GET", "\(site.base)/protected/open/readme")
        #expect(open.status == 404)  // allowed by the check; the file just does not exist
        // A sign-up path sends the browser to sign up.
        let join = try browser.send("GET", "\(site.base)/protected/join")
        #expect(join.status == 302)
        #expect(join.header("Location")?.hasSuffix("/auth/sign-up?return_to=%2Fprotected%2Fjoin") == true)
        let signUp = try browser.send("GET", Browser.resolve(join.header("Location")!, against: site.base))
        #expect(signUp.header("Location")?.contains("screen_hint=sign-up") == true)

        _ = try signIn(site, browser)
        #expect(body(try browser.send("GET", "\(site.base)/blog/post")).contains("email=ada@example.com\n"))
    }

    @Test func cookiesInteroperateWithTheIronVectorAlgorithm() throws {
        let site = try NginxSite()
        // A session made outside authkit-fcgi: WorkOS tokens sealed in authkit-nextjs's shape with
        // the vectors' algorithm and password, as a Next.js app would write it.
        let code = try site.emulator.authorizationCode(redirectURI: "http://127.0.0.1:\(site.port)/auth/callback")
        let answer = site.emulator.object(try site.emulator.request("POST", "/user_management/authenticate", json: """
            {"grant_type":"authorization_code","client_id":"client_emulate","client_secret":"sk_test_default","code":"\(code)"}
            """))
        let user = SessionUser(apiJSON: try JSONParser.parse(String(decoding: try JSONSerialization.data(withJSONObject: answer["user"]!), as: UTF8.self)))!
        let payload = SessionPayload(accessToken: answer["access_token"] as! String, refreshToken: answer["refresh_token"] as! String, user: user)
        let sealed = try IronSession.seal(JSONWriter.bytes(payload.json), passwordId: "1", password: "this-is-a-32-character-password!",
                                          ttlSeconds: 0, now: SystemClock().nowMillis(), parameters: .random(SecureRandom()))
        let browser = Browser()
        browser.setCookie("wos-session", sealed)
        let page = try browser.send("GET", "\(site.base)/protected/")
        #expect(page.status == 200 && body(page).contains("ada@example.com"))

        // And a cookie authkit-fcgi sets opens with plain iron-session rules and the same password.
        let browser2 = Browser()
        _ = try signIn(site, browser2)
        let ours = try #require(browser2.cookie("wos-session"))
        let opened = try IronSession.unseal(ours, passwords: { $0 == "1" ? ["this-is-a-32-character-password!"] : [] }, now: SystemClock().nowMillis())
        #expect(opened.value.objectValue?.map(\.key) == ["accessToken", "refreshToken", "user", "authenticationMethod"])
        #expect(opened.value["user"]?["email"]?.stringValue == "ada@example.com")
    }

    @Test func eagerAuthCookieReachesTheBrowserBesideTheSessionCookie() throws {
        let site = try NginxSite(environment: ["WORKOS_EAGER_AUTH": "true"])
        let browser = Browser()
        _ = try signIn(site, browser, page: "/")
        let page = try browser.send("GET", "\(site.base)/protected/")
        #expect(page.status == 200)
        let cookies = page.headers.filter { $0.name.lowercased() == "set-cookie" }.map(\.value)
        #expect(cookies.count == 1)
        #expect(cookies.first?.hasPrefix("workos-access-token=eyJ") == true)
        #expect(cookies.first?.hasSuffix("; SameSite=Lax; Max-Age=30") == true)
        // Already holding the current token: no new cookie.
        let again = try browser.send("GET", "\(site.base)/protected/")
        #expect(!again.headers.contains { $0.name.lowercased() == "set-cookie" })
    }
}
