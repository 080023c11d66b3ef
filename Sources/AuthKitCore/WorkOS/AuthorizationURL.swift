/// The options of an authorization URL (`GET /user_management/authorize`), spec §3.1.
public struct AuthorizationRequest: Sendable, Equatable {
    public enum ScreenHint: String, Sendable { case signIn = "sign-in", signUp = "sign-up" }

    public var redirectURI: String
    /// The sealed PKCE state, also the verifier cookie's value.
    public var state: String?
    /// S256 challenge of the code verifier.
    public var codeChallenge: String?
    public var screenHint: ScreenHint?
    public var organizationId: String?
    public var loginHint: String?
    public var domainHint: String?
    public var prompt: String?
    public var maxAge: Int?

    public init(
        redirectURI: String, state: String? = nil, codeChallenge: String? = nil, screenHint: ScreenHint? = nil,
        organizationId: String? = nil, loginHint: String? = nil, domainHint: String? = nil,
        prompt: String? = nil, maxAge: Int? = nil
    ) {
        self.redirectURI = redirectURI
        self.state = state
        self.codeChallenge = codeChallenge
        self.screenHint = screenHint
        self.organizationId = organizationId
        self.loginHint = loginHint
        self.domainHint = domainHint
        self.prompt = prompt
        self.maxAge = maxAge
    }
}

/// URLs the browser is sent to, built exactly as workos-node builds them.
public enum WorkOSURLs {
    /// `{base}/user_management/authorize?…`: parameters sorted by name, encoded as workos-node's
    /// `toQueryString` (qs, RFC 1738: space as `+`, `*` as `%2A`, `~` literal).
    public static func authorization(baseURL: String, clientId: String, _ request: AuthorizationRequest) -> String {
        var parameters: [(String, String)] = [
            ("client_id", clientId),
            ("provider", "authkit"),
            ("redirect_uri", request.redirectURI),
            ("response_type", "code"),
        ]
        if let state = request.state { parameters.append(("state", state)) }
        if let challenge = request.codeChallenge {
            parameters.append(("code_challenge", challenge))
            parameters.append(("code_challenge_method", "S256"))
        }
        if let hint = request.screenHint { parameters.append(("screen_hint", hint.rawValue)) }
        if let organizationId = request.organizationId { parameters.append(("organization_id", organizationId)) }
        if let loginHint = request.loginHint { parameters.append(("login_hint", loginHint)) }
        if let domainHint = request.domainHint { parameters.append(("domain_hint", domainHint)) }
        if let prompt = request.prompt { parameters.append(("prompt", prompt)) }
        if let maxAge = request.maxAge { parameters.append(("max_age", String(maxAge))) }
        // localeCompare and byte order agree on these lower-case ASCII names.
        parameters.sort { $0.0 < $1.0 }
        let query = parameters
            .map { "\(PercentEncoding.workosQueryComponent($0.0))=\(PercentEncoding.workosQueryComponent($0.1))" }
            .joined(separator: "&")
        return "\(baseURL)/user_management/authorize?\(query)"
    }

    /// `{base}/user_management/sessions/logout?session_id=…[&return_to=…]`, encoded as
    /// `URLSearchParams` does.
    public static func logout(baseURL: String, sessionId: String, returnTo: String?) -> String {
        var url = "\(baseURL)/user_management/sessions/logout?session_id=\(PercentEncoding.formComponent(sessionId))"
        if let returnTo { url += "&return_to=\(PercentEncoding.formComponent(returnTo))" }
        return url
    }

    /// `{base}/sso/jwks/{clientId}`.
    public static func jwks(baseURL: String, clientId: String) -> String {
        "\(baseURL)/sso/jwks/\(PercentEncoding.uriComponent(clientId))"
    }
}
