import AuthKitCore
import Testing
@testable import AuthKitCurl

/// What goes on the wire: method, target, header fields in order, body bytes.
@Suite struct RoundTripTests {
    @Test func getSendsMethodTargetHeadersInOrderAndUserAgent() throws {
        try withServer { server in
            let response = try makeTransport().send(HTTPRequest(
                method: "GET", url: "\(server.baseURL)/user_management/users?limit=10&after=user_01",
                headers: [("Authorization", "Bearer sk_test_get"), ("Accept", "application/json"), ("X-Trace", "t-1")]))

            #expect(response.status == 200)
            #expect(response.header("X-Echo-Method") == "GET")
            let request = try #require(server.requests.first)
            #expect(server.requests.count == 1)
            #expect(request.method == "GET")
            #expect(request.target == "/user_management/users?limit=10&after=user_01")
            #expect(request.values("Authorization") == ["Bearer sk_test_get"])
            #expect(request.values("Accept") == ["application/json"])
            #expect(request.values("User-Agent") == ["authkit-fcgi/test"])
            let order = ["Authorization", "Accept", "X-Trace"].compactMap { request.index(of: $0) }
            #expect(order.count == 3 && order == order.sorted())
            #expect(request.body.isEmpty)
            #expect(request.header("Content-Length") == nil)
        }
    }

    @Test func postSendsHeadersInOrderAndBodyBytesExactly() throws {
        try withServer { server in
            let body = Array(#"{"grant_type":"refresh_token","note":"é ü 🙂"}"#.utf8) + Array(0...255)
            let response = try makeTransport().send(HTTPRequest(
                method: "POST", url: "\(server.baseURL)/user_management/authenticate?x=1",
                headers: [("Authorization", "Bearer sk_test_post"), ("Content-Type", "application/json"), ("Idempotency-Key", "retry-1")],
                body: body))

            #expect(response.status == 200)
            #expect(response.body == body)
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.target == "/user_management/authenticate?x=1")
            #expect(request.body == body)
            #expect(request.values("Content-Length") == ["\(body.count)"])
            #expect(request.values("Content-Type") == ["application/json"])
            #expect(request.values("Authorization") == ["Bearer sk_test_post"])
            #expect(request.values("User-Agent") == ["authkit-fcgi/test"])
            #expect(request.values("Expect").isEmpty)
            let order = ["Authorization", "Content-Type", "Idempotency-Key"].compactMap { request.index(of: $0) }
            #expect(order.count == 3 && order == order.sorted())
        }
    }

    @Test func postWithoutContentTypeGetsNoneFromCurl() throws {
        try withServer { server in
            _ = try makeTransport().send(HTTPRequest(method: "POST", url: "\(server.baseURL)/form", body: Array("a=1&b=2".utf8)))
            let request = try #require(server.requests.first)
            #expect(request.values("Content-Type").isEmpty)
            #expect(request.values("Expect").isEmpty)
            #expect(request.body == Array("a=1&b=2".utf8))
        }
    }

    @Test func emptyPostBodyIsSentAsContentLengthZero() throws {
        try withServer { server in
            let response = try makeTransport(totalTimeoutMillis: 3000).send(HTTPRequest(method: "POST", url: "\(server.baseURL)/revoke"))
            #expect(response.status == 200)
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.values("Content-Length") == ["0"])
            #expect(request.body.isEmpty)
        }
    }

    @Test func largeBodiesBothWaysWithoutExpectContinue() throws {
        let upload = (0..<(2 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let download = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 17 &+ 3) }
        try withServer({ _ in LoopbackReply(status: 200, body: download) }) { server in
            let response = try makeTransport().send(HTTPRequest(
                method: "POST", url: "\(server.baseURL)/big", headers: [("Content-Type", "application/octet-stream")], body: upload))
            #expect(response.body == download)
            let request = try #require(server.requests.first)
            #expect(request.body == upload)
            #expect(request.values("Expect").isEmpty)
        }
    }

    @Test func otherMethodsAreSentAsGiven() throws {
        try withServer { server in
            let transport = makeTransport()
            let put = try transport.send(HTTPRequest(method: "PUT", url: "\(server.baseURL)/item", body: Array("new".utf8)))
            let delete = try transport.send(HTTPRequest(method: "DELETE", url: "\(server.baseURL)/item"))
            let head = try transport.send(HTTPRequest(method: "HEAD", url: "\(server.baseURL)/item"))
            #expect(put.body == Array("new".utf8))
            #expect(delete.status == 200)
            #expect(head.status == 200 && head.body.isEmpty)
            let requests = server.requests
            #expect(requests.map(\.method) == ["PUT", "DELETE", "HEAD"])
            #expect(requests.map(\.body) == [Array("new".utf8), [], []])
        }
    }

    @Test(arguments: ["file:///etc/passwd", "ftp://127.0.0.1:1/x", "gopher://127.0.0.1:1/x"])
    func onlyHTTPAndHTTPSAreAllowed(url: String) {
        #expect(throws: HTTPTransportError.self) {
            try makeTransport().send(HTTPRequest(method: "GET", url: url))
        }
        do throws(HTTPTransportError) {
            _ = try makeTransport().send(HTTPRequest(method: "GET", url: url))
        } catch {
            guard case .other = error else { Issue.record("expected .other, got \(error)"); return }
        }
    }

    @Test func headerFieldsThatWouldSplitTheRequestAreRejected() throws {
        try withServer { server in
            let injected = HTTPRequest(method: "GET", url: "\(server.baseURL)/x",
                                       headers: [("X-Ok", "1"), ("X-Bad", "v\r\nX-Injected: sk_live_INJECTED")])
            do throws(HTTPTransportError) {
                _ = try makeTransport().send(injected)
                Issue.record("no error")
            } catch {
                guard case .other(let message) = error else { Issue.record("\(error)"); return }
                #expect(!message.contains("INJECTED") && !message.contains("X-Bad"))
            }
            #expect(throws: HTTPTransportError.self) {
                try makeTransport().send(HTTPRequest(method: "GET", url: "\(server.baseURL)/x", headers: [("Bad Name", "v")]))
            }
            #expect(throws: HTTPTransportError.self) {
                try makeTransport().send(HTTPRequest(method: "GET\r\nX", url: "\(server.baseURL)/x"))
            }
            #expect(server.requests.isEmpty)
        }
    }
}
