import AuthKitCore

/// The auth check's answer turned into a response for the browser itself, for the Apache setups
/// where no FastCGI authorizer relays it: mod_fcgid's access checker (whose failures Apache
/// always answers 401, so an `ErrorDocument 401` asks us again) and the plain-CGI guard
/// (an `Action` handler that answers the request itself).
public enum BrowserResponse {
    /// A refused check for the browser: a page navigation that needs a sign-in gets a 302 to
    /// it; any other 401 stays 401, a failed requirement 403, WorkOS unavailable 503. Identity
    /// never leaves; `Set-Cookie` (a deleted or refreshed session) does.
    public static func denial(_ answer: CheckAnswer) -> AuthResponse {
        let decision = answer.decision
        var response = AuthResponse(status: 200)
        let text: String
        var trailing: [(name: String, value: String)] = []
        switch decision.verdict {
        case .badRequest: return badRequest()
        case .allow:
            // Not a denial; an allowed check has no page of ours (the caller serves the request).
            text = ""
        case .signIn(let url):
            response.status = 302
            trailing.append(("Location", url))
            text = "Sign in to continue.\n"
        case .unauthenticated(let challenge):
            response.status = 401
            if let challenge { response.headers.append(("WWW-Authenticate", challenge)) }
            text = "Sign in required.\n"
        case .forbidden:
            response.status = 403
            text = "You do not have access to this page.\n"
        case .unavailable(let seconds):
            response.status = 503
            trailing.append(("Retry-After", String(seconds)))
            text = "Sign-in is unavailable for a moment; try again.\n"
        case .misconfigured:
            response.status = 500
            text = "This page is misconfigured; the site's log says why.\n"
        }
        if let cookie = decision.setCookie { response.headers.append(("Set-Cookie", cookie)) }
        response.headers += answer.cacheHeaders
        response.headers += trailing
        if !text.isEmpty {
            response.headers.append(("Content-Type", "text/plain; charset=utf-8"))
            response.body = Array(text.utf8)
        }
        return response
    }

    /// A request target the check refused to read (``ServedPath/Refusal``): a plain 400 that
    /// names nothing of the request.
    public static func badRequest() -> AuthResponse {
        var response = AuthResponse(status: 400, headers: [("Content-Type", "text/plain; charset=utf-8")],
                                    body: Array("Bad request: this address cannot be served.\n".utf8))
        response.addCachePrevention()
        return response
    }

    /// An `ErrorDocument` request (`AUTHKIT_ACTION=denied`) whose check now passes — a refresh
    /// that failed a moment ago succeeded: send the browser back to the page, with the new
    /// cookie, keeping the method (307).
    public static func retry(_ check: CheckDecision, requestURI: String) -> AuthResponse {
        var response = AuthResponse(status: 307, headers: [("Location", requestURI)])
        if let cookie = check.setCookie { response.headers.append(("Set-Cookie", cookie)) }
        return response
    }
}
