import Testing
@testable import AuthKitCore

/// The sign-in loop guard's cookie (`wos-auth-attempts=<count>.<started>`) comes from the
/// browser, or from any sibling subdomain that plants it: no value of it may trap (issue 26 item 2).
@Suite struct LoopGuardExtremeTests {
    let now: Int64 = 1_785_000_000
    let browser = ["accept": "text/html", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document"]

    /// Cookies whose numbers are out of range, signed, non-ASCII or not numbers at all.
    var extremeCookies: [String] {
        let n = String(now)
        return [
            "9223372036854775807.\(n)", "9223372036854775806.\(n)", "9223372036854775808.\(n)", "18446744073709551615.\(n)",
            "0.-9223372036854775808", "0.9223372036854775807", "0.-1", "-1.\(n)", "-0.\(n)", "+1.\(n)", "1.+\(n)",
            "\(String(repeating: "9", count: 400)).\(n)", "1.\(String(repeating: "9", count: 400))",
            "0000000000000000000000001.\(n)", "1.000000000000000000000000\(n)", " 1.\(n)", "1 .\(n)", "1. \(n)", "1.\(n) ",
            "١.\(n)", "1.١٧٨٥٠٠٠٠٠٠", "1e400.\(n)", "1.1e400", "1.5.\(n)", ".", "", "..", "1.", ".\(n)", "1\u{301}.\(n)",
            "1.\u{301}\(n)", "\(Int.max).\(Int64.min)", "\(Int.min).\(Int64.max)", "0x10.\(n)", "1_0.\(n)",
        ]
    }

    @Test func extremeCookiesNeverTrapAndStartFreshOrStayLooping() {
        let guardian = SignInLoopGuard()
        for cookie in extremeCookies {
            let result = guardian.record(cookie: cookie, nowSeconds: now)
            #expect(result.attempts >= 1 && result.attempts <= guardian.limit + 1, "\(cookie)")
            #expect(result.setCookie.hasPrefix("wos-auth-attempts=\(result.attempts)."), "\(cookie)")
            let maxAge = result.setCookie.split(separator: "Max-Age=").last.flatMap { Int($0) }
            #expect(maxAge.map { (1...60).contains($0) } == true, "\(cookie): \(result.setCookie)")
        }
    }

    @Test func aCountAtTheTopOfInt64StaysLoopingWithoutOverflow() {
        let guardian = SignInLoopGuard()
        let result = guardian.record(cookie: "9223372036854775807.\(now)", nowSeconds: now)
        #expect(guardian.isLooping(attempts: result.attempts))
        #expect(result.attempts == guardian.limit + 1)
    }

    @Test func malformedNumbersCountAsAFreshStart() {
        let guardian = SignInLoopGuard()
        for cookie in ["0.-9223372036854775808", "+1.\(now)", "-1.\(now)", "١.\(now)", "9223372036854775808.\(now)",
                       "\(String(repeating: "9", count: 400)).\(now)", " 5.\(now)", "5.\(now) ", "1e3.\(now)", "5\u{301}.\(now)"] {
            #expect(guardian.record(cookie: cookie, nowSeconds: now).attempts == 1, "\(cookie)")
        }
        #expect(guardian.record(cookie: "5.\(now - 10)", nowSeconds: now).attempts == 6, "a well-formed cookie still counts")
        #expect(guardian.record(cookie: "5.\(now - 60)", nowSeconds: now).attempts == 1, "the window passed")
    }

    @Test func anExtremeClockNeverTraps() {
        let guardian = SignInLoopGuard()
        for clock in [Int64.min, Int64.min + 1, -1, 0, Int64.max - 1, Int64.max] {
            for cookie in ["5.0", "5.\(Int64.max)", "5.9223372036854775806", "9223372036854775807.0", nil] {
                let result = guardian.record(cookie: cookie, nowSeconds: clock)
                #expect(result.attempts >= 1 && result.attempts <= guardian.limit + 1)
            }
        }
    }

    @Test func signInAndSignUpAnswerEveryExtremeCookie() {
        let fixture = ServiceFixture(start: now)
        for path in ["/auth/sign-in", "/auth/sign-up"] {
            for cookie in extremeCookies + ["9223372036854775807%2E\(now)", "%2B1.\(now)"] {
                var headers = browser
                headers["cookie"] = "wos-auth-attempts=\(cookie)"
                let response = fixture.service.handle(AuthRequest(method: "GET", requestURI: path, headers: headers))
                #expect(response.status == 302 || response.status == 429, "\(path) \(cookie)")
            }
        }
    }
}
