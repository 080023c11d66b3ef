/// Where a request goes: every action, role and path authkit-fcgi answers, listed once.
///
/// | route | chosen by | answered by |
/// |---|---|---|
/// | authorizer | `FCGI_ROLE=AUTHORIZER` (Apache mod_authnz_fcgi, mod_fcgid's `FcgidAuthorizer` and `FcgidAccessChecker`) | the check, rendered for Apache (`AuthorizerResponse`) |
/// | check | `AUTHKIT_ACTION=check` (nginx's `auth_request` location) | the check, rendered for nginx (``NginxCheckResponse``) |
/// | denied | `AUTHKIT_ACTION=denied` (Apache's `ErrorDocument 401` after mod_fcgid refused) | the check of the original request, rendered for the browser (`BrowserResponse`) |
/// | guard | `AUTHKIT_ACTION=guard`, CGI only (an Apache `Action` handler) | `CGIGuard`: the check, then the script or a local redirect |
/// | none | `AUTHKIT_ACTION=none` | 404 |
/// | callback | the path of the site's redirect URI | ``AuthKitService`` |
/// | sign-in, sign-up, sign-out, session, token, refresh, health, authkit.js, jwks.json, metrics | `{prefix}<name>` (default prefix `/auth/`), or `AUTHKIT_ACTION=<name>` | ``AuthKitService`` (metrics: the executable's registry) |
///
/// Names and paths are compared as bytes: `String ==` is canonical equivalence (U+212A KELVIN
/// SIGN equals "K"), and a combining mark glues onto `/`.
public enum Route: Sendable, Equatable {
    /// An endpoint of ``AuthKitService`` (the check among them, for nginx).
    case action(AuthAction)
    /// Apache's FastCGI authorizer role: the check, in authorizer terms.
    case authorizer(accessChecker: Bool)
    /// Apache's error document after mod_fcgid's access checker refused.
    case denied
    /// The plain-CGI guard (CGI only; over FastCGI it is not found).
    case cgiGuard
    /// Nothing here: 404.
    case notFound
}

public enum RouteTable {
    /// Every value `AUTHKIT_ACTION` may take, with its route.
    public static let named: [(name: String, route: Route)] =
        AuthAction.allCases.map { ($0.rawValue, .action($0)) } + [("denied", .denied), ("guard", .cgiGuard), ("none", .notFound)]

    /// The actions served under the prefix, by name (the check has no path of its own: nginx
    /// names it, Apache asks in its role).
    public static let underPrefix: [AuthAction] = AuthAction.allCases.filter { $0 != .check }

    /// The route for a request, decided once. `serverVariables` are the server's own (the
    /// FastCGI roles), `request.parameters` its `AUTHKIT_*` settings.
    public static func route(_ request: AuthRequest, serverVariables: [String: String], settings: EndpointSettings) -> Route {
        // a–z folded only: Unicode upper-casing reads `authorızer` (dotless ı) as AUTHORIZER.
        if serverVariables["FCGI_ROLE"]?.uppercasedASCII().bytesEqual("AUTHORIZER") == true {
            return .authorizer(accessChecker: serverVariables["FCGI_APACHE_ROLE"]?.uppercasedASCII().bytesEqual("ACCESS_CHECKER") == true)
        }
        if let name = request.parameters["AUTHKIT_ACTION"] { return named(name) ?? .notFound }
        let path = Array(request.path.utf8)
        // The request's site's callback (a location naming a bad site routes by the process's,
        // and is denied when handled).
        let site = (try? settings.site(for: request.parameters).get()) ?? settings.site
        if path.elementsEqual(site.callbackPath.utf8) { return .action(.callback) }
        let prefix = Array(settings.prefix.utf8)
        guard path.starts(with: prefix) else { return .notFound }
        var name = path[prefix.count...]
        if name.last == UInt8(ascii: "/") { name = name.dropLast() }
        return underPrefix.first { $0.rawValue.utf8.elementsEqual(name) }.map(Route.action) ?? .notFound
    }

    /// The route `AUTHKIT_ACTION` names, ASCII case ignored; nil for a name that is none of them.
    public static func named(_ value: String) -> Route? {
        let lower = value.lowercasedASCII()
        return named.first { $0.name.utf8.elementsEqual(lower.utf8) }?.route
    }
}
