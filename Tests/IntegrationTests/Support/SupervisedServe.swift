import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a test's `authkit-fcgi serve` listens: a temporary unix socket or a free loopback port.
enum ProbeAddress: Sendable, CustomStringConvertible {
    case unix(String)
    case tcp(Int)

    var listenArgument: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let port): "127.0.0.1:\(port)"
        }
    }

    var description: String { listenArgument }

    /// A connected stream socket, or nil (refused, or nothing there).
    func connect(timeout: TimeInterval) -> Int32? {
        let fd: Int32
        let connected: Int32
        switch self {
        case .unix(let path):
            fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: Array(path.utf8.prefix(raw.count - 1)) + [0])
            }
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        case .tcp(let port):
            fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard fd >= 0 else { return nil }
        guard connected == 0 else { close(fd); return nil }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// One auth check (as nginx's auth_request sends it, with no session): the answer's status
    /// code, or nil for a connection error, a timeout or an answer with no status.
    func check(timeout: TimeInterval = 10) -> Int? {
        guard let fd = connect(timeout: timeout) else { return nil }
        defer { close(fd) }
        let bytes = RawFastCGI.request([
            ("REQUEST_METHOD", "GET"), ("REQUEST_URI", "/private/page"), ("AUTHKIT_ACTION", "check"),
            ("AUTHKIT_SERVED_PATH", "/private/page"), ("HTTP_ACCEPT", "text/html"),
        ])
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return nil }
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0 { return nil }
            if n == 0 { break }
            received += buffer[..<n]
        }
        let text = RawFastCGI.stdout(of: received)
        guard text.hasPrefix("Status: ") else { return nil }
        return Int(text.dropFirst(8).prefix(3))
    }
}

/// `authkit-fcgi serve --listen …` as a process tree: the supervisor (``pid``) and its worker
/// child. Its log goes to a file, so a test can read it while it runs.
final class SupervisedServe: @unchecked Sendable {
    let process = Process()
    let address: ProbeAddress
    let logPath: String

    init(address: ProbeAddress, environment: [String: String], directory: URL, arguments extra: [String] = []) throws {
        self.address = address
        logPath = directory.appendingPathComponent("serve-\(UUID().uuidString).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        // The test runner blocks most signals and a spawned process inherits the mask: unblock.
        configureWithSignalsUnblocked(process, executable: Binaries.path("authkit-fcgi"),
                                      arguments: ["serve", "--listen", address.listenArgument, "--workers", "4", "--log-level", "info"] + extra)
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        guard waitUntil(timeout: 15, { self.address.check(timeout: 2) != nil }) else {
            throw ServeStartError(log: log)
        }
    }

    struct ServeStartError: Error, CustomStringConvertible {
        let log: String
        var description: String { "serve did not start: \(log)" }
    }

    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The worker: the supervisor's child, or (no supervisor) the process itself.
    var workerPID: Int32? {
        let children = childPIDs(of: pid)
        if let child = children.first { return child }
        return process.isRunning ? pid : nil
    }

    /// SIGTERM to the supervisor; waits (bounded) and returns its exit status, or nil if it hangs.
    func stop(timeout: TimeInterval = 20) -> Int32? {
        if process.isRunning { kill(pid, SIGTERM) }
        guard waitUntil(timeout: timeout, { !self.process.isRunning }) else { return nil }
        return process.terminationStatus
    }

    deinit {
        for child in childPIDs(of: pid) { kill(child, SIGKILL) }
        if process.isRunning { kill(pid, SIGKILL) }
    }
}

/// The pids whose parent is `parent` (from /proc/*/stat), zombies excluded.
func childPIDs(of parent: Int32) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap { Int32($0) }.filter { pid in
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        // "pid (comm) state ppid …": comm may hold spaces, so read after the last ')'.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 2 && fields[0] != "Z" && Int32(fields[1]) == parent
    }.sorted()
}

/// Whether a process with this pid exists (a zombie counts as gone).
func processExists(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    return !stat[stat.index(after: close)...].hasPrefix(" Z")
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
func waitUntil(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

/// A steady stream of checks from a few threads, with one action (the crash) part-way through.
struct CrashUnderLoad {
    struct Sample: Sendable {
        let started: Double, finished: Double  // seconds since the action
        let status: Int?
        /// The server answered as it should (for ``run(address:threads:before:after:pause:action:)``:
        /// 2xx, 3xx or 401).
        let succeeded: Bool
    }

    struct Result: Sendable, CustomStringConvertible {
        let samples: [Sample]
        /// When the action ran, in the samples' time (about 0).
        let actionAt: Double
        var sent: Int { samples.count }
        var failed: [Sample] { samples.filter { !$0.succeeded } }
        /// Failures of requests sent after the action: none of them was held by the dead worker.
        var failedAfter: [Sample] { failed.filter { $0.started > actionAt } }
        /// The longest time with no answer completing, in ms, around the action.
        var gapMilliseconds: Int {
            // The end of the run counts as an answer: a server that never answers again has a gap to it.
            let ends = samples.filter(\.succeeded).map(\.finished).sorted() + [samples.map(\.finished).max() ?? 0]
            var gap = 0.0
            for (a, b) in zip(ends, ends.dropFirst()) { gap = max(gap, b - a) }
            return Int(gap * 1000)
        }
        var description: String {
            "sent \(sent), failed \(failed.count) (\(failedAfter.count) sent after the action), longest gap \(gapMilliseconds) ms"
        }
    }

    /// `threads` clients check against `address` for `before` seconds, then `action()` runs,
    /// then they go on for `after` seconds. Each client pauses `pause` between checks.
    static func run(address: ProbeAddress, threads: Int = 4, before: Double = 1.0, after: Double = 2.0,
                    pause: useconds_t = 2_000, action: () -> Void) -> Result {
        run(threads: threads, before: before, after: after, pause: pause, request: {
            let status = address.check()
            return (status, status.map { (200..<400).contains($0) || $0 == 401 } ?? false)
        }, action: action)
    }

    /// As above, each client sending `request` (its status, nil for a connection error, and
    /// whether that is the answer expected).
    static func run(threads: Int = 4, before: Double = 1.0, after: Double = 2.0, pause: useconds_t = 2_000,
                    request: @escaping @Sendable () -> (status: Int?, succeeded: Bool), action: () -> Void) -> Result {
        let lock = NSLock()
        nonisolated(unsafe) var samples: [Sample] = []
        let origin = Date().addingTimeInterval(before)
        let end = origin.addingTimeInterval(after)
        let group = DispatchGroup()
        for _ in 0..<threads {
            // Threads of their own: Dispatch's pool runs only as many blocks at once as there are
            // cores, so on 2 cores 4 clients were 2.
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                while Date() < end {
                    let started = Date().timeIntervalSince(origin)
                    let (status, succeeded) = request()
                    let finished = Date().timeIntervalSince(origin)
                    lock.lock(); samples.append(Sample(started: started, finished: finished, status: status, succeeded: succeeded)); lock.unlock()
                    usleep(pause)
                }
            }
        }
        Thread.sleep(until: origin)
        let actionAt = Date().timeIntervalSince(origin)
        action()
        group.wait()
        lock.lock(); defer { lock.unlock() }
        return Result(samples: samples, actionAt: actionAt)
    }
}
