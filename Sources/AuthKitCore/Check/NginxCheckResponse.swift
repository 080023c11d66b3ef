/// The check's answer for nginx `auth_request` (and any FastCGI RESPONDER asking for a check).
///
/// nginx's auth_request passes only 2xx, 401 and 403 on (anything else becomes a bare 500), and
/// it reads the answer's headers through `auth_request_set`. So every refusal that is not a
/// 403 is a 401 with a header saying what it is, which the shipped snippets turn into the
/// browser's answer: `X-AuthKit-Sign-In` (302 to it), `X-AuthKit-Unavailable` (503 with
/// Retry-After), `X-AuthKit-Bad-Request` (400). A second cookie cannot travel as `Set-Cookie`
/// ($upstream_http_set_cookie carries the first only): the eager-auth cookie goes as
/// `X-AuthKit-Eager-Auth-Cookie`.
public enum NginxCheckResponse {
    public static func render(_ answer: CheckAnswer) -> AuthResponse {
        var response = render(answer.decision)
        response.headers += answer.cacheHeaders
        return response
    }

    /// The answer without its cache headers.
    public static func render(_ decision: CheckDecision) -> AuthResponse {
        var response: AuthResponse
        switch decision.verdict {
        case .allow(let identity, let eager):
            response = AuthResponse(status: 200, headers: identity)
            if let eager { response.headers.append((eagerAuthCookieHeader, eager)) }
        case .signIn(let url):
            response = AuthResponse(status: 401, headers: [(signInHeader, url)])
        case .unauthenticated(let challenge):
            response = AuthResponse(status: 401, headers: challenge.map { [("WWW-Authenticate", $0)] } ?? [])
        case .forbidden:
            response = AuthResponse(status: 403)
        case .unavailable(let seconds):
            response = AuthResponse(status: 401, headers: [(unavailableHeader, String(seconds))])
        case .badRequest:
            response = AuthResponse(status: 401, headers: [(badRequestHeader, "1")])
        case .misconfigured:
            response = AuthResponse(status: 500, headers: [("Content-Type", "text/plain; charset=utf-8")],
                                    body: Array("This page is misconfigured; the site's log says why.\n".utf8))
        }
        if let cookie = decision.setCookie { response.headers.append(("Set-Cookie", cookie)) }
        return response
    }

    /// The sign-in URL of a refused navigation.
    public static let signInHeader = "X-AuthKit-Sign-In"
    /// Seconds to wait: WorkOS unavailable.
    public static let unavailableHeader = "X-AuthKit-Unavailable"
    /// A target the check refused to read.
    public static let badRequestHeader = "X-AuthKit-Bad-Request"
    /// authkit-nextjs's eager-auth cookie, carried beside `Set-Cookie`.
    public static let eagerAuthCookieHeader = "X-AuthKit-Eager-Auth-Cookie"
}
