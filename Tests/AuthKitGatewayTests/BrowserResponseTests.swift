import AuthKitCore
import Testing
@testable import AuthKitFastCGI
@testable import AuthKitGateway

@Suite struct BrowserResponseTests {
    static let noStore = AuthResponse.cachePreventionHeaders()

    @Test func refusalsBecomeBrowserAnswersWithoutIdentity() {
        let signIn = BrowserResponse.denial(CheckAnswer(
            decision: CheckDecision(.signIn(url: "/auth/sign-in?return_to=%2Fx"), setCookie: "wos-session=; Max-Age=0"), cacheHeaders: Self.noStore))
        #expect(signIn.status == 302)
        #expect(signIn.header("Location") == "/auth/sign-in?return_to=%2Fx")
        #expect(signIn.header("X-AuthKit-Sign-In") == nil)
        #expect(signIn.header("Set-Cookie") == "wos-session=; Max-Age=0")
        #expect(signIn.header("Cache-Control") == AuthResponse.cachePreventionControl)

        let signedOut = BrowserResponse.denial(CheckAnswer(decision: CheckDecision(.unauthenticated(challenge: #"Bearer error="invalid_token""#)), cacheHeaders: Self.noStore))
        #expect(signedOut.status == 401 && signedOut.header("WWW-Authenticate") == #"Bearer error="invalid_token""#)
        let forbidden = BrowserResponse.denial(CheckAnswer(decision: CheckDecision(.forbidden(.role(anyOf: ["admin"]))), cacheHeaders: Self.noStore))
        #expect(forbidden.status == 403 && !forbidden.body.isEmpty)
        #expect(!forbidden.headers.contains { $0.name.hasASCIICaseInsensitivePrefix("x-authkit-") })
        let unavailable = BrowserResponse.denial(CheckAnswer(decision: CheckDecision(.unavailable(retryAfterSeconds: 5)), cacheHeaders: Self.noStore))
        #expect(unavailable.status == 503 && unavailable.header("Retry-After") == "5")
        let bad = BrowserResponse.denial(CheckAnswer(decision: CheckDecision(.badRequest, setCookie: "wos-session=new"), cacheHeaders: []))
        #expect(bad.status == 400 && bad.header("Cache-Control") == AuthResponse.cachePreventionControl)
        let misconfigured = BrowserResponse.denial(CheckAnswer(decision: CheckDecision(.misconfigured), cacheHeaders: Self.noStore))
        #expect(misconfigured.status == 500 && String(decoding: misconfigured.body, as: UTF8.self).contains("misconfigured"))
    }

    @Test func aCheckThatNowPassesSendsTheBrowserBackWithTheCookie() {
        let retry = BrowserResponse.retry(CheckDecision(.allow(identity: [("X-AuthKit-User-Id", "user_1")], eagerAuthCookie: nil),
                                                        setCookie: "wos-session=new"), requestURI: "/docs/?a=1")
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

    /// The FastCGI server reads its parameters in place; the request must be the one the
    /// dictionary path (CGI) builds from the same parameters, repeated names included.
    @Test(arguments: [
        [("REQUEST_METHOD", "GET"), ("REQUEST_URI", "/protected/?a=1"), ("HTTP_COOKIE", "wos-session=abc; x=1"), ("HTTP_ACCEPT", "text/html"),
         ("HTTP_X_REQUESTED_WITH", "XMLHttpRequest"), ("AUTHKIT_ACTION", "check"), ("DOCUMENT_ROOT", "/srv"), ("REMOTE_ADDR", "127.0.0.1"),
         ("REQUEST_ID", "r1"), ("CONTENT_TYPE", "")],
        [("REQUEST_METHOD", "POST"), ("SCRIPT_NAME", "/cgi"), ("PATH_INFO", "/x"), ("QUERY_STRING", "q=1"), ("CONTENT_TYPE", "text/plain"),
         ("HTTP_HOST", "a"), ("HTTP_HOST", "b"), ("AUTHKIT_MODE", "optional"), ("AUTHKIT_MODE", "required")],
        [("REDIRECT_STATUS", "401"), ("REQUEST_URI", "/admin/"), ("REDIRECT_AUTHKIT_REQUIRE_ROLE", "admin"), ("AUTHKIT_ACTION", "denied"),
         ("REDIRECT_AUTHKIT_ACTION", "check"), ("HTTP_REDIRECT_AUTHKIT_REQUIRE_ROLE", "none"), ("FCGI_ROLE", "AUTHORIZER"), ("UNIQUE_ID", "u1")],
        [("REQUEST_URI", "/"), ("REDIRECT_AUTHKIT_MODE", "optional"), ("HTTP_", "empty name"), ("HTTP_ACCEPT_ENCODING", "gzip")],
        [("FCGI_ROLE", "AUTHORIZER"), ("FCGI_APACHE_ROLE", "ACCESS_CHECKER"), ("REMOTE_ADDR", "::1"), ("HTTP_FCGI_ROLE", "RESPONDER"),
         ("HTTP_REMOTE_ADDR", "10.0.0.1"), ("HTTP_REQUEST_ID", "spoofed")],
    ])
    func readingParametersInPlaceGivesTheSameRequest(_ pairs: [(String, String)]) {
        var dictionary: [String: String] = [:]
        for (name, value) in pairs { dictionary[name] = value }
        let expected = GatewayRequest.make(parameters: dictionary, body: [1, 2])
        let (request, server) = FastCGIParameters.with(pairs) { GatewayRequest.make(parameters: $0, body: [1, 2]) }
        #expect(request.method == expected.method)
        #expect(request.requestURI == expected.requestURI)
        #expect(request.headers == expected.headers)
        #expect(request.parameters == expected.parameters)
        #expect(request.body == expected.body)
        // The server variables handed on decide what the dictionary would: the Apache role (the
        // authorizer's answer), an internal redirect (the ErrorDocument's browser answer), the
        // request id in the log lines, the client address (/auth/metrics for loopback only).
        let settings = EndpointSettings(origin: "https://a.example", redirectURI: "https://a.example/auth/callback")
        #expect(RouteTable.route(request, serverVariables: server, settings: settings)
            == RouteTable.route(expected, serverVariables: dictionary, settings: settings))
        for name in ["REDIRECT_STATUS", "REQUEST_ID", "UNIQUE_ID", "REMOTE_ADDR"] {
            #expect(server[name] == dictionary[name], "\(name)")
        }
        // Each with the value sent (the last of a repeated name), and none a client can send: a
        // header or a setting posing as a server variable is not one.
        for (name, value) in server {
            #expect(dictionary[name] == value, "\(name)")
            #expect(!name.hasBytePrefix("HTTP_") && !name.hasBytePrefix("AUTHKIT_") && !name.hasBytePrefix("REDIRECT_AUTHKIT_"), "\(name)")
        }
    }

    @Test func withoutARedirectRedirectLookingVariablesAreIgnored() {
        let request = GatewayRequest.make(parameters: ["REQUEST_URI": "/", "REDIRECT_AUTHKIT_MODE": "optional"], body: [])
        #expect(request.parameters["AUTHKIT_MODE"] == nil)
    }
}
