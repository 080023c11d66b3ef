/// Site-wide settings of the endpoints, derived once from configuration.
public struct EndpointSettings: Sendable {
    /// The process's own site: origin from `AUTHKIT_BASE_URL`, else the redirect URI's origin,
    /// and `WORKOS_REDIRECT_URI` — never from request headers, which the client controls. A
    /// request's ``site(for:)`` replaces it when its location names another, allowed one.
    public var site: Site
    /// Our origin (`https://app.example.com`), no trailing slash: where redirects land.
    public var origin: String { site.origin }
    /// The redirect URI (the callback), absolute.
    public var redirectURI: String { site.redirectURI }
    /// Its path, which routes to the callback.
    public var callbackPath: String { site.callbackPath }
    /// `AUTHKIT_ALLOWED_REDIRECT_URIS`: the redirect URIs a location may name for its site.
    public var allowedRedirectURIs: AllowedRedirectURIs = .none
    /// Where the other endpoints live (`/auth/`), with leading and trailing slash.
    public var prefix: String
    /// `WORKOS_UNAUTHENTICATED_PATHS`.
    public var pathRules: [PathPattern]
    /// `WORKOS_UNAUTHENTICATED_PATHS`, plus the site's callback path as authkit adds it.
    public var unauthenticatedPaths: [PathPattern] { pathRules + (site.callbackPattern.map { [$0] } ?? []) }
    /// `WORKOS_SIGN_UP_PATHS`.
    public var signUpPaths: [PathPattern]
    /// `AUTHKIT_PASS_ACCESS_TOKEN`: add `X-AuthKit-Access-Token` to allowed checks.
    public var passAccessToken: Bool
    /// Sign-in loop detection (more than 10 sign-ins a minute from one browser).
    public var signInLoopGuard = SignInLoopGuard()
    /// `AUTHKIT_ALLOWED_RETURN_HOSTS`: where else a sign-out may send the browser.
    public var allowedReturnHosts: AllowedReturnHosts = .none
    /// `WORKOS_EAGER_AUTH`: the 30-second `workos-access-token` cookie on page loads.
    public var eagerAuth = false
    /// `AUTHKIT_ON_SUCCESS_URL` and friends.
    public var signInHook: SignInHook?
    /// What `/auth/health` adds about the services the process leans on (Redis): fields for
    /// its JSON, and whether one is down (`"status": "degraded"`, still 200: the process itself
    /// is alive and serving, each check on its own). Nil: nothing to report.
    public var dependencyHealth: (@Sendable () -> (degraded: Bool, fields: [(String, JSONValue)]))?
    /// `AUTHKIT_ERROR_PAGE`: HTML replacing the default sign-in error page; `{{code}}` and
    /// `{{message}}` are replaced, escaped.
    public var errorPageTemplate: String?
    /// `AUTHKIT_ASSERTION_ALG`: the signed identity assertion sent upstream; nil when off.
    public var assertionSigner: AssertionSigner?

    public init(
        origin: String, redirectURI: String, prefix: String = "/auth/",
        unauthenticatedPaths: [PathPattern] = [], signUpPaths: [PathPattern] = [], passAccessToken: Bool = false
    ) {
        self.site = Site(origin: origin, redirectURI: redirectURI)
        var prefix = prefix.utf8.first == UInt8(ascii: "/") ? prefix : "/" + prefix
        if prefix.utf8.last != UInt8(ascii: "/") { prefix += "/" }
        self.prefix = prefix
        self.pathRules = unauthenticatedPaths
        self.signUpPaths = signUpPaths
        self.passAccessToken = passAccessToken
    }

    /// The assertion's `aud`: the site the request is for (its origin). The one place that
    /// decides it, so that a per-site origin changes it everywhere.
    public func assertionAudience(for request: AuthRequest) -> String { origin }

    /// The assertion's `iss`: the audience followed by the endpoint prefix without its last
    /// slash (`https://app.example.com/auth`); the JWKS is at `{iss}/jwks.json`.
    public func assertionIssuer(for request: AuthRequest) -> String {
        assertionAudience(for: request) + String(prefix.dropLast())
    }

    /// `scheme://host[:port]` of an absolute URL, A–Z lower-cased. Read on the bytes (a
    /// `Referer` is a request header): a mark glued onto the `/` after the host must not make
    /// the rest part of the origin, and KELVIN SIGN must not become `k`.
    public static func origin(of url: String) -> String? {
        guard let afterSchemeStart = afterSchemeSeparator(url) else { return nil }
        let afterScheme = url.utf8[afterSchemeStart...]
        let hostEnd = afterScheme.firstIndex(where: isAuthorityEnd) ?? afterScheme.endIndex
        guard hostEnd > afterScheme.startIndex else { return nil }
        return url[..<hostEnd].lowercasedASCII()
    }

    private static func isAuthorityEnd(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#")
    }

    /// The index just after `://`.
    private static func afterSchemeSeparator(_ url: String) -> String.Index? {
        guard let colon = url.firstUTF8Index(of: UInt8(ascii: ":")), url.utf8[colon...].starts(with: "://".utf8) else { return nil }
        return url.utf8.index(colon, offsetBy: 3)
    }

    static func path(of url: String) -> String {
        guard let afterSchemeStart = afterSchemeSeparator(url) else { return "/" }
        let afterScheme = url.utf8[afterSchemeStart...]
        guard let slash = afterScheme.firstIndex(of: UInt8(ascii: "/")) else { return "/" }
        let rest = afterScheme[slash...]
        let end = rest.firstIndex { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? rest.endIndex
        return String(url[slash..<end])
    }

    /// The sign-in (or sign-up) endpoint path with `return_to`, and `max_age` when the location
    /// limits the sign-in's age (at most 9 digits, so the budget below still holds).
    /// A long return target is shortened (query dropped, then `/`) so that the check's answer
    /// fits nginx's subrequest buffer and Apache's header limit (``ResponseBudget``).
    func signInLocation(returnTo: String, signUp: Bool, maxAge: Int64? = nil) -> String {
        var encoded = PercentEncoding.uriComponent(returnTo)
        for candidate in ResponseBudget.returnPathCandidates(returnTo) {
            encoded = PercentEncoding.uriComponent(candidate)
            if encoded.utf8.count <= ResponseBudget.returnPathBytes * 3 / 2 { break }
        }
        return "\(prefix)\(signUp ? "sign-up" : "sign-in")?return_to=\(encoded)" + (maxAge.map { "&max_age=\($0)" } ?? "")
    }
}
