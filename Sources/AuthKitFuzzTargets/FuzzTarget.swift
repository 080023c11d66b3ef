import AuthKitCore
import AuthKitFastCGI
import AuthKitGateway

/// The fuzz targets' bodies, one copy for both runners: fuzz/ (libFuzzer, the target chosen by
/// `AUTHKIT_FUZZ_TARGET`) and the tests, which replay fuzz/corpus/<target>/ through them. Each
/// feeds the raw input to one parser of outside input the way requests reach it; a crash, a trap
/// (a failed `precondition` is an invariant broken) or a sanitizer report is a finding.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case sealedCookie = "sealed-cookie"
    case cookieHeader = "cookie-header"
    case jwt
    case jwks
    case query
    case fastcgiParams = "fastcgi-params"
    case numbers

    static let sealer = SessionSealer(password: "this-is-a-32-character-password!", clock: FixedClock(), random: FixedRandom())
    static let settings = EndpointSettings(origin: "https://app.example.com", redirectURI: "https://app.example.com/auth/callback")
    static let allowed = AllowedReturnHosts(list: "docs.example.com,.example.org")!
    static let minimalConfig = [
        "WORKOS_CLIENT_ID": "client_01", "WORKOS_API_KEY": "sk_test_1234567890abcdefghij",
        "WORKOS_COOKIE_PASSWORD": "this-is-a-32-character-password!", "WORKOS_REDIRECT_URI": "https://app.example.com/auth/callback",
    ]
    static let numericSettings = [
        "WORKOS_API_PORT", "WORKOS_REFRESH_BUFFER_SECONDS", "AUTHKIT_CLOCK_LEEWAY_SECONDS", "AUTHKIT_HTTP_CONNECT_TIMEOUT_MS",
        "AUTHKIT_HTTP_TIMEOUT_MS", "AUTHKIT_HTTP_RETRIES", "AUTHKIT_SESSION_CACHE_SIZE", "WORKOS_COOKIE_MAX_AGE",
        "AUTHKIT_API_KEY_CACHE_SECONDS", "AUTHKIT_API_KEY_NEGATIVE_CACHE_SECONDS", "AUTHKIT_API_KEY_CACHE_SIZE",
    ]

    /// Feeds `bytes` to this target's parsers.
    public func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        switch self {
        case .sealedCookie:
            if case .success(let opened) = Self.sealer.openSession(text) { _ = opened.payload.user.id }
            _ = try? Self.sealer.unsealValue(text)
        case .cookieHeader:
            for cookie in CookieHeader.parse(text) { _ = cookie.value.count }
            _ = CookieHeader.value(named: "wos-session", in: text)
        case .jwt:
            if let jwt = try? JWT(text) { _ = jwt }
            if let claims = AccessTokenVerifier.decodeUnverified(text) { _ = Requirements { _ in "x" }.failure(for: claims) }
            _ = BearerToken.parse(text)
        case .jwks:
            if let set = try? JSONWebKeySet(json: bytes) { _ = set.candidates(forKeyId: "k") }
            if let json = try? JSONParser.parse(bytes) { _ = JSONWriter.string(json) }
        case .query:
            for field in FormFields.parse(text) { _ = field.value }
            _ = ReturnPath.sanitize(text)
            _ = Self.allowed.external(text)
            _ = PercentEncoding.decode(text)
            _ = CGIScript.localRedirectTarget(text)
            let request = AuthRequest(method: "GET", requestURI: text, headers: ["accept": "text/html"])
            _ = RouteTable.route(request, serverVariables: [:], settings: Self.settings)
            _ = request.queryValue("return_to")
        case .fastcgiParams:
            // NUL-separated NAME=VALUE pairs, as libfcgi hands them over.
            var parameters: [String: String] = [:]
            for pair in bytes.split(separator: 0) {
                let text = String(decoding: pair, as: UTF8.self)
                if let equals = text.firstIndex(of: "=") { parameters[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
            }
            let request = GatewayRequest.make(parameters: parameters, body: Array(bytes.prefix(64)))
            _ = (request.path, request.query, request.cookies.count, request.isNavigation, request.formValue("return_to"))
            _ = RouteTable.route(request, serverVariables: parameters, settings: Self.settings)
            // The renderers, fed the request's own text as identity, sign-in URL and cookie.
            let identity = request.headers.map { (name: $0.key, value: $0.value) }
            let cookie = request.header("cookie")
            _ = AuthorizerResponse.render(CheckAnswer(decision: CheckDecision(.allow(identity: identity, eagerAuthCookie: cookie), setCookie: cookie),
                                                      cacheHeaders: identity), accessChecker: true)
            _ = BrowserResponse.denial(CheckAnswer(decision: CheckDecision(.signIn(url: request.requestURI), setCookie: cookie), cacheHeaders: identity))
        case .numbers:
            Self.numbers(text, bytes)
        }
    }

    /// Every numeric field that comes from outside, fed the same text: the sign-in loop guard's
    /// cookie at extreme clocks, a number in a token payload's exp/iat/nbf, Content-Length,
    /// Retry-After-style digits, a seal's expiration field, and each numeric setting.
    static func numbers(_ text: String, _ bytes: [UInt8]) {
        let guardian = SignInLoopGuard()
        for now in [Int64.min, -1, 0, 1_785_000_000, Int64.max] {
            let result = guardian.record(cookie: text, nowSeconds: now)
            precondition(result.attempts >= 1 && result.attempts <= guardian.limit + 1, "loop count out of range")
        }
        _ = DecimalText.int64(bytes)
        if let value = DecimalText.saturating(bytes, ceiling: 86_400) { precondition((0...86_400).contains(value)) }
        if let length = ContentLength.parse(text) { precondition(length >= 0) }
        // The text as the JSON number of each time claim.
        for field in ["exp", "iat", "nbf"] {
            let others = ["exp", "iat", "nbf"].filter { $0 != field }.map { "\"\($0)\":1785000000" }.joined(separator: ",")
            if let claims = AccessTokenClaims(payloadJSON: Array("{\"sub\":\"u\",\(others),\"\(field)\":".utf8) + bytes + [UInt8(ascii: "}")]) {
                for policy in [RefreshPolicy(bufferSeconds: nil), RefreshPolicy(bufferSeconds: .max)] {
                    _ = policy.state(of: .success(claims), nowSeconds: .max)
                    _ = policy.state(of: .success(claims), nowSeconds: .min)
                }
            }
        }
        if let json = try? JSONParser.parse(bytes) { _ = (json.int64Value, json.doubleValue, JSONWriter.string(json)) }
        // The expiration field of an iron seal (checked before the MAC).
        let seal = "Fe26.2*1*\(String(repeating: "a", count: 64))*AQEBAQEBAQEBAQEBAQEBAQ*AAAA*\(text)*\(String(repeating: "b", count: 64))*mac~2"
        _ = try? IronSession.unseal(seal, passwords: { _ in ["this-is-a-32-character-password!"] }, now: 1_785_000_000_000)
        _ = try? IronSession.unseal(seal, passwords: { _ in ["this-is-a-32-character-password!"] }, now: .min)
        // Each numeric setting: a value or a config error.
        for name in numericSettings {
            _ = try? ConfigLoader.load(minimalConfig.merging([name: text]) { _, b in b })
        }
    }
}

/// A clock stopped at 1_785_000_000 s: the same input always gives the same answer.
struct FixedClock: WallClock {
    func nowMillis() -> UnixMillis { 1_785_000_000_000 }
}

/// Random bytes that are always 7s, for the same reason.
struct FixedRandom: RandomSource {
    func bytes(_ count: Int) -> [UInt8] { [UInt8](repeating: 7, count: count) }
}
