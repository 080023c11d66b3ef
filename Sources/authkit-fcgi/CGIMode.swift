import AuthKitCore
import AuthKitGateway
import Glibc
import Logging

/// authkit-fcgi started by a CGI server: one request from the environment and stdin, one answer
/// on stdout (``CGIRequest``), the configuration from the environment and `AUTHKIT_ENV_FILE`.
///
/// Chosen before a single argument is read, and the arguments are then ignored altogether: for
/// a query without `=` (an "indexed" query, RFC 3875 §4.4) Apache's mod_cgi and mod_cgid pass the
/// query's words as the program's arguments, and no directive turns that off. Parsed, they let
/// anyone choose options: `GET /auth/callback?--listen+unix:/some/file` replaced the file with a
/// socket, `?--listen+127.0.0.1:9000` started a FastCGI server as the web server's user,
/// `?--env-file+…` chose the configuration, and `?print` made every answer a 500.
enum CGIMode {
    /// `GATEWAY_INTERFACE` is in the environment: a CGI server started this process (RFC 3875
    /// §4.1.4). FastCGI spawners (spawn-fcgi, mod_fcgid, systemd) do not set it; for FastCGI it
    /// is a parameter of each request, not of the process.
    static var isActive: Bool { getenv("GATEWAY_INTERFACE") != nil }

    /// Answers the one request. Never reads `CommandLine.arguments`.
    static func run() {
        // Only AUTHKIT_ENV_FILE names an env file here: an argument could be the client's.
        let config = ProcessConfig.load(envFile: nil)
        let logger = Logger.process(format: config.logFormat, level: config.debug ? .debug : .info)
        let telemetry = Telemetry(config: config, logger: logger)
        // No admission control: one request, no workers to keep free.
        let application = Application(config: config, logger: logger, metrics: telemetry.metrics)
        telemetry.watch(cache: application.service.authenticator.cache, jwks: application.jwks, clock: SystemClock())
        CGIRequest.answer(service: application.service, telemetry: telemetry)
        // No thread outlives a CGI request: a refresh event is sent now, after the answer is
        // complete and stdout closed (the server has the whole response), one attempt within 2 s.
        if let hook = application.refreshHook, hook.pending > 0 {
            StandardStreams.closeOutput()
            hook.drain(budgetMillis: 2000)
        }
    }

    /// For a command that must never run as a CGI request (`serve`, `check-config`): ``run()``
    /// takes CGI requests before any command is parsed, so reaching one with `GATEWAY_INTERFACE`
    /// set is a bug; fail closed.
    static func refuse(_ command: String) {
        guard isActive else { return }
        ProcessConfig.fail("\(command) refused: GATEWAY_INTERFACE is set, so this process is a CGI request and takes no arguments. Fix: run \(command) without GATEWAY_INTERFACE in its environment")
    }
}
