import Foundation

/// A real nginx from Debian serving `nginx/example-site.conf` with the shipped `nginx/authkit*`
/// snippets, on free loopback ports, in front of an `authkit-fcgi serve` and an emulator.
/// Everything is stopped by PID when the site is released.
final class NginxSite: @unchecked Sendable {
    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") }

    let emulator: EmulatorProcess
    /// The first (often only) `authkit-fcgi serve`.
    var authkit: any SiteServer { authkits[0] }
    /// Every `authkit-fcgi serve` behind nginx's upstream, in `processes` order.
    let authkits: [any SiteServer]
    let nginx = Process()
    let port: Int
    let directory: URL
    var base: String { "http://127.0.0.1:\(port)" }

    /// - Parameter environment: extra authkit-fcgi variables.
    /// - Parameter extraLocations: nginx configuration added to the example site's server block.
    /// - Parameter extraServers: nginx configuration added at http level (more server blocks).
    ///   In it, and in `environment` values and `emulatorArguments`, `{{port}}` is nginx's port
    ///   and `{{root}}` the example site's document root.
    /// - Parameter processes: one `authkit-fcgi serve` per element, with that element's variables
    ///   over `environment` (several processes, or hosts: give each group its own
    ///   `AUTHKIT_CACHE_DIR`); nginx's upstream spreads requests over them round-robin.
    /// - Parameter server: starts each authkit-fcgi given its settings and a directory for its
    ///   socket; by default `serve --listen` with `serveArguments` (``ServeProcess``).
    init(environment extra: [String: String] = [:], emulatorArguments: [String] = [], serveArguments: [String] = [],
         extraLocations: String = "", extraServers: String = "", processes: [[String: String]] = [[:]],
         server: ((_ environment: [String: String], _ directory: URL) throws -> any SiteServer)? = nil) throws {
        port = freeLoopbackPort()
        let echoPort = freeLoopbackPort()
        directory = try temporaryDirectory()
        let root = directory.appendingPathComponent("html")
        let placeholders = { [port] (text: String) in
            text.replacingOccurrences(of: "{{port}}", with: String(port)).replacingOccurrences(of: "{{root}}", with: root.path)
        }
        let redirectURI = "http://127.0.0.1:\(port)/auth/callback"
        emulator = try EmulatorProcess(arguments: ["--redirect-uri", redirectURI] + emulatorArguments.map(placeholders))

        var environment = [
            "WORKOS_CLIENT_ID": EmulatorProcess.clientId, "WORKOS_API_KEY": EmulatorProcess.apiKey,
            "WORKOS_COOKIE_PASSWORD": "this-is-a-32-character-password!",
            "WORKOS_REDIRECT_URI": redirectURI,
            "WORKOS_API_HOSTNAME": "127.0.0.1", "WORKOS_API_PORT": String(emulator.port), "WORKOS_API_HTTPS": "false",
        ]
        environment.merge(extra.mapValues(placeholders)) { _, b in b }
        var authkits: [any SiteServer] = []
        for (index, own) in processes.enumerated() {
            // The first process keeps the site's directory (tests read its files there).
            let place = index == 0 ? directory : directory.appendingPathComponent("serve\(index)")
            try FileManager.default.createDirectory(at: place, withIntermediateDirectories: true)
            let settings = environment.merging(own.mapValues(placeholders)) { _, b in b }
            authkits.append(try server?(settings, place) ?? ServeProcess(environment: settings, directory: place, arguments: serveArguments))
        }
        self.authkits = authkits

        // The shipped configuration, with this run's ports, paths and socket.
        let conf = directory.appendingPathComponent("conf")
        let snippets = conf.appendingPathComponent("authkit")
        try FileManager.default.createDirectory(at: snippets, withIntermediateDirectories: true)
        for name in ["authkit.conf", "authkit-check.conf", "authkit-protect.conf", "authkit-identity-proxy.conf"] {
            try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("nginx/\(name)"), to: snippets.appendingPathComponent(name))
        }
        try Self.upstreamConf(sockets: authkits.map(\.socket)).write(to: snippets.appendingPathComponent("authkit-upstream.conf"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: "/etc/nginx/fastcgi_params", toPath: conf.appendingPathComponent("fastcgi_params").path)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("nginx/example-root"), to: root)
        let site = try String(contentsOf: repositoryRoot.appendingPathComponent("nginx/example-site.conf"), encoding: .utf8)
            .replacingOccurrences(of: "127.0.0.1:8080", with: "127.0.0.1:\(port)")
            .replacingOccurrences(of: "127.0.0.1:8081", with: "127.0.0.1:\(echoPort)")
            .replacingOccurrences(of: "/srv/authkit-example", with: root.path)
            .replacingOccurrences(of: "    include authkit/authkit.conf;\n", with: "    include authkit/authkit.conf;\n" + extraLocations + "\n")
        try site.write(to: conf.appendingPathComponent("example-site.conf"), atomically: true, encoding: .utf8)
        let temp = directory.appendingPathComponent("tmp").path
        try """
            user root;
            worker_processes 1;
            pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path \(temp)/body;
                proxy_temp_path \(temp)/proxy;
                fastcgi_temp_path \(temp)/fastcgi;
                include authkit/authkit-upstream.conf;
                include example-site.conf;
            \(placeholders(extraServers))
            }
            """.write(to: conf.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: temp, withIntermediateDirectories: true)

        nginx.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        nginx.arguments = ["-p", directory.path, "-c", conf.appendingPathComponent("nginx.conf").path, "-g", "daemon off;"]
        nginx.standardError = FileHandle.nullDevice
        try nginx.run()
        guard waitForListener(port: port), waitForListener(port: echoPort) else {
            let log = (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
            throw NginxFailed(log: log)
        }
    }

    /// The shipped `nginx/authkit-upstream.conf` (the upstream and the site variables), pointed
    /// at this run's socket, or sockets (the shipped `server` line once for each; its backup
    /// line, the same socket again, names the first).
    static func upstreamConf(socket: String) throws -> String { try upstreamConf(sockets: [socket]) }

    static func upstreamConf(sockets: [String]) throws -> String {
        let shipped = try String(contentsOf: repositoryRoot.appendingPathComponent("nginx/authkit-upstream.conf"), encoding: .utf8)
        let line = "server unix:/run/authkit-fcgi/authkit.sock max_fails=0;"
        // A changed snippet must not leave nginx pointed at /run (every test would fail oddly).
        guard shipped.contains(line), let first = sockets.first else { throw NginxFailed(log: "nginx/authkit-upstream.conf has no line \(line)") }
        let servers = sockets.map { line.replacingOccurrences(of: "/run/authkit-fcgi/authkit.sock", with: $0) }.joined(separator: "\n    ")
        return shipped.replacingOccurrences(of: line, with: servers)
            .replacingOccurrences(of: "unix:/run/authkit-fcgi/authkit.sock", with: "unix:\(first)")
    }

    struct NginxFailed: Error, CustomStringConvertible {
        let log: String
        var description: String { "nginx did not start: \(log)" }
    }

    /// What the first `stop()` returned: a second (the deinit's after a test's) returns it again
    /// instead of waiting for logs that already ended.
    private var stopped: (status: Int32, log: String)?

    /// Stops nginx and authkit-fcgi; returns authkit-fcgi's exit status (the first non-zero one
    /// of several processes) and log (theirs, one after the other).
    func stop() -> (status: Int32, log: String) {
        if let stopped { return stopped }
        if nginx.isRunning {
            nginx.terminate()
            nginx.waitUntilExit()
        }
        // All told first: each one's log pipe may be held open by the others until they exit.
        for authkit in authkits where authkit.isRunning { authkit.terminate() }
        let results = authkits.map { $0.stop() }
        try? FileManager.default.removeItem(at: directory)
        let result = (status: results.first { $0.status != 0 }?.status ?? 0, log: results.map(\.log).joined())
        stopped = result
        return result
    }

    deinit { _ = stop() }
}

/// An authkit-fcgi a test site's nginx talks to: its unix socket, and how it is stopped.
protocol SiteServer: AnyObject, Sendable {
    var socket: String { get }
    var isRunning: Bool { get }
    /// SIGTERM, not waiting.
    func terminate()
    /// SIGTERM, then the exit status and everything logged.
    func stop() -> (status: Int32, log: String)
}
