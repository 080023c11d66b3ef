import AuthKitCore
import AuthKitFastCGI

/// One request from FastCGI or CGI parameters to an answer: the RESPONDER role serves every
/// endpoint; the AUTHORIZER role (Apache) is the auth check, answered in authorizer terms.
enum Gateway {
    static func answer(service: AuthKitService, parameters: [String: String], body: [UInt8]) -> AuthResponse {
        let request = GatewayRequest.make(parameters: parameters, body: body)
        guard AuthorizerResponse.isAuthorizer(parameters) else { return service.handle(request) }
        return AuthorizerResponse.map(service.handle(request, action: .check))
    }
}
