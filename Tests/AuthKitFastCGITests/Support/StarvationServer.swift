import AuthKitCore
import AuthKitSync
import Foundation
import Logging
import Testing
@testable import AuthKitFastCGI
@testable import AuthKitGateway

/// A FastCGI server for the starvation tests, on a unix socket or a loopback TCP port, that
/// answers `<method> <uri> body=<bytes>` and keeps every line it logs.
final class StarvationServer: @unchecked Sendable {
    enum Listener: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case unix, tcp
        var testDescription: String { rawValue }
    }

    let listener: Listener
    let server: FastCGIServer
    let logs = Locked<[String]>([])
    private let directory: URL
    private let socketPath: String
    private let port: Int
    private let finished = DispatchSemaphore(value: 0)

    init(_ listener: Listener, workers: Int, readTimeoutMilliseconds: Int = 5_000, maxConnections: Int = 1_024) throws {
        self.listener = listener
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fcgi-starve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        socketPath = directory.appendingPathComponent("s.sock").path
        port = Self.freePort()
        let address: ListenAddress = listener == .unix ? .unix(path: socketPath) : .tcp(host: "127.0.0.1", port: port)
        let logs = self.logs
        let logger = Logger(label: "test", factory: { _ in CollectingLogHandler(lines: logs) })
        server = try FastCGIServer(
            address: address, pool: WorkerPool(workers: workers),
            limits: ConnectionLimits(readTimeoutMilliseconds: readTimeoutMilliseconds, maxConnections: maxConnections),
            logger: logger
        ) { parameters, input in
            let request = GatewayRequest.make(parameters: parameters.dictionary(), body: input)
            return GatewayResponse.bytes(AuthResponse(status: 200, body: Array("\(request.method) \(request.requestURI) body=\(input.count)".utf8)))
        }
        let server = self.server, finished = self.finished
        Thread.detachNewThread { server.run(); finished.signal() }
        usleep(50_000)
    }

    /// A new client connection whose reads give up after `timeout` seconds.
    func connect(timeout: Double = 3) throws -> FastCGITestConnection {
        let connection = listener == .unix ? try FastCGITestConnection(socket: socketPath) : try FastCGITestConnection(port: port)
        connection.setReadTimeout(seconds: timeout)
        return connection
    }

    /// One complete request on a new connection: its answer and how long it took.
    func check(uri: String = "/check", timeout: Double = 3) throws -> (answer: String, seconds: Double) {
        let started = Date()
        let connection = try connect(timeout: timeout)
        try connection.send(FastCGITestConnection.request(uri: uri))
        let answer = try connection.readAnswer()
        return (answer, Date().timeIntervalSince(started))
    }

    func stop() {
        server.stop()
        _ = finished.wait(timeout: .now() + 5)
        try? FileManager.default.removeItem(at: directory)
    }

    static func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                _ = bind(descriptor, pointer, length)
                return getsockname(descriptor, pointer, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Keeps every log line (level and message) for a test to count.
struct CollectingLogHandler: LogHandler {
    let lines: Locked<[String]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.level) \(event.message)") }
    }
}
