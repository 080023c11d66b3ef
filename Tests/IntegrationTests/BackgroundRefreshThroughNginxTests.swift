import AuthKitCore
import AuthKitCurl
import Foundation
import Testing

/// Issue 22 item 4, through real nginx against the emulator: a check whose token is due for a
/// refresh but still valid is answered at once while its refresh runs in the background; the
/// old cookie then gets the new session, also after the old token expired (its refresh token
/// is spent); and while WorkOS hangs, checks that need no WorkOS call answer at once however
/// many threads wait on it.
@Suite(.serialized) struct BackgroundRefreshThroughNginxTests {
    let http = CurlTransport(connectTimeoutMillis: 2000, totalTimeoutMillis: 30_000, userAgent: "background-refresh")

    func check(_ site: NginxSite, _ cookie: String) throws -> (response: HTTPResponse, seconds: Double) {
        let started = Date()
        let response = try http.send(HTTPRequest(method: "GET", url: "\(site.base)/api/items", headers: [
            ("Accept", "application/json"), ("Cookie", "wos-session=\(cookie)"),
        ]))
        return (response, Date().timeIntervalSince(started))
    }

    @Test func aDueTokenIsServedAtOnceAndTheOldCookieGetsTheRefreshedSessionPastItsExpiry() throws {
        // 45-second tokens, due 44 s before expiry: signed in 10 s ago, the token is due now and
        // expires in 35 s, after the grace window (30 s) of a refresh made now.
        let site = try NginxSite(environment: ["WORKOS_REFRESH_BUFFER_SECONDS": "44"], emulatorArguments: StrictRefresh.arguments() + ["--access-token-ttl", "45"])
        let cookie = try site.emulator.sessionCookie(redirectURI: "http://127.0.0.1:\(site.port)/auth/callback", signedInSecondsAgo: 10)
        let oldTokenExpires = Date().addingTimeInterval(35)
        // WorkOS takes 1.5 s to answer this refresh.
        try site.emulator.request("POST", "/_emulate/hooks", json: #"{"path":"/user_management/authenticate","method":"POST","latency_ms":1500,"times":1}"#)

        let first = try check(site, cookie)
        #expect(first.response.status == 200)
        #expect(RefreshFaultTests.setCookies(first.response).isEmpty, "a due token is served as it is: \(RefreshFaultTests.setCookies(first.response))")
        #expect(first.seconds < 1, "the check waited on WorkOS: \(first.seconds) s")

        Thread.sleep(forTimeInterval: 3)  // the background refresh is done
        let second = try check(site, cookie)
        #expect(second.response.status == 200)
        let refreshed = try #require(RefreshFaultTests.newSession(second.response), "the background refresh was lost")

        // Past the old token's expiry (and the grace window of the refresh): the old cookie
        // still gets the new session, without spending its refresh token again.
        Thread.sleep(forTimeInterval: max(0, oldTokenExpires.timeIntervalSinceNow) + 1)
        let late = try check(site, cookie)
        #expect(late.response.status == 200, "the session died with the old token: \(late.response.status)")
        #expect(RefreshFaultTests.newSession(late.response) == refreshed)
        let counters = try site.emulator.counters()
        #expect(counters["refreshes"] == 1, "\(counters)")
        #expect(counters["refresh_token_reuse"] == nil && counters["idempotent_replays"] == nil, "\(counters)")

        // And the new cookie works.
        #expect(try check(site, refreshed).response.status == 200)
        #expect(site.stop().status == 0)
    }

    @Test func checksNeedingNoWorkOSCallAnswerWhileEveryWorkerWouldWaitOnIt() throws {
        // Two workers; WorkOS hangs past the 3 s timeout; 5 expired and 5 due sessions check at once.
        let site = try NginxSite(environment: ["AUTHKIT_HTTP_TIMEOUT_MS": "3000"], emulatorArguments: StrictRefresh.arguments(), serveArguments: ["--workers", "2"])
        let redirect = "http://127.0.0.1:\(site.port)/auth/callback"
        let valid = try site.emulator.sessionCookie(redirectURI: redirect)
        let expired = try (0..<5).map { _ in try site.emulator.expiredSessionCookie(redirectURI: redirect) }
        let due = try (0..<5).map { _ in try site.emulator.sessionCookie(redirectURI: redirect, signedInSecondsAgo: 280) }  // 20 s left
        try site.emulator.request("POST", "/_emulate/hooks", json: #"{"path":"/user_management/authenticate","method":"POST","latency_ms":10000,"status":504}"#)

        final class Answers: @unchecked Sendable {
            let lock = NSLock()
            var byKind: [String: [(status: Int, seconds: Double)]] = [:]
            func add(_ kind: String, _ status: Int, _ seconds: Double) { lock.lock(); byKind[kind, default: []].append((status, seconds)); lock.unlock() }
        }
        let answers = Answers()
        let group = DispatchGroup()
        for (kind, cookies) in [("expired", expired), ("due", due)] {
            for cookie in cookies {
                DispatchQueue.global().async(group: group) {
                    let answer = try? check(site, cookie)
                    answers.add(kind, answer?.response.status ?? 0, answer?.seconds ?? -1)
                }
            }
        }
        Thread.sleep(forTimeInterval: 0.5)  // every refresh is waiting on WorkOS now
        for _ in 0..<3 {
            let answer = try check(site, valid)
            #expect(answer.response.status == 200)
            #expect(answer.seconds < 1, "a valid session waited: \(answer.seconds) s")
        }
        group.wait()
        let dueAnswers = answers.byKind["due"] ?? []
        #expect(dueAnswers.count == 5 && dueAnswers.allSatisfy { $0.status == 200 && $0.seconds < 1 },
                "due sessions are served at once while WorkOS hangs: \(dueAnswers)")
        // Expired tokens cannot be served: they waited for the refresh, and got 503 (cookie kept).
        let expiredAnswers = answers.byKind["expired"] ?? []
        #expect(expiredAnswers.count == 5 && expiredAnswers.allSatisfy { $0.status == 503 }, "\(expiredAnswers)")
        try site.emulator.request("DELETE", "/_emulate/hooks")
        #expect(site.stop().status == 0)
    }
}
