import ArgumentParser
import AuthKitCore
import AuthKitGateway
import AuthKitRedis
import AuthKitCurl
import FoundationEssentials
import Glibc

/// `authkit-fcgi check-config [--online]`: every setting with its value (secrets masked) and
/// where it came from (`env`, `file <path>` or `default`); with `--online`, also fetches the
/// JWKS and checks the API key against WorkOS.
///
/// Exit status: 0 when all is well, 78 (EX_CONFIG) for a configuration error, 69
/// (EX_UNAVAILABLE) when an online check fails. Failures are one line each on stderr,
/// `authkit-fcgi: JWKS …: connection refused … Fix: …`.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration and print every setting with its source (secrets masked).",
        discussion: """
            Sources: env (the process environment), file <path> (the env file), default.
            --online also fetches the JWKS and checks the API key with WorkOS (exit 69 when that fails).
            """)

    /// EX_UNAVAILABLE: WorkOS could not be reached or refused the configuration.
    static let unavailableExitCode: Int32 = 69

    @OptionGroup var options: ConfigOptions

    @Flag(name: .long, help: "Also fetch the JWKS and check the API key with WorkOS (HTTP status, keys, latency).")
    var online = false

    @Option(name: .long, parsing: .upToNextOption,
            help: "nginx or Apache configuration files whose AUTHKIT_* settings (fastcgi_param, SetEnv, SetEnvIf) to check before a reload.")
    var serverConfig: [String] = []

    func run() throws {
        CGIMode.refuse("check-config")
        // Every problem at once: the process settings' and the server files', then exit 78.
        if !serverConfig.isEmpty, case let processProblems = ProcessConfig.problems(envFile: options.envFile), !processProblems.isEmpty {
            // No allowlist loaded: site redirect URIs are checked once the process settings are right.
            ProcessConfig.fail(processProblems + scanServerConfig(allowlist: nil))
        }
        let (config, sources) = ProcessConfig.loadWithSources(envFile: options.envFile)
        if !serverConfig.isEmpty {
            let problems = scanServerConfig(allowlist: config.allowedRedirectURIs)
            if !problems.isEmpty { ProcessConfig.fail(problems) }
            print("")
        }
        for line in SettingsTable.lines(SettingsTable.rows(config, sources: sources)) { print(line) }
        guard online else { return }

        let transport = CurlTransport(
            connectTimeoutMillis: config.httpConnectTimeoutMillis, totalTimeoutMillis: config.httpTotalTimeoutMillis,
            userAgent: "authkit-fcgi/\(AuthKitVersion.string)")
        print("")
        print("Online checks of \(config.apiBaseURL) (timeouts: connect \(config.httpConnectTimeoutMillis) ms, total \(config.httpTotalTimeoutMillis) ms):")
        var failed = false
        for outcome in OnlineCheck(config: config, transport: transport).run() {
            let check = outcome.check.padding(to: 7)
            switch outcome.result {
            case .ok, .skipped:
                print("\(check)  \(outcome.result.rawValue.padding(to: 7))  \(outcome.detail)")
            case .failed:
                print("\(check)  FAILED")
                failed = true
                fflush(nil)
                StandardStreams.write(Array("authkit-fcgi: \(outcome.detail)\n".utf8), to: STDERR_FILENO)
            }
        }
        if let redis = config.redisURL, let url = try? RedisURL(parsing: redis) {
            // What serve would find: with Redis unreachable, coordination stays on each host.
            let started = ContinuousClock.now
            if let problem = RedisPool(url: url, connectTimeoutMillis: config.httpConnectTimeoutMillis).ping() {
                print("\("Redis".padding(to: 7))  FAILED")
                failed = true
                fflush(nil)
                StandardStreams.write(Array("authkit-fcgi: AUTHKIT_REDIS_URL \(problem). Fix: start Redis or correct the URL; meanwhile refreshes are coordinated per host only\n".utf8), to: STDERR_FILENO)
            } else {
                let elapsed = (ContinuousClock.now - started).components
                let millis = elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000
                print("\("Redis".padding(to: 7))  \("ok".padding(to: 7))  \(url.host):\(url.port): PONG, \(millis) ms")
            }
        }
        if failed { throw ExitCode(Self.unavailableExitCode) }
    }
}

extension CheckConfig {
    /// Each file's `AUTHKIT_*` settings as the check will read them: a count per file on stdout,
    /// and the problems (`file:line: NAME … Fix: …`, an unreadable file among them) returned for
    /// the caller to report with any other. Site redirect URIs are checked against the
    /// process's `AUTHKIT_ALLOWED_REDIRECT_URIS` when it is given (nil: the process settings
    /// did not load).
    func scanServerConfig(allowlist: AllowedRedirectURIs?) -> [String] {
        var problems: [String] = []
        for path in serverConfig {
            guard let data = FileManager.default.contents(atPath: path) else {
                problems.append("--server-config \(path) cannot be read. Fix: check the path and that this user may read it")
                continue
            }
            let text = String(decoding: data, as: UTF8.self)
            let found = ServerConfigScan.settings(in: text)
            let findings = ServerConfigScan.findings(file: path, text: text, allowlist: allowlist ?? AllowedRedirectURIs.none)
                .filter { allowlist != nil || $0.problem.parameter != Site.redirectURIParameter }
            print("server config \(path): \(found.count) AUTHKIT_* settings, \(findings.count) problems")
            problems += findings.map(\.description)
        }
        fflush(nil)
        return problems
    }
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
