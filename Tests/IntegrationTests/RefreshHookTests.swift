import AuthKitCore
import AuthKitSync
import AuthKitCurl
import Foundation
import Testing

/// The refresh hooks through real nginx, `authkit-fcgi serve` and the emulator, with a second
/// emulator as the receiver (`/_emulate/webhooks`): checks that refresh one expired cookie at
/// once make one signed success event (followers of the coalesced refresh send none), a refused
/// refresh makes one error event, and no event carries a token.
@Suite(.serialized) struct RefreshHookTests {
    static let secret = "refresh-hook-secret-0123456789"

    static func site(receiver: EmulatorProcess) throws -> NginxSite {
        try NginxSite(environment: [
            "AUTHKIT_ON_REFRESH_SUCCESS_URL": receiver.base + "/_emulate/webhooks/refreshed",
            "AUTHKIT_ON_REFRESH_ERROR_URL": receiver.base + "/_emulate/webhooks/refresh-failed",
            "AUTHKIT_ON_REFRESH_SECRET": secret,
        ], emulatorArguments: StrictRefresh.arguments())
    }

    /// The receiver's webhooks once `count` arrived (or after 10 s).
    static func received(_ receiver: EmulatorProcess, count: Int) throws -> [[String: Any]] {
        var hooks: [[String: Any]] = []
        for _ in 0..<100 {
            hooks = receiver.object(try receiver.request("GET", "/_emulate/webhooks"))["webhooks"] as? [[String: Any]] ?? []
            if hooks.count >= count { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return hooks
    }

    static func check(_ site: NginxSite, cookie: String) throws -> HTTPResponse {
        try CurlTransport(connectTimeoutMillis: 2000, totalTimeoutMillis: 20_000, userAgent: "hooks").send(HTTPRequest(
            method: "GET", url: "\(site.base)/api/items", headers: [("Accept", "application/json"), ("Cookie", "wos-session=\(cookie)")]))
    }

    static func body(_ hook: [String: Any]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(((hook["body"] as? String) ?? "").utf8)) as? [String: Any])
    }

    static func signatureVerifies(_ hook: [String: Any]) -> Bool {
        let signature = hook["signature"] as? String ?? "", text = hook["body"] as? String ?? ""
        guard let t = signature.split(separator: ",").first.flatMap({ Int64($0.dropFirst(2)) }) else { return false }
        return signature == HookSigner.signature(secret: Array(secret.utf8), timestamp: t, body: Array(text.utf8))
    }

    @Test func oneRefreshOneSignedSuccessEvent() throws {
        let receiver = try EmulatorProcess()
        let site = try Self.site(receiver: receiver)
        let cookie = try site.emulator.expiredSessionCookie(redirectURI: "http://127.0.0.1:\(site.port)/auth/callback")
        // A page with several assets: the same expired cookie, at once.
        let statuses = Locked<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            let status = (try? Self.check(site, cookie: cookie).status) ?? -1
            statuses.withLock { $0.append(status) }
        }
        #expect(statuses.withLock { $0 } == Array(repeating: 200, count: 6))
        #expect(try site.emulator.counters()["refreshes"] == 1)
        let hooks = try Self.received(receiver, count: 1)
        Thread.sleep(forTimeInterval: 1) // a duplicate would have arrived by now
        let all = try Self.received(receiver, count: 2)
        #expect(all.count == 1, "\(all)")
        let hook = try #require(hooks.first)
        #expect(hook["name"] as? String == "refreshed")
        #expect(Self.signatureVerifies(hook), "\(hook)")
        let event = try Self.body(hook)
        #expect(event["event"] as? String == "session.refreshed")
        #expect((event["user"] as? [String: Any])?["email"] as? String == "ada@example.com")
        #expect((event["sessionId"] as? String)?.hasPrefix("session_") == true)
        #expect(event["organizationId"] as? String == "org_01EMULATEACME00000000000")
        let text = hook["body"] as? String ?? ""
        #expect(!text.contains("eyJ") && !text.lowercased().contains("token"), "no token in \(text)")
        let metrics = try Browser().send("GET", "\(site.base)/auth/metrics", headers: []).text
        #expect(metrics.contains(#"authkit_refresh_hook_events_total{outcome="sent"} 1"#), "\(metrics)")
        _ = site.stop()
    }

    @Test func aRefusedRefreshSendsAnErrorEvent() throws {
        let receiver = try EmulatorProcess()
        let site = try Self.site(receiver: receiver)
        let cookie = try site.emulator.expiredSessionCookie(redirectURI: "http://127.0.0.1:\(site.port)/auth/callback")
        try site.emulator.request("POST", "/_emulate/hooks", json: """
            {"path":"/user_management/authenticate","method":"POST","status":400,
             "body":{"error":"invalid_grant","error_description":"Session has already ended."}}
            """)
        #expect(try Self.check(site, cookie: cookie).status == 401)
        let hooks = try Self.received(receiver, count: 1)
        let hook = try #require(hooks.first)
        #expect(hooks.count == 1)
        #expect(hook["name"] as? String == "refresh-failed")
        #expect(Self.signatureVerifies(hook))
        let event = try Self.body(hook)
        #expect(event["event"] as? String == "session.refresh_failed")
        let error = try #require(event["error"] as? [String: Any])
        #expect(error["code"] as? String == "invalid_grant" && error["transient"] as? Bool == false && error["status"] as? Int == 400)
        #expect((event["user"] as? [String: Any])?["id"] as? String == "user_01EMULATEADMIN0000000000")
        _ = site.stop()
    }
}
