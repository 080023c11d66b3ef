/// The claims of a WorkOS access token that authkit reads (spec §2.2, §7.4), typed.
public struct AccessTokenClaims: Sendable, Equatable {
    /// User id; must equal the sealed `user.id`.
    public var subject: String
    /// `sid`: the WorkOS session id, needed for sign-out.
    public var sessionId: String?
    /// `org_id`.
    public var organizationId: String?
    public var role: String?
    public var roles: [String]
    public var permissions: [String]
    public var entitlements: [String]
    /// `feature_flags`.
    public var featureFlags: [String]
    /// `act.sub`: who is impersonating the user, when someone is.
    public var actor: String?
    /// `exp` in seconds since the epoch.
    public var expiresAt: Int64
    /// `iat`, when present.
    public var issuedAt: Int64?
    /// `nbf`, when present.
    public var notBefore: Int64?
    /// `auth_time`, when present.
    public var authTime: Int64?
    /// The whole payload, for claims added by JWT templates.
    public var payload: JSONValue

    /// A NumericDate in whole seconds, clamped to ±10¹⁵ (tens of millions of years) so that no
    /// later arithmetic can overflow: a JSON number such as 1e300 must not trap (found by fuzzing).
    static func seconds(_ value: JSONValue) -> Int64? {
        let limit: Int64 = 1_000_000_000_000_000
        if let integer = value.int64Value { return min(max(integer, -limit), limit) }
        guard let double = value.doubleValue, double.isFinite else { return nil }
        return Int64(min(max(double.rounded(.down), -Double(limit)), Double(limit)))
    }

    /// Reads the payload. Fails when `sub` or `exp` is missing or of the wrong type, or when a
    /// present `iat`/`nbf` is not a number (jose rejects those too).
    public init?(payload: JSONValue) {
        guard case .object = payload,
              let subject = payload["sub"]?.stringValue,
              let exp = payload["exp"], let expiresAt = Self.seconds(exp) else {
            return nil
        }
        if let iat = payload["iat"], iat.doubleValue == nil { return nil }
        if let nbf = payload["nbf"], nbf.doubleValue == nil { return nil }
        self.subject = subject
        self.sessionId = payload["sid"]?.stringValue
        self.organizationId = payload["org_id"]?.stringValue
        self.role = payload["role"]?.stringValue
        self.roles = payload["roles"]?.stringArrayValue ?? []
        self.permissions = payload["permissions"]?.stringArrayValue ?? []
        self.entitlements = payload["entitlements"]?.stringArrayValue ?? []
        self.featureFlags = payload["feature_flags"]?.stringArrayValue ?? []
        self.actor = payload["act"]?["sub"]?.stringValue
        self.expiresAt = expiresAt
        self.issuedAt = payload["iat"].flatMap(Self.seconds)
        self.notBefore = payload["nbf"].flatMap(Self.seconds)
        self.authTime = payload["auth_time"].flatMap(Self.seconds)
        self.payload = payload
    }
}
