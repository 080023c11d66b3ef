import AuthKitCore
import AuthKitFastCGI
import FoundationEssentials
import Glibc

/// One CGI request (``CGIMode``): the request is the process environment and stdin; the answer goes to stdout.
/// As an Apache `Action` handler (`AUTHKIT_ACTION=guard`) it guards a location: ``CGIGuard``.
public enum CGIRequest {
    public static func answer(service: AuthKitService, telemetry: Telemetry) {
        let environment = ProcessInfo.processInfo.environment
        // Routed once, here: the guard answers on stdout itself (or becomes the script).
        var request = GatewayRequest.make(parameters: environment, body: [])
        let route = RouteTable.route(request, serverVariables: environment, settings: service.settings)
        // The guard leaves the body on stdin for the script it may become.
        if route == .cgiGuard { return CGIGuard.answer(service: service, environment: environment, request: request) }
        // Digits only; a huge value saturates, a malformed one (-1, +5, 1e3) means no body.
        let declared = ContentLength.parse(environment["CONTENT_LENGTH"]) ?? 0
        let length = min(declared, 65_536)
        request.body = length > 0 ? StandardStreams.readInput(count: length) : []
        // Bodies are small form posts; the rest of a bigger one is read and dropped.
        if declared > request.body.count { StandardStreams.discardInput(count: declared - request.body.count) }
        let response = Gateway.answer(service: service, telemetry: telemetry, request: request, parameters: environment, route: route)
        StandardStreams.write(GatewayResponse.bytes(response))
    }
}
