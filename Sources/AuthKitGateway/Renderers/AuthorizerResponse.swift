import AuthKitCore

/// The FastCGI AUTHORIZER role (Apache `mod_authnz_fcgi`, mod_fcgid's `FcgidAuthorizer`).
///
/// What Apache does with an authorizer's answer (`modules/aaa/mod_authnz_fcgi.c`): on 200,
/// headers named `Variable-X` become environment variable `X` for the rest of the request (CGI
/// scripts and PHP read them) and are removed from the response; every other header stays in
/// the response to the browser — that is how a refreshed session's `Set-Cookie` gets out. Any
/// other status is sent to the browser with its headers (a 302 keeps its `Location`).
public enum AuthorizerResponse {
    /// mod_fcgid only: set (to 1) when an allowed answer must not be cached; authkit-fcgid.conf
    /// turns it into `Cache-Control`, `Pragma` and `Expires`, once each.
    public static let noCacheVariable = "AUTHKIT_NO_CACHE"

    /// The check's answer in the authorizer protocol: an allowed answer's identity as
    /// `Variable-AUTHKIT_*` (the eager-auth cookie as a second `Set-Cookie`), a sign-in as a 302
    /// Apache sends as it is, WorkOS unavailable as 503 with `Retry-After`, a bad request as the
    /// browser's 400 page. The session's `Set-Cookie` goes out whatever the verdict.
    public static func render(_ answer: CheckAnswer, accessChecker: Bool = false) -> AuthResponse {
        let decision = answer.decision
        var mapped = AuthResponse(status: 200)
        var trailing: [(name: String, value: String)] = []
        switch decision.verdict {
        case .allow(let identity, let eager):
            for field in identity { mapped.headers.append((variableName(field.name), field.value)) }
            if let eager { mapped.headers.append(("Set-Cookie", eager)) }
        case .signIn(let url):
            mapped.status = 302
            trailing.append(("Location", url))
        case .unauthenticated(let challenge):
            mapped.status = 401
            if let challenge { mapped.headers.append(("WWW-Authenticate", challenge)) }
        case .forbidden:
            mapped.status = 403
        case .unavailable(let seconds):
            mapped.status = 503
            trailing.append(("Retry-After", String(seconds)))
        case .badRequest:
            // A target the check cannot read with certainty: 400, whatever else the answer says.
            return BrowserResponse.badRequest()
        case .misconfigured:
            mapped.status = 500
        }
        if let cookie = decision.setCookie { mapped.headers.append(("Set-Cookie", cookie)) }
        for header in answer.cacheHeaders {
            if accessChecker, !header.name.equalsASCIICaseInsensitive("vary") {
                // mod_fcgid keeps an access checker's headers in the response, once per check: a
                // DirectoryIndex subrequest checks again, and a refusal's ErrorDocument asks us
                // again, so they would arrive twice. authkit-fcgid.conf sets them from this
                // variable instead (Apache merges repeated Vary tokens itself).
                if decision.isAllowed, header.name.equalsASCIICaseInsensitive("cache-control") {
                    mapped.headers.append(("Variable-\(Self.noCacheVariable)", "1"))
                }
            } else {
                mapped.headers.append(header)
            }
        }
        // mod_fcgid's access checker runs before authentication and cannot name a user itself.
        if accessChecker, let user = decision.identity("X-AuthKit-User-Id"), !user.isEmpty {
            mapped.headers.append(("Variable-REMOTE_USER", user))
        }
        mapped.headers += trailing
        return mapped
    }

    /// `X-AuthKit-User-Id` → `Variable-AUTHKIT_USER_ID`, on the bytes.
    static func variableName(_ header: String) -> String {
        let prefix = "x-authkit-".utf8
        let bytes = header.lowercasedASCII().utf8
        let key = bytes.starts(with: prefix) ? bytes.dropFirst(prefix.count) : bytes.dropFirst(0)
        return "Variable-AUTHKIT_" + String(decoding: key.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "_") : $0 }, as: UTF8.self).uppercasedASCII()
    }
}
