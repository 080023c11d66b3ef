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
    /// `auth_time`, when present: when the user signed in (kept across refreshes).
    public var authTime: Int64?
    /// `iss`, when present as a string; checked against ``AcceptedIssuers``.
    public var issuer: String?
    /// The whole payload, for claims added by JWT templates. Built when first asked for: a
    /// check never needs it, and the tree of a token with many permissions costs more to build
    /// and free than the claims above.
    public var payload: JSONValue {
        get { payloadSource.value }
        set { payloadSource = LazyJSON(newValue) }
    }

    private var payloadSource: LazyJSON

    /// A NumericDate in whole seconds, clamped to ±10¹⁵ (tens of millions of years) so that no
    /// later arithmetic can overflow: a JSON number such as 1e300 must not trap (found by fuzzing).
    static func seconds(_ value: JSONValue) -> Int64? {
        let limit: Int64 = 1_000_000_000_000_000
        if let integer = value.int64Value { return min(max(integer, -limit), limit) }
        guard let double = value.doubleValue, double.isFinite else { return nil }
        return Int64(min(max(double.rounded(.down), -Double(limit)), Double(limit)))
    }

    /// Reads the payload. Fails when `sub` or `exp` is missing or of the wrong type, or when a
    /// present `iat`/`nbf` is not a number (jose rejects those too). The same rules as
    /// ``init(payloadJSON:)``, which reads the payload's text.
    public init?(payload: JSONValue) {
        guard case .object = payload else { return nil }
        self.init(payloadJSON: JSONWriter.bytes(payload))
        self.payloadSource = LazyJSON(payload)
    }

    /// Reads the payload from its JSON text in one pass that builds only the claims above (this runs for every check the cache cannot
    /// answer). Nil also when the text is not a JSON object.
    public init?(payloadJSON: [UInt8]) {
        var subject: String?, issuer: String?, sessionId: String?, organizationId: String?, role: String?, actor: String?
        var roles: [String]?, permissions: [String]?, entitlements: [String]?, featureFlags: [String]?
        var exp: JSONValue?, iat: JSONValue?, nbf: JSONValue?, authTime: JSONValue?
        // A repeated key counts with its last value, as JSON.parse keeps it.
        let read = JSONParser.readObject(payloadJSON) { (key: String, value: inout JSONParser) throws(JSONParseError) in
            switch key {
            case "sub": subject = try value.readString()
            case "iss": issuer = try value.readValue().stringValue
            case "sid": sessionId = try value.readString()
            case "org_id": organizationId = try value.readString()
            case "role": role = try value.readString()
            case "roles": roles = try value.readStringArray()
            case "permissions": permissions = try value.readStringArray()
            case "entitlements": entitlements = try value.readStringArray()
            case "feature_flags": featureFlags = try value.readStringArray()
            case "act": actor = try value.readValue()["sub"]?.stringValue
            case "exp": exp = try value.readValue()
            case "iat": iat = try value.readValue()
            case "nbf": nbf = try value.readValue()
            case "auth_time": authTime = try value.readValue()
            default: _ = try value.readRawValue()
            }
        }
        guard read, let subject, let exp, let expiresAt = Self.seconds(exp) else { return nil }
        if let iat, iat.doubleValue == nil { return nil }
        if let nbf, nbf.doubleValue == nil { return nil }
        self.subject = subject
        self.issuer = issuer
        self.sessionId = sessionId
        self.organizationId = organizationId
        self.role = role
        self.roles = roles ?? []
        self.permissions = permissions ?? []
        self.entitlements = entitlements ?? []
        self.featureFlags = featureFlags ?? []
        self.actor = actor
        self.expiresAt = expiresAt
        self.issuedAt = iat.flatMap(Self.seconds)
        self.notBefore = nbf.flatMap(Self.seconds)
        self.authTime = authTime.flatMap(Self.seconds)
        self.payloadSource = LazyJSON(objectText: payloadJSON)
    }
}
