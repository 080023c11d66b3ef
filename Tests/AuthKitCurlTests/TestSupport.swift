import AuthKitCore
@testable import AuthKitCurl

/// The transport as the tests configure it.
func makeTransport(connectTimeoutMillis: Int = 2000, totalTimeoutMillis: Int = 10_000) -> CurlTransport {
    CurlTransport(connectTimeoutMillis: connectTimeoutMillis, totalTimeoutMillis: totalTimeoutMillis, userAgent: "authkit-fcgi/test")
}

/// Answers 200 with the request body, and the method and target in `X-Echo-*` fields.
let echoHandler: LoopbackHTTPServer.Handler = { request in
    LoopbackReply(status: 200, headers: [
        ("Content-Type", "application/octet-stream"),
        ("X-Echo-Method", request.method),
        ("X-Echo-Target", request.target),
    ], body: request.body)
}

/// Runs `body` with a server that is stopped afterwards, whatever happens.
func withServer<Result>(
    _ handler: @escaping LoopbackHTTPServer.Handler = echoHandler,
    _ body: (LoopbackHTTPServer) throws -> Result
) throws -> Result {
    let server = try LoopbackHTTPServer(handler: handler)
    defer { server.stop() }
    return try body(server)
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
}
