import AuthKitCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What systemd does with `authkit-fcgi.socket` and `authkit-fcgi.service`, for a test: this
/// process binds and listens on the unix socket and holds it across every restart, and starts
/// `authkit-fcgi serve --env-file …` with it as fd 3, `LISTEN_FDS=1` and `LISTEN_PID` the
/// started process's own pid. A stop is systemd's too: the signal goes to every process of the
/// service (KillMode=control-group: the main process and its workers), SIGKILL after
/// TimeoutStopSec, and a start comes `restartSec` after the last of them is gone (Restart=).
final class SocketActivatedServe: SiteServer, @unchecked Sendable {
    let socket: String
    let envFile: URL
    let logPath: String
    private let listenFD: Int32
    private let arguments: [String]
    private let lock = NSLock()
    private var main: pid_t = 0
    /// How the last main process ended (`waitpid` status), once reaped.
    private var ended: Int32?

    /// Binds `directory/authkit.sock` with `backlog`, writes `environment` to an env file and
    /// starts the service.
    init(environment: [String: String], directory: URL, arguments: [String] = ["--workers", "4"], backlog: Int32 = 4096) throws {
        socket = directory.appendingPathComponent("authkit.sock").path
        envFile = directory.appendingPathComponent("authkit.env")
        logPath = directory.appendingPathComponent("serve-\(UUID().uuidString).log").path
        self.arguments = arguments
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        try Self.write(environment, to: envFile)
        listenFD = try Self.listen(path: socket, backlog: backlog)
        try start()
    }

    /// The env file's settings.
    func settings() throws -> [String: String] {
        Dictionary(try DotEnv.parse(String(contentsOf: envFile, encoding: .utf8)), uniquingKeysWith: { _, last in last })
    }

    /// The settings as KEY=value lines, as in `/etc/authkit-fcgi/authkit.env`.
    static func write(_ settings: [String: String], to file: URL) throws {
        try settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined()
            .write(to: file, atomically: true, encoding: .utf8)
    }

    /// A listening unix socket, as systemd creates it for `ListenStream=` (blocking,
    /// `Backlog=`), kept off fd 3 so that the child's dup2 onto 3 clears close-on-exec.
    private static func listen(path: String, backlog: Int32) throws -> Int32 {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8.prefix(raw.count - 1)) + [0])
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, bound == 0, Glibc.listen(fd, backlog) == 0 else { throw POSIXError(.EADDRINUSE) }
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, 10)
        close(fd)
        guard moved >= 0 else { throw POSIXError(.EMFILE) }
        return moved
    }

    var pid: pid_t { lock.lock(); defer { lock.unlock() }; return main }
    var isRunning: Bool { processExists(pid) }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    /// The service's processes: the main one and its workers (the supervisor's children).
    var processes: [pid_t] { isRunning ? [pid] + childPIDs(of: pid) : [] }

    /// Starts the service: `sh` sets `LISTEN_PID=$$` and execs authkit-fcgi, so the variable
    /// names the process that reads it. Returns once it logged "serving" (or throws).
    func start() throws {
        let before = servingLines
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, listenFD, 3)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, logPath, O_WRONLY | O_APPEND, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The test runner blocks most signals, and a spawned process inherits the mask.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ["sh", "-c", #"LISTEN_PID=$$ exec "$0" "$@""#, Binaries.path("authkit-fcgi"), "serve", "--env-file", envFile.path,
                    "--log-level", "info"] + arguments
        let environment = ["PATH=/usr/bin:/bin", "LISTEN_FDS=1"]
        var cArgv = argv.map { strdup($0) } + [nil]
        var cEnvironment = environment.map { strdup($0) } + [nil]
        defer { for pointer in cArgv + cEnvironment { free(pointer) } }
        var started: pid_t = 0
        let result = posix_spawn(&started, "/bin/sh", &actions, &attributes, &cArgv, &cEnvironment)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        lock.lock(); main = started; ended = nil; lock.unlock()
        let serving = waitUntil(timeout: 20) {
            self.servingLines > before || self.reap() != nil
        }
        guard serving, reap() == nil else { throw SupervisedServe.ServeStartError(log: log) }
    }

    /// How many times a worker said it is serving.
    private var servingLines: Int { log.components(separatedBy: "serving").count - 1 }

    /// The main process's `waitpid` status once it has ended (reaping it), else nil.
    @discardableResult
    func reap() -> Int32? {
        lock.lock(); defer { lock.unlock() }
        if let ended { return ended }
        var status: Int32 = 0
        let result = waitpid(main, &status, WNOHANG)
        if result == main { ended = status }
        // Reaped elsewhere (ECHILD): gone, status unknown.
        if result < 0, !processExists(main) { ended = -1 }
        return ended
    }

    /// `signal` to every process of the service, then waits until all of them are gone
    /// (SIGKILL for those left after `timeout`, TimeoutStopSec). Returns the main process's
    /// exit status (128 + the signal when one ended it), as systemd records it.
    @discardableResult
    func stopAll(with signal: Int32 = SIGTERM, timeout: TimeInterval = 30) -> Int32? {
        let all = processes
        for process in all { kill(process, signal) }
        if !waitUntil(timeout: timeout, { all.allSatisfy { !processExists($0) } && self.reap() != nil }) {
            for process in all { kill(process, SIGKILL) }
            _ = waitUntil(timeout: 5) { self.reap() != nil }
        }
        return reap().map { WaitStatus($0).exitStatus }
    }

    /// `systemctl restart`, or Restart=always after the process ended: every process stopped
    /// with `signal`, `restartSec` passes, the service starts again on the same socket.
    func restart(with signal: Int32 = SIGTERM, restartSec: TimeInterval = 0) throws {
        stopAll(with: signal)
        if restartSec > 0 { Thread.sleep(forTimeInterval: restartSec) }
        try start()
    }

    func terminate() { for process in processes { kill(process, SIGTERM) } }

    /// `systemctl reload`: `ExecReload=/bin/kill -HUP $MAINPID`.
    func reload() { kill(pid, SIGHUP) }

    func stop() -> (status: Int32, log: String) {
        let status = isRunning ? stopAll() : reap().map { WaitStatus($0).exitStatus }
        return (status ?? -1, log)
    }

    deinit {
        for process in processes { kill(process, SIGKILL) }
        close(listenFD)
        unlink(socket)
    }
}

/// A `waitpid` status as a shell reports it: the exit code, or 128 + the signal.
struct WaitStatus {
    let raw: Int32
    init(_ raw: Int32) { self.raw = raw }
    // WIFEXITED / WTERMSIG: C macros Swift does not import.
    var exitStatus: Int32 { raw < 0 ? -1 : (raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)) }
}
