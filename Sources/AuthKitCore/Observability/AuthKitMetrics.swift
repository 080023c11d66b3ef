import CoreMetrics

/// What authkit-fcgi counts, as swift-metrics instruments made by one factory (Prometheus's in
/// the executable, a no-op one by default and a recording one in tests).
///
/// Every instrument is made once, here, so counting on the check's hot path is one atomic add.
/// Names follow Prometheus conventions (`_total` counters, `_seconds` histograms).
public struct AuthKitMetrics: Sendable {
    /// How a check ended; the `outcome` label of `authkit_checks_total`.
    public enum CheckOutcome: String, Sendable, CaseIterable {
        /// Signed in (and meeting the location's requirements): 200.
        case allowed
        /// Not signed in: 401, or the authorizer's redirect to sign in.
        case unauthenticated
        /// Signed in without the role, permission or entitlement required: 403.
        case forbidden
        /// WorkOS could not be reached for a needed refresh: 503.
        case unavailable
        /// A bad request or a misconfigured location (``CheckDecision/outcome``).
        case error
    }

    /// How a refresh at WorkOS ended; the `outcome` label of `authkit_refreshes_total`.
    public enum RefreshOutcome: String, Sendable, CaseIterable {
        case success
        /// 5xx, timeouts, refused connections: the cookie is kept, the check answers 503.
        case transientFailure = "transient_failure"
        /// The refresh token was refused: the session ends.
        case terminalFailure = "terminal_failure"
        /// A refresh ahead of expiry failed; the still-valid token was served.
        case proactiveFailure = "proactive_failure"
        /// An organization switch WorkOS refused (not a member, SSO or MFA required): the
        /// session is kept in its current organization.
        case switchRefused = "switch_refused"
    }

    /// What became of a still-valid token due for a refresh, served at once; the `outcome` label
    /// of `authkit_background_refreshes_total`.
    public enum BackgroundRefreshOutcome: String, Sendable, CaseIterable {
        /// Its refresh was queued on the background pool.
        case started
        /// The pool was full: no refresh started (a later request tries again).
        case skipped
    }

    /// What became of a refresh hook event; the `outcome` label of `authkit_refresh_hook_events_total`.
    public enum HookOutcome: String, Sendable, CaseIterable {
        /// The receiver answered 2xx.
        case sent
        /// Every attempt failed (no answer, or not 2xx).
        case failed
        /// The queue was full: not sent at all.
        case dropped
    }

    private let factory: any MetricsFactory
    private let checks: [CheckOutcome: Counter]
    private let refreshes: [RefreshOutcome: Counter]
    private let hookEvents: [HookOutcome: Counter]
    private let backgroundRefreshes: [BackgroundRefreshOutcome: Counter]
    /// Refreshes answered by another request's refresh of the same token (same process,
    /// another process on the host, or another host through Redis) instead of a WorkOS call.
    public let coalescedRefreshes: Counter
    /// Session cookies that had to drop claims to fit the browser's 4 KB.
    public let cookiesSlimmed: Counter
    /// Session cookies too large even slimmed: not set.
    public let cookiesRefused: Counter
    /// 1 while Redis (`AUTHKIT_REDIS_URL`) answers, 0 while it does not (refresh coordination
    /// and API-key answers then stay on this host); absent until Redis is first needed.
    public let redisUp: Gauge
    /// Redis commands that could not reach Redis and went ahead without it.
    public let redisFallbacks: Counter

    public init(factory: any MetricsFactory) {
        self.factory = factory
        checks = Dictionary(uniqueKeysWithValues: CheckOutcome.allCases.map {
            ($0, Counter(label: "authkit_checks_total", dimensions: [("outcome", $0.rawValue)], factory: factory))
        })
        refreshes = Dictionary(uniqueKeysWithValues: RefreshOutcome.allCases.map {
            ($0, Counter(label: "authkit_refreshes_total", dimensions: [("outcome", $0.rawValue)], factory: factory))
        })
        hookEvents = Dictionary(uniqueKeysWithValues: HookOutcome.allCases.map {
            ($0, Counter(label: "authkit_refresh_hook_events_total", dimensions: [("outcome", $0.rawValue)], factory: factory))
        })
        backgroundRefreshes = Dictionary(uniqueKeysWithValues: BackgroundRefreshOutcome.allCases.map {
            ($0, Counter(label: "authkit_background_refreshes_total", dimensions: [("outcome", $0.rawValue)], factory: factory))
        })
        coalescedRefreshes = Counter(label: "authkit_refreshes_coalesced_total", factory: factory)
        cookiesSlimmed = Counter(label: "authkit_session_cookies_slimmed_total", factory: factory)
        cookiesRefused = Counter(label: "authkit_session_cookies_refused_total", factory: factory)
        redisUp = Gauge(label: "authkit_redis_up", factory: factory)
        redisFallbacks = Counter(label: "authkit_redis_fallbacks_total", factory: factory)
    }

    /// Counts nothing.
    public static let disabled = AuthKitMetrics(factory: NOOPMetricsHandler.instance)

    public func countCheck(_ outcome: CheckOutcome) { checks[outcome]?.increment() }

    /// `authkit_checks_total{outcome="allowed"}` itself, for the fast path (no lookup).
    public var allowedChecks: Counter { checks[.allowed]! }

    public func countRefresh(_ outcome: RefreshOutcome) { refreshes[outcome]?.increment() }

    public func countRefreshHook(_ outcome: HookOutcome) { hookEvents[outcome]?.increment() }

    public func countBackgroundRefresh(_ outcome: BackgroundRefreshOutcome) { backgroundRefreshes[outcome]?.increment() }

    /// One HTTP call to WorkOS: `endpoint` is the path with identifiers replaced (e.g.
    /// `/sso/jwks/{client_id}`), `status` the HTTP status or `error` when no response came.
    public func recordWorkOSCall(endpoint: String, status: String, nanoseconds: Int64) {
        Timer(label: "authkit_workos_request_duration_seconds", dimensions: [("endpoint", endpoint), ("status", status)],
              factory: factory).recordNanoseconds(nanoseconds)
    }
}
