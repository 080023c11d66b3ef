import Foundation

/// One FastCGI request through Debian's `cgi-fcgi`, a real FastCGI client; parameters go
/// as its environment. Returns the raw CGI output (`Status:` line, headers, body).
func fastCGIRequest(socket: String, parameters: [String: String], body: String = "") throws -> String {
    let result = try runCommand("/usr/bin/cgi-fcgi", ["-bind", "-connect", socket],
                                environment: parameters.merging(["CONTENT_LENGTH": String(body.utf8.count)]) { a, _ in a },
                                stdin: body)
    return result.stdout
}

/// A started `authkit-fcgi serve`, stopped with SIGTERM.
final class ServeProcess: SiteServer, @unchecked Sendable {
    let process = Process()
    let socket: String
    private let errors = Pipe()
    /// stderr as read so far: drained all along, so that a test with many log lines never fills
    /// the pipe (serve's workers would block writing their log and stop answering).
    private let logged = LogBuffer()
    private let drained = DispatchSemaphore(value: 0)

    init(environment: [String: String], directory: URL, workers: Int = 4, arguments extra: [String] = []) throws {
        socket = directory.appendingPathComponent("authkit.sock").path
        process.executableURL = URL(fileURLWithPath: Binaries.path("authkit-fcgi"))
        process.arguments = ["serve", "--listen", "unix:\(socket)", "--workers", String(workers)] + extra
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        process.standardError = errors
        try process.run()
        let reader = errors.fileHandleForReading
        DispatchQueue.global().async { [logged, drained] in
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                logged.append(chunk)
            }
            drained.signal()
        }
        let deadline = Date().addingTimeInterval(10)
        // The socket file appears at bind(), a moment before listen(): wait for a connection.
        while !Self.accepts(socket) {
            guard Date() < deadline, process.isRunning else { throw CocoaError(.fileNoSuchFile) }
            usleep(20_000)
        }
    }

    /// Whether something accepts connections on the unix socket at `path`.
    static func accepts(_ path: String) -> Bool {
        // Glibc's: `socket` alone is this class's path.
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }

    var isRunning: Bool { process.isRunning }
    func terminate() { process.terminate() }

    /// SIGTERM, then the exit status and everything logged.
    func stop() -> (status: Int32, log: String) {
        process.terminate()
        process.waitUntilExit()
        // The reader ends at EOF, once every holder of the pipe's write end is gone.
        _ = drained.wait(timeout: .now() + 5)
        let log = String(decoding: logged.bytes, as: UTF8.self)
        return (process.terminationStatus, log)
    }

    deinit { if process.isRunning { process.terminate() } }
}

/// Bytes appended by one reader thread and read by the test.
final class LogBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ chunk: Data) { lock.lock(); data.append(chunk); lock.unlock() }
    var bytes: Data { lock.lock(); defer { lock.unlock() }; return data }
}
