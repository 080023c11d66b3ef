import AuthKitCore
import AuthKitCurl
import Foundation
import Testing

/// `authkit-emulator` over a real socket: injected faults (`/_emulate/hooks`) and resets.
@Suite struct EmulatorFaultTests {
    @Test func statusForTheNextCallsThenNormal() throws {
        let emulator = try EmulatorProcess()
        let hook = try emulator.control("POST", "/_emulate/hooks", #"{"path":"/user_management/authenticate","status":503,"times":2}"#)
        #expect(hook["id"] as? Int == 1 && hook["times"] as? Int == 2)
        for _ in 0..<2 {
            let failed = try emulator.refresh("x")
            #expect(failed.status == 503 && failed.header("X-Request-ID") != nil)
            #expect(emulator.object(failed)["message"] as? String == "Injected fault")
        }
        #expect(try emulator.refresh("x").status == 400, "back to normal after two")
        #expect(try emulator.counters()["faults_applied"] == 2)
        #expect((try emulator.control("GET", "/_emulate/hooks")["hooks"] as? [Any])?.isEmpty == true)
    }

    @Test func retryAfterBodyAndMethod() throws {
        let emulator = try EmulatorProcess()
        try emulator.control("POST", "/_emulate/hooks", """
            {"path":"/user_management/authenticate","method":"post","status":429,"headers":{"Retry-After":"3"},
             "body":{"code":"rate_limit_exceeded","message":"Slow down"},"count":1}
            """)
        #expect(try emulator.request("GET", "/user_management/authenticate").status != 429, "another method is not faulted")
        let limited = try emulator.refresh("x")
        #expect(limited.status == 429 && limited.header("Retry-After") == "3")
        #expect(emulator.object(limited)["code"] as? String == "rate_limit_exceeded")
        #expect(try emulator.refresh("x").status == 400)

        try emulator.control("POST", "/_emulate/hooks", #"{"path":"/sso/jwks","status":500,"body":"{\"error\":\"server_error\"}","times":1}"#)
        try emulator.control("POST", "/_emulate/hooks", #"{"path":"/sso/jwks","status":503,"body":"Down for maintenance","times":1}"#)
        #expect(try emulator.request("GET", "/sso/jwks/client_emulate").text == #"{"error":"server_error"}"#)
        #expect(try emulator.request("GET", "/sso/jwks/client_emulate").text == #"{"message":"Down for maintenance"}"#)
    }

    @Test func latencyAndDroppedConnections() throws {
        let emulator = try EmulatorProcess()
        try emulator.control("POST", "/_emulate/hooks", #"{"path":"/sso/jwks","latency_ms":400,"times":1}"#)
        let started = Date()
        #expect(try emulator.request("GET", "/sso/jwks/client_emulate").status == 200)
        #expect(Date().timeIntervalSince(started) >= 0.35)

        let drop = try emulator.control("POST", "/_emulate/hooks", #"{"path":"/health","drop_connection":true}"#)
        #expect(throws: HTTPTransportError.self) { try emulator.request("GET", "/health") }
        #expect(throws: HTTPTransportError.self) { try emulator.request("GET", "/health") }
        let id = try #require(drop["id"] as? Int)
        #expect(try emulator.request("DELETE", "/_emulate/hooks/\(id)").status == 200)
        #expect(try emulator.request("GET", "/health").status == 200)
        #expect(try emulator.request("DELETE", "/_emulate/hooks/\(id)").status == 404)
    }

    /// `"after": true`: the endpoint runs (the refresh token is consumed), then the answer is
    /// lost. A retry with the same Idempotency-Key gets the stored answer; without one it is
    /// a reuse.
    @Test func lostAnswersAndRetries() throws {
        let emulator = try EmulatorProcess()
        let token = try emulator.signIn()["refresh_token"] as! String
        try emulator.control("POST", "/_emulate/hooks", #"{"path":"/user_management/authenticate","drop_connection":true,"after":true,"times":1}"#)
        let key = [(name: "Idempotency-Key", value: "retry-lost-1")]
        // A new connection: libcurl silently retries a request whose reused connection died.
        let fresh = CurlTransport(connectTimeoutMillis: 2000, totalTimeoutMillis: 10_000, userAgent: "authkit-tests")
        #expect(throws: HTTPTransportError.self) { try emulator.refresh(token, headers: key, via: fresh) }
        let retried = try emulator.refresh(token, headers: key)
        #expect(retried.status == 200 && retried.header("Idempotent-Replayed") == "true")
        #expect(try emulator.counters()["refreshes"] == 1)

        try emulator.control("POST", "/_emulate/hooks", #"{"path":"/user_management/authenticate","status":502,"after":true,"times":1}"#)
        let next = emulator.object(retried)["refresh_token"] as! String
        #expect(try emulator.refresh(next).status == 502)
        #expect(try emulator.refresh(next).text.contains("Refresh token already exchanged."))
    }

    /// `raw_body`: an answer that is not JSON, sent byte for byte; `truncate_body`: the whole
    /// answer's Content-Length announced, a part of its body sent, the connection closed.
    @Test func malformedAndTruncatedAnswers() throws {
        let emulator = try EmulatorProcess()
        try emulator.control("POST", "/_emulate/hooks", #"{"path":"/user_management/authenticate","raw_body":"{\"access_token\": \"eyJ","times":1}"#)
        let malformed = try emulator.refresh("x")
        #expect(malformed.status == 200 && malformed.text == #"{"access_token": "eyJ"#, "\(malformed.status) \(malformed.text)")
        #expect(malformed.header("Content-Type") == "application/json")
        try emulator.control("POST", "/_emulate/hooks", #"{"path":"/user_management/authenticate","status":502,"raw_body":"<html>Bad Gateway</html>","times":1}"#)
        let html = try emulator.refresh("x")
        #expect(html.status == 502 && html.text == "<html>Bad Gateway</html>")
        #expect(try emulator.refresh("x").status == 400, "back to normal")

        let whole = try emulator.request("GET", "/sso/jwks/client_emulate").body.count
        try emulator.control("POST", "/_emulate/hooks", #"{"path":"/sso/jwks","truncate_body":30,"times":1}"#)
        let raw = RawHTTPClient.exchange(port: emulator.port, request: RawHTTPClient.request(
            target: Array("/sso/jwks/client_emulate".utf8), http10: false, host: "127.0.0.1", headers: []))
        let head = String(decoding: raw.bytes.prefix(raw.bytes.count - raw.body.count), as: UTF8.self).lowercased()
        #expect(raw.status == 200 && head.contains("content-length: \(whole)\r\n"), "\(head)")
        #expect(raw.body.count == 30, "\(raw.body.count) of \(whole) bytes")

        // The endpoint's own answer, cut: the refresh happened, its answer is lost.
        let token = try emulator.signIn()["refresh_token"] as! String
        try emulator.control("POST", "/_emulate/hooks", #"{"path":"/user_management/authenticate","truncate_body":20,"times":1}"#)
        let fresh = CurlTransport(connectTimeoutMillis: 2000, totalTimeoutMillis: 10_000, userAgent: "authkit-tests")
        #expect(throws: HTTPTransportError.self) { try emulator.refresh(token, via: fresh) }
        #expect(try emulator.counters()["refreshes"] == 1, "the endpoint ran")

        for body in [#"{"path":"/x","raw_body":5}"#, #"{"path":"/x","truncate_body":-1}"#] {
            #expect(try emulator.request("POST", "/_emulate/hooks", json: body).status == 400, "\(body)")
        }
    }

    @Test func badHooksAreRefusedAndEverythingResets() throws {
        let emulator = try EmulatorProcess()
        for body in [#"{"status":503}"#, #"{"path":"health"}"#, #"{"path":"/x","status":42}"#, #"{"path":"/x","times":0}"#, "not json"] {
            #expect(try emulator.request("POST", "/_emulate/hooks", json: body).status == 400, "\(body)")
        }
        try emulator.control("POST", "/_emulate/hooks", #"{"path":"/user_management/authenticate","status":500}"#)
        try emulator.control("POST", "/_emulate/hooks", #"{"path":"/sso/jwks","status":500}"#)
        #expect((try emulator.control("GET", "/_emulate/hooks")["hooks"] as? [Any])?.count == 2)
        #expect(try emulator.refresh("x").status == 500 && emulator.refresh("x").status == 500, "until cleared")
        #expect(try emulator.request("GET", "/_emulate/counters").status == 200, "controls are never faulted")
        try emulator.request("DELETE", "/_emulate/hooks")
        #expect(try emulator.refresh("x").status == 400)

        let token = try emulator.signIn()["refresh_token"] as! String
        try emulator.control("POST", "/_emulate/clock", #"{"offset_seconds":99}"#)
        try emulator.control("POST", "/_emulate/reset")
        #expect(try emulator.refresh(token).status == 400, "sessions are forgotten")
        #expect(try emulator.counters() == ["authenticate": 1, "authenticate.refresh_token": 1, "errors.invalid_grant": 1])
        #expect(try emulator.control("GET", "/_emulate/clock")["offset_seconds"] as? Double == 0)
    }
}
