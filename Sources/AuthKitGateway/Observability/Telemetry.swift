import AuthKitCore
import AuthKitSync
import CoreMetrics
import Glibc
import Logging
import Prometheus

/// The process's metrics and event log: swift-metrics instruments recorded into a Prometheus
/// registry (served at `{prefix}metrics`), and the logger every part logs through.
public struct Telemetry: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let metrics: AuthKitMetrics
    public let logger: Logger
    public let access: AuthKitConfig.MetricsAccess
    /// Counters kept by the parts themselves (atomics), copied into the registry when scraped.
    private let pulled: PulledCounters

    public init(config: AuthKitConfig, logger: Logger) {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // WorkOS calls take milliseconds to seconds; timeouts are up to AUTHKIT_HTTP_TIMEOUT_MS.
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        metrics = AuthKitMetrics(factory: factory)
        self.logger = logger
        access = config.metricsAccess
        pulled = PulledCounters(factory: factory)
    }

    /// Where the pulled figures come from; set once the service exists.
    public func watch(cache: VerifiedSessionCache?, jwks: JWKSCache?, clock: any AuthKitCore.WallClock) {
        pulled.sources.withLock { $0 = .init(cache: cache, jwks: jwks, clock: clock) }
    }

    /// The Prometheus text exposition, or a refusal for a client not allowed to read it.
    public func answer(parameters: [String: String]) -> AuthResponse {
        let allowed: Bool
        switch access {
        case .off: allowed = false
        case .on: allowed = true
        case .loopback: allowed = Self.isLoopback(parameters["REMOTE_ADDR"])
        }
        guard allowed else {
            var response = AuthResponse.json(404, .object([("error", .string("not_found"))]))
            response.addCachePrevention()
            return response
        }
        pulled.sync()
        return AuthResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8"),
                                                   ("Cache-Control", "no-store")], body: registry.emitToBuffer())
    }

    /// 127.0.0.0/8 and ::1 (also as an IPv4-mapped address): what the server passed as the client.
    public static func isLoopback(_ address: String?) -> Bool {
        guard let address else { return false }
        // On the bytes: the metrics' access decision must not rest on canonical equivalence.
        let bare = address.hasBytePrefix("::ffff:") ? String(decoding: address.utf8.dropFirst(7), as: UTF8.self) : address
        return bare.bytesEqual("::1") || bare.hasBytePrefix("127.")
    }
}

/// Cache hits and misses and the JWKS age: figures the cache and key set keep cheaply
/// themselves, brought into the registry only when scraped.
private final class PulledCounters: Sendable {
    struct Sources {
        var cache: VerifiedSessionCache?
        var jwks: JWKSCache?
        var clock: (any AuthKitCore.WallClock)?
    }

    public let sources = Locked(Sources())
    private let exported = Locked((hits: 0, misses: 0))
    private let hits: CoreMetrics.Counter
    private let misses: CoreMetrics.Counter
    private let jwksAge: CoreMetrics.Gauge

    public init(factory: any MetricsFactory) {
        hits = CoreMetrics.Counter(label: "authkit_session_cache_hits_total", factory: factory)
        misses = CoreMetrics.Counter(label: "authkit_session_cache_misses_total", factory: factory)
        jwksAge = CoreMetrics.Gauge(label: "authkit_jwks_age_seconds", factory: factory)
    }

    public func sync() {
        let current = sources.withLock { $0 }
        if let cache = current.cache {
            let hitCount = cache.hits.load(ordering: .relaxed), missCount = cache.misses.load(ordering: .relaxed)
            let (newHits, newMisses) = exported.withLock { seen -> (Int, Int) in
                defer { seen = (hitCount, missCount) }
                return (hitCount - seen.hits, missCount - seen.misses)
            }
            if newHits > 0 { hits.increment(by: Int64(newHits)) }
            if newMisses > 0 { misses.increment(by: Int64(newMisses)) }
        }
        if let fetchedAt = current.jwks?.fetchedAt, let clock = current.clock {
            jwksAge.record(Double(clock.nowMillis() - fetchedAt) / 1000)
        } else {
            // No keys yet: -1 says "never fetched" without inventing an age.
            jwksAge.record(-1)
        }
    }
}
