import AuthKitCore
import Testing
@testable import AuthKitCurl

/// No response at all: timeouts, refused and dropped connections, and what the errors say.
@Suite struct FailureTests {
    @Test func totalTimeoutEndsTheRequestInAboutTheTimeout() throws {
        let handler: LoopbackHTTPServer.Handler = { _ in
            var reply = LoopbackReply(status: 200, text: "late")
            reply.delayMillis = 5000
            return reply
        }
        try withServer(handler) { server in
            let clock = ContinuousClock()
            let started = clock.now
            #expect(throws: HTTPTransportError.timedOut) {
                try makeTransport(totalTimeoutMillis: 300).send(HTTPRequest(method: "GET", url: "\(server.baseURL)/slow"))
            }
            let elapsed = clock.now - started
            #expect(elapsed >= .milliseconds(250))
            #expect(elapsed < .milliseconds(2000), "took \(elapsed), the server waits 5 s")
        }
    }

    @Test func refusedConnectionIsConnectionFailed() throws {
        let port = try RefusingLoopbackPort()
        defer { port.close() }
        do throws(HTTPTransportError) {
            _ = try makeTransport().send(HTTPRequest(method: "GET", url: "\(port.baseURL)/"))
            Issue.record("no error")
        } catch {
            guard case .connectionFailed(let message) = error else { Issue.record("\(error)"); return }
            #expect(!message.isEmpty)
        }
    }

    @Test func serverClosingWithoutAnswerIsAnErrorButNotATimeout() throws {
        try withServer({ _ in .closeWithoutAnswer }) { server in
            do throws(HTTPTransportError) {
                _ = try makeTransport().send(HTTPRequest(method: "POST", url: "\(server.baseURL)/drop", body: Array("{}".utf8)))
                Issue.record("no error")
            } catch {
                #expect(error != .timedOut)
                switch error {
                case .connectionFailed, .other: break
                case .timedOut: Issue.record("timed out")
                }
            }
            #expect(server.requests.count >= 1)
        }
    }

    @Test func errorDescriptionsNeverContainTheRequest() throws {
        let secretKey = "sk_live_KEY_4f9a"
        let secretBody = "client_secret_BODY_77c1"
        func attempt(_ transport: CurlTransport, _ url: String) -> HTTPTransportError? {
            do throws(HTTPTransportError) {
                _ = try transport.send(HTTPRequest(
                    method: "POST", url: url,
                    headers: [("Authorization", "Bearer \(secretKey)"), ("Content-Type", "application/json")],
                    body: Array(#"{"client_secret":"\#(secretBody)"}"#.utf8)))
                return nil
            } catch {
                return error
            }
        }

        let refusing = try RefusingLoopbackPort()
        defer { refusing.close() }
        var errors: [HTTPTransportError?] = [attempt(makeTransport(), "\(refusing.baseURL)/user_management/authenticate")]
        try withServer({ _ in .closeWithoutAnswer }) { server in
            errors.append(attempt(makeTransport(), "\(server.baseURL)/user_management/authenticate"))
        }
        try withServer({ _ in var reply = LoopbackReply(); reply.delayMillis = 3000; return reply }) { server in
            errors.append(attempt(makeTransport(totalTimeoutMillis: 200), "\(server.baseURL)/user_management/authenticate"))
        }

        #expect(errors.count == 3)
        for error in errors {
            let error = try #require(error)
            for text in ["\(error)", String(reflecting: error), error.localizedDescriptionText] {
                #expect(!text.contains(secretKey))
                #expect(!text.contains(secretBody))
                #expect(!text.contains("client_secret"))
            }
        }
    }
}

private extension HTTPTransportError {
    /// The associated message, or the case name.
    var localizedDescriptionText: String {
        switch self {
        case .timedOut: "timedOut"
        case .connectionFailed(let message), .other(let message): message
        }
    }
}
