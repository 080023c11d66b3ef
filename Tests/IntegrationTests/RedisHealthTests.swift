import AuthKitCore
import Foundation
import Testing

/// Issue 22 item 1: a Redis outage is never silent. With `AUTHKIT_REDIS_URL` set and Redis gone,
/// refreshes still go ahead on this host alone (no session is lost), and the change is logged
/// once, counted, and shown by `/auth/health` (still 200) until Redis answers again.
@Suite(.serialized) struct RedisHealthTests {
    @Test func anOutageIsLoggedOnceCountedAndShownInHealth() throws {
        let port = freeLoopbackPort()
        let emulator = try EmulatorProcess.strict()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try ServeProcess(environment: [
            "WORKOS_CLIENT_ID": "client_emulate", "WORKOS_API_KEY": "sk_test_default",
            "WORKOS_COOKIE_PASSWORD": RefreshRaceTests.password, "WORKOS_REDIRECT_URI": "http://localhost:8080/auth/callback",
            "WORKOS_API_HOSTNAME": "127.0.0.1", "WORKOS_API_PORT": String(emulator.port), "WORKOS_API_HTTPS": "false",
            "AUTHKIT_REDIS_URL": "redis://127.0.0.1:\(port)/0",
        ], directory: directory)
        func get(_ uri: String) throws -> String {
            try fastCGIRequest(socket: server.socket, parameters: ["REQUEST_METHOD": "GET", "REQUEST_URI": uri, "REMOTE_ADDR": "127.0.0.1"])
        }
        func refreshedCheck() throws -> String {
            let cookie = try RefreshRaceTests().expiredSession(emulator)
            return try fastCGIRequest(socket: server.socket, parameters: [
                "REQUEST_METHOD": "GET", "REQUEST_URI": "/x", "AUTHKIT_ACTION": "check", "HTTP_COOKIE": "wos-session=\(cookie)",
            ])
        }
        func metric(_ name: String, in text: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
        }

        // Not needed yet: nothing known, nothing degraded.
        let before = try get("/auth/health")
        #expect(before.contains(#""status":"ok""#) && before.contains(#""redis":"unknown""#), "\(before)")

        // Redis is not there: each refresh goes ahead on this host, none is refused.
        for _ in 0..<2 {
            let answer = try refreshedCheck()
            #expect(answer.hasPrefix("Status: 200 OK\r\n") && answer.contains("Set-Cookie: wos-session=Fe26.2"), "\(answer)")
        }
        let degraded = try get("/auth/health")
        #expect(degraded.hasPrefix("Status: 200 OK\r\n"), "liveness: \(degraded)")
        #expect(degraded.contains(#""status":"degraded""#) && degraded.contains(#""redis":"down""#), "\(degraded)")
        #expect(degraded.contains(#""redis_error":"127.0.0.1:\#(port): "#), "\(degraded)")
        let down = try get("/auth/metrics")
        #expect(metric("authkit_redis_up", in: down) == 0, "\(down)")
        #expect((metric("authkit_redis_fallbacks_total", in: down) ?? 0) >= 2, "\(down)")

        // Redis is back: the next refresh uses it again.
        let redis = try RedisServer(port: port)
        #expect(try refreshedCheck().hasPrefix("Status: 200 OK\r\n"))
        let healthy = try get("/auth/health")
        #expect(healthy.contains(#""status":"ok""#) && healthy.contains(#""redis":"up""#), "\(healthy)")
        #expect(metric("authkit_redis_up", in: try get("/auth/metrics")) == 1)

        // Then gone again, and back: each change once in the log, not once per command.
        redis.stop()
        _ = try refreshedCheck()
        _ = try refreshedCheck()
        let log = server.stop().log
        #expect(log.components(separatedBy: "Redis unreachable").count - 1 == 2, "\(log)")
        #expect(log.components(separatedBy: "Redis reachable again").count - 1 == 1, "\(log)")
        #expect(!log.contains("sk_test_default"))
    }
}
