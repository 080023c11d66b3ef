import Foundation

/// A real redis-server from Debian on a free loopback port, no persistence, stopped by PID.
final class RedisServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    var url: String { "redis://127.0.0.1:\(port)/0" }

    /// - Parameter port: a given port (to bring back a Redis that went away), else a free one.
    init(port given: Int? = nil) throws {
        port = given ?? freeLoopbackPort()
        configureWithSignalsUnblocked(process, executable: "/usr/bin/redis-server", arguments: [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"])
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        guard waitForListener(port: port) else { throw CocoaError(.fileNoSuchFile) }
    }

    deinit { stop() }

    /// Stops the server (a Redis outage); idempotent.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
