import AuthKitCore
import AuthKitSync
import AuthKitCurl
import Foundation
import Testing

/// Many checks at once with an expired access token: one refresh at WorkOS, every check allowed,
/// every new cookie the same session — in one process behind nginx, across four processes
/// sharing AUTHKIT_CACHE_DIR, and across CGI processes.
@Suite(.serialized) struct RefreshRaceTests {
    static let password = "this-is-a-32-character-password!"

    func expiredSession(_ emulator: EmulatorProcess, redirectURI: String = "http://localhost:8080/auth/callback") throws -> String {
        try emulator.expiredSessionCookie(redirectURI: redirectURI, password: Self.password)
    }

    func setCookieValue(_ output: String) -> String? {
        output.components(separatedBy: "\r\n").first { $0.hasPrefix("Set-Cookie: wos-session=") }
            .map { String($0.dropFirst("Set-Cookie: wos-session=".count).prefix { $0 != ";" }) }
    }

    @Test func hundredConcurrentChecksThroughNginxRefreshOnce() throws {
        let site = try NginxSite(emulatorArguments: StrictRefresh.arguments())
        let cookie = try expiredSession(site.emulator, redirectURI: "http://127.0.0.1:\(site.port)/auth/callback")
        let http = CurlTransport(connectTimeoutMillis: 2000, totalTimeoutMillis: 20_000, userAgent: "race")
        let results = Locked<[(Int, String?)]>([])
        DispatchQueue.concurrentPerform(iterations: 100) { _ in
            let response = try? http.send(HTTPRequest(method: "GET", url: "\(site.base)/api/items", headers: [
                ("Accept", "application/json"), ("Cookie", "wos-session=\(cookie)"),
            ]))
            let set = response?.header("Set-Cookie").map { String($0.dropFirst("wos-session=".count).prefix { $0 != ";" }) }
            results.withLock { $0.append((response?.status ?? 0, set)) }
        }
        let all = results.withLock { $0 }
        #expect(all.count == 100)
        #expect(all.allSatisfy { $0.0 == 200 }, "\(all.map(\.0))")
        let cookies = Set(all.compactMap(\.1))
        #expect(cookies.count == 1, "different new sessions: \(cookies.count)")
        let counters = try site.emulator.counters()
        #expect(counters["refreshes"] == 1)
        #expect(counters["refresh_token_reuse"] == nil)
    }

    /// Issue 22 item 2: a revoked session's refresh token is refused once and remembered, so a
    /// page of 100 requests (and the 100 after it) make one call to WorkOS, each request getting
    /// the clean sign-out (401 and the cookie deleted). Before, 11-13 calls.
    @Test func aRevokedSessionIsRefusedByWorkOSOnce() throws {
        let site = try NginxSite(emulatorArguments: StrictRefresh.arguments())
        let cookie = try expiredSession(site.emulator, redirectURI: "http://127.0.0.1:\(site.port)/auth/callback")
        let opened = try SessionSealer(password: Self.password, clock: SystemClock(), random: SecureRandom()).openSession(cookie).get()
        let sid = try #require(try CompactJWT(opened.payload.accessToken).claims["sid"] as? String)
        #expect(try site.emulator.request("POST", "/user_management/sessions/revoke", json: #"{"session_id":"\#(sid)"}"#,
                                          headers: [("Authorization", "Bearer \(EmulatorProcess.apiKey)")]).status == 200)
        try site.emulator.request("POST", "/_emulate/counters/reset")
        let http = CurlTransport(connectTimeoutMillis: 2000, totalTimeoutMillis: 20_000, userAgent: "revoked")
        for wave in 0..<2 {
            let results = Locked<[(Int, String?)]>([])
            DispatchQueue.concurrentPerform(iterations: 100) { _ in
                let response = try? http.send(HTTPRequest(method: "GET", url: "\(site.base)/api/items", headers: [
                    ("Accept", "application/json"), ("Cookie", "wos-session=\(cookie)"),
                ]))
                results.withLock { $0.append((response?.status ?? 0, response?.header("Set-Cookie"))) }
            }
            let all = results.withLock { $0 }
            #expect(all.allSatisfy { $0.0 == 401 }, "wave \(wave): \(all.map(\.0))")
            #expect(all.allSatisfy { $0.1?.hasPrefix("wos-session=;") == true }, "wave \(wave): every answer deletes the cookie")
        }
        let counters = try site.emulator.counters()
        #expect(counters["authenticate.refresh_token"] == 1, "\(counters)")
    }

    /// A cache directory in which no file can be made (read-only, out of inodes: here /proc/self,
    /// the process's own read-only directory, which even root cannot write) must not stop
    /// refreshes: they go ahead without the cross-process lock, as without Redis. Before, the
    /// lock "timed out" at once and every expired session got a 503 (bench/chaos.sh found it).
    @Test func aCacheDirectoryThatTakesNoFilesStillRefreshes() throws {
        let site = try NginxSite(environment: ["AUTHKIT_CACHE_DIR": "/proc/self"])
        let cookie = try expiredSession(site.emulator, redirectURI: "http://127.0.0.1:\(site.port)/auth/callback")
        let http = CurlTransport(connectTimeoutMillis: 2000, totalTimeoutMillis: 20_000, userAgent: "cache-dir")
        let response = try http.send(HTTPRequest(method: "GET", url: "\(site.base)/api/items", headers: [
            ("Accept", "application/json"), ("Cookie", "wos-session=\(cookie)"),
        ]))
        #expect(response.status == 200, "\(response.status) \(String(decoding: response.body, as: UTF8.self))")
        #expect(response.header("Set-Cookie")?.hasPrefix("wos-session=") == true && response.header("Set-Cookie")?.hasPrefix("wos-session=;") == false)
        #expect(try site.emulator.counters()["refreshes"] == 1)
    }

    @Test func fourProcessesSharingTheCacheDirectoryRefreshOnce() throws {
        let emulator = try EmulatorProcess.strict()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = [
            "WORKOS_CLIENT_ID": "client_emulate", "WORKOS_API_KEY": "sk_test_default", "WORKOS_COOKIE_PASSWORD": Self.password,
            "WORKOS_REDIRECT_URI": "http://localhost:8080/auth/callback", "WORKOS_API_HOSTNAME": "127.0.0.1",
            "WORKOS_API_PORT": String(emulator.port), "WORKOS_API_HTTPS": "false",
            "AUTHKIT_CACHE_DIR": directory.appendingPathComponent("cache").path,
        ]
        var servers: [ServeProcess] = []
        for index in 0..<4 {
            let own = directory.appendingPathComponent("p\(index)")
            try FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
            servers.append(try ServeProcess(environment: environment, directory: own))
        }
        let cookie = try expiredSession(emulator)
        let sockets = servers.map(\.socket)
        let outputs = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 40) { i in
            let out = (try? fastCGIRequest(socket: sockets[i % 4], parameters: [
                "REQUEST_METHOD": "GET", "REQUEST_URI": "/x", "AUTHKIT_ACTION": "check", "HTTP_COOKIE": "wos-session=\(cookie)",
            ])) ?? ""
            outputs.withLock { $0.append(out) }
        }
        let all = outputs.withLock { $0 }
        #expect(all.allSatisfy { $0.hasPrefix("Status: 200 OK\r\n") })
        #expect(Set(all.compactMap(setCookieValue)).count == 1)
        let counters = try emulator.counters()
        #expect(counters["refreshes"] == 1)
        #expect(counters["refresh_token_reuse"] == nil)
        for server in servers { #expect(server.stop().status == 0) }
    }

    @Test func concurrentCGIProcessesRefreshOnce() throws {
        let emulator = try EmulatorProcess.strict()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cookie = try expiredSession(emulator)
        let environment = [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "REQUEST_URI": "/x", "AUTHKIT_ACTION": "check",
            "HTTP_COOKIE": "wos-session=\(cookie)",
            "WORKOS_CLIENT_ID": "client_emulate", "WORKOS_API_KEY": "sk_test_default", "WORKOS_COOKIE_PASSWORD": Self.password,
            "WORKOS_REDIRECT_URI": "http://localhost:8080/auth/callback", "WORKOS_API_HOSTNAME": "127.0.0.1",
            "WORKOS_API_PORT": String(emulator.port), "WORKOS_API_HTTPS": "false",
            "AUTHKIT_CACHE_DIR": directory.appendingPathComponent("cache").path,
        ]
        let outputs = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 12) { _ in
            let out = (try? runCommand(Binaries.path("authkit-fcgi"), [], environment: environment).stdout) ?? ""
            outputs.withLock { $0.append(out) }
        }
        let all = outputs.withLock { $0 }
        #expect(all.allSatisfy { $0.hasPrefix("Status: 200 OK\r\n") }, "\(all.map { $0.prefix(30) })")
        #expect(Set(all.compactMap(setCookieValue)).count == 1)
        #expect(try emulator.counters()["refreshes"] == 1)
    }
}
