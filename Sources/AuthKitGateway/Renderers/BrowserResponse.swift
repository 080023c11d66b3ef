import AuthKitCore

/// The auth check's answer turned into a response for the browser itself, for the Apache setups
/// where no FastCGI authorizer relays it: mod_fcgid's access checker (whose failures Apache
/// always answers 401, so an `ErrorDocument 401` asks us again) and the plain-CGI guard
/// (an `Action` handler that answers the request itself).
public enum BrowserResponse {
    /// A refused check for the browser: a page navigation that needs a sign-in gets a 302 to
    /// it; any other 401 stays 401, a failed requirement 403, WorkOS unavailable 503. Identity
    /// headers never leave; `Set-Cookie` (a deleted or refreshed session) does.
    public static func denial(_ check: AuthResponse) -> AuthResponse {
        if check.status == 401, check.header(AuthKitService.badRequestHeader) != nil { return badRequest() }
        var response = AuthResponse(status: check.status)
        for header in check.headers where !header.name.hasASCIICaseInsensitivePrefix("x-authkit-") {
            response.headers.append(header)
        }
        let text: String
        if check.status == 401, let retry = check.header("X-AuthKit-Unavailable") {
            response.status = 503
            response.headers.append(("Retry-After", retry))
        }
        switch response.status {
        case 401 where check.header("X-AuthKit-Sign-In") != nil:
            response.status = 302
            response.headers.append(("Location", check.header("X-AuthKit-Sign-In")!))
            text = "Sign in to continue.\n"
        case 401: text = "Sign in required.\n"
        case 403: text = "You do not have access to this page.\n"
        case 503: text = "Sign-in is unavailable for a moment; try again.\n"
        default: text = ""
        }
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
    public static func retry(_ check: AuthResponse, requestURI: String) -> AuthResponse {
        var response = AuthResponse(status: 307, headers: [("Location", requestURI)])
        response.headers += check.headers.filter { $0.name.equalsASCIICaseInsensitive("set-cookie") }
        return response
    }
}
