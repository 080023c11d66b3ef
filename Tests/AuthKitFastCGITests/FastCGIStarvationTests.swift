import AuthKitCore
import Foundation
import Testing
@testable import AuthKitFastCGI

/// Idle and half-sent connections must not hold the workers (issue 20 item 6): with more of
/// them open than there are workers, a complete request is still answered at once, on a unix
/// socket and on TCP; a connection that does not deliver its request in time is closed; the
/// connection bound is logged once.
@Suite(.serialized) struct FastCGIStarvationTests {
    /// How a stalled client behaves after connecting.
    enum Stall: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// Connects and sends nothing.
        case idle
        /// Sends the first 5 bytes of a request (not even a record header).
        case fiveBytes
        /// Sends FCGI_BEGIN_REQUEST and half of the FCGI_PARAMS record.
        case halfParams
        var testDescription: String { rawValue }

        var bytes: [UInt8] {
            let request = FastCGITestConnection.request(uri: "/stalled")
            switch self {
            case .idle: return []
            case .fiveBytes: return Array(request.prefix(5))
            // BEGIN_REQUEST is 16 bytes; the params record follows.
            case .halfParams: return Array(request.prefix(16 + (request.count - 16) / 3))
            }
        }
    }

    static let listeners = StarvationServer.Listener.allCases

    /// Opens `count` connections that each send `stall.bytes` and then nothing more.
    func stalled(_ count: Int, _ stall: Stall, on server: StarvationServer) throws -> [FastCGITestConnection] {
        try (0..<count).map { _ in
            let connection = try server.connect()
            if !stall.bytes.isEmpty { try connection.send(stall.bytes) }
            return connection
        }
    }

    @Test(arguments: listeners, Stall.allCases)
    func aCheckIsAnsweredWhileConnectionsStall(listener: StarvationServer.Listener, stall: Stall) throws {
        // Two workers and four stalled connections (workers + 2), with a deadline far beyond the
        // test: only not holding a worker for them keeps the check prompt.
        let server = try StarvationServer(listener, workers: 2, readTimeoutMilliseconds: 20_000)
        defer { server.stop() }
        let held = try stalled(4, stall, on: server)
        usleep(100_000)
        for index in 0..<3 {
            let (answer, seconds) = try server.check(uri: "/check/\(index)", timeout: 3)
            #expect(answer.contains("GET /check/\(index) body=0"))
            #expect(seconds < 1, "a check waited \(seconds) s behind \(held.count) stalled connections")
        }
    }

    @Test(arguments: listeners)
    func aStalledConnectionIsClosedAfterItsDeadline(listener: StarvationServer.Listener) throws {
        let server = try StarvationServer(listener, workers: 4, readTimeoutMilliseconds: 400)
        defer { server.stop() }
        let started = Date()
        let held = try Stall.allCases.map { stall in (stall, try stalled(1, stall, on: server)[0]) }
        for (stall, connection) in held {
            #expect(connection.closesWithinReadTimeout(), "the \(stall) connection was not closed within 3 s")
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed > 0.3 && elapsed < 2.5, "closed after \(elapsed) s, deadline 0.4 s")
        // And the server still serves.
        #expect(try server.check(uri: "/after").answer.contains("GET /after body=0"))
    }

    @Test func theConnectionBoundIsLoggedOnce() throws {
        let server = try StarvationServer(.unix, workers: 2, readTimeoutMilliseconds: 20_000, maxConnections: 4)
        defer { server.stop() }
        let held = try stalled(12, .fiveBytes, on: server)
        usleep(300_000)
        // A complete request still gets in: the oldest stalled connection makes room for it.
        let (answer, seconds) = try server.check(uri: "/bounded")
        #expect(answer.contains("GET /bounded body=0"))
        #expect(seconds < 1)
        let lines = server.logs.withLock { $0 }.filter { $0.contains("max-connections") }
        #expect(lines.count == 1, "\(held.count) connections over a bound of 4 logged \(lines)")
    }

    @Test(arguments: listeners)
    func aRequestSentInTinyWritesIsServed(listener: StarvationServer.Listener) throws {
        let server = try StarvationServer(listener, workers: 2, readTimeoutMilliseconds: 5_000)
        defer { server.stop() }
        let connection = try server.connect()
        let bytes = FastCGITestConnection.request(method: "POST", uri: "/tiny", body: Array("hello".utf8))
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + 3, bytes.count)
            try connection.send(Array(bytes[offset..<end]))
            offset = end
            usleep(2_000)
        }
        #expect(try connection.readAnswer().contains("POST /tiny body=5"))
    }

    @Test(arguments: listeners)
    func aKeptConnectionServesSeveralRequestsWhileOthersStall(listener: StarvationServer.Listener) throws {
        let server = try StarvationServer(listener, workers: 1, readTimeoutMilliseconds: 5_000)
        defer { server.stop() }
        let held = try stalled(2, .idle, on: server)
        usleep(50_000)
        let connection = try server.connect()
        for index in 1...4 {
            try connection.send(FastCGITestConnection.request(id: UInt16(index), uri: "/kept/\(index)", keepConnection: true))
            #expect(try connection.readAnswer().contains("GET /kept/\(index) body=0"))
            usleep(20_000)
        }
        #expect(held.count == 2)
    }

    @Test(arguments: listeners)
    func anAuthorizerRequestIsServedWithoutStdin(listener: StarvationServer.Listener) throws {
        let server = try StarvationServer(listener, workers: 1, readTimeoutMilliseconds: 5_000)
        defer { server.stop() }
        let held = try stalled(2, .halfParams, on: server)
        // mod_authnz_fcgi: BEGIN_REQUEST (role 2), the parameters, the empty PARAMS record, no STDIN.
        var parameters: [UInt8] = []
        for (name, value) in [("REQUEST_METHOD", "GET"), ("REQUEST_URI", "/authorize")] {
            parameters += FastCGITestConnection.length(name.utf8.count) + FastCGITestConnection.length(value.utf8.count) + Array(name.utf8) + Array(value.utf8)
        }
        let request = FastCGITestConnection.record(1, id: 1, [0, 2, 0, 0, 0, 0, 0, 0])
            + FastCGITestConnection.record(4, id: 1, parameters[...]) + FastCGITestConnection.record(4, id: 1, [])
        let connection = try server.connect()
        try connection.send(request)
        #expect(try connection.readAnswer().contains("GET /authorize body=0"))
        #expect(held.count == 2)
    }

    @Test(arguments: listeners)
    func aLargeBodyIsServedAndAStalledOneFreesItsWorker(listener: StarvationServer.Listener) throws {
        let server = try StarvationServer(listener, workers: 1, readTimeoutMilliseconds: 600)
        defer { server.stop() }
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 200_000)
        // A request stopping after 40 KB (more than the acceptor peeks at, so a worker reads the
        // rest itself) holds the only worker for its deadline at most.
        let stalled = try server.connect()
        try stalled.send(Array(FastCGITestConnection.request(method: "POST", uri: "/stalled", body: body).prefix(40_000)))
        let started = Date()
        #expect(stalled.closesWithinReadTimeout(), "the stalled large request was not closed")
        let (answer, _) = try server.check(uri: "/after-stalled")
        #expect(answer.contains("GET /after-stalled body=0"))
        #expect(Date().timeIntervalSince(started) < 2)
        // The whole 200 KB: served (the first 64 KiB of the body read, as before).
        let large = try server.connect()
        let writer = Thread { try? large.send(FastCGITestConnection.request(method: "POST", uri: "/large", body: body)) }
        writer.start()
        #expect(try large.readAnswer().contains("POST /large body=65536"))
    }
}
