import Foundation

/// An organization API key (WorkOS "API Keys"): its value is shown once, at creation; WorkOS
/// (and the emulator) validate it by value. Deleted keys are gone; expired keys stay listed.
struct ApiKeyRecord: Sendable {
    let id: String
    let organizationId: String
    let name: String
    let value: String
    let permissions: [String]
    let createdAt: Date
    var updatedAt: Date
    var expiresAt: Date?
    var lastUsedAt: Date?

    /// `sk_…` with the last four characters, as the dashboard shows a key.
    var obfuscatedValue: String { "sk_…" + value.suffix(4) }

    func isExpired(at now: Date) -> Bool { expiresAt.map { $0 <= now } ?? false }

    /// The `ApiKey` object of the WorkOS API (the SDKs' `ApiKey` / `OrganizationApiKey`).
    var json: JSONValue {
        [
            "object": "api_key", "id": .string(id),
            "owner": ["type": "organization", "id": .string(organizationId)],
            "name": .string(name), "obfuscated_value": .string(obfuscatedValue),
            "last_used_at": JSONValue(lastUsedAt.map(UserJSON.timestamp)),
            "expires_at": JSONValue(expiresAt.map(UserJSON.timestamp)),
            "permissions": JSONValue(permissions),
            "created_at": .string(UserJSON.timestamp(createdAt)), "updated_at": .string(UserJSON.timestamp(updatedAt)),
        ]
    }
}

/// The API-key endpoints, transport-free. Every one needs the API key as `Authorization: Bearer`.
extension StoreState {
    /// `POST /organizations/{id}/api_keys` `{"name", "permissions"?, "expires_at"?}` → the key
    /// with its `value` (the only time it is shown).
    mutating func createApiKey(organizationId: String, _ body: JSONValue?, bearer: String?) -> APIReply {
        counters.bump("api_key_create")
        if let refused = refuseUnlessAPIKey(bearer) { return refused }
        guard seed.organization(id: organizationId) != nil else {
            return .error(404, code: "entity_not_found", message: "Could not find an organization with ID '\(organizationId)'.")
        }
        guard let name = body?["name"]?.stringValue, !name.isEmpty else {
            return .error(422, code: "invalid_request_parameters", message: "name is required.")
        }
        var permissions: [String] = []
        if let given = body?["permissions"], given != .null {
            let items: [JSONValue] = if case .array(let items) = given { items } else { [.null] }
            permissions = items.compactMap(\.stringValue)
            guard permissions.count == items.count else {
                return .error(422, code: "invalid_request_parameters", message: "permissions must be a list of permission slugs.")
            }
        }
        var expiresAt: Date?
        if let given = body?["expires_at"], given != .null {
            guard let text = given.stringValue, let date = Self.parseTimestamp(text), date > now else {
                return .error(422, code: "invalid_request_parameters", message: "expires_at must be a future ISO 8601 timestamp.")
            }
            expiresAt = date
        }
        let record = ApiKeyRecord(id: Identifiers.ulid("api_key_"), organizationId: organizationId, name: name,
                                  value: "sk_" + Identifiers.secret(), permissions: permissions, createdAt: now, updatedAt: now,
                                  expiresAt: expiresAt, lastUsedAt: nil)
        apiKeys.append(record)
        guard case .object(var object) = record.json else { return .ok(record.json) }
        object["value"] = .string(record.value)
        return APIReply(status: 201, body: .object(object))
    }

    /// `GET /organizations/{id}/api_keys`: WorkOS's list shape (``ListPage``), keys without values.
    mutating func listApiKeys(organizationId: String, _ query: [String: String], bearer: String?) -> APIReply {
        counters.bump("api_key_list")
        if let refused = refuseUnlessAPIKey(bearer) { return refused }
        guard seed.organization(id: organizationId) != nil else {
            return .error(404, code: "entity_not_found", message: "Could not find an organization with ID '\(organizationId)'.")
        }
        switch ListPage.make(apiKeys.filter { $0.organizationId == organizationId }, query: query, id: \.id, noun: "an API key") {
        case .success(let page): return page.reply(\.json)
        case .failure(let error): return error.reply
        }
    }

    /// `POST /api_keys/validations` `{"value"}` → `{"api_key": {…}}`, or `{"api_key": null}`
    /// for a value that is unknown, expired or deleted.
    mutating func validateApiKey(_ body: JSONValue?, bearer: String?) -> APIReply {
        counters.bump("api_key_validations")
        if let refused = refuseUnlessAPIKey(bearer) { return refused }
        guard let value = body?["value"]?.stringValue, !value.isEmpty else {
            return .error(422, code: "invalid_request_parameters", message: "value is required.")
        }
        let moment = now
        guard let index = apiKeys.firstIndex(where: { $0.value == value }), !apiKeys[index].isExpired(at: moment) else {
            counters.bump("api_key_validations.invalid")
            return .ok(["api_key": .null])
        }
        apiKeys[index].lastUsedAt = moment
        return .ok(["api_key": apiKeys[index].json])
    }

    /// `POST /api_keys/{id}/expire` `{"expires_at"?}`: now when absent or past, that time when
    /// in the future, no expiry for `null`. Returns the key.
    mutating func expireApiKey(id: String, _ body: JSONValue?, bearer: String?) -> APIReply {
        counters.bump("api_key_expire")
        if let refused = refuseUnlessAPIKey(bearer) { return refused }
        guard let index = apiKeys.firstIndex(where: { $0.id == id }) else { return notFound(id) }
        let moment = now
        switch body?["expires_at"] {
        case nil: apiKeys[index].expiresAt = moment
        case .null?: apiKeys[index].expiresAt = nil
        case let given?:
            guard let text = given.stringValue, let date = Self.parseTimestamp(text) else {
                return .error(422, code: "invalid_request_parameters", message: "expires_at must be an ISO 8601 timestamp or null.")
            }
            apiKeys[index].expiresAt = max(date, moment)
        }
        apiKeys[index].updatedAt = moment
        return .ok(apiKeys[index].json)
    }

    /// `DELETE /api_keys/{id}`: gone for good; 204.
    mutating func deleteApiKey(id: String, bearer: String?) -> APIReply {
        counters.bump("api_key_delete")
        if let refused = refuseUnlessAPIKey(bearer) { return refused }
        guard let index = apiKeys.firstIndex(where: { $0.id == id }) else { return notFound(id) }
        apiKeys.remove(at: index)
        return APIReply(status: 204, body: .null)
    }

    /// 401 `unauthorized` unless `bearer` is the emulator's API key (counted as an error).
    mutating func refuseUnlessAPIKey(_ bearer: String?) -> APIReply? {
        guard bearer != settings.apiKey else { return nil }
        counters.bump("errors.unauthorized")
        return .error(401, code: "unauthorized", message: "Invalid API key.")
    }

    private func notFound(_ id: String) -> APIReply {
        .error(404, code: "entity_not_found", message: "Could not find an API key with ID '\(id)'.")
    }


    /// ISO 8601, with or without fractional seconds.
    static func parseTimestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
