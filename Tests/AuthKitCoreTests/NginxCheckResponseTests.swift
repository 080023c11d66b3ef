import AuthKitCore
import Testing

/// The nginx renderer: auth_request passes only 2xx, 401 and 403, so each other refusal is a
/// 401 with the header the shipped snippets turn into the browser's answer.
@Suite struct NginxCheckResponseTests {
    @Test func everyVerdictAsNginxTakesIt() {
        let cookie = "wos-session=new; Path=/"
        func render(_ verdict: CheckDecision.Verdict) -> AuthResponse { NginxCheckResponse.render(CheckDecision(verdict, setCookie: cookie)) }
        #expect(render(.allow(identity: [("X-AuthKit-User-Id", "u")], eagerAuthCookie: "workos-access-token=t"))
            == AuthResponse(status: 200, headers: [("X-AuthKit-User-Id", "u"), ("X-AuthKit-Eager-Auth-Cookie", "workos-access-token=t"), ("Set-Cookie", cookie)]))
        #expect(render(.signIn(url: "/auth/sign-in")) == AuthResponse(status: 401, headers: [("X-AuthKit-Sign-In", "/auth/sign-in"), ("Set-Cookie", cookie)]))
        #expect(render(.unauthenticated(challenge: "Bearer")) == AuthResponse(status: 401, headers: [("WWW-Authenticate", "Bearer"), ("Set-Cookie", cookie)]))
        #expect(render(.unauthenticated(challenge: nil)) == AuthResponse(status: 401, headers: [("Set-Cookie", cookie)]))
        #expect(render(.forbidden(.role(anyOf: ["admin"]))) == AuthResponse(status: 403, headers: [("Set-Cookie", cookie)]))
        #expect(render(.unavailable(retryAfterSeconds: 5)) == AuthResponse(status: 401, headers: [("X-AuthKit-Unavailable", "5"), ("Set-Cookie", cookie)]))
        #expect(render(.badRequest) == AuthResponse(status: 401, headers: [("X-AuthKit-Bad-Request", "1"), ("Set-Cookie", cookie)]))
        #expect(render(.misconfigured).status == 500)
    }

    @Test func cacheHeadersComeLast() {
        let answer = CheckAnswer(decision: .pass(), cacheHeaders: [("Vary", "Cookie")])
        #expect(NginxCheckResponse.render(answer) == AuthResponse(status: 200, headers: [("Vary", "Cookie")]))
    }

    /// Counted by what was decided, not by the status nginx needs: a 401 that says "WorkOS is
    /// unavailable" or "bad request" is not a signed-out visitor.
    @Test func outcomesComeFromTheVerdict() {
        #expect(CheckDecision(.unavailable(retryAfterSeconds: 5)).outcome == .unavailable)
        #expect(CheckDecision(.badRequest).outcome == .error)
        #expect(CheckDecision(.misconfigured).outcome == .error)
        #expect(CheckDecision(.signIn(url: "/")).outcome == .unauthenticated)
        #expect(CheckDecision(.forbidden(.permission("p"))).outcome == .forbidden)
        #expect(CheckDecision.pass().outcome == .allowed)
    }
}
