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
        let route = RouteTable.route(GatewayRequest.make(parameters: environment, body: []), serverVariables: environment, settings: service.settings)
        if route == .cgiGuard { return CGIGuard.answer(service: service, environment: environment) }
        // Digits only; a huge value saturates, a malformed one (-1, +5, 1e3) means no body.
        let declared = ContentLength.parse(environment["CONTENT_LENGTH"]) ?? 0
        let length = min(declared, 65_536)
        let body = length > 0 ? StandardStreams.readInput(count: length) : []
        // Bodies are small form posts; the rest of a bigger one is read and dropped.
        if declared > body.count { StandardStreams.discardInput(count: declared - body.count) }
        let response = Gateway.answer(service: service, telemetry: telemetry, request: GatewayRequest.make(parameters: environment, body: body),
                                      parameters: environment, route: route)
        StandardStreams.write(GatewayResponse.bytes(response))
    }
}
