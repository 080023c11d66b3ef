import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The outermost middleware: every answer carries an `X-Request-ID` (as WorkOS's do), errors
/// thrown by the framework or a handler become WorkOS-shaped JSON (`{"code":"not_found","message":…}`),
/// and each request is logged to stderr by method, path (never the query: it holds codes and
/// state) and status.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = EmulatorContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let requestId = Identifiers.ulid("req_")
        var response: Response
        do {
            response = try await next(request, context)
        } catch is FaultMiddleware.ConnectionDropped {
            logger.info("\(request.method) \(request.uri.path) dropped (injected fault)")
            throw FaultMiddleware.ConnectionDropped()
        } catch let error as any HTTPResponseError {
            let code = error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
            response = Response(.error(error.status.code, code: code, message: error.status.reasonPhrase))
        } catch {
            logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            response = Response(.error(500, code: "server_error", message: "The emulator failed: \(error)"))
        }
        response.headers[HTTPField.Name("X-Request-ID")!] = requestId
        logger.info("\(request.method) \(request.uri.path) \(response.status.code) \(requestId)")
        return response
    }
}
