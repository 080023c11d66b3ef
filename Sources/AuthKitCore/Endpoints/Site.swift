/// The site a request is served for: where its redirects land, its redirect URI (the
/// callback) and the callback's path. One process may serve several virtual hosts: a server
/// location names its own with `AUTHKIT_SITE_REDIRECT_URI` (and optionally
/// `AUTHKIT_SITE_BASE_URL`), accepted only when `AUTHKIT_ALLOWED_REDIRECT_URIS` allows it.
/// Without them the process's `WORKOS_REDIRECT_URI` / `AUTHKIT_BASE_URL` apply. Never derived
/// from the request's `Host`, which the client controls.
public struct Site: Sendable {
    /// `scheme://host[:port]`, no trailing slash, A–Z lower-cased: where redirects land and
    /// what same-origin checks compare with.
    public let origin: String
    /// The redirect URI, absolute.
    public let redirectURI: String
    /// The redirect URI's path, which routes to the callback.
    public let callbackPath: String
    /// The callback path as a path rule: a signed-out request may reach it.
    let callbackPattern: PathPattern?

    public init(origin: String, redirectURI: String) {
        self.origin = origin
        self.redirectURI = redirectURI
        callbackPath = EndpointSettings.path(of: redirectURI)
        callbackPattern = try? PathPattern(callbackPath)
    }

    /// The per-location parameter naming the site's redirect URI.
    public static let redirectURIParameter = "AUTHKIT_SITE_REDIRECT_URI"
    /// The per-location parameter naming the site's base URL (its origin counts).
    public static let baseURLParameter = "AUTHKIT_SITE_BASE_URL"
    /// The process setting listing the redirect URIs sites may name.
    public static let allowlistVariable = "AUTHKIT_ALLOWED_REDIRECT_URIS"

    /// Whether cookies set for this site carry `Secure`: its redirect URI is https (authkit's
    /// rule, for the site's own redirect URI).
    public var isHTTPS: Bool { redirectURI.hasASCIICaseInsensitivePrefix("https:") }

    /// The host of the redirect URI, A–Z lower-cased, without the port.
    var host: String {
        let authority = redirectURI.utf8.drop { $0 != UInt8(ascii: "/") }.drop { $0 == UInt8(ascii: "/") }
            .prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: ":") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        return Substring(authority).lowercasedASCII()
    }

    /// Same origin and redirect URI, byte for byte.
    func isSame(as other: Site) -> Bool {
        origin.bytesEqual(other.origin) && redirectURI.bytesEqual(other.redirectURI)
    }
}

extension EndpointSettings {
    /// The site of a request: the one its location names (``Site/named(by:allowlist:)``), else
    /// the process's own ``site``.
    public func site(for parameters: [String: String]) -> Result<Site, LocationSettings.Problems> {
        Site.named(by: parameters, allowlist: allowedRedirectURIs).map { $0 ?? site }
    }
}

extension Site {
    /// The site a location names with its `AUTHKIT_SITE_*` parameters, checked against the
    /// allowlist; nil when it names none (an empty value counts as none: nginx's
    /// `if_not_empty` sends nothing for it). Fails closed: a value the allowlist does not
    /// allow (or no allowlist) is a problem, and the request is denied.
    ///
    /// A site base URL must be on the site redirect URI's origin, or be allowed by the
    /// allowlist itself (e.g. `https://app.example.com/`); only its origin counts.
    public static func named(by parameters: [String: String], allowlist: AllowedRedirectURIs) -> Result<Site?, LocationSettings.Problems> {
        let redirect = parameters[redirectURIParameter].flatMap { $0.isEmpty ? nil : $0 }
        let base = parameters[baseURLParameter].flatMap { $0.isEmpty ? nil : $0 }
        typealias Problem = LocationSettings.Problem
        func refuse(_ problem: Problem) -> Result<Site?, LocationSettings.Problems> { .failure(.init(all: [problem])) }
        guard let redirect else {
            guard base == nil else {
                return refuse(Problem(parameter: baseURLParameter, problem: "is set without \(redirectURIParameter)",
                                      fix: "set \(redirectURIParameter) for this site too (its callback is on the site), or remove \(baseURLParameter)"))
            }
            return .success(nil)
        }
        guard !allowlist.isEmpty else {
            return refuse(Problem(
                parameter: redirectURIParameter, problem: "is set, but \(allowlistVariable) is not",
                fix: "list \(LocationSettings.visible(redirect)) (or a pattern such as https://*.example.com/auth/callback) in the process setting \(allowlistVariable), and register it in the WorkOS dashboard"))
        }
        guard let allowed = allowlist.permitted(redirect) else {
            return refuse(Problem(
                parameter: redirectURIParameter, problem: "is \"\(LocationSettings.visible(redirect))\", which \(allowlistVariable) does not allow",
                fix: "correct it, or add it to \(allowlistVariable) (exact URLs or https://*.example.com/auth/callback patterns, comma-separated)"))
        }
        var origin = allowed.origin
        if let base {
            guard case .success(let parts) = HTTPURLParts.parse(base, allowWildcardLabel: false),
                  parts.origin.bytesEqual(allowed.origin) || allowlist.permitted(base) != nil else {
                return refuse(Problem(
                    parameter: baseURLParameter,
                    problem: "is \"\(LocationSettings.visible(base))\", neither on the origin of \(redirectURIParameter) (\(allowed.origin)) nor allowed by \(allowlistVariable)",
                    fix: "remove it (the redirect URI's origin is the default), use \(allowed.origin), or list the base URL in \(allowlistVariable)"))
            }
            origin = parts.origin
        }
        return .success(Site(origin: origin, redirectURI: allowed.text))
    }
}
