/// The answer of `POST /user_management/authenticate` (code exchange or refresh), read from
/// WorkOS's snake_case JSON (spec §4).
public struct AuthenticationResponse: Sendable, Equatable {
    public var user: SessionUser
    public var organizationId: String?
    public var accessToken: String
    public var refreshToken: String
    public var authenticationMethod: String?
    public var impersonator: Impersonator?
    /// `oauth_tokens` as sent, for the sign-in hook; never sealed into the cookie.
    public var oauthTokens: JSONValue?

    public init(json: JSONValue) throws(WorkOSError) {
        guard case .object = json else { throw .invalidResponse("not a JSON object") }
        guard let accessToken = json["access_token"]?.stringValue, !accessToken.isEmpty,
              let refreshToken = json["refresh_token"]?.stringValue, !refreshToken.isEmpty else {
            throw .invalidResponse("response is missing tokens")
        }
        guard let userJSON = json["user"], let user = SessionUser(apiJSON: userJSON) else {
            throw .invalidResponse("response is missing the user")
        }
        self.user = user
        self.organizationId = json["organization_id"]?.stringValue
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.authenticationMethod = json["authentication_method"]?.stringValue
        self.impersonator = Impersonator(json: json["impersonator"])
        self.oauthTokens = json["oauth_tokens"].flatMap { $0.isNull ? nil : $0 }
    }

    /// The session authkit-nextjs seals from this response:
    /// `{accessToken, refreshToken, user, impersonator?, authenticationMethod?}`.
    public var sessionPayload: SessionPayload {
        SessionPayload(
            accessToken: accessToken, refreshToken: refreshToken, user: user,
            impersonator: impersonator, authenticationMethod: authenticationMethod)
    }
}
