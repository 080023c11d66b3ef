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

    @Test func checkOutcomesFollowTheStatus() {
        #expect(AuthKitMetrics.CheckOutcome(status: 200) == .allowed)
        #expect(AuthKitMetrics.CheckOutcome(status: 401) == .unauthenticated)
        #expect(AuthKitMetrics.CheckOutcome(status: 302) == .unauthenticated)
        #expect(AuthKitMetrics.CheckOutcome(status: 403) == .forbidden)
        #expect(AuthKitMetrics.CheckOutcome(status: 503) == .unavailable)
        #expect(AuthKitMetrics.CheckOutcome(status: 400) == .error)
    }
}
