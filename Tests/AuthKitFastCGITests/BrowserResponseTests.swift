import AuthKitCore
import Testing
@testable import AuthKitFastCGI

@Suite struct BrowserResponseTests {
    @Test func refusalsBecomeBrowserAnswersWithoutIdentity() {
        let signIn = BrowserResponse.denial(AuthResponse(status: 401, headers: [
            ("X-AuthKit-Sign-In", "/auth/sign-in?return_to=%2Fx"), ("Cache-Control", "private, no-store"),
            ("Set-Cookie", "wos-session=; Max-Age=0"),
        ]))
        #expect(signIn.status == 302)
        #expect(signIn.header("Location") == "/auth/sign-in?return_to=%2Fx")
        #expect(signIn.header("X-AuthKit-Sign-In") == nil)
        #expect(signIn.header("Set-Cookie") == "wos-session=; Max-Age=0")
        #expect(signIn.header("Cache-Control") == "private, no-store")

        #expect(BrowserResponse.denial(AuthResponse(status: 401)).status == 401)
        let forbidden = BrowserResponse.denial(AuthResponse(status: 403, headers: [("X-AuthKit-User-Id", "user_1")]))
        #expect(forbidden.status == 403 && forbidden.header("X-AuthKit-User-Id") == nil && !forbidden.body.isEmpty)
        let unavailable = BrowserResponse.denial(AuthResponse(status: 503, headers: [("Retry-After", "5")]))
        #expect(unavailable.status == 503 && unavailable.header("Retry-After") == "5")
    }

    @Test func aCheckThatNowPassesSendsTheBrowserBackWithTheCookie() {
        let retry = BrowserResponse.retry(AuthResponse(status: 200, headers: [
            ("X-AuthKit-User-Id", "user_1"), ("Set-Cookie", "wos-session=new"),
        ]), requestURI: "/docs/?a=1")
        #expect(retry.status == 307)
        #expect(retry.header("Location") == "/docs/?a=1")
        #expect(retry.headers(named: "Set-Cookie") == ["wos-session=new"])
        #expect(retry.header("X-AuthKit-User-Id") == nil)
    }
}

@Suite struct GatewayRequestTests {
    @Test func anInternalRedirectCarriesTheOriginalLocationsSettings() {
        let request = GatewayRequest.make(parameters: [
            "REDIRECT_STATUS": "401", "REQUEST_URI": "/admin/?x=1", "REDIRECT_AUTHKIT_REQUIRE_ROLE": "admin",
            "AUTHKIT_ACTION": "denied", "REDIRECT_AUTHKIT_ACTION": "check", "HTTP_REDIRECT_AUTHKIT_REQUIRE_ROLE": "none",
        ], body: [])
        #expect(request.parameters["AUTHKIT_REQUIRE_ROLE"] == "admin")
        // The current location's own setting wins.
        #expect(request.parameters["AUTHKIT_ACTION"] == "denied")
        #expect(request.requestURI == "/admin/?x=1")
    }

    @Test func withoutARedirectRedirectLookingVariablesAreIgnored() {
        let request = GatewayRequest.make(parameters: ["REQUEST_URI": "/", "REDIRECT_AUTHKIT_MODE": "optional"], body: [])
        #expect(request.parameters["AUTHKIT_MODE"] == nil)
    }
}
