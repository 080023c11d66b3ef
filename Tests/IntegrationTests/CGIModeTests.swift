import AuthKitCore
import Foundation
import Testing

/// authkit-fcgi started as a CGI program: one request from the environment and stdin, one
/// answer on stdout, the JWKS shared between processes through AUTHKIT_CACHE_DIR.
@Suite struct CGIModeTests {
    /// A session cookie for the emulator's Ada, sealed as authkit-nextjs would.
    func sessionCookie(_ emulator: EmulatorProcess) throws -> String {
        let code = try emulator.authorizationCode()
        let answer = emulator.object(try emulator.request("POST", "/user_management/authenticate", json: """
            {"grant_type":"authorization_code","client_id":"client_emulate","client_secret":"sk_test_default","code":"\(code)"}
            """))
        let user = SessionUser(apiJSON: try JSONParser.parse(String(decoding: try JSONSerialization.data(withJSONObject: answer["user"]!), as: UTF8.self)))!
        let payload = SessionPayload(accessToken: answer["access_token"] as! String, refreshToken: answer["refresh_token"] as! String, user: user)
        return SessionSealer(password: "J8vQ2mZr5Tn1Xw4Ls7Hd0Pf3Gk6Yb9Ce", clock: SystemClock(), random: SecureRandom()).sealSession(payload)
    }

    @Test func checksFromTheEnvironmentAndCachesTheJWKSOnDisk() throws {
        let emulator = try EmulatorProcess()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = directory.appendingPathComponent("cache").path
        let cookie = try sessionCookie(emulator)
        let environment = [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "REQUEST_URI": "/protected/page",
            "AUTHKIT_SERVED_PATH": "/protected/page", "HTTP_ACCEPT": "text/html", "HTTP_COOKIE": "wos-session=\(cookie)", "AUTHKIT_ACTION": "check",
            "WORKOS_CLIENT_ID": "client_emulate", "WORKOS_API_KEY": "sk_test_default",
            "WORKOS_COOKIE_PASSWORD": "J8vQ2mZr5Tn1Xw4Ls7Hd0Pf3Gk6Yb9Ce", "WORKOS_REDIRECT_URI": "http://localhost:8080/auth/callback",
            "WORKOS_API_HOSTNAME": "127.0.0.1", "WORKOS_API_PORT": String(emulator.port), "WORKOS_API_HTTPS": "false",
            "AUTHKIT_CACHE_DIR": cache,
        ]
        var timings: [Double] = []
        for _ in 0..<5 {
            let started = Date()
            let result = try runCommand(Binaries.path("authkit-fcgi"), [], environment: environment)
            timings.append(Date().timeIntervalSince(started) * 1000)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("Status: 200 OK\r\n"))
            #expect(result.stdout.contains("X-AuthKit-User-Email: ada@example.com\r\n"))
        }
        // One JWKS fetch for five processes.
        #expect(try emulator.counters()["jwks"] == 1)
        var info = stat()
        #expect(stat(cache, &info) == 0 && info.st_mode & 0o777 == 0o700)
        let files = try FileManager.default.contentsOfDirectory(atPath: cache)
        #expect(files.count == 1 && files[0].hasPrefix("jwks-"))
        print("CGI mode wall time per request (ms, debug build):", timings.map { String(format: "%.1f", $0) }.joined(separator: " "))

        // No session: a page navigation gets the sign-in location.
        var anonymous = environment
        anonymous["HTTP_COOKIE"] = nil
        let denied = try runCommand(Binaries.path("authkit-fcgi"), [], environment: anonymous)
        #expect(denied.stdout.hasPrefix("Status: 401 Unauthorized\r\n"))
        #expect(denied.stdout.contains("X-AuthKit-Sign-In: /auth/sign-in?return_to=%2Fprotected%2Fpage\r\n"))
    }

    /// A bad configuration answers no request: every problem, one line each on stderr (the
    /// server's error log), exit 78, nothing on stdout (the server answers 500).
    @Test func aBadConfigurationNamesEveryProblemOnStderr() throws {
        let result = try runCommand(Binaries.path("authkit-fcgi"), [], environment: [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "REQUEST_URI": "/protected/page", "AUTHKIT_SERVED_PATH": "/protected/page",
            "WORKOS_API_KEY": "sk_test_default", "WORKOS_COOKIE_PASSWORD": "J8vQ2mZr5Tn1Xw4Ls7Hd0Pf3Gk6Yb9Ce",
            "WORKOS_REDIRECT_URI": "http://localhost:8080/auth/callback", "AUTHKIT_METRICS": "sometimes",
        ])
        #expect(result.status == 78)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 2, "\(result.stderr)")
        #expect(lines.first?.hasPrefix("authkit-fcgi: WORKOS_CLIENT_ID is not set. Fix: ") == true)
        #expect(lines.last?.hasPrefix("authkit-fcgi: AUTHKIT_METRICS must be loopback, on or off. Fix: ") == true)
    }

    /// A CGI-mode authorizer check of the session cookie, configured for the emulator.
    static func authorizerCheck(cookie: String, emulator: EmulatorProcess) -> [String: String] {
        [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "REQUEST_URI": "/x", "HTTP_COOKIE": "wos-session=\(cookie)",
            "AUTHKIT_ACTION": "check", "FCGI_ROLE": "AUTHORIZER",
            "WORKOS_CLIENT_ID": "client_emulate", "WORKOS_API_KEY": "sk_test_default",
            "WORKOS_COOKIE_PASSWORD": "J8vQ2mZr5Tn1Xw4Ls7Hd0Pf3Gk6Yb9Ce", "WORKOS_REDIRECT_URI": "http://localhost:8080/auth/callback",
            "WORKOS_API_HOSTNAME": "127.0.0.1", "WORKOS_API_PORT": String(emulator.port), "WORKOS_API_HTTPS": "false",
        ]
    }

    @Test func refreshWorksInCGIMode() throws {
        let emulator = try EmulatorProcess.strict()
        try emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":-400}"#)
        let cookie = try sessionCookie(emulator)
        try emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":0}"#)
        let result = try runCommand(Binaries.path("authkit-fcgi"), [], environment: Self.authorizerCheck(cookie: cookie, emulator: emulator))
        #expect(result.stdout.hasPrefix("Status: 200 OK\r\n"), "\(result.stdout)")
        #expect(result.stdout.contains("Variable-AUTHKIT_USER_EMAIL: ada@example.com\r\n"))
        #expect(result.stdout.contains("Set-Cookie: wos-session=Fe26.2*1*"))
        #expect(try emulator.counters()["refreshes"] == 1)
    }

    /// No thread outlives a CGI request: the refresh event is sent once the answer is out.
    @Test func refreshHookEventsAreSentAfterTheAnswerInCGIMode() throws {
        let emulator = try EmulatorProcess.strict()
        try emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":-400}"#)
        let cookie = try sessionCookie(emulator)
        try emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":0}"#)
        let result = try runCommand(Binaries.path("authkit-fcgi"), [], environment: Self.authorizerCheck(cookie: cookie, emulator: emulator).merging([
            "AUTHKIT_ON_REFRESH_SUCCESS_URL": emulator.base + "/_emulate/webhooks/refreshed",
            "AUTHKIT_ON_REFRESH_SECRET": "cgi-refresh-hook-secret",
        ]) { _, new in new })
        #expect(result.stdout.hasPrefix("Status: 200 OK\r\n"), "\(result.stdout)")
        let hooks = emulator.object(try emulator.request("GET", "/_emulate/webhooks"))["webhooks"] as? [[String: Any]] ?? []
        #expect(hooks.count == 1 && hooks.first?["name"] as? String == "refreshed", "\(hooks)")
        let body = hooks.first?["body"] as? String ?? ""
        #expect(body.contains(#""event":"session.refreshed""#) && body.contains("ada@example.com"))
    }
}
