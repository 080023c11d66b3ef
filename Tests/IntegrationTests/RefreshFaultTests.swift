import AuthKitCore
import AuthKitCurl
import Foundation
import Testing

/// WorkOS failing while an access token needs refreshing, through real nginx and the emulator's
/// fault hooks: nobody is signed out by a transient fault, the browser gets a 503 to retry, and
/// once WorkOS is back the same cookie refreshes — with the refresh token spent exactly once.
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
        let site = try NginxSite(environment: ["AUTHKIT_HTTP_TIMEOUT_MS": "1500", "AUTHKIT_HTTP_CONNECT_TIMEOUT_MS": "500"])
        let cookie = try Self.expiredSession(site.emulator, redirectURI: "http://127.0.0.1:\(site.port)/auth/callback")
        let http = CurlTransport(connectTimeoutMillis: 2000, totalTimeoutMillis: 20_000, userAgent: "faults")
        try site.emulator.request("POST", "/_emulate/hooks", json: #"{"path":"/user_management/authenticate","method":"POST",\#(fault.hook)}"#)

        if fault.name.hasPrefix("hang") {
            // The recovery below relies on WorkOS replaying the abandoned call's answer, which it
            // does for the same Idempotency-Key: the same two-minute period. Start early in one.
            while Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 120) > 100 { Thread.sleep(forTimeInterval: 1) }
        }
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

        // WorkOS is back: the same cookie refreshes, and the token was spent once.
        try site.emulator.request("DELETE", "/_emulate/hooks")
        let after = try http.send(HTTPRequest(method: "GET", url: "\(site.base)/api/items", headers: [
            ("Accept", "application/json"), ("Cookie", "wos-session=\(cookie)"),
        ]))
        #expect(after.status == 200, "\(fault): \(after.status)")
        #expect(Self.newSession(after) != nil)
        if fault.name.hasPrefix("hang") { Thread.sleep(forTimeInterval: 3.5) } // let the abandoned calls land
        let counters = try site.emulator.counters()
        #expect(counters["refreshes"] == 1, "\(counters)")
        #expect(counters["refresh_token_reuse"] == nil, "\(counters)")
    }

    /// The answer to a refresh is lost on the way back (WorkOS did spend the token): the retry
    /// carries the same Idempotency-Key, WorkOS replays the answer, and the check passes.
    @Test func aLostAnswerIsReplayedNotReused() throws {
        let site = try NginxSite(environment: ["AUTHKIT_HTTP_TIMEOUT_MS": "5000"])
        let cookie = try Self.expiredSession(site.emulator, redirectURI: "http://127.0.0.1:\(site.port)/auth/callback")
        try site.emulator.request("POST", "/_emulate/hooks", json: #"{"path":"/user_management/authenticate","method":"POST","drop_connection":true,"after":true,"times":1}"#)
        let http = CurlTransport(connectTimeoutMillis: 2000, totalTimeoutMillis: 20_000, userAgent: "faults")
        let response = try http.send(HTTPRequest(method: "GET", url: "\(site.base)/api/items", headers: [
            ("Accept", "application/json"), ("Cookie", "wos-session=\(cookie)"),
        ]))
        #expect(response.status == 200)
        #expect(Self.newSession(response) != nil)
        let counters = try site.emulator.counters()
        #expect(counters["refreshes"] == 1 && counters["idempotent_replays"] == 1 && counters["refresh_token_reuse"] == nil, "\(counters)")
    }

    /// WorkOS refusing connections (nothing listening): the cookie is kept.
    @Test func refusedConnectionsKeepTheSession() throws {
        let emulator = try EmulatorProcess()
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
    /// a request queued behind others) gets the new session, not invalid_grant.
    @Test func aLateCheckWithTheOldCookieGetsTheNewSession() throws {
        let site = try NginxSite()
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
        Thread.sleep(forTimeInterval: 10)
        let late = try check()
        #expect(late.status == 200)
        #expect(Self.newSession(late) == refreshed)
        let counters = try site.emulator.counters()
        #expect(counters["refreshes"] == 1 && counters["refresh_token_reuse"] == nil, "\(counters)")
    }
}
