import AuthKitCore
import AuthKitSync
import Testing
@testable import AuthKitCurl

/// Keep-alive, the handle pool and many threads at once.
@Suite struct ConnectionReuseTests {
    @Test func sequentialRequestsShareOneConnection() throws {
        try withServer { server in
            let transport = makeTransport()
            for i in 0..<10 {
                let response = try transport.send(HTTPRequest(
                    method: i.isMultiple(of: 2) ? "GET" : "POST", url: "\(server.baseURL)/n/\(i)",
                    body: i.isMultiple(of: 2) ? [] : Array("body \(i)".utf8)))
                #expect(response.status == 200)
                #expect(response.header("X-Echo-Target") == "/n/\(i)")
            }
            #expect(server.acceptedConnections == 1)
            #expect(server.requests.count == 10)
            #expect(server.requests.allSatisfy { $0.connection == 0 })
        }
    }

    @Test func aConnectionTheServerClosesIsReplaced() throws {
        let handler: LoopbackHTTPServer.Handler = { request in
            var reply = LoopbackReply(status: 200, text: request.target)
            reply.closeAfterAnswer = true
            return reply
        }
        try withServer(handler) { server in
            let transport = makeTransport()
            for i in 0..<3 {
                let response = try transport.send(HTTPRequest(method: "GET", url: "\(server.baseURL)/\(i)"))
                #expect(response.text == "/\(i)")
            }
            #expect(server.acceptedConnections == 3)
        }
    }

    @Test func manyThreadsAtOnceGetTheirOwnResponses() throws {
        try withServer { server in
            let transport = makeTransport()
            let failures = Locked<[String]>([])
            let threads = (0..<8).map { thread in
                JoinableThread {
                    for i in 0..<20 {
                        let body = "thread \(thread) request \(i) " + String(repeating: "\(thread)", count: i * 50)
                        do throws(HTTPTransportError) {
                            let response = try transport.send(HTTPRequest(
                                method: "POST", url: "\(server.baseURL)/t/\(thread)/\(i)",
                                headers: [("Authorization", "Bearer t\(thread)"), ("Content-Type", "text/plain")],
                                body: Array(body.utf8)))
                            if response.status != 200 || response.text != body || response.header("X-Echo-Target") != "/t/\(thread)/\(i)" {
                                failures.withLock { $0.append("\(thread)/\(i): wrong response") }
                            }
                        } catch {
                            failures.withLock { $0.append("\(thread)/\(i): \(error)") }
                        }
                    }
                }
            }
            threads.forEach { $0.join() }
            #expect(failures.withLock { $0 } == [])
            #expect(server.requests.count == 160)
            // Each thread's requests arrived with its own Authorization.
            for request in server.requests {
                let thread = request.target.split(separator: "/")[1]
                #expect(request.header("Authorization") == "Bearer t\(thread)")
            }
            // One pooled handle per concurrent caller at most, each keeping its connection.
            #expect(server.acceptedConnections <= 8)
            #expect(transport.idleHandleCount <= CurlHandlePool.defaultIdleCapacity)
        }
    }

    @Test func idleHandlesAreCapped() throws {
        let handler: LoopbackHTTPServer.Handler = { _ in
            var reply = LoopbackReply(status: 200, text: "ok")
            reply.delayMillis = 300
            return reply
        }
        try withServer(handler) { server in
            let transport = makeTransport()
            let threads = (0..<12).map { _ in
                JoinableThread { _ = try? transport.send(HTTPRequest(method: "GET", url: "\(server.baseURL)/")) }
            }
            threads.forEach { $0.join() }
            #expect(server.requests.count == 12)
            #expect(transport.idleHandleCount == CurlHandlePool.defaultIdleCapacity)
        }
    }
}
