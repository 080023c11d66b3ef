/// A WorkOS API key as `POST /api_keys/validations` describes it (workos-node's `ApiKey`, the
/// Python SDK's `ApiKey`): what the check learns about a key it was shown. Never the value.
public struct ApiKey: Sendable, Equatable {
    /// `api_key_…`.
    public var id: String
    public var name: String
    /// `owner.type`: `organization` for organization keys (the only kind a check allows).
    public var ownerType: String
    /// `owner.id`: the organization (or user) the key belongs to.
    public var ownerId: String
    /// The permission slugs given to the key.
    public var permissions: [String]

    public init(id: String, name: String, ownerType: String, ownerId: String, permissions: [String]) {
        self.id = id
        self.name = name
        self.ownerType = ownerType
        self.ownerId = ownerId
        self.permissions = permissions
    }

    /// Reads WorkOS's `api_key` object; nil when a required field is missing or mistyped.
    public init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, !id.isEmpty,
              let owner = json["owner"], let ownerType = owner["type"]?.stringValue, let ownerId = owner["id"]?.stringValue
        else { return nil }
        self.id = id
        self.name = json["name"]?.stringValue ?? ""
        self.ownerType = ownerType
        self.ownerId = ownerId
        self.permissions = json["permissions"]?.stringArrayValue ?? []
    }

    /// Whether an organization owns the key.
    public var isOrganizationKey: Bool { ownerType.utf8.elementsEqual("organization".utf8) }

    /// The answer of `POST /api_keys/validations`: `{"api_key": {…}}` for a valid key,
    /// `{"api_key": null}` for one that is unknown, expired or deleted.
    public static func validation(json: JSONValue) throws(WorkOSError) -> ApiKey? {
        guard case .object = json, let field = json["api_key"] else { throw .invalidResponse("validation answer has no api_key") }
        if field.isNull { return nil }
        guard let key = ApiKey(json: field) else { throw .invalidResponse("api_key is missing its id or owner") }
        return key
    }

    /// The form kept in a shared cache (Redis): the fields the check uses, as JSON.
    public var json: JSONValue {
        .object([
            ("id", .string(id)), ("name", .string(name)),
            ("owner", .object([("type", .string(ownerType)), ("id", .string(ownerId))])),
            ("permissions", .array(permissions.map(JSONValue.string))),
        ])
    }
}
