import Foundation

/// A real redis-server from Debian on a free loopback port, no persistence, stopped by PID.
final class RedisServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    var url: String { "redis://127.0.0.1:\(port)/0" }

    init() throws {
        port = freeLoopbackPort()
        configureWithSignalsUnblocked(process, executable: "/usr/bin/redis-server", arguments: [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"])
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        guard waitForListener(port: port) else { throw CocoaError(.fileNoSuchFile) }
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
