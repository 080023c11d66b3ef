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

    /// The action for a request: the `AUTHKIT_ACTION` parameter when the server sets one, else
    /// by path — the redirect URI's path is the callback, the others live under the prefix.
    public static func route(_ request: AuthRequest, settings: EndpointSettings) -> AuthAction? {
        if let named = request.parameters["AUTHKIT_ACTION"] { return AuthAction(rawValue: named.lowercased()) }
        let path = request.path
        if path == settings.callbackPath { return .callback }
        guard path.hasPrefix(settings.prefix) else { return nil }
        var name = Substring(path.dropFirst(settings.prefix.count))
        if name.hasSuffix("/") { name = name.dropLast() }
        guard let action = AuthAction(rawValue: String(name)), action != .check else { return nil }
        return action
    }
}
