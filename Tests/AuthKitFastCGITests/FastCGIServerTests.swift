import AuthKitCore
import Foundation
import Logging
import Testing
@testable import AuthKitFastCGI
@testable import AuthKitGateway

/// The libfcgi server driven by a real FastCGI client (`cgi-fcgi` from Debian's libfcgi-bin)
/// over a real unix socket.
@Suite(.serialized) struct FastCGIServerTests {
    /// Without `cgi-fcgi` these tests are skipped, except under `CI=true`: there they run and
    /// fail (a missing tool is a failure in CI, never a silent skip).
    static var clientTestsRun: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/cgi-fcgi") || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    /// Sends one request with `cgi-fcgi -bind -connect`, the parameters as its environment.
    func send(socket: String, parameters: [String: String], body: String = "") throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/cgi-fcgi")
        process.arguments = ["-bind", "-connect", socket]
        process.environment = parameters.merging(["CONTENT_LENGTH": String(body.utf8.count)]) { a, _ in a }
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(body.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test(.enabled(if: clientTestsRun)) func servesRequestsAndStopsCleanly() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fcgi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("s.sock").path
        let server = try FastCGIServer(address: .unix(path: socket), pool: WorkerPool(workers: 4), logger: Logger(label: "test")) { parameters, body in
            let request = GatewayRequest.make(parameters: parameters.dictionary(), body: body)
            let text = "\(request.method) \(request.requestURI) cookie=\(request.cookie("a") ?? "-") action=\(request.parameters["AUTHKIT_ACTION"] ?? "-") spoof=\(request.parameters["AUTHKIT_MODE"] ?? "-") body=\(String(decoding: body, as: UTF8.self))"
            return GatewayResponse.bytes(AuthResponse(status: 401, headers: [("X-Test", "1")], body: Array(text.utf8)))
        }
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread { server.run(); finished.signal() }

        let output = try send(socket: socket, parameters: [
            "REQUEST_METHOD": "POST", "REQUEST_URI": "/auth/x?y=1", "HTTP_COOKIE": "a=1; b=2",
            "AUTHKIT_ACTION": "check", "HTTP_AUTHKIT_MODE": "optional", "CONTENT_TYPE": "text/plain",
        ], body: "hello")
        #expect(output.hasPrefix("Status: 401 Unauthorized\r\nX-Test: 1\r\nContent-Length: "))
        #expect(output.hasSuffix("\r\n\r\nPOST /auth/x?y=1 cookie=1 action=check spoof=- body=hello"))

        // Many clients at once, each gets its own answer.
        let results = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            let out = (try? send(socket: socket, parameters: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/n/\(i)"])) ?? ""
            results.withLock { $0.append(out) }
        }
        for i in 0..<16 { #expect(results.withLock { $0 }.contains { $0.hasSuffix("GET /n/\(i) cookie=- action=- spoof=- body=") }) }

        server.stop()
        #expect(finished.wait(timeout: .now() + 5) == .success, "workers did not stop")
    }

    /// Two workers, and more requests than that waiting on "WorkOS" (a handler that blocks
    /// after telling the pool): a request that needs no waiting is still answered at once, and
    /// once the waits end the pool shrinks back to two threads.
    @Test(.enabled(if: clientTestsRun)) func waitingRequestsDoNotTakeTheWorkers() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fcgi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("s.sock").path
        let pool = WorkerPool(workers: 2, maxBlocked: 3)
        let release = DispatchSemaphore(value: 0)
        let refused = Atomic<Int>(0)
        let server = try FastCGIServer(address: .unix(path: socket), pool: pool, logger: Logger(label: "test")) { parameters, _ in
            let uri = parameters.value("REQUEST_URI") ?? ""
            if uri == "/slow" {
                guard pool.enterBlocking() else {
                    refused.add(1, ordering: .relaxed)
                    return GatewayResponse.bytes(AuthResponse(status: 503))
                }
                release.wait()
                pool.leaveBlocking()
            }
            return GatewayResponse.bytes(AuthResponse(status: 200, body: Array(uri.utf8)))
        }
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread { server.run(); finished.signal() }
        while !FileManager.default.fileExists(atPath: socket) { usleep(10_000) }

        let slowDone = DispatchGroup()
        for _ in 0..<4 {
            slowDone.enter()
            Thread.detachNewThread {
                _ = try? send(socket: socket, parameters: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/slow"])
                slowDone.leave()
            }
        }
        // Three wait (the bound), the fourth is refused at once.
        let deadline = Date().addingTimeInterval(5)
        while (pool.blocked < 3 || refused.load(ordering: .relaxed) < 1) && Date() < deadline { usleep(10_000) }
        #expect(pool.blocked == 3 && refused.load(ordering: .relaxed) == 1)
        #expect(pool.running == 5, "2 workers + 3 stand-ins")
        for i in 0..<6 {
            #expect(try send(socket: socket, parameters: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/fast/\(i)"]).hasSuffix("/fast/\(i)"))
        }
        for _ in 0..<3 { release.signal() }
        #expect(slowDone.wait(timeout: .now() + 5) == .success)
        // The stand-ins retire after their requests; the pool is back to its workers.
        for i in 0..<8 { _ = try send(socket: socket, parameters: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/after/\(i)"]) }
        #expect(pool.running == 2 && pool.blocked == 0)
        server.stop()
        #expect(finished.wait(timeout: .now() + 5) == .success, "workers did not stop")
        #expect(pool.running == 0)
    }

    /// `--listen unix:PATH` replaces a stale socket, never anything else: a file, a directory or
    /// a symbolic link at PATH stays as it is and start-up fails naming the path.
    @Test(arguments: ["file", "directory", "symlink"]) func unixListenerRefusesAPathThatIsNotASocket(kind: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fcgi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = directory.appendingPathComponent("precious").path
        try "precious\n".write(toFile: target, atomically: true, encoding: .utf8)
        let path = directory.appendingPathComponent("listen-here").path
        switch kind {
        case "file": try "precious\n".write(toFile: path, atomically: true, encoding: .utf8)
        case "directory": try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        default: try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        }
        var before = stat()
        #expect(lstat(path, &before) == 0)

        var refusal: FastCGIServer.StartError?
        do {
            let server = try FastCGIServer(address: .unix(path: path), pool: WorkerPool(workers: 1), logger: Logger(label: "test")) { _, _ in [] }
            server.stop()
        } catch {
            refusal = error
        }

        #expect(refusal?.description.contains(path) == true, "\(refusal?.description ?? "no error: it listened on \(path)")")
        #expect(refusal?.description.contains("not a socket") == true)
        var after = stat()
        #expect(lstat(path, &after) == 0 && after.st_mode == before.st_mode && after.st_ino == before.st_ino, "\(path) was replaced")
        #expect((try? String(contentsOfFile: target, encoding: .utf8)) == "precious\n")
        if kind == "file" { #expect((try? String(contentsOfFile: path, encoding: .utf8)) == "precious\n") }
    }

    /// A socket file left by a crashed run is replaced, and the new server answers on it.
    @Test(.enabled(if: clientTestsRun)) func unixListenerReplacesAStaleSocket() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fcgi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("s.sock").path
        // A socket bound and closed without unlinking: what a killed server leaves behind.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        close(stale)

        let server = try FastCGIServer(address: .unix(path: path), pool: WorkerPool(workers: 1), logger: Logger(label: "test")) { _, _ in
            GatewayResponse.bytes(AuthResponse(status: 200, headers: [], body: Array("fresh".utf8)))
        }
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread { server.run(); finished.signal() }
        #expect(try send(socket: path, parameters: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/"]).hasSuffix("fresh"))
        server.stop()
        #expect(finished.wait(timeout: .now() + 5) == .success, "workers did not stop")
    }

    @Test func listenAddressesParse() throws {
        #expect(try ListenAddress(parsing: "unix:/run/a.sock") == .unix(path: "/run/a.sock"))
        #expect(try ListenAddress(parsing: "127.0.0.1:9000") == .tcp(host: "127.0.0.1", port: 9000))
        #expect(try ListenAddress(parsing: ":9000") == .tcp(host: "127.0.0.1", port: 9000))
        #expect(throws: ListenAddress.Invalid.self) { try ListenAddress(parsing: "nonsense") }
        #expect(throws: ListenAddress.Invalid.self) { try ListenAddress(parsing: "unix:relative") }
        #expect(throws: ListenAddress.Invalid.self) { try ListenAddress(parsing: "host:70000") }
        // libfcgi would exit the process on these instead of failing start-up with a line of ours.
        let longest = "/" + String(repeating: "a", count: ListenAddress.maxUnixPathBytes - 1)
        #expect(try ListenAddress(parsing: "unix:\(longest)") == .unix(path: longest))
        #expect(throws: ListenAddress.Invalid(text: "unix:\(longest)a", problem: "is too long for a unix socket (108 bytes, at most 107)")) {
            try ListenAddress(parsing: "unix:\(longest)a")
        }
        #expect(throws: ListenAddress.Invalid.self) { try ListenAddress(parsing: String(repeating: "h", count: 1500) + ":9000") }
    }
}

import AuthKitSync
import Synchronization
