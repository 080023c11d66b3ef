import Foundation
import Hummingbird
import Logging

/// Binds the socket, announces the address on stdout, and serves until SIGINT/SIGTERM.
struct EmulatorServer {
    let settings: EmulatorSettings
    let seed: Seed
    let host: String
    let port: Int
    let logger: Logger

    func run() async throws {
        let store = EmulatorStore(StoreState(settings: settings, seed: seed, signingKey: try SigningKey.generate()))
        let router = EmulatorRoutes.router(store: store, logger: logger)
        var frameworkLogger = logger
        frameworkLogger.logLevel = max(logger.logLevel, .warning)
        let (host, logger, settings, seed) = (host, logger, settings, seed)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "authkit-emulator"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                let base = "http://\(Self.urlHost(host)):\(bound)"
                store.with { $0.settings.baseURL = base }
                // Machine-readable, first line of stdout: tests and scripts read the port here.
                FileHandle.standardOutput.write(Data("authkit-emulator listening on \(base)\n".utf8))
                logger.notice("""
                    serving client_id=\(settings.clientId) api_key=\(Self.mask(settings.apiKey)) \
                    users=\(seed.users.count) interactive=\(settings.interactive) \
                    access_token_ttl=\(settings.accessTokenTTL)s strict_refresh=\(settings.strictRefresh) \
                    refresh_grace_seconds=\(settings.refreshGraceSeconds) redirect_uris=\(settings.redirectURIs.joined(separator: ","))
                    """)
            },
            logger: frameworkLogger)
        try await app.runService()
    }

    /// `[::1]` for IPv6 literals.
    static func urlHost(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    /// `sk_test_default` → `sk_t…ult`: enough to tell keys apart, never the key.
    static func mask(_ secret: String) -> String {
        secret.count <= 8 ? "…" : "\(secret.prefix(4))…\(secret.suffix(3))"
    }
}
