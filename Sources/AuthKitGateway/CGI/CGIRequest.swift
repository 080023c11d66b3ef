import AuthKitCore
import AuthKitFastCGI
import FoundationEssentials
import Glibc

/// One CGI request (``CGIMode``): the request is the process environment and stdin; the answer goes to stdout.
/// As an Apache `Action` handler (`AUTHKIT_ACTION=guard`) it guards a location: ``CGIGuard``.
public enum CGIRequest {
    public static func answer(service: AuthKitService, telemetry: Telemetry) {
        let environment = ProcessInfo.processInfo.environment
        if environment["AUTHKIT_ACTION"]?.equalsASCIICaseInsensitive("guard") == true { return CGIGuard.answer(service: service, environment: environment) }
        // Digits only; a huge value saturates, a malformed one (-1, +5, 1e3) means no body.
        let declared = ContentLength.parse(environment["CONTENT_LENGTH"]) ?? 0
        let length = min(declared, 65_536)
        let body = length > 0 ? StandardStreams.readInput(count: length) : []
        // Bodies are small form posts; the rest of a bigger one is read and dropped.
        if declared > body.count { StandardStreams.discardInput(count: declared - body.count) }
        let response = Gateway.answer(service: service, telemetry: telemetry, parameters: environment, body: body)
        StandardStreams.write(GatewayResponse.bytes(response))
    }
}
