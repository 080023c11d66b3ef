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
            "X-AuthKit-Permissions", "X-AuthKit-Entitlements", "X-AuthKit-Feature-Flags", "X-AuthKit-Impersonator-Email",
            "X-AuthKit-Api-Key-Id", "X-AuthKit-Api-Key-Name"])
        // A session is no API key: those fields are there, empty, so no stale value survives.
        #expect(identity.value("API_KEY_ID") == "" && identity.value("API_KEY_NAME") == "")
        #expect(identity.fields.first?.variableName == "AUTHKIT_USER_ID")
        #expect(identity.value("ROLES") == "admin,member")
        #expect(identity.value("PERMISSIONS") == "a:read,b:write")
        #expect(identity.value("IMPERSONATOR_EMAIL") == "admin@foocorp.com")
        // A CR/LF in a user-controlled name cannot split the header.
        #expect(identity.value("USER_FIRST_NAME") == "JaneX-Evil: 1")
        #expect(identity.value("ACCESS_TOKEN") == nil)
        #expect(Identity(session: session([]), includeAccessToken: true).value("ACCESS_TOKEN") == "header.payload.sig")
    }

    @Test func theControlCharacterScanAgreesWithABytewiseOneAtEveryPosition() {
        for length in 0...19 {
            for position in 0..<max(length, 1) {
                for value in 0...255 {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    if length > 0 { bytes[position] = UInt8(value) }
                    let expected = bytes.contains { $0 < 0x20 || $0 == 0x7F }
                    #expect(bytes.withUnsafeBufferPointer(Identity.hasControlCharacter) == expected, "\(length) \(position) \(value)")
                }
            }
        }
        // Multi-byte characters (high bytes) next to controls and not.
        #expect(Identity.headerSafe("é\u{7F}日本\u{1}x") == "é日本x")
        #expect(Identity.headerSafe("ééééééééé") == "ééééééééé")
    }

    @Test func commaJoinedCopiesEveryItem() {
        #expect(Identity.commaJoined([]) == "")
        #expect(Identity.commaJoined(["only"]) == "only")
        #expect(Identity.commaJoined(["", "a", ""]) == ",a,")
        let many = (1...40).map { "resource_\($0):read-é" }
        #expect(Identity.commaJoined(many) == many.joined(separator: ","))
    }

    @Test func requirementsAnyRoleAllPermissions() {
        let params = ["AUTHKIT_REQUIRE_ROLE": "owner, admin", "AUTHKIT_REQUIRE_PERMISSION": "a:read,b:write"]
        let requirements = Requirements { params[$0] }
        let ok = session([("role", .string("admin")), ("permissions", .array([.string("a:read"), .string("b:write")]))])
        #expect(requirements.failure(for: ok.claims) == nil)
        let noRole = session([("role", .string("member")), ("permissions", .array([.string("a:read"), .string("b:write")]))])
        #expect(requirements.failure(for: noRole.claims) != nil)
        let missing = session([("roles", .array([.string("owner")])), ("permissions", .array([.string("a:read")]))])
        #expect(requirements.failure(for: missing.claims) == .permission("b:write"))
        #expect(requirements.failure(for: missing.claims)?.description == "missing permission b:write")
        #expect(Requirements { _ in nil }.isEmpty)
        let org = Requirements { $0 == "AUTHKIT_REQUIRE_ORGANIZATION" ? "org_1" : nil }
        #expect(org.failure(for: session([("org_id", .string("org_2"))]).claims) != nil)
        #expect(org.failure(for: session([]).claims) != nil)
    }
}
