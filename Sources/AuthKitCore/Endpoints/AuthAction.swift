/// The endpoints authkit-fcgi serves.
public enum AuthAction: String, Sendable, CaseIterable {
    case check
    case signIn = "sign-in"
    case signUp = "sign-up"
    case callback
    case signOut = "sign-out"
    case session
    case token
    case refresh
    case health
    /// Prometheus text; served by the executable, which holds the registry (404 here).
    case metrics
    /// The browser script, ``AuthKitScript``.
    case script = "authkit.js"
    /// The identity assertion's public keys (404 while assertions are off).
    case jwks = "jwks.json"

    /// The action for a request: the `AUTHKIT_ACTION` parameter when the server sets one, else
    /// by path — the redirect URI's path is the callback (the request's site's: a location
    /// naming a bad site routes by the process's, and is denied when handled), the others live
    /// under the prefix.
    public static func route(_ request: AuthRequest, settings: EndpointSettings) -> AuthAction? {
        if let named = request.parameters["AUTHKIT_ACTION"] { return AuthAction(rawValue: named.lowercasedASCII()) }
        // On bytes: a String comparison would see `/` and a combining mark after it as one
        // Character, and `==` would equate canonically equivalent paths that differ in bytes.
        let path = Array(request.path.utf8)
        let site = (try? settings.site(for: request.parameters).get()) ?? settings.site
        if path.elementsEqual(site.callbackPath.utf8) { return .callback }
        let prefix = Array(settings.prefix.utf8)
        guard path.starts(with: prefix) else { return nil }
        var name = path[prefix.count...]
        if name.last == UInt8(ascii: "/") { name = name.dropLast() }
        // Bytes again: String equality is canonical equivalence (U+212A KELVIN SIGN equals "K").
        guard let action = allCases.first(where: { $0.rawValue.utf8.elementsEqual(name) }), action != .check else { return nil }
        return action
    }
}
