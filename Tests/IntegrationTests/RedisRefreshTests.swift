import AuthKitCore
import AuthKitSync
import AuthKitRedis
import Foundation
import Testing

/// Refresh coordination across hosts through a real redis-server.
@Suite(.serialized) struct RedisRefreshTests {
    @Test func lockIsExclusiveAndSessionsRoundTrip() throws {
        let redis = try RedisServer()
        let store = RedisRefreshStore(url: try RedisURL(parsing: redis.url))
        let inside = Locked(0)
        let maximum = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            _ = store.withLock(key: "k1", timeoutMillis: 5000) {
                let now = inside.withLock { $0 += 1; return $0 }
                maximum.withLock { $0 = max($0, now) }
                usleep(20_000)
                inside.withLock { $0 -= 1 }
            }
        }
        #expect(maximum.withLock { $0 } == 1)
        store.save(key: "k1", sealedSession: "Fe26.2*1*sealed~2", keepMillis: 60_000)
        #expect(store.load(key: "k1")?.sealedSession == "Fe26.2*1*sealed~2")
        #expect(store.load(key: "other") == nil)
    }

    @Test func anUnreachableRedisDoesNotBlockRefreshes() throws {
        let store = RedisRefreshStore(url: try RedisURL(parsing: "redis://127.0.0.1:\(freeLoopbackPort())"), connectTimeoutMillis: 200)
        #expect(store.withLock(key: "k", timeoutMillis: 1000) { 42 } == 42)
        #expect(store.load(key: "k") == nil)
    }

    @Test func urlsParse() throws {
        let url = try RedisURL(parsing: "redis://:s3cret@cache.internal:6380/2")
        #expect(url.host == "cache.internal" && url.port == 6380 && url.password == "s3cret" && url.database == 2)
        #expect(try RedisURL(parsing: "redis://127.0.0.1").port == 6379)
        #expect(throws: RedisURL.Invalid.self) { try RedisURL(parsing: "http://x") }
    }

    /// Two authkit-fcgi instances with nothing shared but Redis stand for two hosts.
    @Test func twoInstancesSharingRedisRefreshOnce() throws {
        let redis = try RedisServer()
        let emulator = try EmulatorProcess.strict()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = [
            "WORKOS_CLIENT_ID": "client_emulate", "WORKOS_API_KEY": "sk_test_default",
            "WORKOS_COOKIE_PASSWORD": RefreshRaceTests.password, "WORKOS_REDIRECT_URI": "http://localhost:8080/auth/callback",
            "WORKOS_API_HOSTNAME": "127.0.0.1", "WORKOS_API_PORT": String(emulator.port), "WORKOS_API_HTTPS": "false",
            "AUTHKIT_REDIS_URL": redis.url,
        ]
        var servers: [ServeProcess] = []
        for index in 0..<2 {
            let own = directory.appendingPathComponent("host\(index)")
            try FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
            servers.append(try ServeProcess(environment: environment, directory: own))
        }
        let cookie = try RefreshRaceTests().expiredSession(emulator)
        let sockets = servers.map(\.socket)
        let outputs = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 30) { i in
            let out = (try? fastCGIRequest(socket: sockets[i % 2], parameters: [
                "REQUEST_METHOD": "GET", "REQUEST_URI": "/x", "AUTHKIT_ACTION": "check", "HTTP_COOKIE": "wos-session=\(cookie)",
            ])) ?? ""
            outputs.withLock { $0.append(out) }
        }
        let all = outputs.withLock { $0 }
        #expect(all.allSatisfy { $0.hasPrefix("Status: 200 OK\r\n") })
        #expect(Set(all.compactMap(RefreshRaceTests().setCookieValue)).count == 1)
        let counters = try emulator.counters()
        #expect(counters["refreshes"] == 1)
        #expect(counters["refresh_token_reuse"] == nil)
        for server in servers { #expect(server.stop().status == 0) }
    }
}
