import AuthKitSync
import MetricsTestKit
import Testing
@testable import AuthKitCore

@Suite struct MeasuredTransportTests {
    @Test func endpointsKeepTheirShapeAndLoseTheirIds() {
        #expect(MeasuredTransport.endpoint(of: "https://api.workos.com/user_management/authenticate") == "/user_management/authenticate")
        #expect(MeasuredTransport.endpoint(of: "http://127.0.0.1:4100/sso/jwks/client_01HXYZABCDEF?x=1") == "/sso/jwks/{client_id}")
        #expect(MeasuredTransport.endpoint(of: "https://api.workos.com/user_management/users/user_01HXYZABCDEFGH") == "/user_management/users/{id}")
        #expect(MeasuredTransport.endpoint(of: "https://api.workos.com/organizations/org_01EMULATEACME00000000000/roles") == "/organizations/{id}/roles")
        #expect(MeasuredTransport.endpoint(of: "https://api.workos.com") == "/")
    }

    @Test func everyCallIsTimedByEndpointAndStatus() throws {
        let recorder = TestMetrics()
        let metrics = AuthKitMetrics(factory: recorder)
        let ok = MeasuredTransport(ScriptedTransport { _ throws(HTTPTransportError) in ScriptedTransport.json(200, "{}") }, metrics: metrics)
        _ = try ok.send(HTTPRequest(method: "POST", url: "https://api.workos.com/user_management/authenticate"))
        _ = try ok.send(HTTPRequest(method: "POST", url: "https://api.workos.com/user_management/authenticate"))
        let down = MeasuredTransport(ScriptedTransport { _ throws(HTTPTransportError) in throw .timedOut }, metrics: metrics)
        #expect(throws: HTTPTransportError.timedOut) { try down.send(HTTPRequest(method: "GET", url: "https://api.workos.com/sso/jwks/client_01HXYZABCDEF")) }
        let label = "authkit_workos_request_duration_seconds"
        #expect(try recorder.expectTimer(label, [("endpoint", "/user_management/authenticate"), ("status", "200")]).values.count == 2)
        #expect(try recorder.expectTimer(label, [("endpoint", "/sso/jwks/{client_id}"), ("status", "error")]).values.count == 1)
    }

    /// What `authkit_checks_total` shows for checks the service really answered: signed in,
    /// signed out, without the required role, and with WorkOS down while the token needs a refresh.
    @Test func checksAreCountedByWhatTheyAnswered() throws {
        let down = Locked(false)
        let fixture = AuthKitServiceTests()
        let (service, _, _) = fixture.service { _ throws(HTTPTransportError) in
            if down.withLock({ $0 }) { throw .timedOut }
            return fixture.authenticated(fixture.factory.accessToken(iat: fixture.start, exp: fixture.start + 300))
        }
        let user = SessionUser(apiJSON: try JSONParser.parse(Fixtures.apiUser()))!
        func cookie(exp: Int64) -> String {
            service.sealer.sealSession(SessionPayload(accessToken: fixture.factory.accessToken(iat: fixture.start - 400, exp: exp), refreshToken: "rt_1", user: user))
        }
        let recorder = TestMetrics()
        let metrics = AuthKitMetrics(factory: recorder)
        func check(cookie: String?, _ settings: [String: String] = [:]) -> Int {
            var headers = ["accept": "application/json"]
            if let cookie { headers["cookie"] = "wos-session=\(cookie)" }
            let answer = service.check(AuthRequest(method: "GET", requestURI: "/api/x", headers: headers,
                                                   parameters: ["AUTHKIT_ACTION": "check", "AUTHKIT_SERVED_PATH": "/api/x"].merging(settings) { $1 }))
            // Counted by the decision, as the gateway counts every check.
            metrics.countCheck(answer.decision.outcome)
            let response = NginxCheckResponse.render(answer)
            return response.header("X-AuthKit-Unavailable") != nil ? 503 : response.status
        }
        let valid = cookie(exp: fixture.start + 300)
        #expect(check(cookie: valid) == 200)
        #expect(check(cookie: valid) == 200)
        #expect(check(cookie: nil) == 401)
        #expect(check(cookie: valid, ["AUTHKIT_REQUIRE_ROLE": "owner"]) == 403)
        down.withLock { $0 = true }
        // 401 with X-AuthKit-Unavailable, which nginx and Apache send on as a 503.
        #expect(check(cookie: cookie(exp: fixture.start - 100)) == 503)
        #expect(check(cookie: valid, ["AUTHKIT_MODE": "bogus"]) == 500)
        func counted(_ outcome: String) throws -> Int64 {
            try recorder.expectCounter("authkit_checks_total", [("outcome", outcome)]).totalValue
        }
        #expect(try counted("allowed") == 2)
        #expect(try counted("unauthenticated") == 1)
        #expect(try counted("forbidden") == 1)
        #expect(try counted("unavailable") == 1)
        #expect(try counted("error") == 1)
    }
}
