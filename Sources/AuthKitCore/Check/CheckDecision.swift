/// What the auth check decided about one request, before any server's way of saying it.
///
/// The core decides; one renderer per server says it: ``NginxCheckResponse`` (nginx
/// `auth_request`, the FastCGI RESPONDER answer), and in AuthKitGateway the Apache authorizer
/// (`AuthorizerResponse`), the browser pages (`BrowserResponse`) and the CGI guard. Each
/// server's quirks live in its renderer.
public struct CheckDecision: Sendable {
    public enum Verdict: Sendable {
        /// Let the request through. `identity` is the `X-AuthKit-*` fields (empty for a public
        /// path, optional mode or a signed-out visitor where that is allowed), the identity
        /// assertion among them; `eagerAuthCookie` is authkit-nextjs's `workos-access-token`
        /// cookie for a page navigation.
        case allow(identity: [(name: String, value: String)], eagerAuthCookie: String?)
        /// Not signed in (or signed in too long ago) on a page navigation: send the browser to `url`.
        case signIn(url: String)
        /// Not signed in, not a navigation: 401, with `challenge` as `WWW-Authenticate` when set.
        case unauthenticated(challenge: String?)
        /// Signed in (or a valid API key), but this requirement does not hold.
        case forbidden(RequirementFailure)
        /// WorkOS (or the signing keys) could not be had now; the cookie is kept. Try again later.
        case unavailable(retryAfterSeconds: Int)
        /// A request target the check cannot read with certainty, or a client's own
        /// `X-AuthKit-*` header: 400, naming nothing of the request.
        case badRequest
        /// The location's settings are wrong, or the server did not send the path it serves:
        /// 500 (the log says what to fix).
        case misconfigured
    }

    public var verdict: Verdict
    /// A refreshed session's cookie, or the deletion of a dead one: it must reach the browser
    /// whatever the verdict (a refresh token is single-use).
    public var setCookie: String?

    public init(_ verdict: Verdict, setCookie: String? = nil) {
        self.verdict = verdict
        self.setCookie = setCookie
    }

    /// Allowed without identity (a public path, optional mode).
    public static func pass(setCookie: String? = nil) -> CheckDecision {
        CheckDecision(.allow(identity: [], eagerAuthCookie: nil), setCookie: setCookie)
    }

    public var isAllowed: Bool {
        if case .allow = verdict { return true }
        return false
    }

    /// The `outcome` label of `authkit_checks_total`.
    public var outcome: AuthKitMetrics.CheckOutcome {
        switch verdict {
        case .allow: .allowed
        case .signIn, .unauthenticated: .unauthenticated
        case .forbidden: .forbidden
        case .unavailable: .unavailable
        case .badRequest, .misconfigured: .error
        }
    }

    /// The identity field named `name` (ASCII case ignored) of an allowed answer.
    public func identity(_ name: String) -> String? {
        guard case .allow(let identity, _) = verdict else { return nil }
        return identity.first { AuthResponse.sameName($0.name, name) }?.value
    }
}

/// A check's decision and how caches may keep its answer: the headers every renderer adds
/// (``AuthKitService/cacheHeaders(for:request:)``).
public struct CheckAnswer: Sendable {
    public var decision: CheckDecision
    public var cacheHeaders: [(name: String, value: String)]

    public init(decision: CheckDecision, cacheHeaders: [(name: String, value: String)]) {
        self.decision = decision
        self.cacheHeaders = cacheHeaders
    }
}
