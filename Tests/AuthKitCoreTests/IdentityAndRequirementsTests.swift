import Testing
@testable import AuthKitCore

@Suite struct IdentityAndRequirementsTests {
    func session(_ claims: [(key: String, value: JSONValue)], impersonator: Impersonator? = nil) -> AuthenticatedSession {
        let user = SessionUser(apiJSON: try! JSONParser.parse(#"{"id":"user_01","email":"jane@example.com","first_name":"Jane\r\nX-Evil: 1","last_name":"Doe"}"#))!
        let payload = SessionPayload(accessToken: "header.payload.sig", refreshToken: "rt", user: user, impersonator: impersonator)
        let claims = AccessTokenClaims(payload: .object([("sub", .string("user_01")), ("exp", .int(2_000_000_000))] + claims))!
        return AuthenticatedSession(payload: payload, claims: claims, refreshed: false)
    }

    @Test func rendersEveryFieldAsHeaderAndVariable() {
        let identity = Identity(session: session([
            ("sid", .string("session_1")), ("org_id", .string("org_1")), ("role", .string("admin")),
            ("roles", .array([.string("admin"), .string("member")])), ("permissions", .array([.string("a:read"), .string("b:write")])),
            ("entitlements", .array([.string("sso")])), ("feature_flags", .array([.string("beta")])),
        ], impersonator: Impersonator(email: "admin@foocorp.com", reason: nil)))
        #expect(identity.fields.map(\.headerName) == [
            "X-AuthKit-User-Id", "X-AuthKit-User-Email", "X-AuthKit-User-First-Name", "X-AuthKit-User-Last-Name",
            "X-AuthKit-Session-Id", "X-AuthKit-Organization-Id", "X-AuthKit-Role", "X-AuthKit-Roles",
            "X-AuthKit-Permissions", "X-AuthKit-Entitlements", "X-AuthKit-Feature-Flags", "X-AuthKit-Impersonator-Email"])
        #expect(identity.fields.first?.variableName == "AUTHKIT_USER_ID")
        #expect(identity.value("ROLES") == "admin,member")
        #expect(identity.value("PERMISSIONS") == "a:read,b:write")
        #expect(identity.value("IMPERSONATOR_EMAIL") == "admin@foocorp.com")
        // A CR/LF in a user-controlled name cannot split the header.
        #expect(identity.value("USER_FIRST_NAME") == "JaneX-Evil: 1")
        #expect(identity.value("ACCESS_TOKEN") == nil)
        #expect(Identity(session: session([]), includeAccessToken: true).value("ACCESS_TOKEN") == "header.payload.sig")
    }

    @Test func requirementsAnyRoleAllPermissions() {
        let params = ["AUTHKIT_REQUIRE_ROLE": "owner, admin", "AUTHKIT_REQUIRE_PERMISSION": "a:read,b:write"]
        let requirements = Requirements { params[$0] }
        let ok = session([("role", .string("admin")), ("permissions", .array([.string("a:read"), .string("b:write")]))])
        #expect(requirements.failure(for: ok.claims) == nil)
        let noRole = session([("role", .string("member")), ("permissions", .array([.string("a:read"), .string("b:write")]))])
        #expect(requirements.failure(for: noRole.claims) != nil)
        let missing = session([("roles", .array([.string("owner")])), ("permissions", .array([.string("a:read")]))])
        #expect(requirements.failure(for: missing.claims) == "missing permission b:write")
        #expect(Requirements { _ in nil }.isEmpty)
        let org = Requirements { $0 == "AUTHKIT_REQUIRE_ORGANIZATION" ? "org_1" : nil }
        #expect(org.failure(for: session([("org_id", .string("org_2"))]).claims) != nil)
        #expect(org.failure(for: session([]).claims) != nil)
    }
}
