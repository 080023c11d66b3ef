extension Seed {
    /// The demo world served when no `--seed` is given: an admin in two organizations, a member,
    /// a user without an organization, and an impersonated session. Initech requires SSO: a
    /// session switched into it gets `sso_required` unless it signed in into Initech.
    ///
    /// | user | email | memberships |
    /// |---|---|---|
    /// | Ada Lovelace | ada@example.com | Acme `admin` (posts:read, posts:write, users:manage), Globex `member`, Initech `member` |
    /// | Grace Hopper | grace@example.com | Acme `member` (posts:read) |
    /// | Alan Turing | alan@example.com | none (email not verified) |
    /// | Margaret Hamilton | margaret@example.com | Globex `member`, impersonated by support@example.com |
    static let builtIn = Seed(
        clientId: nil, apiKey: nil, redirectUris: nil,
        users: [
            User(id: "user_01EMULATEADMIN0000000000", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace",
                 emailVerified: true, metadata: ["department": "engineering"]),
            User(id: "user_01EMULATEMEMBER000000000", email: "grace@example.com", firstName: "Grace", lastName: "Hopper",
                 emailVerified: true),
            User(id: "user_01EMULATENOORG0000000000", email: "alan@example.com", firstName: "Alan", lastName: "Turing",
                 emailVerified: false),
            User(id: "user_01EMULATEIMPERSONATED00", email: "margaret@example.com", firstName: "Margaret", lastName: "Hamilton",
                 emailVerified: true),
        ],
        organizations: [
            Organization(id: "org_01EMULATEACME00000000000", name: "Acme", entitlements: ["audit-logs"], featureFlags: ["beta-dashboard"]),
            Organization(id: "org_01EMULATEGLOBEX000000000", name: "Globex", entitlements: [], featureFlags: []),
            Organization(id: "org_01EMULATEINITECH00000000", name: "Initech", entitlements: [], featureFlags: [], ssoRequired: true),
        ],
        memberships: [
            Membership(userId: "user_01EMULATEADMIN0000000000", organizationId: "org_01EMULATEACME00000000000",
                       role: "admin", roles: ["admin"], permissions: ["posts:read", "posts:write", "users:manage"]),
            Membership(userId: "user_01EMULATEADMIN0000000000", organizationId: "org_01EMULATEGLOBEX000000000",
                       role: "member", roles: ["member"], permissions: ["posts:read"]),
            Membership(userId: "user_01EMULATEADMIN0000000000", organizationId: "org_01EMULATEINITECH00000000",
                       role: "member", roles: ["member"], permissions: ["posts:read"]),
            Membership(userId: "user_01EMULATEMEMBER000000000", organizationId: "org_01EMULATEACME00000000000",
                       role: "member", roles: ["member"], permissions: ["posts:read"]),
            Membership(userId: "user_01EMULATEIMPERSONATED00", organizationId: "org_01EMULATEGLOBEX000000000",
                       role: "member", roles: ["member"], permissions: ["posts:read"]),
        ],
        impersonations: [
            Impersonation(userId: "user_01EMULATEIMPERSONATED00", impersonatorEmail: "support@example.com",
                          reason: "Demo: a support engineer signed in as this user"),
        ])
}
