import ArgumentParser
import Foundation
import Hummingbird
import Logging

/// `authkit-emulator`: a local stand-in for the WorkOS endpoints AuthKit uses.
@main
struct AuthKitEmulator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authkit-emulator",
        abstract: "A local WorkOS AuthKit stand-in for tests, demos and CI (defaults follow workos/emulate).")

    @Option(help: "Address to bind (loopback by default).") var host = "127.0.0.1"
    @Option(help: "Port; 0 picks a free one (printed on the first line).") var port = 4100
    @Option(help: "Seed file (JSON): users, organizations, memberships, impersonations.") var seed: String?
    @Flag(help: "Show a sign-in page to choose a user instead of approving at once.") var interactive = false
    @Option(help: "Client ID.") var clientId: String?
    @Option(help: "API key (client secret).") var apiKey: String?
    @Option(name: .customLong("redirect-uri"), help: "A registered redirect URI (repeatable).") var redirectURIs: [String] = []
    @Option(help: "Access-token lifetime in seconds.") var accessTokenTtl = 300

    func run() async throws {
        let seedData = try seed.map(Seed.load(path:)) ?? Seed.builtIn
        let redirects = redirectURIs + (seedData.redirect_uris ?? []) + [
            "http://localhost:8080/auth/callback", "http://127.0.0.1:8080/auth/callback",
            "http://localhost:3000/callback", "http://localhost:3000/auth/callback",
        ]
        var settings = EmulatorSettings(
            clientId: clientId ?? seedData.client_id ?? "client_emulate", apiKey: apiKey ?? seedData.api_key ?? "sk_test_default",
            redirectURIs: redirects, accessTokenTTL: accessTokenTtl, interactive: interactive, baseURL: "")
        settings.baseURL = "http://\(host):\(port)"
        let state = EmulatorState(settings: settings, seed: seedData)

        let router = Router(context: EmulatorContext.self)
        router.add(middleware: FaultMiddleware(state: state))
        AuthorizeRoutes(state: state).register(router)
        AuthenticateRoute(state: state).register(router)
        SessionRoutes(state: state).register(router)
        ControlRoutes(state: state).register(router)

        var logger = Logger(label: "authkit-emulator")
        logger.logLevel = .warning
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "authkit-emulator"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                state.with { $0.settings.baseURL = "http://\(host):\(bound)" }
                FileHandle.standardOutput.write(Data("authkit-emulator listening on http://\(host):\(bound)\n".utf8))
            },
            logger: logger)
        try await app.runService()
    }
}

