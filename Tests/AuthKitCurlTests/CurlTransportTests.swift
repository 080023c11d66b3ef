import AuthKitCore
import Foundation
import Synchronization
import Testing
@testable import AuthKitCurl

/// libcurl against a real HTTP server on loopback.
@Suite struct CurlTransportTests {
    func transport(timeout: Int = 10_000) -> CurlTransport {
        CurlTransport(connectTimeoutMillis: 1000, totalTimeoutMillis: timeout, userAgent: "authkit-fcgi/test")
    }

    func json(_ response: HTTPResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(response.body)) as! [String: Any]
    }

    @Test func postRoundTripsMethodHeadersAndBody() throws {
        let stub = try HTTPStub()
        defer { stub.stop() }
        let body = #"{"grant_type":"refresh_token","é":"ü"}"#
        let response = try transport().send(HTTPRequest(
            method: "POST", url: "\(stub.base)/echo?x=1",
            headers: [("Authorization", "Bearer sk_test_x"), ("Content-Type", "application/json"), ("Idempotency-Key", "retry-1")],
            body: Array(body.utf8)))
        #expect(response.status == 200)
        #expect(response.header("x-request-id") == "req_test")
        let echo = try json(response)
        #expect(echo["method"] as? String == "POST")
        #expect(echo["path"] as? String == "/echo?x=1")
        #expect(echo["body"] as? String == body)
        let headers = (echo["headers"] as! [[String]]).map { ($0[0].lowercased(), $0[1]) }
        #expect(headers.contains { $0 == ("authorization", "Bearer sk_test_x") })
        #expect(headers.contains { $0 == ("content-type", "application/json") })
        #expect(headers.contains { $0 == ("user-agent", "authkit-fcgi/test") })
        #expect(!headers.contains { $0.0 == "expect" })
    }

    @Test func errorStatusesAreResponsesNotErrors() throws {
        let stub = try HTTPStub()
        defer { stub.stop() }
        for status in [400, 429, 503] {
            let response = try transport().send(HTTPRequest(method: "POST", url: "\(stub.base)/status/\(status)", body: Array("{}".utf8)))
            #expect(response.status == status)
            if status != 400 { #expect(response.header("Retry-After") == "7") }
            #expect(try json(response)["error"] as? String == "test_error")
        }
    }

    @Test func totalTimeoutIsHonoured() throws {
        let stub = try HTTPStub()
        defer { stub.stop() }
        let started = Date()
        #expect(throws: HTTPTransportError.timedOut) {
            try transport(timeout: 300).send(HTTPRequest(method: "GET", url: "\(stub.base)/slow/3000"))
        }
        #expect(Date().timeIntervalSince(started) < 2.5)
    }

    @Test func refusedAndDroppedConnectionsAreConnectionFailures() throws {
        // A port nobody listens on: bind one, learn it, close it.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        close(fd)
        let port = Int(UInt16(bigEndian: address.sin_port))
        do {
            _ = try transport().send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"))
            Issue.record("no error")
        } catch {
            guard case .connectionFailed = error else { Issue.record("\(error)"); return }
        }

        let stub = try HTTPStub()
        defer { stub.stop() }
        do {
            _ = try transport().send(HTTPRequest(method: "GET", url: "\(stub.base)/close"))
            Issue.record("no error")
        } catch {
            #expect(error != .timedOut)
        }
    }

    @Test func connectionsAreKeptAlive() throws {
        let stub = try HTTPStub()
        defer { stub.stop() }
        let client = transport()
        for _ in 0..<10 { _ = try client.send(HTTPRequest(method: "GET", url: "\(stub.base)/echo")) }
        let stats = try json(try client.send(HTTPRequest(method: "GET", url: "\(stub.base)/stats")))
        #expect(stats["connections"] as? Int == 1)
    }

    @Test func manyThreadsAtOnce() throws {
        let stub = try HTTPStub()
        defer { stub.stop() }
        let client = transport()
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for i in 0..<20 {
                let body = "t\(thread)-\(i)"
                let echoed = (try? client.send(HTTPRequest(method: "POST", url: "\(stub.base)/echo", body: Array(body.utf8))))
                    .flatMap { try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] }?["body"] as? String
                if echoed != body { failures.withLock { $0 += 1 } }
            }
        }
        #expect(failures.withLock { $0 } == 0)
    }

    @Test func errorsNeverCarryTheRequest() throws {
        do {
            _ = try transport(timeout: 200).send(HTTPRequest(
                method: "POST", url: "http://127.0.0.1:1/user_management/authenticate",
                headers: [("Authorization", "Bearer sk_live_SECRET")], body: Array(#"{"client_secret":"sk_live_SECRET"}"#.utf8)))
        } catch {
            #expect(!"\(error)".contains("SECRET"))
        }
    }
}
