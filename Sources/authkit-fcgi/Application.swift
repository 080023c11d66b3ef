import AuthKitCore
import AuthKitGateway
import AuthKitCurl
import AuthKitRedis
import FoundationEssentials
import Glibc
import Logging

/// Everything a running authkit-fcgi needs, built once from the configuration.
struct Application: Sendable {
    let service: AuthKitService
    /// The WorkOS key set in use (its age is a metric).
    let jwks: JWKSCache
    /// `AUTHKIT_ON_REFRESH_*`: started by `serve` (a sender thread), drained by CGI mode.
    let refreshHook: RefreshHook?

    /// - Parameters:
    ///   - admission: the FastCGI server's worker pool (nil in CGI mode: one request).
    ///   - backgroundRefresh: threads for refreshes of still-valid tokens (nil in CGI mode: no
    ///     thread outlives the request, so they are made in it).
    init(config: AuthKitConfig, logger: Logger, metrics: AuthKitMetrics = .disabled, admission: (any BlockingAdmission)? = nil,
         backgroundRefresh: BackgroundRefreshPool? = nil) {
        let clock = SystemClock()
        let random = SecureRandom()
        let userAgent = "authkit-fcgi/\(AuthKitVersion.string)"
        let transport = CurlTransport(
            connectTimeoutMillis: config.httpConnectTimeoutMillis, totalTimeoutMillis: config.httpTotalTimeoutMillis,
            userAgent: userAgent)
        // WorkOS calls (code exchange, refresh, JWKS) are timed by endpoint and status.
        let measured = MeasuredTransport(transport, metrics: metrics)
        let workos = WorkOSClient(config: config, transport: measured, random: random)
        var store: FileJWKSStore?
        var refreshStore: FileRefreshStore?
        if let directory = config.cacheDirectory {
            store = FileJWKSStore(directory: directory, url: workos.jwksURL)
            refreshStore = FileRefreshStore(directory: directory) { error in
                logger.error("AUTHKIT_CACHE_DIR cannot take a lock file; refreshes go ahead without coordinating with other processes",
                             metadata: ["directory": "\(directory)", "error": "\(error)",
                                        "fix": "make the directory writable and give its file system free space and inodes"])
            }
            if store == nil {
                logger.warning("AUTHKIT_CACHE_DIR is not a private directory of this user; not caching the JWKS on disk",
                               metadata: ["directory": "\(directory)"])
            }
        }
        var sharedStore: (any SharedRefreshStore)? = refreshStore
        var sharedApiKeys: (any SharedApiKeyStore)?
        var redisHealth: RedisHealth?
        if let redis = config.redisURL {
            do {
                let health = Self.redisHealth(logger: logger, metrics: metrics)
                redisHealth = health
                let pool = RedisPool(url: try RedisURL(parsing: redis), health: health)
                sharedStore = RedisRefreshStore(pool: pool)
                sharedApiKeys = RedisApiKeyStore(pool: pool)
            } catch {
                ProcessConfig.fail(error.description)
            }
        }
        let keys = JWKSCache(url: workos.jwksURL, transport: measured, clock: clock, userAgent: userAgent, store: store)
        let sealer = SessionSealer(config: config, clock: clock, random: random)
        var hook: RefreshHook?
        if let secret = config.onRefreshSecret, config.onRefreshSuccessURL != nil || config.onRefreshErrorURL != nil {
            // Its own connections and short timeouts: a dead receiver ties up only the sender thread.
            let hookTransport = CurlTransport(connectTimeoutMillis: 1000, totalTimeoutMillis: 2000, userAgent: userAgent)
            hook = RefreshHook(settings: .init(successURL: config.onRefreshSuccessURL, errorURL: config.onRefreshErrorURL, secret: secret),
                               transport: hookTransport, clock: clock, metrics: metrics, logger: logger)
        }
        refreshHook = hook
        let authenticator = SessionAuthenticator(
            sealer: sealer, verifier: AccessTokenVerifier(
                keys: keys, clock: clock, leewaySeconds: config.clockLeewaySeconds, issuers: config.acceptedIssuers,
                refusedIssuers: RefusedIssuerLog(logger: logger)),
            workos: workos, policy: RefreshPolicy(bufferSeconds: config.refreshBufferSeconds),
            cookieOptions: .session(config: config), clock: clock, logger: logger, sharedStore: sharedStore,
            admission: admission, cache: VerifiedSessionCache(capacity: config.sessionCacheSize), metrics: metrics,
            refreshHook: hook, backgroundRefresh: backgroundRefresh)
        // Patterns were validated when the configuration loaded.
        let settings = EndpointSettings(
            origin: config.baseURL.flatMap(EndpointSettings.origin(of:)) ?? EndpointSettings.origin(of: config.redirectURI)!,
            redirectURI: config.redirectURI, prefix: config.endpointPrefix,
            unauthenticatedPaths: config.unauthenticatedPaths.compactMap { try? PathPattern($0) },
            signUpPaths: config.signUpPaths.compactMap { try? PathPattern($0) },
            passAccessToken: config.passAccessToken)
        var configured = settings
        configured.eagerAuth = config.eagerAuth
        configured.allowedReturnHosts = config.allowedReturnHosts
        configured.allowedRedirectURIs = config.allowedRedirectURIs
        if let url = config.onSuccessURL, let secret = config.onSuccessSecret {
            configured.signInHook = SignInHook(url: url, secret: secret, required: config.onSuccessRequired, transport: transport, clock: clock)
        }
        if let path = config.errorPagePath {
            guard let data = FileManager.default.contents(atPath: path) else {
                ProcessConfig.fail("AUTHKIT_ERROR_PAGE \(path) cannot be read. Fix: point it at a readable HTML file, or remove it for the built-in page")
            }
            configured.errorPageTemplate = String(decoding: data, as: UTF8.self)
        }
        configured.assertionSigner = Self.assertionSigner(config: config, clock: clock, random: random)
        if let redisHealth { configured.dependencyHealth = { Self.healthFields(redisHealth) } }
        jwks = keys
        let apiKeys = ApiKeyAuthenticator(workos: workos, cache: ApiKeyCache(policy: config.apiKeyCache), shared: sharedApiKeys,
                                          admission: admission, clock: clock, logger: logger)
        service = AuthKitService(settings: configured, authenticator: authenticator, clock: clock, random: random, logger: logger,
                                 apiKeys: apiKeys)
    }

    /// Redis going away or coming back is logged once each and counted: with it down, refresh
    /// coordination and API-key answers stay on this host, which must never be silent.
    static func redisHealth(logger: Logger, metrics: AuthKitMetrics) -> RedisHealth {
        RedisHealth(changed: { state, previous, error in
            switch state {
            case .down:
                metrics.redisUp.record(0)
                logger.error("Redis unreachable: refresh coordination and API-key answers fall back to this host alone", metadata: [
                    "event": "redis", "state": "down", "error": "\(error ?? "unknown")",
                    "fix": "check that AUTHKIT_REDIS_URL's server runs and this host reaches it; sessions are kept meanwhile",
                ])
            case .up:
                metrics.redisUp.record(1)
                guard previous == .down else { return }
                logger.notice("Redis reachable again: refresh coordination is shared across hosts", metadata: ["event": "redis", "state": "up"])
            case .unknown:
                break
            }
        }, fellBack: { metrics.redisFallbacks.increment() })
    }

    /// `/auth/health`'s Redis fields: `"redis": "up" | "down" | "unknown"`, the error while down.
    static func healthFields(_ health: RedisHealth) -> (degraded: Bool, fields: [(String, JSONValue)]) {
        switch health.state {
        case .down:
            return (true, [("redis", .string("down")), ("redis_error", .string(health.error ?? "unknown")),
                           ("redis_fallbacks", .int(Int64(health.fallbacks)))])
        case .up: return (false, [("redis", .string("up"))])
        case .unknown: return (false, [("redis", .string("unknown"))])
        }
    }

    /// The identity assertion's signer when `AUTHKIT_ASSERTION_ALG` is on; a key that cannot be
    /// read or made stops the start-up (exit 78), naming the setting. The key is never logged.
    static func assertionSigner(config: AuthKitConfig, clock: any AuthKitCore.WallClock, random: any RandomSource) -> AssertionSigner? {
        guard let algorithm = config.assertionAlgorithm else { return nil }
        let lifetime = Int64(config.assertionLifetimeSeconds)
        let source: AssertionSigner.Source
        if let file = config.assertionKeyFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                ProcessConfig.fail("AUTHKIT_ASSERTION_KEY_FILE \(file) cannot be read. Fix: check the path and that this user may read it")
            }
            let key: AssertionKey
            do { key = try AssertionKey(pem: String(decoding: data, as: UTF8.self)) } catch {
                ProcessConfig.fail("AUTHKIT_ASSERTION_KEY_FILE \(file) is \(error). Fix: make one with `openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt`")
            }
            guard key.algorithm == algorithm else {
                ProcessConfig.fail("AUTHKIT_ASSERTION_KEY_FILE \(file) holds a \(key.algorithm.jwsName) key but AUTHKIT_ASSERTION_ALG is \(algorithm.rawValue). Fix: make them agree")
            }
            source = .fixed(key)
        } else {
            // ConfigLoader refused a configuration with neither directory.
            let path = config.assertionKeyDirectory ?? config.cacheDirectory ?? ""
            let policy = AssertionKeyRing.Policy(rotationSeconds: Int64(config.assertionRotateDays) * 86_400, lifetimeSeconds: lifetime)
            source = .directory(AssertionKeyDirectory(path: path, algorithm: algorithm, policy: policy))
        }
        do {
            return try AssertionSigner(source: source, algorithm: algorithm, lifetimeSeconds: lifetime, clock: clock, random: random)
        } catch {
            let variable = config.assertionKeyDirectory != nil ? "AUTHKIT_ASSERTION_KEY_DIR" : "AUTHKIT_CACHE_DIR"
            ProcessConfig.fail("\(variable): \(error). Fix: install -d -m 0700 the directory, owned by the user authkit-fcgi runs as")
        }
    }
}
