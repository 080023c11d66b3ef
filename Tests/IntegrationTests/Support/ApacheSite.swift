import Foundation

/// A real Apache 2.4 from Debian (event MPM) serving one of the shipped example sites, with the
/// emulator standing in for WorkOS. Stopped by PID.
///
/// - `.authorizer`: `apache/example-site.conf`: mod_authnz_fcgi + mod_proxy_fcgi, both reaching
///   one `authkit-fcgi serve` on a loopback TCP port started here.
/// - `.fcgid`: `apache/example-fcgid-site.conf`: mod_fcgid starts authkit-fcgi itself.
/// - `.cgi`: `apache/example-cgi-site.conf`: authkit-fcgi as a plain CGI program.
final class ApacheSite: @unchecked Sendable {
    enum Setup: String, CaseIterable, Sendable, CustomStringConvertible {
        case authorizer, fcgid, cgi
        var description: String { rawValue }
        var siteFile: String {
            switch self {
            case .authorizer: "example-site.conf"
            case .fcgid: "example-fcgid-site.conf"
            case .cgi: "example-cgi-site.conf"
            }
        }
        var snippetFile: String {
            switch self {
            case .authorizer: "authkit-site.conf"
            case .fcgid: "authkit-fcgid.conf"
            case .cgi: "authkit-cgi.conf"
            }
        }
        var modules: [String] {
            let common = ["mpm_event", "authz_core", "authz_host", "authn_core", "authz_user", "cgid", "alias", "env", "setenvif", "mime", "dir", "headers"]
            switch self {
            case .authorizer: return common + ["authnz_fcgi", "proxy", "proxy_fcgi"]
            case .fcgid: return common + ["fcgid"]
            case .cgi: return common + ["actions"]
            }
        }
    }

    let setup: Setup
    let emulator: EmulatorProcess
    let authkit: Process?
    let apache = Process()
    let port: Int
    let directory: URL
    private let authkitLog = Pipe()
    var base: String { "http://127.0.0.1:\(port)" }

    /// - Parameter extraSite: Apache configuration added after the example site's. In it, and
    ///   in `environment` values and `emulatorArguments`, `{{port}}` is Apache's port.
    init(_ setup: Setup = .authorizer, environment extra: [String: String] = [:], emulatorArguments: [String] = [],
         extraSite: String = "") throws {
        self.setup = setup
        port = freeLoopbackPort()
        let fcgiPort = freeLoopbackPort()
        directory = try temporaryDirectory()
        let placeholders = { [port] (text: String) in text.replacingOccurrences(of: "{{port}}", with: String(port)) }
        let redirectURI = "http://127.0.0.1:\(port)/auth/callback"
        emulator = try EmulatorProcess(arguments: ["--redirect-uri", redirectURI] + emulatorArguments.map(placeholders))

        var environment = [
            "WORKOS_CLIENT_ID": EmulatorProcess.clientId, "WORKOS_API_KEY": EmulatorProcess.apiKey,
            "WORKOS_COOKIE_PASSWORD": "this-is-a-32-character-password!", "WORKOS_REDIRECT_URI": redirectURI,
            "WORKOS_API_HOSTNAME": "127.0.0.1", "WORKOS_API_PORT": String(emulator.port), "WORKOS_API_HTTPS": "false",
        ]
        environment.merge(extra.mapValues(placeholders)) { _, b in b }
        let binary = Binaries.path("authkit-fcgi")
        // Apache's children run as www-data: the env file and the cache directory are theirs.
        let envFile = directory.appendingPathComponent("authkit.env")
        try environment.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: "\n")
            .write(to: envFile, atomically: true, encoding: .utf8)
        let cache = directory.appendingPathComponent("cache")
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let ipc = directory.appendingPathComponent("fcgid")
        try FileManager.default.createDirectory(at: ipc, withIntermediateDirectories: true)
        for owned in [cache, ipc] {
            try FileManager.default.setAttributes([.ownerAccountName: "www-data", .groupOwnerAccountName: "www-data"], ofItemAtPath: owned.path)
        }

        if setup == .authorizer {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["serve", "--listen", "127.0.0.1:\(fcgiPort)", "--workers", "4"]
            process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
            process.standardError = authkitLog
            try process.run()
            authkit = process
            guard waitForListener(port: fcgiPort) else { throw ApacheFailed(log: "authkit-fcgi did not listen") }
        } else {
            authkit = nil
        }

        let conf = directory.appendingPathComponent("conf")
        try FileManager.default.createDirectory(at: conf, withIntermediateDirectories: true)
        let root = directory.appendingPathComponent("html")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("apache/example-root"), to: root)
        func shipped(_ name: String, adding extra: String = "") throws -> String {
            try (String(contentsOf: repositoryRoot.appendingPathComponent("apache/\(name)"), encoding: .utf8) + "\n" + extra)
                .replacingOccurrences(of: "127.0.0.1:9100", with: "127.0.0.1:\(fcgiPort)")
                .replacingOccurrences(of: "/srv/authkit-example", with: root.path)
                .replacingOccurrences(of: "/usr/bin/authkit-fcgi", with: binary)
                .replacingOccurrences(of: "/usr/lib/cgi-bin/authkit-fcgi", with: binary)
                .replacingOccurrences(of: "/etc/authkit-fcgi/authkit.env", with: envFile.path)
                .replacingOccurrences(of: "/var/cache/authkit-fcgi", with: cache.path)
        }
        try shipped(setup.snippetFile).write(to: conf.appendingPathComponent(setup.snippetFile), atomically: true, encoding: .utf8)
        try shipped(setup.siteFile, adding: placeholders(extraSite)).write(to: conf.appendingPathComponent(setup.siteFile), atomically: true, encoding: .utf8)
        var lines = setup.modules.map { "LoadModule \($0)_module /usr/lib/apache2/modules/mod_\($0).so" } + [
            "ServerRoot \(conf.path)",
            "ServerName 127.0.0.1",
            "Listen 127.0.0.1:\(port)",
            "PidFile \(directory.path)/apache.pid",
            "ErrorLog \(directory.path)/error.log",
            "LogLevel warn",
            "User www-data",
            "Group www-data",
            "TypesConfig /etc/mime.types",
            "ScriptSock \(directory.path)/cgid.sock",
        ]
        if setup == .fcgid {
            lines += ["FcgidIPCDir \(ipc.path)", "FcgidProcessTableFile \(directory.path)/fcgid_shm"]
        }
        lines.append("Include \(setup.siteFile)")
        try lines.joined(separator: "\n").write(to: conf.appendingPathComponent("apache2.conf"), atomically: true, encoding: .utf8)
        // Apache's children run as www-data and must read the site and the env file.
        _ = try? runCommand("/bin/chmod", ["-R", "a+rX", root.path, conf.path, envFile.path])
        _ = try? runCommand("/bin/chmod", ["a+rx", directory.path])

        configureWithSignalsUnblocked(apache, executable: "/usr/sbin/apache2",
                                      arguments: ["-f", conf.appendingPathComponent("apache2.conf").path, "-DFOREGROUND"])
        apache.standardError = FileHandle.nullDevice
        try apache.run()
        guard waitForListener(port: port) else {
            throw ApacheFailed(log: (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? "")
        }
    }

    /// The example site's own `/admin/` block for `setup`, for another location with another
    /// setting (as an operator would copy it): `extraSite` for tests of a location of their own.
    static func adminBlock(_ setup: Setup, location: String, replacing setting: String = "AUTHKIT_REQUIRE_ROLE=admin", with replacement: String) throws -> String {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("apache/\(setup.siteFile)"), encoding: .utf8)
        guard let start = text.range(of: "<Location \"/admin/\">"),
              let end = text.range(of: "</Location>", range: start.upperBound..<text.endIndex) else { throw ApacheFailed(log: "no /admin/ block in \(setup.siteFile)") }
        let block = String(text[start.lowerBound..<end.upperBound])
        guard block.contains(setting) else { throw ApacheFailed(log: "\(setting) not in the /admin/ block of \(setup.siteFile)") }
        return block.replacingOccurrences(of: "/admin/", with: location).replacingOccurrences(of: setting, with: replacement)
    }

    struct ApacheFailed: Error, CustomStringConvertible {
        let log: String
        var description: String { "Apache did not start: \(log)" }
    }

    var errorLog: String { (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? "" }

    /// Stops Apache (and the FastCGI server, in the authorizer setup): its exit status and its
    /// log (authkit-fcgi's stderr; Apache's error log for the setups where Apache starts it).
    func stop() -> (status: Int32, log: String) {
        if apache.isRunning {
            apache.terminate()
            apache.waitUntilExit()
        }
        var status: Int32 = 0
        var log = errorLog
        if let authkit {
            if authkit.isRunning { authkit.terminate() }
            authkit.waitUntilExit()
            status = authkit.terminationStatus
            log = String(decoding: authkitLog.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }
        try? FileManager.default.removeItem(at: directory)
        return (status, log)
    }

    deinit { _ = stop() }
}
