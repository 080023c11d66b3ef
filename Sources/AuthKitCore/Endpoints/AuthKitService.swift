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
/// | metrics | Prometheus text (the executable answers it; 404 from the service alone) |
public struct AuthKitService: Sendable {
    public let settings: EndpointSettings
    public let authenticator: SessionAuthenticator
    /// `Authorization: Bearer <API key>` at locations with `AUTHKIT_ALLOW_API_KEY=true`.
    public let apiKeys: ApiKeyAuthenticator
    let clock: any Clock
    let random: any RandomSource
    let logger: Logger

    /// - Parameter apiKeys: default: validated with the authenticator's WorkOS client, cached
    ///   with the default ``ApiKeyCachePolicy``, this process only.
    public init(settings: EndpointSettings, authenticator: SessionAuthenticator, clock: any Clock, random: any RandomSource, logger: Logger,
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
        guard let action = AuthAction.route(request, settings: settings) else {
            var response = AuthResponse.json(404, .object([("error", .string("not_found"))]))
            response.addCachePrevention()
            return response
        }
        return handle(request, action: action)
    }

    public func handle(_ request: AuthRequest, action: AuthAction) -> AuthResponse {
        // The location's settings first: a bad one denies whatever the action (fail closed).
        let location: LocationSettings
        switch LocationSettings.parse(request.parameters) {
        case .success(let parsed): location = parsed
        case .failure(let problems): return Self.badSettings(problems.all, logger: logger)
        }
        var response: AuthResponse
        switch action {
        case .check: response = check(request, location: location)
        case .signIn: response = signIn(request, signUp: false)
        case .signUp: response = signIn(request, signUp: true)
        case .callback: response = callback(request)
        case .signOut: response = signOut(request)
        case .session: response = session(request)
        case .token: response = token(request)
        case .refresh: response = refresh(request)
        case .health: response = .json(200, .object([("status", .string("ok"))]))
        case .metrics: response = .json(404, .object([("error", .string("not_found"))]))
        case .script:
            // The only answer without user data, and the only one meant to be cached.
            return AuthKitScript.response(ifNoneMatch: request.header("if-none-match"))
        }
        response.addCachePrevention()
        return response
    }

    /// A location whose `AUTHKIT_*` settings are wrong: 500, one log line per problem (the
    /// operator's to fix; the browser learns nothing of the configuration).
    public static func badSettings(_ problems: [LocationSettings.Problem], logger: Logger) -> AuthResponse {
        for problem in problems {
            logger.error("bad location setting; denying the request", metadata: ["problem": "\(problem)"])
        }
        var response = AuthResponse(status: 500, headers: [("Content-Type", "text/plain; charset=utf-8")],
                                    body: Array("This page is misconfigured; the site's log says why.\n".utf8))
        response.addCachePrevention()
        return response
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
