import AuthKitCore
import AuthKitCurl
import Foundation
import Testing

/// WorkOS failing while an access token needs refreshing, through real nginx and the emulator's
/// fault hooks: nobody is signed out by a transient fault, the browser gets a 503 to retry, and
/// once WorkOS is back the same cookie refreshes — with the refresh token spent exactly once.
/// The emulator runs strict (single-use refresh tokens, no `Idempotency-Key` replay of a
/// refresh) with this run's grace window: where WorkOS spent the token and its answer was lost,
/// only the grace window brings the session back.
@Suite struct RefreshFaultTests {
    static let password = "this-is-a-32-character-password!"

    static func expiredSession(_ emulator: EmulatorProcess, redirectURI: String) throws -> String {
        try emulator.expiredSessionCookie(redirectURI: redirectURI, password: password)
    }

    static func newSession(_ response: HTTPResponse) -> String? {
        setCookies(response).first { $0.hasPrefix("wos-session=") }
            .map { String($0.dropFirst("wos-session=".count).prefix { $0 != ";" }) }
    }

    static func setCookies(_ response: HTTPResponse) -> [String] {
        response.headers.filter { $0.name.lowercased() == "set-cookie" }.map(\.value)
    }

    struct Fault: Sendable, CustomStringConvertible {
        let name: String
        let hook: String
        var description: String { name }
    }

    static let transientFaults: [Fault] = [
        Fault(name: "500", hook: #""status":500"#),
        Fault(name: "502", hook: #""status":502"#),
        Fault(name: "503", hook: #""status":503"#),
        Fault(name: "504", hook: #""status":504"#),
        Fault(name: "408", hook: #""status":408"#),
        Fault(name: "429 Retry-After", hook: #""status":429,"headers":{"Retry-After":"1"},"body":{"code":"rate_limit_exceeded","message":"Too many requests"}"#),
        Fault(name: "connection dropped", hook: #""drop_connection":true"#),
        // Slower than AUTHKIT_HTTP_TIMEOUT_MS: we give up, WorkOS goes on and spends the token.
        Fault(name: "hang past the timeout", hook: #""latency_ms":3000"#),
    ]

    @Test(arguments: transientFaults)
    func transientFaultsKeepTheSession(fault: Fault) throws {
        let site = try NginxSite(environment: ["AUTHKIT_HTTP_TIMEOUT_MS": "1500", "AUTHKIT_HTTP_CONNECT_TIMEOUT_MS": "500"],
                                 emulatorArguments: StrictRefresh.arguments())
        let cookie = try Self.expiredSession(site.emulator, redirectURI: "http://127.0.0.1:\(site.port)/auth/callback")
        let http = CurlTransport(connectTimeoutMillis: 2000, totalTimeoutMillis: 20_000, userAgent: "faults")
        try site.emulator.request("POST", "/_emulate/hooks", json: #"{"path":"/user_management/authenticate","method":"POST",\#(fault.hook)}"#)
        let hang = fault.name.hasPrefix("hang")
        let started = Date()
        let api = try http.send(HTTPRequest(method: "GET", url: "\(site.base)/api/items", headers: [
            ("Accept", "application/json"), ("Cookie", "wos-session=\(cookie)"),
        ]))
        let waited = Date().timeIntervalSince(started)
        #expect(api.status == 503, "\(fault): \(api.status) \(String(decoding: api.body, as: UTF8.self))")
        #expect(api.header("Retry-After") == "5")
        #expect(Self.setCookies(api).isEmpty, "\(fault) touched the cookie: \(Self.setCookies(api))")
        #expect(waited < 5, "waiting is bounded by AUTHKIT_HTTP_TIMEOUT_MS: \(waited) s")
        let page = try http.send(HTTPRequest(method: "GET", url: "\(site.base)/protected/", headers: Browser.navigation + [
            ("Cookie", "wos-session=\(cookie)"),
        ]))
        #expect(page.status == 503, "a page is not sent to sign in while WorkOS is down: \(page.status)")
        #expect(Self.setCookies(page).isEmpty)

        // WorkOS is back.
        try site.emulator.request("DELETE", "/_emulate/hooks")
        // A hang: WorkOS went on and spent the token after we gave up; let those calls land
        // first: each call the fault held ends as a refresh, a reuse or a grace replay.
        if hang {
            let landed = waitUntil(timeout: 20) {
                guard let counters = try? site.emulator.counters() else { return false }
                let ended = ["refreshes", "refresh_token_reuse", "refresh_grace_replays"].reduce(0) { $0 + (counters[$1] ?? 0) }
                return ended >= (counters["faults_applied"] ?? 0)
            }
            #expect(landed, "the held calls never reached the emulator: \((try? site.emulator.counters()) ?? [:])")
        }
        let after = try http.send(HTTPRequest(method: "GET", url: "\(site.base)/api/items", headers: [
            ("Accept", "application/json"), ("Cookie", "wos-session=\(cookie)"),
        ]))
        let counters = try site.emulator.counters()
        #expect(counters["refreshes"] == 1, "the token was spent once: \(counters)")
        if hang && StrictRefresh.graceSeconds == 0 {
            // Its answer never arrived and a spent token is refused: nothing can bring this
            // session back, and the user is signed out cleanly.
            #expect(after.status == 401, "\(fault): \(after.status)")
            #expect(Self.setCookies(after).contains { $0.hasPrefix("wos-session=;") }, "\(Self.setCookies(after))")
            #expect((counters["refresh_token_reuse"] ?? 0) >= 1, "\(counters)")
        } else {
            // The same cookie refreshes: the token was never spent, or (a hang) WorkOS's grace
            // window answers the repeat with the pair the abandoned call got.
            #expect(after.status == 200, "\(fault): \(after.status)")
            #expect(Self.newSession(after) != nil)
            #expect(counters["refresh_token_reuse"] == nil, "\(counters)")
            if hang {
                #expect((counters["refresh_grace_replays"] ?? 0) >= 1, "\(counters)")
            } else {
                #expect(counters["refresh_grace_replays"] == nil, "never spent, never repeated: \(counters)")
            }
        }
    }

    /// The answer to a refresh is lost on the way back (WorkOS did spend the token): the retry
    /// is a reuse. Within WorkOS's grace window it gets the same pair and the check passes;
    /// without one (grace 0) the token is refused and the user is signed out cleanly — an
    /// `Idempotency-Key` does not save it (WorkOS documents single-use refresh tokens).
    @Test func aLostAnswerIsRecoveredOnlyWithinTheGraceWindow() throws {
        let site = try NginxSite(environment: ["AUTHKIT_HTTP_TIMEOUT_MS": "5000"], emulatorArguments: StrictRefresh.arguments())
        let cookie = try Self.expiredSession(site.emulator, redirectURI: "http://127.0.0.1:\(site.port)/auth/callback")
        try site.emulator.request("POST", "/_emulate/hooks", json: #"{"path":"/user_management/authenticate","method":"POST","drop_connection":true,"after":true,"times":1}"#)
        let http = CurlTransport(connectTimeoutMillis: 2000, totalTimeoutMillis: 20_000, userAgent: "faults")
        let response = try http.send(HTTPRequest(method: "GET", url: "\(site.base)/api/items", headers: [
            ("Accept", "application/json"), ("Cookie", "wos-session=\(cookie)"),
        ]))
        let counters = try site.emulator.counters()
        #expect(counters["refreshes"] == 1 && counters["idempotent_replays"] == nil, "\(counters)")
        if StrictRefresh.graceSeconds == 0 {
            #expect(response.status == 401, "\(response.status)")
            #expect(Self.setCookies(response).contains { $0.hasPrefix("wos-session=;") }, "\(Self.setCookies(response))")
            #expect(counters["refresh_token_reuse"] == 1, "\(counters)")
        } else {
            #expect(response.status == 200, "\(response.status)")
            #expect(Self.newSession(response) != nil)
            #expect(counters["refresh_grace_replays"] == 1 && counters["refresh_token_reuse"] == nil, "\(counters)")
        }
    }

    /// WorkOS refusing connections (nothing listening): the cookie is kept.
    @Test func refusedConnectionsKeepTheSession() throws {
        let emulator = try EmulatorProcess.strict()
        let cookie = try Self.expiredSession(emulator, redirectURI: "http://localhost:8080/auth/callback")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try ServeProcess(environment: [
            "WORKOS_CLIENT_ID": "client_emulate", "WORKOS_API_KEY": "sk_test_default", "WORKOS_COOKIE_PASSWORD": Self.password,
            "WORKOS_REDIRECT_URI": "http://localhost:8080/auth/callback", "WORKOS_API_HOSTNAME": "127.0.0.1",
            "WORKOS_API_PORT": String(freeLoopbackPort()), "WORKOS_API_HTTPS": "false", "AUTHKIT_HTTP_TIMEOUT_MS": "1500",
            "AUTHKIT_HTTP_CONNECT_TIMEOUT_MS": "500",
        ], directory: directory)
        let output = try fastCGIRequest(socket: server.socket, parameters: [
            "REQUEST_METHOD": "GET", "REQUEST_URI": "/x", "AUTHKIT_ACTION": "check", "HTTP_COOKIE": "wos-session=\(cookie)",
            "HTTP_ACCEPT": "text/html", "HTTP_SEC_FETCH_MODE": "navigate",
        ])
        #expect(output.hasPrefix("Status: 401 Unauthorized\r\n"), "\(output)")
        #expect(output.contains("X-AuthKit-Unavailable: 5\r\n"))
        #expect(!output.contains("Set-Cookie") && !output.contains("X-AuthKit-Sign-In"))
        #expect(server.stop().status == 0)
    }

    /// A check that arrives 10 s after the refresh with the old cookie (a tab that was slow,
    /// a request queued behind others) gets the new session, not invalid_grant. "After" on
    /// WorkOS's clock (the emulator's, moved on): past its grace window for the spent token, so
    /// only our own memory of the refresh can answer (its window on our clock: RefreshCoordinatorTests).
    @Test func aLateCheckWithTheOldCookieGetsTheNewSession() throws {
        let site = try NginxSite(emulatorArguments: StrictRefresh.arguments())
        let cookie = try Self.expiredSession(site.emulator, redirectURI: "http://127.0.0.1:\(site.port)/auth/callback")
        let http = CurlTransport(connectTimeoutMillis: 2000, totalTimeoutMillis: 20_000, userAgent: "late")
        func check() throws -> HTTPResponse {
            try http.send(HTTPRequest(method: "GET", url: "\(site.base)/api/items", headers: [
                ("Accept", "application/json"), ("Cookie", "wos-session=\(cookie)"),
            ]))
        }
        let first = try check()
        #expect(first.status == 200)
        let refreshed = try #require(Self.newSession(first))
        try site.emulator.request("POST", "/_emulate/clock", json: #"{"advance_seconds":10}"#)
        let late = try check()
        #expect(late.status == 200)
        #expect(Self.newSession(late) == refreshed)
        let counters = try site.emulator.counters()
        #expect(counters["refreshes"] == 1 && counters["refresh_token_reuse"] == nil, "\(counters)")
    }
}
