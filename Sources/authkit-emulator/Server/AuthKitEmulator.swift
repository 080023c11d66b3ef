import ArgumentParser
import Foundation
import Logging

/// `authkit-emulator`: a local stand-in for the WorkOS endpoints AuthKit uses, with the
/// defaults of WorkOS's own emulator (workos/emulate): port 4100, API key `sk_test_default`.
///
/// ```
/// authkit-emulator [--host 127.0.0.1] [--port 4100] [--seed FILE] [--interactive]
///                  [--client-id ID] [--api-key KEY] [--redirect-uri URI ...] [--access-token-ttl S]
///                  [--strict-refresh [--refresh-grace-seconds N]]
/// ```
///
/// The first line on stdout is `authkit-emulator listening on http://HOST:PORT` (the real port
/// when `--port 0`); logs go to stderr.
@main
struct AuthKitEmulator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authkit-emulator",
        abstract: "A local WorkOS AuthKit stand-in for tests, demos and CI (defaults follow workos/emulate).")

    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port; 0 picks a free one (printed on the first line of stdout).") var port = 4100
    @Option(help: "Seed file (JSON): users, organizations, memberships, impersonations, client.") var seed: String?
    @Flag(help: "Show a sign-in page listing the seeded users instead of approving at once by login_hint.") var interactive = false
    @Option(help: "Client ID (default: the seed's, else client_emulate).") var clientId: String?
    @Option(help: "API key, also the client secret (default: the seed's, else sk_test_default).") var apiKey: String?
    @Option(name: .customLong("redirect-uri"), help: "Register another redirect URI (repeatable).") var redirectURIs: [String] = []
    @Option(help: "Access-token lifetime in seconds.") var accessTokenTtl = 300
    @Flag(help: "Single-use refresh tokens as WorkOS documents them: a refresh is never answered from an Idempotency-Key replay; a reuse is invalid_grant unless within --refresh-grace-seconds.")
    var strictRefresh = false
    @Option(help: "With --strict-refresh: for this many seconds after a refresh token's exchange, presenting it again gets that exchange's answer again (0…3600; WorkOS's is quoted at about 30).")
    var refreshGraceSeconds = 0
    @Option(help: "Log level on stderr: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard accessTokenTtl > 0 else { throw ValidationError("--access-token-ttl must be positive") }
        let graceRange = EmulatorSettings.refreshGraceSecondsRange
        guard graceRange.contains(refreshGraceSeconds) else {
            throw ValidationError("--refresh-grace-seconds must be \(graceRange.lowerBound)…\(graceRange.upperBound)")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
    }

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "authkit-emulator")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        let world: Seed
        do {
            world = try seed.map(SeedLoader.load(path:)) ?? .builtIn
        } catch let error as SeedLoader.Invalid {
            throw ValidationError(error.description)
        }
        let registered = redirectURIs + (world.redirectUris ?? []) + EmulatorSettings.defaultRedirectURIs
        let settings = EmulatorSettings(
            clientId: clientId ?? world.clientId ?? "client_emulate",
            apiKey: apiKey ?? world.apiKey ?? "sk_test_default",
            redirectURIs: registered.reduce(into: []) { if !$0.contains($1) { $0.append($1) } },
            accessTokenTTL: accessTokenTtl, interactive: interactive,
            strictRefresh: strictRefresh, refreshGraceSeconds: refreshGraceSeconds, baseURL: "http://\(host):\(port)")
        try await EmulatorServer(settings: settings, seed: world, host: host, port: port, logger: logger).run()
    }
}
