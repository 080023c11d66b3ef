/// The endpoints authkit-fcgi serves; ``RouteTable`` says which request goes to which.
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
}
