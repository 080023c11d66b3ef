/// The client the emulator serves and its tunables: fixed at start-up from the command line
/// and the seed; `accessTokenTTL`, `interactive`, `strictRefresh` and `refreshGraceSeconds` can
/// change through `/_emulate/config`.
struct EmulatorSettings: Sendable, Equatable {
    var clientId: String
    var apiKey: String
    /// Exact-match list, as in the WorkOS dashboard.
    var redirectURIs: [String]
    /// Access-token lifetime in seconds (WorkOS's default is 300).
    var accessTokenTTL: Int
    /// Authorization codes live this long (WorkOS: 10 minutes).
    var codeTTL: Int = 600
    /// Show a sign-in page instead of approving at once.
    var interactive: Bool
    /// Strict refresh tokens (`--strict-refresh`): single-use as WorkOS documents them, the
    /// `refresh_token` grant never answered from an `Idempotency-Key` replay, a reuse answered
    /// only within `refreshGraceSeconds` (see `StoreState.refresh`). Off: today's lenient
    /// emulator, whose `Idempotency-Key` replay also covers refreshes.
    var strictRefresh = false
    /// The replay grace window of a spent refresh token in strict mode (`--refresh-grace-seconds`).
    var refreshGraceSeconds = 0
    /// `http://host:port`, known once the socket is bound; the tokens' `iss` starts with it.
    var baseURL: String

    /// The longest grace window accepted (an hour; WorkOS's is quoted at about 30 s).
    static let refreshGraceSecondsRange = 0...3600

    /// Redirect URIs registered unless told otherwise: authkit-fcgi's and Next.js's usual ones.
    static let defaultRedirectURIs = [
        "http://localhost:8080/auth/callback", "http://127.0.0.1:8080/auth/callback",
        "http://localhost:3000/callback", "http://localhost:3000/auth/callback",
    ]
}
