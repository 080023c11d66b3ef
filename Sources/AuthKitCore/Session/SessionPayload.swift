/// Who is acting on the user's behalf in an impersonated session (`{email, reason|null}`).
public struct Impersonator: Sendable, Equatable {
    public var email: String
    public var reason: String?

    public init(email: String, reason: String?) {
        self.email = email
        self.reason = reason
    }

    init?(json: JSONValue?) {
        guard let json, let email = json["email"]?.stringValue else { return nil }
        self.init(email: email, reason: json["reason"]?.stringValue)
    }

    var json: JSONValue {
        .object([("email", .string(email)), ("reason", reason.map(JSONValue.string) ?? .null)])
    }
}

/// Why a sealed session's JSON is not usable as a session.
public enum SessionPayloadError: Error, Sendable, Equatable {
    /// No `accessToken` string (includes the `{}` iron-session returns for soft errors).
    case missingAccessToken
    case missingRefreshToken
    /// No `user` object with a string `id`.
    case missingUser
}

/// The data inside the session cookie.
///
/// Reads every shape authkit-nextjs writes (spec §1.2), including the whole
/// `AuthenticationResponse` that `refreshSession()` saves, and tolerates extra keys. Writes only
/// the compact `{accessToken, refreshToken, user, impersonator?, authenticationMethod?}`.
public struct SessionPayload: Sendable, Equatable {
    public var accessToken: String
    public var refreshToken: String
    public var user: SessionUser
    public var impersonator: Impersonator?
    public var authenticationMethod: String?

    public init(
        accessToken: String, refreshToken: String, user: SessionUser,
        impersonator: Impersonator? = nil, authenticationMethod: String? = nil
    ) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.user = user
        self.impersonator = impersonator
        self.authenticationMethod = authenticationMethod
    }

    /// Reads the unsealed JSON.
    public init(json: JSONValue) throws(SessionPayloadError) {
        guard let accessToken = json["accessToken"]?.stringValue, !accessToken.isEmpty else { throw .missingAccessToken }
        guard let refreshToken = json["refreshToken"]?.stringValue, !refreshToken.isEmpty else { throw .missingRefreshToken }
        guard let userJSON = json["user"], let user = SessionUser(sessionJSON: userJSON) else { throw .missingUser }
        self.init(
            accessToken: accessToken, refreshToken: refreshToken, user: user,
            impersonator: Impersonator(json: json["impersonator"]),
            authenticationMethod: json["authenticationMethod"]?.stringValue)
    }

    /// Reads the JSON text of a session as ``init(json:)`` reads its tree, in one pass that
    /// keeps the user object as text (a check needs four of its fields). Invalid JSON is
    /// ``IronError/decryptionFailed``, as when the whole text is parsed.
    static func read(sessionJSONText text: [UInt8]) -> Result<SessionPayload, SessionReadError> {
        var accessToken: String?, refreshToken: String?, authenticationMethod: String?
        var user: Range<Int>?, impersonator: JSONValue?
        // A repeated key counts with its last value, as in the tree.
        let read = JSONParser.readObject(text) { (key: String, value: inout JSONParser) throws(JSONParseError) in
            switch key {
            case "accessToken": accessToken = try value.readString()
            case "refreshToken": refreshToken = try value.readString()
            case "user": user = try value.readRawValue()
            case "impersonator": impersonator = try value.readValue()
            case "authenticationMethod": authenticationMethod = try value.readString()
            default: _ = try value.readRawValue()
            }
        }
        guard read else { return .failure(.seal(.decryptionFailed)) }
        guard let accessToken, !accessToken.isEmpty else { return .failure(.payload(.missingAccessToken)) }
        guard let refreshToken, !refreshToken.isEmpty else { return .failure(.payload(.missingRefreshToken)) }
        guard let user, let sessionUser = SessionUser(sessionJSONText: Array(text[user])) else { return .failure(.payload(.missingUser)) }
        return .success(SessionPayload(
            accessToken: accessToken, refreshToken: refreshToken, user: sessionUser,
            impersonator: Impersonator(json: impersonator), authenticationMethod: authenticationMethod))
    }

    /// The compact shape in authkit-nextjs's key order; absent optionals are left out as
    /// `JSON.stringify` drops `undefined`.
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("accessToken", .string(accessToken)),
            ("refreshToken", .string(refreshToken)),
            ("user", user.json),
        ]
        if let impersonator { members.append(("impersonator", impersonator.json)) }
        if let authenticationMethod { members.append(("authenticationMethod", .string(authenticationMethod))) }
        return .object(members)
    }
}
