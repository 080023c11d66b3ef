import Foundation

/// authkit-fcgi started the way Apache's mod_cgi and mod_cgid start a CGI program: the CGI
/// environment, and for an "indexed" query (one without `=`, RFC 3875 §4.4) the query's words
/// as the program's arguments. Nothing is waited on for ever: a program still running at the
/// deadline is killed by PID.
enum CGIInvocation {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        /// Still running at the deadline (and killed): a CGI program must answer and exit.
        let timedOut: Bool
        let seconds: Double
    }

    /// The arguments Apache passes for `query`: none when it holds `=`; else its words, split on
    /// `+` and each percent-decoded (mod_cgid's `ap_unescape_url` per word).
    static func words(ofQuery query: String) -> [String] {
        guard !query.isEmpty, !query.contains("=") else { return [] }
        return query.components(separatedBy: "+").map { $0.removingPercentEncoding ?? $0 }
    }

    static func query(of uri: String) -> String {
        uri.firstIndex(of: "?").map { String(uri[uri.index(after: $0)...]) } ?? ""
    }

    /// Apache's CGI variables for a GET of `uri` under `ScriptAlias /auth/ …/authkit-fcgi/`.
    static func environment(uri: String, extra: [String: String]) -> [String: String] {
        let path = uri.components(separatedBy: "?")[0]
        return [
            "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_SOFTWARE": "Apache/2.4", "SERVER_PROTOCOL": "HTTP/1.1",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080", "REMOTE_ADDR": "127.0.0.1",
            "REQUEST_METHOD": "GET", "REQUEST_URI": uri, "QUERY_STRING": query(of: uri),
            "SCRIPT_NAME": "/auth", "PATH_INFO": String(path.dropFirst("/auth".count)),
            "HTTP_ACCEPT": "text/html",
        ].merging(extra) { _, new in new }
    }

    /// Runs the built authkit-fcgi for a GET of `uri` as Apache would, arguments and all.
    /// `beforeKill` runs when the deadline passes with the program still running.
    static func run(uri: String, environment extra: [String: String], timeout: TimeInterval = 8,
                    beforeKill: () -> Void = {}) throws -> Result {
        try run(arguments: words(ofQuery: query(of: uri)), environment: environment(uri: uri, extra: extra), timeout: timeout,
                       beforeKill: beforeKill)
    }

    static func run(arguments: [String], environment: [String: String], timeout: TimeInterval,
                    beforeKill: () -> Void) throws -> Result {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Output goes to files, not pipes: a program that never exits must not block the reader.
        let out = directory.appendingPathComponent("stdout"), err = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("authkit-fcgi"))
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let started = Date()
        try process.run()
        let deadline = started.addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        let timedOut = process.isRunning
        if timedOut {
            beforeKill()
            // SIGKILL: the test runner's blocked signal mask is inherited, SIGTERM might never arrive.
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "",
                      timedOut: timedOut, seconds: Date().timeIntervalSince(started))
    }

    /// Kills (by PID, SIGKILL) every process running the built authkit-fcgi with an argument
    /// containing `token`: servers a CGI request may have started behind Apache's back, which
    /// Apache does not stop. Returns how many there were.
    @discardableResult
    static func killServers(mentioning token: String) -> Int {
        let binary = Binaries.path("authkit-fcgi")
        var killed = 0
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                  (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/exe")) == binary,
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let arguments = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard arguments.dropFirst().contains(where: { $0.contains(token) }) else { continue }
            kill(pid, SIGKILL)
            killed += 1
        }
        return killed
    }

    /// Whether `path` is a socket (not following a symbolic link).
    static func isSocket(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port` right now.
    static func isListening(port: Int) -> Bool { waitForListener(port: port, timeout: 0.3) }
}
