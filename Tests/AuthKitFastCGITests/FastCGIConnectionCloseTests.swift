import AuthKitCore
import Foundation
import Logging
import Testing
@testable import AuthKitFastCGI
@testable import AuthKitGateway

/// How a worker ends a connection: at once when the server has sent all its input (the usual
/// auth subrequest), with libfcgi's lingering close when input may still arrive, and not at all
/// when the server asked to keep the connection. Driven by a small FastCGI client written here,
/// because these cases need records `cgi-fcgi` cannot send (FCGI_KEEP_CONN, a held connection).
@Suite(.serialized) struct FastCGIConnectionCloseTests {
    /// A server with one worker that answers `<method> <uri> body=<bytes read>`.
    func withServer(_ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fcgi-close-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("s.sock").path
        let server = try FastCGIServer(address: .unix(path: socket), pool: WorkerPool(workers: 1), logger: Logger(label: "test")) { parameters, input in
            let request = GatewayRequest.make(parameters: parameters.dictionary(), body: input)
            return GatewayResponse.bytes(AuthResponse(status: 200, body: Array("\(request.method) \(request.requestURI) body=\(input.count)".utf8)))
        }
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread { server.run(); finished.signal() }
        defer {
            server.stop()
            _ = finished.wait(timeout: .now() + 5)
        }
        try body(socket)
    }

    @Test func anAnsweredConnectionFreesItsWorkerAtOnce() throws {
        try withServer { socket in
            // The first client gets its answer and keeps its end open. With libfcgi's lingering
            // close the only worker would wait for it (up to 2 s); the second client would too.
            let first = try FastCGITestConnection(socket: socket)
            try first.send(FastCGITestConnection.request(uri: "/first"))
            #expect(try first.readAnswer().contains("GET /first body=0"))
            let started = Date()
            let second = try FastCGITestConnection(socket: socket)
            try second.send(FastCGITestConnection.request(uri: "/second"))
            #expect(try second.readAnswer().contains("GET /second body=0"))
            #expect(Date().timeIntervalSince(started) < 1, "the worker waited for the first client to close")
            #expect(try first.readToEnd().isEmpty, "the server closed the first connection")
        }
    }

    @Test func aBodyBiggerThanWhatWasReadGetsTheWholeAnswer() throws {
        try withServer { socket in
            // 200 KB declared and sent; the server reads 64 KiB of it and answers. The rest is
            // still arriving, so the close must be the lingering one or the answer could be lost.
            let body = [UInt8](repeating: UInt8(ascii: "x"), count: 200_000)
            let connection = try FastCGITestConnection(socket: socket)
            let writer = Thread {
                try? connection.send(FastCGITestConnection.request(method: "POST", uri: "/big", body: body))
            }
            writer.start()
            #expect(try connection.readAnswer().contains("POST /big body=65536"))
            // And the server goes on serving.
            let next = try FastCGITestConnection(socket: socket)
            try next.send(FastCGITestConnection.request(uri: "/after"))
            #expect(try next.readAnswer().contains("GET /after body=0"))
        }
    }

    @Test func aKeptConnectionServesTheNextRequest() throws {
        try withServer { socket in
            let connection = try FastCGITestConnection(socket: socket)
            for index in 1...3 {
                try connection.send(FastCGITestConnection.request(id: UInt16(index), uri: "/kept/\(index)", keepConnection: true))
                #expect(try connection.readAnswer().contains("GET /kept/\(index) body=0"))
            }
        }
    }
}

/// A FastCGI client connection (records per the FastCGI 1.0 specification), for tests only.
final class FastCGITestConnection: @unchecked Sendable {
    private let descriptor: Int32

    init(socket path: String) throws {
        descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    /// A connection to a TCP listener on loopback.
    init(port: Int) throws {
        descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    /// Reads give up (throw) after `seconds`, so that a starved server fails a test instead of hanging it.
    func setReadTimeout(seconds: Double) {
        var time = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(descriptor) }

    static func record(_ type: UInt8, id: UInt16, _ content: ArraySlice<UInt8>) -> [UInt8] {
        let padding = (8 - content.count % 8) % 8
        return [1, type, UInt8(id >> 8), UInt8(id & 0xFF), UInt8(content.count >> 8), UInt8(content.count & 0xFF), UInt8(padding), 0]
            + content + [UInt8](repeating: 0, count: padding)
    }

    static func length(_ count: Int) -> [UInt8] {
        count < 128 ? [UInt8(count)] : [UInt8(count >> 24) | 0x80, UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
    }

    /// BEGIN_REQUEST (responder), the parameters, and the body as STDIN ending in an empty record.
    static func request(id: UInt16 = 1, method: String = "GET", uri: String, body: [UInt8] = [], keepConnection: Bool = false) -> [UInt8] {
        var bytes = record(1, id: id, [0, 1, keepConnection ? 1 : 0, 0, 0, 0, 0, 0])
        var parameters: [UInt8] = []
        for (name, value) in [("REQUEST_METHOD", method), ("REQUEST_URI", uri), ("CONTENT_LENGTH", String(body.count))] {
            parameters += length(name.utf8.count) + length(value.utf8.count) + Array(name.utf8) + Array(value.utf8)
        }
        bytes += record(4, id: id, parameters[...]) + record(4, id: id, [])
        var offset = 0
        while offset < body.count {
            let end = min(offset + 65_535, body.count)
            bytes += record(5, id: id, body[offset..<end])
            offset = end
        }
        return bytes + record(5, id: id, [])
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + sent, bytes.count - sent) }
            guard count > 0 else { throw POSIXError(.EPIPE) }
            sent += count
        }
    }

    private func read(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + filled, count - filled) }
            guard got > 0 else { throw POSIXError(.ECONNRESET) }
            filled += got
        }
        return bytes
    }

    /// STDOUT up to END_REQUEST, as text.
    func readAnswer() throws -> String {
        var output: [UInt8] = []
        while true {
            let header = try read(8)
            let content = try read(Int(header[4]) << 8 | Int(header[5]))
            _ = try read(Int(header[6]))
            if header[1] == 6 { output += content }
            if header[1] == 3 { return String(decoding: output, as: UTF8.self) }
        }
    }

    /// Whether the server closes its end (EOF or reset) within the read timeout, discarding what arrives.
    func closesWithinReadTimeout() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let got = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, 512) }
            if got == 0 { return true }
            if got < 0 { return errno == ECONNRESET }
        }
    }

    /// Whatever else arrives until the server closes its end.
    func readToEnd() throws -> [UInt8] {
        var rest: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let got = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, 512) }
            if got <= 0 { return rest }
            rest += buffer[..<got]
        }
    }
}
