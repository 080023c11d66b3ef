/// The `SameSite` attribute of the session cookie (`WORKOS_COOKIE_SAMESITE`).
public enum CookieSameSite: String, Sendable, Equatable, CaseIterable {
    case lax, strict, none

    /// The capitalised form written into `Set-Cookie`: `Lax`, `Strict`, `None`.
    public var attributeValue: String {
        switch self {
        case .lax: "Lax"
        case .strict: "Strict"
        case .none: "None"
        }
    }
}

/// Validated settings, read once at start-up and passed down as a value.
///
/// Built by ``ConfigLoader`` from environment-style variables (authkit-nextjs's names and
/// defaults). Nothing in the core reads the process environment.
public struct AuthKitConfig: Sendable, Equatable {
    /// `WORKOS_CLIENT_ID`.
    public var clientId: String
    /// `WORKOS_API_KEY`. Secret: never log it; ``ConfigLoader`` masks it when printing.
    public var apiKey: String
    /// `WORKOS_COOKIE_PASSWORD` (≥ 32 characters). Seals use it with password id `1`.
    public var cookiePassword: String
    /// `WORKOS_COOKIE_PASSWORD_PREVIOUS`: older passwords tried, in order, when the current one fails.
    public var previousCookiePasswords: [String]
    /// `WORKOS_REDIRECT_URI` or `NEXT_PUBLIC_WORKOS_REDIRECT_URI`: the callback URL.
    public var redirectURI: String
    /// `WORKOS_COOKIE_NAME`, default `wos-session`.
    public var cookieName: String
    /// `WORKOS_COOKIE_MAX_AGE` in seconds, default 34560000 (400 days).
    public var cookieMaxAge: Int
    /// `WORKOS_COOKIE_DOMAIN`, written verbatim as `Domain=` when set.
    public var cookieDomain: String?
    /// `WORKOS_COOKIE_SAMESITE`, default lax.
    public var cookieSameSite: CookieSameSite
    /// `WORKOS_API_HOSTNAME`, default `api.workos.com`.
    public var apiHostname: String
    /// `WORKOS_API_HTTPS`, default true.
    public var apiHTTPS: Bool
    /// `WORKOS_API_PORT`, none by default.
    public var apiPort: Int?
    /// `WORKOS_REFRESH_BUFFER_SECONDS`: authkit's `refreshBufferSeconds`; nil means authkit's default
    /// (30 s for tokens living ≤ 300 s, else 60 s); 0 disables proactive refresh.
    public var refreshBufferSeconds: Int?
    /// `AUTHKIT_CLOCK_LEEWAY_SECONDS`, default 0: tolerance for `exp`/`nbf`.
    public var clockLeewaySeconds: Int
    /// `AUTHKIT_HTTP_CONNECT_TIMEOUT_MS`, default 3000.
    public var httpConnectTimeoutMillis: Int
    /// `AUTHKIT_HTTP_TIMEOUT_MS` (whole request), default 10000.
    public var httpTotalTimeoutMillis: Int
    /// `AUTHKIT_HTTP_RETRIES`: retries of a transient WorkOS failure within the timeout, default 2.
    public var httpRetries: Int = 2
    /// `AUTHKIT_BASE_URL`: our origin, authkit's `baseURL`; default the redirect URI's origin.
    public var baseURL: String?
    /// `AUTHKIT_ENDPOINT_PREFIX`, default `/auth/`.
    public var endpointPrefix: String = "/auth/"
    /// `WORKOS_UNAUTHENTICATED_PATHS`: authkit `unauthenticatedPaths` globs, comma-separated.
    public var unauthenticatedPaths: [String] = []
    /// `WORKOS_SIGN_UP_PATHS`: authkit `signUpPaths` globs, comma-separated.
    public var signUpPaths: [String] = []
    /// `AUTHKIT_PASS_ACCESS_TOKEN`: send the access token upstream as `X-AuthKit-Access-Token`.
    public var passAccessToken: Bool = false
    /// `AUTHKIT_SESSION_CACHE_SIZE`: verified sessions kept for the check (0: none).
    public var sessionCacheSize: Int = 10_000
    /// `AUTHKIT_API_KEY_CACHE_SECONDS` (default 60), `AUTHKIT_API_KEY_NEGATIVE_CACHE_SECONDS`
    /// (default 10), `AUTHKIT_API_KEY_CACHE_SIZE` (default 10000): how long WorkOS's answers
    /// about API keys count, and how many are kept.
    public var apiKeyCache = ApiKeyCachePolicy()
    /// `AUTHKIT_ALLOWED_RETURN_HOSTS`: other hosts a sign-out may return to.
    public var allowedReturnHosts: AllowedReturnHosts = .none
    /// `WORKOS_ISSUER` (authkit-nextjs's name): the exact `iss` values accepted, replacing the
    /// two derived from the API origin (``acceptedIssuers``). Nil: derived.
    public var issuers: [String]?
    /// `AUTHKIT_ALLOWED_REDIRECT_URIS`: the redirect URIs (exact, or `https://*.example.com/…`
    /// patterns) a location may name for its site with `AUTHKIT_SITE_REDIRECT_URI`.
    public var allowedRedirectURIs: AllowedRedirectURIs = .none
    /// `WORKOS_EAGER_AUTH`: authkit's 30-second `workos-access-token` cookie on page loads.
    public var eagerAuth: Bool = false
    /// `AUTHKIT_ON_SUCCESS_URL`: where to POST each successful sign-in.
    public var onSuccessURL: String?
    /// `AUTHKIT_ON_SUCCESS_SECRET`: HMAC key of the hook's signature. Secret.
    public var onSuccessSecret: String?
    /// `AUTHKIT_ON_SUCCESS_REQUIRED`: refuse the sign-in when the hook fails.
    public var onSuccessRequired: Bool = false
    /// `AUTHKIT_ON_REFRESH_SUCCESS_URL`: where to POST each refresh this process makes.
    public var onRefreshSuccessURL: String?
    /// `AUTHKIT_ON_REFRESH_ERROR_URL`: where to POST each failed refresh.
    public var onRefreshErrorURL: String?
    /// `AUTHKIT_ON_REFRESH_SECRET`: HMAC key of the refresh hooks' signature. Secret.
    public var onRefreshSecret: String?
    /// `AUTHKIT_ERROR_PAGE`: an HTML file replacing the sign-in error page.
    public var errorPagePath: String?
    /// `AUTHKIT_CACHE_DIR`: where state shared between processes lives (the JWKS for CGI mode).
    public var cacheDirectory: String?
    /// `AUTHKIT_REDIS_URL`: refresh coordination across hosts. May hold a password: secret.
    public var redisURL: String?
    /// `AUTHKIT_LOG_FORMAT`: `logfmt` (default) or `json`, one line per event on stderr.
    public var logFormat: LogFormat = .logfmt
    /// `WORKOS_DEBUG`: authkit's `debug` option; logs every check and the reasons behind answers.
    public var debug: Bool = false
    /// `AUTHKIT_METRICS`: who may read `{prefix}metrics` (Prometheus text).
    public var metricsAccess: MetricsAccess = .loopback
    /// `AUTHKIT_ASSERTION_ALG`: `es256` or `rs256` signs an `X-AuthKit-Assertion` JWT for every
    /// allowed check; nil (`off`, the default) sends none.
    public var assertionAlgorithm: AssertionAlgorithm?
    /// `AUTHKIT_ASSERTION_TTL_SECONDS`: the assertion's lifetime, default 60.
    public var assertionLifetimeSeconds: Int = 60
    /// `AUTHKIT_ASSERTION_KEY_FILE`: a PEM private key to sign with (no rotation). Secret file.
    public var assertionKeyFile: String?
    /// `AUTHKIT_ASSERTION_KEY_DIR`: where keys are made and rotated; default `AUTHKIT_CACHE_DIR`.
    public var assertionKeyDirectory: String?
    /// `AUTHKIT_ASSERTION_ROTATE_DAYS`: a new key after this many days, default 30.
    public var assertionRotateDays: Int = 30

    public enum LogFormat: String, Sendable, CaseIterable {
        case logfmt, json
    }

    public enum MetricsAccess: String, Sendable, CaseIterable {
        /// Only requests whose `REMOTE_ADDR` is 127.0.0.0/8 or ::1 (what the server passes).
        case loopback
        /// Anyone the web server lets through: restrict the location in its configuration.
        case on
        /// Not served (404).
        case off
    }

    public init(
        clientId: String,
        apiKey: String,
        cookiePassword: String,
        previousCookiePasswords: [String] = [],
        redirectURI: String,
        cookieName: String = "wos-session",
        cookieMaxAge: Int = 34_560_000,
        cookieDomain: String? = nil,
        cookieSameSite: CookieSameSite = .lax,
        apiHostname: String = "api.workos.com",
        apiHTTPS: Bool = true,
        apiPort: Int? = nil,
        refreshBufferSeconds: Int? = nil,
        clockLeewaySeconds: Int = 0,
        httpConnectTimeoutMillis: Int = 3000,
        httpTotalTimeoutMillis: Int = 10000
    ) {
        self.clientId = clientId
        self.apiKey = apiKey
        self.cookiePassword = cookiePassword
        self.previousCookiePasswords = previousCookiePasswords
        self.redirectURI = redirectURI
        self.cookieName = cookieName
        self.cookieMaxAge = cookieMaxAge
        self.cookieDomain = cookieDomain
        self.cookieSameSite = cookieSameSite
        self.apiHostname = apiHostname
        self.apiHTTPS = apiHTTPS
        self.apiPort = apiPort
        self.refreshBufferSeconds = refreshBufferSeconds
        self.clockLeewaySeconds = clockLeewaySeconds
        self.httpConnectTimeoutMillis = httpConnectTimeoutMillis
        self.httpTotalTimeoutMillis = httpTotalTimeoutMillis
    }

    /// The `iss` values an access token may carry: `WORKOS_ISSUER` when set, else the API
    /// origin and `<origin>/user_management/<client id>`.
    public var acceptedIssuers: AcceptedIssuers {
        if let issuers { return AcceptedIssuers(issuers) }
        return .derived(https: apiHTTPS, hostname: apiHostname, port: apiPort, clientId: clientId)
    }

    /// The WorkOS API base URL without a trailing slash, as workos-node builds it:
    /// `http(s)://hostname[:port]`.
    public var apiBaseURL: String {
        let scheme = apiHTTPS ? "https" : "http"
        if let apiPort { return "\(scheme)://\(apiHostname):\(apiPort)" }
        return "\(scheme)://\(apiHostname)"
    }
}
