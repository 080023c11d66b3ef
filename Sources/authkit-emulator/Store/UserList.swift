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
        if let refused = refuseUnlessAPIKey(bearer) { return refused }
        var users = seed.users
        if let email = query["email"], !email.isEmpty { users = users.filter { $0.email.lowercased() == email.lowercased() } }
        if let organization = query["organization_id"], !organization.isEmpty {
            users = users.filter { seed.membership(user: $0.id, organization: organization) != nil }
        }
        switch ListPage.make(users, query: query, id: \.id, noun: "a user") {
        case .success(let page): return page.reply { UserJSON.make($0, lastSignInAt: lastSignIn(of: $0.id)) }
        case .failure(let error): return error.reply
        }
    }

    /// When the user last signed in on this emulator, if ever.
    private func lastSignIn(of userId: String) -> Date? {
        sessions.values.filter { $0.userId == userId }.map(\.authenticatedAt).max()
    }

}
