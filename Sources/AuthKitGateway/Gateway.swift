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
    /// (``GatewayRequest/make(parameters:body:)-(FastCGIParameters,_)`` returns them). `route`:
    /// the request's route when the caller decided it already (``RouteTable``; decided once).
    public static func answer(service: AuthKitService, telemetry: Telemetry, request: AuthRequest, parameters: [String: String],
                              route: Route? = nil) -> AuthResponse {
        let context = RequestLogContext(
            requestId: parameters["REQUEST_ID"] ?? request.header("x-request-id") ?? parameters["UNIQUE_ID"], path: request.path)
        return RequestLogContext.$current.withValue(context) {
            switch route ?? RouteTable.route(request, serverVariables: parameters, settings: service.settings) {
            case .authorizer(let accessChecker):
                check(service: service, telemetry: telemetry, request: request) { AuthorizerResponse.render($0, accessChecker: accessChecker) }
            case .action(.check): check(service: service, telemetry: telemetry, request: request, render: NginxCheckResponse.render)
            case .action(.metrics): telemetry.answer(parameters: parameters)
            case .action(let action): service.handle(request, action: action)
            case .denied: denied(service: service, request: request, parameters: parameters)
            // The guard answers only CGI requests (``CGIRequest``), before this.
            case .cgiGuard, .notFound: service.notFound(request)
            }
        }
    }

    /// The check, rendered for the server that asked, counted by its decision and (at debug
    /// level) logged.
    private static func check(service: AuthKitService, telemetry: Telemetry, request: AuthRequest,
                              render: (CheckAnswer) -> AuthResponse) -> AuthResponse {
        let started = MonotonicClock.nanoseconds()
        let answer = service.check(request)
        let decision = answer.decision
        let response = render(answer)
        telemetry.metrics.countCheck(decision.outcome)
        telemetry.logger.debug("check", metadata: [
            "event": "check", "outcome": "\(decision.outcome.rawValue)", "status": "\(response.status)",
            "user": "\(decision.identity("X-AuthKit-User-Id") ?? "-")", "session": "\(decision.identity("X-AuthKit-Session-Id") ?? "-")",
            "organization": "\(decision.identity("X-AuthKit-Organization-Id") ?? "-")",
            "refreshed": "\(decision.setCookie != nil)", "duration_us": "\((MonotonicClock.nanoseconds() - started) / 1000)",
        ])
        return response
    }

    /// Only meaningful as an internal redirect (`REDIRECT_STATUS` set): the check runs again on
    /// the original request, whose URI and settings Apache hands over. (Not counted again: the
    /// access checker's refusal was.)
    public static func denied(service: AuthKitService, request: AuthRequest, parameters: [String: String]) -> AuthResponse {
        guard parameters["REDIRECT_STATUS"] != nil else { return service.notFound(request) }
        // The original request's path, not this error document's.
        var original = request
        original.servedPath = request.originalServedPath
        let check = service.check(original)
        return check.decision.isAllowed ? BrowserResponse.retry(check.decision, requestURI: request.requestURI) : BrowserResponse.denial(check)
    }

}
