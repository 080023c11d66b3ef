import Foundation

/// The servers of the differential harness: real nginx or Apache serving `DifferentialTree`
/// with the shipped snippets copied unmodified from `nginx/` and `apache/` (only ports and paths
/// substituted, as the tests of the example sites do), so that when the snippets change the
/// harness tests the new ones. The locations follow the usage the snippets document:
///
/// - `/site/`: any signed-in user; `/admin/`: role admin (`AUTHKIT_REQUIRE_ROLE admin`);
/// - `/proxied/`: any signed-in user, proxied to a second server that serves the same tree by
///   its own normalisation (nginx: `proxy_pass` without a URI part, the raw target goes on);
/// - `/`, `/pub/`: public; `WORKOS_UNAUTHENTICATED_PATHS` = `DifferentialTree.unauthenticatedPaths`.
///
/// Every process is started here on free loopback ports and stopped by PID.
protocol DifferentialSite: AnyObject {
    var name: String { get }
    var port: Int { get }
    var emulator: EmulatorProcess { get }
    /// The docroot (`DifferentialTree` written there).
    var root: URL { get }
    func stop()
}

extension DifferentialSite {
    var base: String { "http://127.0.0.1:\(port)" }
    var authority: String { "127.0.0.1:\(port)" }
}

/// What both servers need: the emulator (long-lived access tokens: the long mode runs for
/// minutes), authkit-fcgi's environment, a temporary directory with the tree.
struct DifferentialCommon {
    let port = freeLoopbackPort()
    let backendPort = freeLoopbackPort()
    let directory: URL
    let root: URL
    let emulator: EmulatorProcess
    let environment: [String: String]

    init() throws {
        directory = try temporaryDirectory()
        root = directory.appendingPathComponent("html")
        try DifferentialTree.write(to: root)
        let redirectURI = "http://127.0.0.1:\(port)/auth/callback"
        emulator = try EmulatorProcess(arguments: ["--redirect-uri", redirectURI, "--access-token-ttl", "86400"])
        environment = [
            "WORKOS_CLIENT_ID": EmulatorProcess.clientId, "WORKOS_API_KEY": EmulatorProcess.apiKey,
            "WORKOS_COOKIE_PASSWORD": "this-is-a-32-character-password!", "WORKOS_REDIRECT_URI": redirectURI,
            "WORKOS_API_HOSTNAME": "127.0.0.1", "WORKOS_API_PORT": String(emulator.port), "WORKOS_API_HTTPS": "false",
            "WORKOS_UNAUTHENTICATED_PATHS": DifferentialTree.unauthenticatedPaths.joined(separator: ","),
        ]
    }

    /// `authkit-fcgi serve` on `listen`, logging errors only, to a file (a pipe nobody reads
    /// would fill up and stall it over tens of thousands of requests).
    func startServe(listen: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("authkit-fcgi"))
        process.arguments = ["serve", "--listen", listen, "--workers", "4", "--log-level", "error"]
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        let log = directory.appendingPathComponent("authkit.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        return process
    }

    /// Removes the directory, unless `AUTHKIT_DIFFERENTIAL_KEEP=1` (then says where it is).
    func remove() {
        if ProcessInfo.processInfo.environment["AUTHKIT_DIFFERENTIAL_KEEP"] == "1" {
            print("differential: kept \(directory.path)")
        } else {
            try? FileManager.default.removeItem(at: directory)
        }
    }

    func log(_ name: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }
}

struct DifferentialSiteFailed: Error, CustomStringConvertible {
    let description: String
}

/// nginx with `nginx/authkit*.conf`.
final class DifferentialNginxSite: DifferentialSite, @unchecked Sendable {
    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") }

    let name = "nginx"
    let common: DifferentialCommon
    let authkit: Process
    let nginx = Process()
    var port: Int { common.port }
    var emulator: EmulatorProcess { common.emulator }
    var root: URL { common.root }

    init() throws {
        common = try DifferentialCommon()
        let socket = common.directory.appendingPathComponent("authkit.sock").path
        authkit = try common.startServe(listen: "unix:\(socket)")
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socket) {
            guard Date() < deadline, authkit.isRunning else { throw DifferentialSiteFailed(description: "authkit-fcgi did not listen: \(common.log("authkit.log"))") }
            usleep(20_000)
        }

        let conf = common.directory.appendingPathComponent("conf")
        let snippets = conf.appendingPathComponent("authkit")
        try FileManager.default.createDirectory(at: snippets, withIntermediateDirectories: true)
        // Every shipped snippet, unmodified; only the upstream's socket is this run's.
        let shipped = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("nginx").path)
            .filter { $0.hasPrefix("authkit") && $0.hasSuffix(".conf") && $0 != "authkit-upstream.conf" }
        for name in shipped {
            try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("nginx/\(name)"), to: snippets.appendingPathComponent(name))
        }
        try NginxSite.upstreamConf(socket: socket).write(to: snippets.appendingPathComponent("authkit-upstream.conf"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: "/etc/nginx/fastcgi_params", toPath: conf.appendingPathComponent("fastcgi_params").path)
        let root = common.root.path
        let temp = common.directory.appendingPathComponent("tmp").path
        try FileManager.default.createDirectory(atPath: temp, withIntermediateDirectories: true)
        try """
            user root;
            worker_processes 2;
            pid \(common.directory.path)/nginx.pid;
            error_log \(common.directory.path)/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path \(temp)/body;
                proxy_temp_path \(temp)/proxy;
                fastcgi_temp_path \(temp)/fastcgi;
                include authkit/authkit-upstream.conf;
                include differential-site.conf;
            }
            """.write(to: conf.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        try """
            server {
                listen 127.0.0.1:\(common.port);
                server_name localhost;
                root \(root);
                include authkit/authkit.conf;

                location = / { try_files /index.html =404; }
                location = /index.html { }
                location /pub/ { try_files $uri =404; }
                location / { return 404; }

                location /site/ {
                    auth_request /_authkit/check;
                    include authkit/authkit-protect.conf;
                    try_files $uri $uri/index.html =404;
                }

                location /admin/ {
                    auth_request /_authkit/check/admin;
                    include authkit/authkit-protect.conf;
                    try_files $uri $uri/index.html =404;
                }

                location = /_authkit/check/admin {
                    internal;
                    include authkit/authkit-check.conf;
                    fastcgi_param AUTHKIT_REQUIRE_ROLE admin;
                }

                location /proxied/ {
                    auth_request /_authkit/check;
                    include authkit/authkit-protect.conf;
                    include authkit/authkit-identity-proxy.conf;
                    proxy_pass http://127.0.0.1:\(common.backendPort);
                }
            }

            # The upstream of /proxied/: the same tree, no checks, its own normalisation.
            server {
                listen 127.0.0.1:\(common.backendPort);
                root \(root);
                location / { try_files $uri $uri/index.html =404; }
            }
            """.write(to: conf.appendingPathComponent("differential-site.conf"), atomically: true, encoding: .utf8)

        nginx.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        nginx.arguments = ["-p", common.directory.path, "-c", conf.appendingPathComponent("nginx.conf").path, "-g", "daemon off;"]
        nginx.standardError = FileHandle.nullDevice
        try nginx.run()
        guard waitForListener(port: common.port), waitForListener(port: common.backendPort) else {
            throw DifferentialSiteFailed(description: "nginx did not start: \(common.log("error.log"))")
        }
    }

    private var stopped = false

    func stop() {
        guard !stopped else { return }
        stopped = true
        if nginx.isRunning {
            nginx.terminate()
            nginx.waitUntilExit()
        }
        if authkit.isRunning {
            authkit.terminate()
            authkit.waitUntilExit()
        }
        common.remove()
    }

    deinit { stop() }
}

/// Apache 2.4 (event MPM) with `apache/authkit-site.conf` (mod_authnz_fcgi authorizer,
/// `authkit-fcgi serve --listen 127.0.0.1:PORT`), `apache/authkit-fcgid.conf` (mod_fcgid
/// starts authkit-fcgi itself) or `apache/authkit-cgi.conf` (authkit-fcgi as a CGI guard),
/// each with the protection block its snippet documents. `/proxied/` goes through
/// mod_proxy_http to a second virtual host serving the same tree, `/proxied/sub/` with `nocanon`
/// (the raw target goes on); not in the CGI setup (see `proxy` below).
final class DifferentialApacheSite: DifferentialSite, @unchecked Sendable {
    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/apache2") }
    static var fcgidAvailable: Bool { FileManager.default.fileExists(atPath: "/usr/lib/apache2/modules/mod_fcgid.so") }

    enum Setup: String, Sendable { case authorizer, fcgid, cgi }

    let setup: Setup
    var name: String { "apache-\(setup.rawValue)" }
    let common: DifferentialCommon
    let authkit: Process?
    let apache = Process()
    var port: Int { common.port }
    var emulator: EmulatorProcess { common.emulator }
    var root: URL { common.root }

    init(_ setup: Setup) throws {
        self.setup = setup
        common = try DifferentialCommon()
        let binary = Binaries.path("authkit-fcgi")
        let directory = common.directory
        let fcgiPort = freeLoopbackPort()
        if setup == .authorizer {
            let process = try common.startServe(listen: "127.0.0.1:\(fcgiPort)")
            authkit = process
            guard waitForListener(port: fcgiPort) else { throw DifferentialSiteFailed(description: "authkit-fcgi did not listen: \(common.log("authkit.log"))") }
        } else {
            authkit = nil
        }
        // Apache's children run as www-data: the env file and the cache directory are theirs.
        let envFile = directory.appendingPathComponent("authkit.env")
        try common.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: "\n")
            .write(to: envFile, atomically: true, encoding: .utf8)
        let cache = directory.appendingPathComponent("cache")
        let ipc = directory.appendingPathComponent("fcgid")
        for owned in [cache, ipc] {
            try FileManager.default.createDirectory(at: owned, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.setAttributes([.ownerAccountName: "www-data", .groupOwnerAccountName: "www-data"], ofItemAtPath: owned.path)
        }

        let conf = directory.appendingPathComponent("conf")
        try FileManager.default.createDirectory(at: conf, withIntermediateDirectories: true)
        let snippet = switch setup {
        case .authorizer: "authkit-site.conf"
        case .fcgid: "authkit-fcgid.conf"
        case .cgi: "authkit-cgi.conf"
        }
        let shipped = try String(contentsOf: repositoryRoot.appendingPathComponent("apache/\(snippet)"), encoding: .utf8)
            .replacingOccurrences(of: "127.0.0.1:9100", with: "127.0.0.1:\(fcgiPort)")
            .replacingOccurrences(of: "/usr/bin/authkit-fcgi", with: binary)
            .replacingOccurrences(of: "/usr/lib/cgi-bin/authkit-fcgi", with: binary)
            .replacingOccurrences(of: "/etc/authkit-fcgi/authkit.env", with: envFile.path)
            .replacingOccurrences(of: "/var/cache/authkit-fcgi", with: cache.path)
        try shipped.write(to: conf.appendingPathComponent(snippet), atomically: true, encoding: .utf8)

        // The protection block each snippet documents ("Protect a location (copy this block)").
        let check: String
        switch setup {
        case .authorizer:
            check = """
                    AuthType AuthKit
                    AuthName "WorkOS AuthKit"
                    AuthnzFcgiCheckAuthnProvider authkit Authoritative On RequireBasicAuth Off UserExpr "%{reqenv:AUTHKIT_USER_ID}" DefaultUser -
                    Require authkit
                """
        case .fcgid:
            check = """
                    FcgidAccessChecker \(binary)
                    ErrorDocument 401 /auth/denied
                """
        case .cgi:
            check = """
                    <If "reqenv('REDIRECT_AUTHKIT_ACTION') != 'guard'">
                        SetHandler authkit-guard
                    </If>
                """
        }
        let root = common.root.path
        // The CGI guard is a handler (SetHandler): a ProxyPass in the same location takes the
        // request from it and nothing is checked, so in that setup /proxied/ serves files.
        let proxy = setup == .cgi ? "" : """
            ProxyPass "/proxied/sub/" "http://127.0.0.1:\(common.backendPort)/proxied/sub/" nocanon
                ProxyPass "/proxied/" "http://127.0.0.1:\(common.backendPort)/proxied/"
            """
        var modules = ["mpm_event", "authz_core", "authz_host", "authn_core", "authz_user", "alias", "env", "setenvif", "mime", "dir",
                       "headers", "proxy", "proxy_http"]
        switch setup {
        case .authorizer: modules += ["authnz_fcgi", "proxy_fcgi"]
        case .fcgid: modules += ["fcgid"]
        case .cgi: modules += ["cgid", "actions"]
        }
        var lines = modules.map { "LoadModule \($0)_module /usr/lib/apache2/modules/mod_\($0).so" } + [
            "ServerRoot \(conf.path)",
            "ServerName 127.0.0.1",
            "Listen 127.0.0.1:\(common.port)",
            "Listen 127.0.0.1:\(common.backendPort)",
            "PidFile \(directory.path)/apache.pid",
            "ErrorLog \(directory.path)/error.log",
            "LogLevel warn",
            "User www-data",
            "Group www-data",
            "TypesConfig /etc/mime.types",
            "DirectoryIndex index.html",
        ]
        if setup == .cgi { lines.append("ScriptSock \(directory.path)/cgid.sock") }
        if setup == .fcgid {
            lines += ["FcgidIPCDir \(ipc.path)", "FcgidProcessTableFile \(directory.path)/fcgid_shm"]
        }
        lines += [
            "Include \(snippet)",
            """
            <Directory "\(root)">
                Require all granted
            </Directory>
            <VirtualHost 127.0.0.1:\(common.port)>
                DocumentRoot "\(root)"
                <Location "/site/">
            \(check)
                </Location>
                <Location "/admin/">
                    SetEnvIf Request_URI "." AUTHKIT_REQUIRE_ROLE=admin
            \(check)
                </Location>
                <Location "/proxied/">
            \(check)
                </Location>
            \(proxy)
            </VirtualHost>
            # The upstream of /proxied/: the same tree, no checks, its own normalisation.
            <VirtualHost 127.0.0.1:\(common.backendPort)>
                DocumentRoot "\(root)"
            </VirtualHost>
            """,
        ]
        try lines.joined(separator: "\n").write(to: conf.appendingPathComponent("apache2.conf"), atomically: true, encoding: .utf8)
        _ = try? runCommand("/bin/chmod", ["-R", "a+rX", root, conf.path, envFile.path])
        _ = try? runCommand("/bin/chmod", ["a+rx", directory.path])

        configureWithSignalsUnblocked(apache, executable: "/usr/sbin/apache2",
                                      arguments: ["-f", conf.appendingPathComponent("apache2.conf").path, "-DFOREGROUND"])
        apache.standardError = FileHandle.nullDevice
        try apache.run()
        guard waitForListener(port: common.port), waitForListener(port: common.backendPort) else {
            throw DifferentialSiteFailed(description: "Apache did not start: \(common.log("error.log"))")
        }
    }

    private var stopped = false

    func stop() {
        guard !stopped else { return }
        stopped = true
        if apache.isRunning {
            apache.terminate()
            apache.waitUntilExit()
        }
        if let authkit, authkit.isRunning {
            authkit.terminate()
            authkit.waitUntilExit()
        }
        common.remove()
    }

    deinit { stop() }
}
