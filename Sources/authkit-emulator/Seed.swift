import Foundation

/// The emulator's data: users, organizations, memberships, impersonations, and the client.
/// Read from `--seed FILE` (JSON), or the built-in demo seed.
struct Seed: Codable, Sendable {
    struct User: Codable, Sendable {
        var id: String
        var email: String
        var first_name: String?
        var last_name: String?
        var email_verified: Bool?
        var profile_picture_url: String?
        var external_id: String?
        var metadata: [String: String]?
    }

    struct Organization: Codable, Sendable {
        var id: String
        var name: String
        var entitlements: [String]?
        var feature_flags: [String]?
    }

    struct Membership: Codable, Sendable {
        var user_id: String
        var organization_id: String
        var role: String?
        var roles: [String]?
        var permissions: [String]?
    }

    struct Impersonation: Codable, Sendable {
        var user_id: String
        var impersonator_email: String
        var reason: String?
    }

    var client_id: String?
    var api_key: String?
    var redirect_uris: [String]?
    var users: [User]
    var organizations: [Organization]?
    var memberships: [Membership]?
    var impersonations: [Impersonation]?

    /// A usable demo: an admin in an organization, a member, and a user without one.
    static let builtIn = Seed(
        client_id: nil, api_key: nil, redirect_uris: nil,
        users: [
            User(id: "user_01EMULATEADMIN0000000000", email: "ada@example.com", first_name: "Ada", last_name: "Lovelace", email_verified: true),
            User(id: "user_01EMULATEMEMBER000000000", email: "grace@example.com", first_name: "Grace", last_name: "Hopper", email_verified: true),
            User(id: "user_01EMULATENOORG0000000000", email: "alan@example.com", first_name: "Alan", last_name: "Turing", email_verified: false),
        ],
        organizations: [
            Organization(id: "org_01EMULATEACME00000000000", name: "Acme", entitlements: ["audit-logs"], feature_flags: ["beta-dashboard"]),
            Organization(id: "org_01EMULATEGLOBEX000000000", name: "Globex", entitlements: [], feature_flags: []),
        ],
        memberships: [
            Membership(user_id: "user_01EMULATEADMIN0000000000", organization_id: "org_01EMULATEACME00000000000",
                       role: "admin", roles: ["admin"], permissions: ["posts:read", "posts:write", "users:manage"]),
            Membership(user_id: "user_01EMULATEADMIN0000000000", organization_id: "org_01EMULATEGLOBEX000000000",
                       role: "member", roles: ["member"], permissions: ["posts:read"]),
            Membership(user_id: "user_01EMULATEMEMBER000000000", organization_id: "org_01EMULATEACME00000000000",
                       role: "member", roles: ["member"], permissions: ["posts:read"]),
        ],
        impersonations: [])

    static func load(path: String) throws -> Seed {
        try JSONDecoder().decode(Seed.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func user(id: String) -> User? { users.first { $0.id == id } }
    func user(email: String) -> User? { users.first { $0.email.lowercased() == email.lowercased() } }
    func organization(id: String) -> Organization? { organizations?.first { $0.id == id } }
    func memberships(of userId: String) -> [Membership] { (memberships ?? []).filter { $0.user_id == userId } }
    func membership(_ userId: String, _ organizationId: String) -> Membership? {
        memberships(of: userId).first { $0.organization_id == organizationId }
    }
}
