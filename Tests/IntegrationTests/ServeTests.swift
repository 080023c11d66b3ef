import Foundation
import Testing

/// `authkit-fcgi serve` as a process, spoken to over FastCGI by a real client.
@Suite struct ServeTests {
    static let environment = [
        "WORKOS_CLIENT_ID": "client_test", "WORKOS_API_KEY": "sk_test_serve_key_value",
        "WORKOS_COOKIE_PASSWORD": "J8vQ2mZr5Tn1Xw4Ls7Hd0Pf3Gk6Yb9Ce",
        "WORKOS_REDIRECT_URI": "http://127.0.0.1:8080/auth/callback",
        // Nothing here may reach the network: point WorkOS at a closed loopback port.
        "WORKOS_API_HOSTNAME": "127.0.0.1", "WORKOS_API_PORT": "9", "WORKOS_API_HTTPS": "false",
    ]

    @Test func answersAndStopsCleanlyOnSIGTERM() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try ServeProcess(environment: Self.environment, directory: directory)

        let health = try fastCGIRequest(socket: server.socket, parameters: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/auth/health"])
        #expect(health.hasPrefix("Status: 200 OK\r\n"))
        #expect(health.contains("Cache-Control: private, no-cache, no-store, must-revalidate, max-age=0\r\n"))
        #expect(health.hasSuffix(#"{"status":"ok"}"#))

        let check = try fastCGIRequest(socket: server.socket, parameters: [
            "REQUEST_METHOD": "GET", "REQUEST_URI": "/private/page", "AUTHKIT_ACTION": "check", "AUTHKIT_SERVED_PATH": "/private/page",
            "HTTP_ACCEPT": "text/html", "HTTP_COOKIE": "wos-session=not-a-seal",
        ])
        #expect(check.hasPrefix("Status: 401 Unauthorized\r\n"))
        #expect(check.contains("X-AuthKit-Sign-In: /auth/sign-in?return_to=%2Fprivate%2Fpage\r\n"))
        #expect(check.contains("Set-Cookie: wos-session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax; Max-Age=0\r\n"))

        let (status, log) = server.stop()
        #expect(status == 0)
        #expect(log.contains("serving"))
        #expect(log.contains("stopped"))
        #expect(!log.contains("sk_test_serve_key_value"))
    }

    @Test func servesASocketInheritedFromSpawnFcgi() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("spawned.sock").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/spawn-fcgi")
        // -n: stay in the foreground, the listening socket on fd 0 of authkit-fcgi.
        process.arguments = ["-n", "-s", socket, "--", Binaries.path("authkit-fcgi"), "serve", "--workers", "2"]
        process.environment = Self.environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate(); process.waitUntilExit() } }
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socket), Date() < deadline { usleep(20_000) }
        let health = try fastCGIRequest(socket: socket, parameters: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/auth/health"])
        #expect(health.hasPrefix("Status: 200 OK\r\n"))
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
