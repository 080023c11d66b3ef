import AuthKitCore

/// The FastCGI AUTHORIZER role (Apache `mod_authnz_fcgi`, mod_fcgid's `FcgidAuthorizer`).
///
/// What Apache does with an authorizer's answer (`modules/aaa/mod_authnz_fcgi.c`): on 200,
/// headers named `Variable-X` become environment variable `X` for the rest of the request (CGI
/// scripts and PHP read them) and are removed from the response; every other header stays in
/// the response to the browser — that is how a refreshed session's `Set-Cookie` gets out. Any
/// other status is sent to the browser with its headers (a 302 keeps its `Location`).
public enum AuthorizerResponse {
    /// Whether the request came in the AUTHORIZER role.
    public static func isAuthorizer(_ parameters: [String: String]) -> Bool {
        // a–z folded only: Unicode upper-casing reads `authorızer` (dotless ı) as AUTHORIZER.
        parameters["FCGI_ROLE"]?.uppercasedASCII().bytesEqual("AUTHORIZER") == true
    }

    /// Whether mod_fcgid's `FcgidAccessChecker` sent the request (`FCGI_APACHE_ROLE=ACCESS_CHECKER`).
    /// That hook runs before authentication and cannot name a user, so the user id also goes
    /// out as `Variable-REMOTE_USER` for scripts.
    public static func isAccessChecker(_ parameters: [String: String]) -> Bool {
        parameters["FCGI_APACHE_ROLE"]?.uppercasedASCII().bytesEqual("ACCESS_CHECKER") == true
    }

    /// mod_fcgid only: set (to 1) when an allowed answer must not be cached; authkit-fcgid.conf
    /// turns it into `Cache-Control`, `Pragma` and `Expires`, once each.
    public static let noCacheVariable = "AUTHKIT_NO_CACHE"

    /// Maps the auth check's answer to the authorizer protocol.
    public static func map(_ response: AuthResponse, accessChecker: Bool = false) -> AuthResponse {
        var mapped = AuthResponse(status: response.status)
        for header in response.headers {
            // Our own header names, folded and compared on the bytes all the same.
            let lower = header.name.lowercasedASCII()
            let ours = lower.hasBytePrefix("x-authkit-")
            if ours && !["x-authkit-sign-in", "x-authkit-eager-auth-cookie", "x-authkit-unavailable"].contains(where: lower.bytesEqual) {
                // X-AuthKit-User-Id → Variable-AUTHKIT_USER_ID
                let key = String(decoding: lower.utf8.dropFirst("x-authkit-".utf8.count).map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "_") : $0 }, as: UTF8.self)
                mapped.headers.append(("Variable-AUTHKIT_\(key.uppercasedASCII())", header.value))
            } else if lower.bytesEqual("x-authkit-eager-auth-cookie") {
                mapped.headers.append(("Set-Cookie", header.value))
            } else if accessChecker, AuthResponse.isCacheHeader(header.name), !header.name.equalsASCIICaseInsensitive("vary") {
                // mod_fcgid keeps an access checker's headers in the response, once per check: a
                // DirectoryIndex subrequest checks again, and a refusal's ErrorDocument asks us
                // again, so they would arrive twice. authkit-fcgid.conf sets them from this
                // variable instead (Apache merges repeated Vary tokens itself).
                if response.status == 200, header.name.equalsASCIICaseInsensitive("cache-control") {
                    mapped.headers.append(("Variable-\(Self.noCacheVariable)", "1"))
                }
            } else if !ours {
                mapped.headers.append(header)
            }
        }
        if accessChecker, response.status == 200, let user = response.header("X-AuthKit-User-Id"), !user.isEmpty {
            mapped.headers.append(("Variable-REMOTE_USER", user))
        }
        // A target the check cannot read with certainty: 400, whatever else the answer says.
        if response.status == 401, response.header(AuthKitService.badRequestHeader) != nil {
            return BrowserResponse.badRequest()
        }
        // WorkOS unavailable: the check says 401 for nginx's sake; Apache passes a 503 through.
        if response.status == 401, let retry = response.header("X-AuthKit-Unavailable") {
            mapped.status = 503
            mapped.headers.append(("Retry-After", retry))
            return mapped
        }
        // Not signed in on a page navigation: Apache sends the authorizer's redirect as it is.
        if response.status == 401, let signIn = response.header("X-AuthKit-Sign-In") {
            mapped.status = 302
            mapped.headers.append(("Location", signIn))
        }
        return mapped
    }
}
