/// The signed-in user as authkit-nextjs seals it: workos-node's camelCase `User` object with its
/// keys in the SDK's order, kept as ordered JSON so that re-sealing writes exactly what was read.
public struct SessionUser: Sendable, Equatable {
    /// The user object, camelCase keys (`object`, `id`, `email`, `emailVerified`, …). Read
    /// from a cookie it is kept as text and built when first asked for (a re-seal, the session
    /// endpoint): a check needs only the fields below.
    public var json: JSONValue { source.value }

    private var source: LazyJSON

    public let id: String
    public let email: String?
    public let firstName: String?
    public let lastName: String?

    private init?(parsed json: JSONValue) {
        guard case .object = json, let id = json["id"]?.stringValue, !id.isEmpty else { return nil }
        self.source = LazyJSON(json)
        self.id = id
        self.email = json["email"]?.stringValue
        self.firstName = json["firstName"]?.stringValue
        self.lastName = json["lastName"]?.stringValue
    }

    /// Reads a user from the JSON text of its object in a cookie, in one pass that builds only
    /// the fields above; what ``init(sessionJSON:)`` would read from the parsed text. Nil when
    /// the text is not an object with a non-empty string `id` (or not JSON).
    init?(sessionJSONText text: [UInt8]) {
        var id: String?, email: String?, firstName: String?, lastName: String?
        // A repeated key counts with its last value, as in the tree.
        let read = JSONParser.readObject(text) { (key: String, value: inout JSONParser) throws(JSONParseError) in
            switch key {
            case "id": id = try value.readString()
            case "email": email = try value.readString()
            case "firstName": firstName = try value.readString()
            case "lastName": lastName = try value.readString()
            default: _ = try value.readRawValue()
            }
        }
        guard read, let id, !id.isEmpty else { return nil }
        self.source = LazyJSON(objectText: text)
        self.id = id
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
    }

    /// The order and names of workos-node's `deserializeUser` (API snake_case → SDK camelCase).
    static let sdkFields: [(api: String, sdk: String)] = [
        ("object", "object"), ("id", "id"), ("email", "email"), ("email_verified", "emailVerified"),
        ("name", "name"), ("first_name", "firstName"), ("profile_picture_url", "profilePictureUrl"),
        ("last_name", "lastName"), ("last_sign_in_at", "lastSignInAt"), ("locale", "locale"),
        ("created_at", "createdAt"), ("updated_at", "updatedAt"), ("external_id", "externalId"),
        ("metadata", "metadata"),
    ]

    /// Reads a user already in the SDK's camelCase shape (from a cookie). Requires a string `id`.
    public init?(sessionJSON: JSONValue) {
        self.init(parsed: sessionJSON)
    }

    /// Converts the API's snake_case user exactly as workos-node's `deserializeUser` does:
    /// `object` is `user`, `name` and `externalId` default to null, `metadata` to `{}`, other
    /// absent fields stay absent (`JSON.stringify` drops `undefined`).
    public init?(apiJSON: JSONValue) {
        guard case .object = apiJSON, let id = apiJSON["id"]?.stringValue, !id.isEmpty else { return nil }
        var members: [(key: String, value: JSONValue)] = []
        for field in Self.sdkFields {
            var value = apiJSON[field.api]
            switch field.sdk {
            case "object": value = .string("user")
            case "name", "externalId": value = value ?? .null
            case "metadata": value = value ?? .object([])
            default: break
            }
            if let value { members.append((field.sdk, value)) }
        }
        self.init(parsed: .object(members))
    }

    public var name: String? { json["name"]?.stringValue }
    public var emailVerified: Bool? { json["emailVerified"]?.boolValue }
    public var profilePictureUrl: String? { json["profilePictureUrl"]?.stringValue }

    /// The same user without the fields a session can live without, for when a cookie would
    /// otherwise exceed the browser's limit. Keeps `object`, `id`, `email`, names and `emailVerified`.
    public func slimmed() -> SessionUser {
        let keep: Set<String> = ["object", "id", "email", "emailVerified", "firstName", "lastName"]
        guard case .object(let members) = json else { return self }
        return SessionUser(parsed: .object(members.filter { keep.contains($0.key) })) ?? self
    }
}
