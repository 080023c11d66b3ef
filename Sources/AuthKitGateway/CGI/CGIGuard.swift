import AuthKitCore
import AuthKitFastCGI
import FoundationEssentials
import Glibc

/// The plain-CGI guard: authkit-fcgi as an Apache `Action` handler (`AUTHKIT_ACTION=guard`) for
/// every request in a protected location, with no FastCGI module at all.
///
/// Refused: the browser gets the answer itself (302 to sign-in, 401, 403). Allowed: a CGI
/// script under `AUTHKIT_CGI_SCRIPTS` is run in this process's place (`execve`) with the
/// identity as `AUTHKIT_*` variables and `REMOTE_USER`; anything else goes back to Apache as a
/// CGI local redirect to the same URI, which Apache serves itself (the shipped configuration
/// does not run the guard again when `REDIRECT_AUTHKIT_ACTION` is `guard`). A refreshed
/// session's `Set-Cookie` is written first either way; Apache keeps it across the redirect.
public enum CGIGuard {
    /// `request`: the environment as a request, body left on stdin.
    public static func answer(service: AuthKitService, environment: [String: String], request: AuthRequest) {
        // Only as an Action handler: Apache then sets REDIRECT_HANDLER, and PATH_INFO is the path
        // of the request the handler serves. A direct request for the guard's URL is not one.
        // Compared on bytes: `String ==` would take canonically equivalent paths as one.
        guard environment["REDIRECT_HANDLER"] != nil, let original = environment["REDIRECT_URL"],
              let pathInfo = environment["PATH_INFO"], original.utf8.elementsEqual(pathInfo.utf8) else {
            return write(service.notFound(request), environment)
        }
        var request = request
        // The path Apache mapped for the original request (its r->uri, decoded and dot-resolved).
        request.servedPath = original
        let check = service.check(request)
        guard case .allow(let identity, let eager) = check.decision.verdict else { return write(BrowserResponse.denial(check), environment) }
        let cookies: [(name: String, value: String)] = [eager, check.decision.setCookie].compactMap { $0 }.map { ("Set-Cookie", $0) }
        if let directory = request.parameters["AUTHKIT_CGI_SCRIPTS"], let translated = environment["PATH_TRANSLATED"],
           let script = CGIScript.locate(pathTranslated: translated, scriptsDirectory: directory, requestPath: original) {
            var variables: [String: String] = [:]
            for field in identity {
                variables[String(decoding: AuthorizerResponse.variableName(field.name).utf8.dropFirst("Variable-".utf8.count), as: UTF8.self)] = field.value
            }
            if let user = variables["AUTHKIT_USER_ID"], !user.isEmpty { variables["REMOTE_USER"] = user }
            // The script writes the rest of the header block after these lines. The check's cache
            // headers come first: a signed-in answer is one user's, never for any cache.
            let cacheHeaders = check.cacheHeaders
            writeRaw((cookies + cacheHeaders).map { "\($0.name): \($0.value)\r\n" }.joined())
            let failure = script.run(environment: environment, identity: variables)
            discardBody(environment)
            return writeRaw("Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nThe script could not be started: \(failure)\n")
        }
        guard let target = CGIScript.localRedirectTarget(environment["REQUEST_URI"] ?? original) else {
            return write(AuthResponse(status: 400, headers: [("Content-Type", "text/plain")], body: Array("Bad request target.\n".utf8)), environment)
        }
        // Status 200 with a local Location is a CGI "local redirect": Apache serves the target.
        write(AuthResponse(status: 200, headers: [("Location", target)] + cookies), environment)
    }

    /// An answer of the guard's own: no script will read the body, so it is read here first
    /// (``StandardStreams/discardInput(count:limit:)``).
    public static func write(_ response: AuthResponse, _ environment: [String: String]) {
        discardBody(environment)
        StandardStreams.write(GatewayResponse.bytes(response))
    }

    public static func discardBody(_ environment: [String: String]) {
        StandardStreams.discardInput(count: ContentLength.parse(environment["CONTENT_LENGTH"]) ?? 0)
    }

    public static func writeRaw(_ text: String) {
        StandardStreams.write(Array(text.utf8))
    }
}
