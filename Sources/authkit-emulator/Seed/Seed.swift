/// The emulator's world: users, organizations, memberships, impersonations, and optionally
/// the client (ID, API key, redirect URIs). Read from `--seed FILE` or `Seed.builtIn`.
///
/// The file is WorkOS-style snake_case JSON:
///
/// ```json
/// {"client_id": "client_emulate", "api_key": "sk_test_default",
///  "redirect_uris": ["http://localhost:8080/auth/callback"],
///  "users": [{"id": "user_1", "email": "jo@example.com", "first_name": "Jo", "metadata": {"plan": "pro"}}],
///  "organizations": [{"id": "org_1", "name": "One", "entitlements": ["sso"], "feature_flags": ["beta"],
///                     "sso_required": false}],
///  "memberships": [{"user_id": "user_1", "organization_id": "org_1", "role": "admin",
///                   "roles": ["admin"], "permissions": ["posts:write"]}],
///  "impersonations": [{"user_id": "user_1", "impersonator_email": "support@example.com", "reason": "Ticket 42"}]}
/// ```
struct Seed: Codable, Sendable, Equatable {
    struct User: Codable, Sendable, Equatable {
        var id: String
        var email: String
        var firstName: String?
        var lastName: String?
        var emailVerified: Bool?
        var profilePictureUrl: String?
        var locale: String?
        var externalId: String?
        var metadata: [String: String]?
    }

    struct Organization: Codable, Sendable, Equatable {
        var id: String
        var name: String
        var entitlements: [String]?
        var featureFlags: [String]?
        /// Members must sign in with SSO: switching a session into it answers `sso_required`.
        var ssoRequired: Bool?
    }

    /// A user's place in an organization; `role` defaults to `member`, `roles` to `[role]`.
    struct Membership: Codable, Sendable, Equatable {
        var userId: String
        var organizationId: String
        var role: String?
        var roles: [String]?
        var permissions: [String]?

        var roleName: String { role ?? roles?.first ?? "member" }
        var roleNames: [String] { roles ?? [roleName] }
    }

    /// Sessions of `userId` are impersonated by `impersonatorEmail` (dashboard impersonation).
    struct Impersonation: Codable, Sendable, Equatable {
        var userId: String
        var impersonatorEmail: String
        var reason: String?
    }

    var clientId: String?
    var apiKey: String?
    var redirectUris: [String]?
    var users: [User]
    var organizations: [Organization]?
    var memberships: [Membership]?
    var impersonations: [Impersonation]?

    func user(id: String) -> User? { users.first { $0.id == id } }
    func user(email: String) -> User? { users.first { $0.email.lowercased() == email.lowercased() } }
    func organization(id: String) -> Organization? { organizations?.first { $0.id == id } }
    func memberships(of userId: String) -> [Membership] { (memberships ?? []).filter { $0.userId == userId } }
    func membership(user userId: String, organization organizationId: String) -> Membership? {
        memberships(of: userId).first { $0.organizationId == organizationId }
    }
    func impersonation(of userId: String) -> Impersonation? { impersonations?.first { $0.userId == userId } }
}
