import AuthKitCore
import AuthKitFastCGI
import Logging

/// One request from FastCGI or CGI parameters to an answer: the RESPONDER role serves every
/// endpoint; the AUTHORIZER role (Apache) is the auth check, answered in authorizer terms;
/// `AUTHKIT_ACTION=denied` is Apache's `ErrorDocument 401` after mod_fcgid's access checker
/// refused, answered for the browser. Every check is counted by outcome and, at debug level,
/// logged with its user, session, organization and duration; every event logged while the
/// request is handled carries its request id and path.
public enum Gateway {
    public static func answer(service: AuthKitService, telemetry: Telemetry, parameters: [String: String], body: [UInt8]) -> AuthResponse {
        answer(service: service, telemetry: telemetry, request: GatewayRequest.make(parameters: parameters, body: body), parameters: parameters)
    }

    /// The same for a request already built; `parameters` need hold only the server variables
    /// (``GatewayRequest/make(parameters:body:)-(FastCGIParameters,_)`` returns them).
    public static func answer(service: AuthKitService, telemetry: Telemetry, request: AuthRequest, parameters: [String: String]) -> AuthResponse {
        let context = RequestLogContext(
            requestId: parameters["REQUEST_ID"] ?? request.header("x-request-id") ?? parameters["UNIQUE_ID"], path: request.path)
        return RequestLogContext.$current.withValue(context) {
            route(service: service, telemetry: telemetry, request: request, parameters: parameters)
        }
    }

    private static func route(service: AuthKitService, telemetry: Telemetry, request: AuthRequest, parameters: [String: String]) -> AuthResponse {
        if AuthorizerResponse.isAuthorizer(parameters) {
            return AuthorizerResponse.map(check(service: service, telemetry: telemetry, request: request),
                                          accessChecker: AuthorizerResponse.isAccessChecker(parameters))
        }
        if request.parameters["AUTHKIT_ACTION"].map({ $0.lowercasedASCII().utf8.elementsEqual("denied".utf8) }) == true { return denied(service: service, request: request, parameters: parameters) }
        switch AuthAction.route(request, settings: service.settings) {
        case .check?: return check(service: service, telemetry: telemetry, request: request)
        case .metrics?: return telemetry.answer(parameters: parameters)
        default: return service.handle(request)
        }
    }

    /// The check, counted and (at debug level) logged.
    private static func check(service: AuthKitService, telemetry: Telemetry, request: AuthRequest) -> AuthResponse {
        let started = MonotonicClock.nanoseconds()
        let response = service.handle(request, action: .check)
        let outcome = AuthKitMetrics.CheckOutcome(status: response.status)
        telemetry.metrics.countCheck(outcome)
        telemetry.logger.debug("check", metadata: [
            "event": "check", "outcome": "\(outcome.rawValue)", "status": "\(response.status)",
            "user": "\(response.header("X-AuthKit-User-Id") ?? "-")", "session": "\(response.header("X-AuthKit-Session-Id") ?? "-")",
            "organization": "\(response.header("X-AuthKit-Organization-Id") ?? "-")",
            "refreshed": "\(response.header("Set-Cookie") != nil)", "duration_us": "\((MonotonicClock.nanoseconds() - started) / 1000)",
        ])
        return response
    }

    /// Only meaningful as an internal redirect (`REDIRECT_STATUS` set): the check runs again on
    /// the original request, whose URI and settings Apache hands over. (Not counted again: the
    /// access checker's refusal was.)
    public static func denied(service: AuthKitService, request: AuthRequest, parameters: [String: String]) -> AuthResponse {
        guard parameters["REDIRECT_STATUS"] != nil else { return notFound(service: service, request: request) }
        // The original request's path, not this error document's.
        var original = request
        original.servedPath = request.originalServedPath
        let check = service.handle(original, action: .check)
        return check.status == 200 ? BrowserResponse.retry(check, requestURI: request.requestURI) : BrowserResponse.denial(check)
    }

    public static func notFound(service: AuthKitService, request: AuthRequest) -> AuthResponse {
        var unrouted = request
        unrouted.parameters["AUTHKIT_ACTION"] = "none"
        return service.handle(unrouted)
    }
}
