import AuthKitCore
import AuthKitFastCGI

/// One request from FastCGI or CGI parameters to an answer: the RESPONDER role serves every
/// endpoint; the AUTHORIZER role (Apache) is the auth check, answered in authorizer terms;
/// `AUTHKIT_ACTION=denied` is Apache's `ErrorDocument 401` after mod_fcgid's access checker
/// refused, answered for the browser.
enum Gateway {
    static func answer(service: AuthKitService, parameters: [String: String], body: [UInt8]) -> AuthResponse {
        let request = GatewayRequest.make(parameters: parameters, body: body)
        if AuthorizerResponse.isAuthorizer(parameters) {
            return AuthorizerResponse.map(service.handle(request, action: .check),
                                          accessChecker: AuthorizerResponse.isAccessChecker(parameters))
        }
        if request.parameters["AUTHKIT_ACTION"]?.lowercased() == "denied" { return denied(service: service, request: request, parameters: parameters) }
        return service.handle(request)
    }

    /// Only meaningful as an internal redirect (`REDIRECT_STATUS` set): the check runs again on
    /// the original request, whose URI and settings Apache hands over.
    static func denied(service: AuthKitService, request: AuthRequest, parameters: [String: String]) -> AuthResponse {
        guard parameters["REDIRECT_STATUS"] != nil else { return notFound(service: service, request: request) }
        let check = service.handle(request, action: .check)
        return check.status == 200 ? BrowserResponse.retry(check, requestURI: request.requestURI) : BrowserResponse.denial(check)
    }

    static func notFound(service: AuthKitService, request: AuthRequest) -> AuthResponse {
        var unrouted = request
        unrouted.parameters["AUTHKIT_ACTION"] = "none"
        return service.handle(unrouted)
    }
}
