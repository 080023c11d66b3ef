/// The signed-in user as authkit-nextjs seals it: workos-node's camelCase `User` object with its
/// keys in the SDK's order, kept as ordered JSON so that re-sealing writes exactly what was read.
public struct SessionUser: Sendable, Equatable {
    /// The user object, camelCase keys (`object`, `id`, `email`, `emailVerified`, …).
    public private(set) var json: JSONValue

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
        guard case .object = sessionJSON, let id = sessionJSON["id"]?.stringValue, !id.isEmpty else { return nil }
        self.json = sessionJSON
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
        self.json = .object(members)
    }

    public var id: String { json["id"]?.stringValue ?? "" }
    public var email: String? { json["email"]?.stringValue }
    public var firstName: String? { json["firstName"]?.stringValue }
    public var lastName: String? { json["lastName"]?.stringValue }
    public var name: String? { json["name"]?.stringValue }
    public var emailVerified: Bool? { json["emailVerified"]?.boolValue }
    public var profilePictureUrl: String? { json["profilePictureUrl"]?.stringValue }

    /// The same user without the fields a session can live without, for when a cookie would
    /// otherwise exceed the browser's limit. Keeps `object`, `id`, `email`, names and `emailVerified`.
    public func slimmed() -> SessionUser {
        let keep: Set<String> = ["object", "id", "email", "emailVerified", "firstName", "lastName"]
        guard case .object(let members) = json else { return self }
        var copy = self
        copy.json = .object(members.filter { keep.contains($0.key) })
        return copy
    }
}
