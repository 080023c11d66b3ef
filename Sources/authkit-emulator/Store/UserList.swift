import Foundation

/// `GET /user_management/users`, transport-free: WorkOS's list endpoint over the seeded users.
extension StoreState {
    /// Answers a list-users call from its query and Bearer key, as WorkOS does:
    ///
    /// - the API key as `Authorization: Bearer` (401 otherwise);
    /// - filters `email` (exact, case-insensitive) and `organization_id` (members only);
    /// - `limit` 1…100 (default 10), `order` `desc` (default, newest first) or `asc` by creation,
    ///   which for seeded users is their order in the seed; cursors `before`/`after` (a user ID);
    /// - `{"object": "list", "data": [user…], "list_metadata": {"before": id|null, "after": id|null}}`.
    mutating func listUsers(_ query: [String: String], bearer: String?) -> APIReply {
        counters.bump("list_users")
        guard bearer == settings.apiKey else {
            counters.bump("errors.unauthorized")
            return .error(401, code: "unauthorized", message: "Invalid API key.")
        }
        let limitText = query["limit"] ?? "10"
        guard let limit = Int(limitText), (1...100).contains(limit) else {
            return .error(422, code: "invalid_request_parameters", message: "limit must be a number from 1 to 100.")
        }
        let order = query["order"] ?? "desc"
        guard order == "asc" || order == "desc" else {
            return .error(422, code: "invalid_request_parameters", message: "order must be asc or desc.")
        }
        var users = order == "asc" ? seed.users : seed.users.reversed()
        if let email = query["email"], !email.isEmpty { users = users.filter { $0.email.lowercased() == email.lowercased() } }
        if let organization = query["organization_id"], !organization.isEmpty {
            users = users.filter { seed.membership(user: $0.id, organization: organization) != nil }
        }

        let page: ArraySlice<Seed.User>
        if let after = query["after"], !after.isEmpty {
            guard let index = users.firstIndex(where: { $0.id == after }) else { return unknownCursor(after) }
            page = users[(index + 1)...].prefix(limit)
        } else if let before = query["before"], !before.isEmpty {
            guard let index = users.firstIndex(where: { $0.id == before }) else { return unknownCursor(before) }
            page = users[..<index].suffix(limit)
        } else {
            page = users.prefix(limit)
        }
        let data = page.map { UserJSON.make($0, lastSignInAt: lastSignIn(of: $0.id)) }
        let metadata: JSONValue = [
            "before": page.first.flatMap { $0.id == users.first?.id ? nil : $0.id }.map(JSONValue.string) ?? .null,
            "after": page.last.flatMap { $0.id == users.last?.id ? nil : $0.id }.map(JSONValue.string) ?? .null,
        ]
        return .ok(["object": "list", "data": .array(data), "list_metadata": metadata])
    }

    /// When the user last signed in on this emulator, if ever.
    private func lastSignIn(of userId: String) -> Date? {
        sessions.values.filter { $0.userId == userId }.map(\.authenticatedAt).max()
    }

    private func unknownCursor(_ id: String) -> APIReply {
        .error(422, code: "invalid_request_parameters", message: "The cursor '\(id)' is not a user in this list.")
    }
}
