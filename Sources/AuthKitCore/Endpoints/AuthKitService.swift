import Logging

/// Every endpoint, behind one `handle` call: request in, response out. The executable
/// translates FastCGI/CGI to ``AuthRequest`` and ``AuthResponse`` back; nothing here knows
/// about FastCGI.
///
/// | action | what |
/// |---|---|
/// | check | the `auth_request` / authorizer decision: 200 + identity, 401, 403, 503 |
/// | sign-in, sign-up | PKCE state + verifier cookie, redirect to WorkOS |
/// | callback | code exchange, session cookie, redirect back |
/// | sign-out | clear cookies, redirect to WorkOS logout |
/// | session, token, refresh | JSON for scripts on the site |
/// | health | liveness |
/// | authkit.js | the browser script (cacheable: it holds no user data) |
/// | jwks.json | the identity assertion's public keys (cacheable for a minute) |
/// | metrics | Prometheus text (the executable answers it; 404 from the service alone) |
public struct AuthKitService: Sendable {
    /// The process's settings; within one request's handling, its site's (``serving(_:)``).
    public private(set) var settings: EndpointSettings
    /// Sets cookies with the process's attributes; within a request, its site's.
    public private(set) var authenticator: SessionAuthenticator
    /// `Authorization: Bearer <API key>` at locations with `AUTHKIT_ALLOW_API_KEY=true`.
    public let apiKeys: ApiKeyAuthenticator
    let clock: any WallClock
    let random: any RandomSource
    let logger: Logger

    /// - Parameter apiKeys: default: validated with the authenticator's WorkOS client, cached
    ///   with the default ``ApiKeyCachePolicy``, this process only.
    public init(settings: EndpointSettings, authenticator: SessionAuthenticator, clock: any WallClock, random: any RandomSource, logger: Logger,
                apiKeys: ApiKeyAuthenticator? = nil) {
        self.settings = settings
        self.authenticator = authenticator
        self.apiKeys = apiKeys ?? ApiKeyAuthenticator(workos: authenticator.workos, cache: ApiKeyCache(policy: ApiKeyCachePolicy()),
                                                      clock: clock, logger: logger)
        self.clock = clock
        self.random = random
        self.logger = logger
    }

    var sealer: SessionSealer { authenticator.sealer }
    var workos: WorkOSClient { authenticator.workos }

    public func handle(_ request: AuthRequest) -> AuthResponse {
        // The site first: its callback path routes, and a bad one denies (fail closed).
        if case .failure(let problems) = settings.site(for: request.parameters) { return Self.badSettings(problems.all, logger: logger) }
        guard case .action(let action) = RouteTable.route(request, serverVariables: [:], settings: settings) else { return Self.notFoundAnswer() }
        return handle(request, action: action)
    }

    /// 404 for a request nothing here answers; a location naming a bad site is denied first.
    public func notFound(_ request: AuthRequest) -> AuthResponse {
        if case .failure(let problems) = settings.site(for: request.parameters) { return Self.badSettings(problems.all, logger: logger) }
        return Self.notFoundAnswer()
    }

    static func notFoundAnswer() -> AuthResponse {
        var response = AuthResponse.json(404, .object([("error", .string("not_found"))]))
        response.addCachePrevention()
        return response
    }

    public func handle(_ request: AuthRequest, action: AuthAction) -> AuthResponse {
        // The check as nginx's auth_request takes it; every other server renders ``check(_:)``.
        if action == .check { return NginxCheckResponse.render(check(request)) }
        // The location's settings and its site: a bad one denies whatever the action (fail closed).
        let parsed = LocationSettings.parse(request.parameters)
        let resolved = settings.site(for: request.parameters)
        guard case .success(let location) = parsed, case .success(let site) = resolved else {
            return Self.badSettings(parsed.problems + resolved.problems, logger: logger)
        }
        return serving(site).answer(request, action: action, location: location)
    }

    /// The auth check's decision for a request, with the cache headers its answer needs; each
    /// server's renderer says it (``NginxCheckResponse`` for nginx).
    public func check(_ request: AuthRequest) -> CheckAnswer {
        let parsed = LocationSettings.parse(request.parameters)
        let resolved = settings.site(for: request.parameters)
        guard case .success(let location) = parsed, case .success(let site) = resolved else {
            Self.logBadSettings(parsed.problems + resolved.problems, logger: logger)
            return CheckAnswer(decision: CheckDecision(.misconfigured), cacheHeaders: AuthResponse.cachePreventionHeaders())
        }
        let service = serving(site)
        let decision = service.check(request, location: location)
        return CheckAnswer(decision: decision, cacheHeaders: service.cacheHeaders(for: decision, request: request))
    }

    /// This service for one site: its origin, redirect URI and callback in the settings, its
    /// cookie attributes in the authenticator. Itself for the process's own site.
    public func serving(_ site: Site) -> AuthKitService {
        guard !site.isSame(as: settings.site) else { return self }
        var service = self
        service.settings.site = site
        service.authenticator = authenticator.with(cookieOptions: authenticator.cookieOptions.forSite(site))
        return service
    }

    private func answer(_ request: AuthRequest, action: AuthAction, location: LocationSettings) -> AuthResponse {
        var response: AuthResponse
        switch action {
        case .check: return NginxCheckResponse.render(check(request))
        case .signIn: response = signIn(request, signUp: false)
        case .signUp: response = signIn(request, signUp: true)
        case .callback: response = callback(request)
        case .signOut: response = signOut(request)
        case .session: response = session(request)
        case .token: response = token(request)
        case .refresh: response = refresh(request)
        case .health: response = health()
        case .metrics: response = .json(404, .object([("error", .string("not_found"))]))
        case .script:
            // The only answer without user data, and the only one meant to be cached.
            return AuthKitScript.response(ifNoneMatch: request.header("if-none-match"))
        case .jwks:
            guard let signer = settings.assertionSigner else {
                response = .json(404, .object([("error", .string("not_found"))]))
                break
            }
            // Public keys only; a minute of caching keeps verifiers well inside the time a new
            // key is published before it signs (AssertionKeyRing).
            return AuthResponse(status: 200, headers: [
                ("Content-Type", "application/jwk-set+json"),
                ("Cache-Control", "public, max-age=\(AssertionKeyRing.Policy.jwksMaxAgeSeconds)"),
            ], body: signer.jwks())
        }
        markForCaches(&response, request: request, action: action)
        return response
    }

    /// Every answer about a session stays out of caches: each endpoint's, each refusal, and an
    /// allowed check whenever the request carried the session cookie or an `Authorization`
    /// header (authkit-nextjs's `applyCacheSecurityHeaders` rule). An allowed check without
    /// either (a public path, optional mode, signed out) stays cacheable, with `Vary: Cookie`:
    /// a signed-in visitor's copy of the same URL may differ (identity reaches the upstream),
    /// so a shared cache must not hand the anonymous copy to a cookie-carrying request.
    func markForCaches(_ response: inout AuthResponse, request: AuthRequest, action: AuthAction) {
        response.addCachePrevention(authorization: request.header("authorization") != nil)
    }

    /// The same rule for a check's decision: the headers its answer carries.
    public func cacheHeaders(for decision: CheckDecision, request: AuthRequest) -> [(name: String, value: String)] {
        let authorization = request.header("authorization") != nil
        if decision.isAllowed, !authorization, sessionCookie(request) == nil { return [("Vary", "Cookie")] }
        return AuthResponse.cachePreventionHeaders(authorization: authorization)
    }

    /// `/auth/health`: always 200 while the process serves (liveness); `degraded`, with the
    /// detail, while a service it leans on is down.
    func health() -> AuthResponse {
        guard let report = settings.dependencyHealth?() else { return .json(200, .object([("status", .string("ok"))])) }
        return .json(200, .object([("status", .string(report.degraded ? "degraded" : "ok"))] + report.fields))
    }

    /// A location whose `AUTHKIT_*` settings are wrong: 500, one log line per problem (the
    /// operator's to fix; the browser learns nothing of the configuration).
    public static func badSettings(_ problems: [LocationSettings.Problem], logger: Logger) -> AuthResponse {
        logBadSettings(problems, logger: logger)
        var response = AuthResponse(status: 500, headers: [("Content-Type", "text/plain; charset=utf-8")],
                                    body: Array("This page is misconfigured; the site's log says why.\n".utf8))
        response.addCachePrevention()
        return response
    }

    static func logBadSettings(_ problems: [LocationSettings.Problem], logger: Logger) {
        for problem in problems {
            logger.error("bad location setting; denying the request", metadata: ["problem": "\(problem)"])
        }
    }

    /// The session cookie of a request, read with the configured name.
    func sessionCookie(_ request: AuthRequest) -> String? {
        request.cookie(authenticator.cookieOptions.name)
    }

    /// An absolute URL on our origin for a sanitised path.
    func absolute(_ path: String) -> String { settings.origin + path }

    /// Same-origin proof for state-changing GETs and token reads: `Sec-Fetch-Site:
    /// same-origin`, or an `Origin` equal to ours. Absent both, the request is refused.
    func isSameOrigin(_ request: AuthRequest) -> Bool {
        // ASCII case folding only: Unicode lower-casing maps U+212A KELVIN SIGN to "k".
        if let site = request.header("sec-fetch-site") { return site.lowercasedASCII() == "same-origin" }
        if let origin = request.header("origin") {
            return origin.lowercasedASCII().utf8.elementsEqual(settings.origin.lowercasedASCII().utf8)
        }
        return false
    }
}
