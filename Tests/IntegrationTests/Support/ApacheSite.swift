import Foundation

/// A real Apache 2.4 from Debian (event MPM) serving `apache/example-site.conf`: the FastCGI
/// authorizer (`mod_authnz_fcgi`) and the endpoints through `mod_proxy_fcgi`, both reaching one
/// `authkit-fcgi serve` on a loopback TCP port, plus the emulator. Stopped by PID.
final class ApacheSite: @unchecked Sendable {
    let emulator: EmulatorProcess
    let authkit: Process
    let apache = Process()
    let port: Int
    let directory: URL
    private let authkitLog = Pipe()
    var base: String { "http://127.0.0.1:\(port)" }

    init(environment extra: [String: String] = [:]) throws {
        port = freeLoopbackPort()
        let fcgiPort = freeLoopbackPort()
        directory = try temporaryDirectory()
        let redirectURI = "http://127.0.0.1:\(port)/auth/callback"
        emulator = try EmulatorProcess(arguments: ["--redirect-uri", redirectURI])

        var environment = [
            "WORKOS_CLIENT_ID": EmulatorProcess.clientId, "WORKOS_API_KEY": EmulatorProcess.apiKey,
            "WORKOS_COOKIE_PASSWORD": "this-is-a-32-character-password!", "WORKOS_REDIRECT_URI": redirectURI,
            "WORKOS_API_HOSTNAME": "127.0.0.1", "WORKOS_API_PORT": String(emulator.port), "WORKOS_API_HTTPS": "false",
            "PATH": "/usr/bin:/bin",
        ]
        environment.merge(extra) { _, b in b }
        authkit = Process()
        authkit.executableURL = URL(fileURLWithPath: Binaries.path("authkit-fcgi"))
        authkit.arguments = ["serve", "--listen", "127.0.0.1:\(fcgiPort)", "--workers", "4"]
        authkit.environment = environment
        authkit.standardError = authkitLog
        try authkit.run()
        guard waitForListener(port: fcgiPort) else { throw ApacheFailed(log: "authkit-fcgi did not listen") }

        let conf = directory.appendingPathComponent("conf")
        try FileManager.default.createDirectory(at: conf, withIntermediateDirectories: true)
        let root = directory.appendingPathComponent("html")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("apache/example-root"), to: root)
        func shipped(_ name: String) throws -> String {
            try String(contentsOf: repositoryRoot.appendingPathComponent("apache/\(name)"), encoding: .utf8)
                .replacingOccurrences(of: "127.0.0.1:9100", with: "127.0.0.1:\(fcgiPort)")
                .replacingOccurrences(of: "/srv/authkit-example", with: root.path)
        }
        try shipped("authkit-site.conf").write(to: conf.appendingPathComponent("authkit-site.conf"), atomically: true, encoding: .utf8)
        try shipped("example-site.conf").write(to: conf.appendingPathComponent("example-site.conf"), atomically: true, encoding: .utf8)
        let modules = ["mpm_event", "authz_core", "authn_core", "authz_user", "authnz_fcgi", "proxy", "proxy_fcgi",
                       "cgid", "alias", "env", "setenvif", "mime", "dir"]
        try (modules.map { "LoadModule \($0)_module /usr/lib/apache2/modules/mod_\($0).so" } + [
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
            "Include example-site.conf",
        ]).joined(separator: "\n").write(to: conf.appendingPathComponent("apache2.conf"), atomically: true, encoding: .utf8)
        // Apache's children run as www-data and must read the site.
        _ = try? runCommand("/bin/chmod", ["-R", "a+rX", directory.path])

        configureWithSignalsUnblocked(apache, executable: "/usr/sbin/apache2",
                                      arguments: ["-f", conf.appendingPathComponent("apache2.conf").path, "-DFOREGROUND"])
        apache.standardError = FileHandle.nullDevice
        try apache.run()
        guard waitForListener(port: port) else {
            throw ApacheFailed(log: (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? "")
        }
    }

    struct ApacheFailed: Error, CustomStringConvertible {
        let log: String
        var description: String { "Apache did not start: \(log)" }
    }

    var errorLog: String { (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? "" }

    func stop() -> (status: Int32, log: String) {
        if apache.isRunning {
            apache.terminate()
            apache.waitUntilExit()
        }
        if authkit.isRunning { authkit.terminate() }
        authkit.waitUntilExit()
        let log = String(decoding: authkitLog.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try? FileManager.default.removeItem(at: directory)
        return (authkit.terminationStatus, log)
    }

    deinit { _ = stop() }
}
