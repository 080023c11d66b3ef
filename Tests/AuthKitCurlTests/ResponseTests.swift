import AuthKitCore
import Testing
@testable import AuthKitCurl

/// What comes back: any status is a response; header fields of the final response only.
@Suite struct ResponseTests {
    @Test func errorStatusesAreResponsesNotErrors() throws {
        let handler: LoopbackHTTPServer.Handler = { request in
            switch request.target {
            case "/400":
                LoopbackReply(status: 400, headers: [("Content-Type", "application/json")],
                              text: #"{"error":"invalid_grant","error_description":"Refresh token is invalid"}"#)
            case "/429":
                LoopbackReply(status: 429, headers: [("Retry-After", "7")], text: #"{"message":"Too many requests"}"#)
            default:
                LoopbackReply(status: 503, text: "unavailable")
            }
        }
        try withServer(handler) { server in
            let transport = makeTransport()
            let bad = try transport.send(HTTPRequest(method: "POST", url: "\(server.baseURL)/400", body: Array("{}".utf8)))
            #expect(bad.status == 400)
            #expect(bad.header("content-type") == "application/json")
            #expect(bad.text == #"{"error":"invalid_grant","error_description":"Refresh token is invalid"}"#)

            let limited = try transport.send(HTTPRequest(method: "POST", url: "\(server.baseURL)/429", body: Array("{}".utf8)))
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") == "7")

            let unavailable = try transport.send(HTTPRequest(method: "GET", url: "\(server.baseURL)/503"))
            #expect(unavailable.status == 503)
            #expect(unavailable.text == "unavailable")
        }
    }

    @Test func responseHeadersAreAllKeptAndReadableCaseInsensitively() throws {
        let handler: LoopbackHTTPServer.Handler = { _ in
            LoopbackReply(status: 200, headers: [
                ("X-Request-ID", "req_123"), ("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; Path=/"),
                ("X-Spaces", "  padded value  "), ("X-Empty", ""),
            ], text: "ok")
        }
        try withServer(handler) { server in
            let response = try makeTransport().send(HTTPRequest(method: "GET", url: "\(server.baseURL)/"))
            #expect(response.header("x-request-id") == "req_123")
            #expect(response.header("X-REQUEST-ID") == "req_123")
            #expect(response.header("X-Request-Id") == "req_123")
            #expect(response.headers.filter { $0.name == "Set-Cookie" }.map(\.value) == ["a=1; Path=/", "b=2; Path=/"])
            #expect(response.header("x-spaces") == "padded value")
            #expect(response.header("X-Empty") == "")
            #expect(response.header("Content-Length") == "2")
            #expect(response.header("missing") == nil)
            #expect(!response.headers.contains { $0.name.hasPrefix("HTTP/") || $0.name.isEmpty })
        }
    }

    @Test func onlyTheFinalResponsesHeadersAreKept() throws {
        let handler: LoopbackHTTPServer.Handler = { _ in
            var reply = LoopbackReply(status: 200, headers: [("X-Final", "yes")], text: "final")
            reply.informational = [
                (status: 100, headers: []),
                (status: 103, headers: [("Link", "</style.css>; rel=preload"), ("X-Interim", "yes")]),
            ]
            return reply
        }
        try withServer(handler) { server in
            let response = try makeTransport().send(HTTPRequest(method: "POST", url: "\(server.baseURL)/", body: Array("x".utf8)))
            #expect(response.status == 200)
            #expect(response.text == "final")
            #expect(response.header("X-Final") == "yes")
            #expect(response.header("Link") == nil)
            #expect(response.header("X-Interim") == nil)
        }
    }

    @Test func redirectsAreReturnedNotFollowed() throws {
        let handler: LoopbackHTTPServer.Handler = { request in
            request.target == "/start"
                ? LoopbackReply(status: 302, headers: [("Location", "/elsewhere")], text: "")
                : LoopbackReply(status: 200, text: "followed")
        }
        try withServer(handler) { server in
            let response = try makeTransport().send(HTTPRequest(method: "GET", url: "\(server.baseURL)/start"))
            #expect(response.status == 302)
            #expect(response.header("location") == "/elsewhere")
            #expect(server.requests.map(\.target) == ["/start"])
        }
    }
}
