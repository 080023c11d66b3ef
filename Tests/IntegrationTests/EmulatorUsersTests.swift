import Foundation
import Testing

/// `GET /user_management/users` on a real authkit-emulator: WorkOS's list shape, the API key
/// as Bearer, `limit`/`order`/cursors and filters over the built-in seed.
@Suite struct EmulatorUsersTests {
    static let bearer = [("Authorization", "Bearer \(EmulatorProcess.apiKey)")]
    static let ada = "user_01EMULATEADMIN0000000000", grace = "user_01EMULATEMEMBER000000000"
    static let alan = "user_01EMULATENOORG0000000000", margaret = "user_01EMULATEIMPERSONATED00"

    func list(_ emulator: EmulatorProcess, _ query: String) throws -> (status: Int, body: [String: Any]) {
        let response = try emulator.request("GET", "/user_management/users" + query, headers: Self.bearer)
        return (response.status, emulator.object(response))
    }

    func ids(_ body: [String: Any]) -> [String] {
        ((body["data"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    /// `list_metadata`, `null` as "null".
    func metadata(_ body: [String: Any]) -> [String: String] {
        let raw = body["list_metadata"] as? [String: Any] ?? [:]
        return raw.mapValues { $0 is NSNull ? "null" : ($0 as? String ?? "?") }
    }

    @Test func listsInWorkOSShapeNewestFirstByDefault() throws {
        let emulator = try EmulatorProcess()
        let (status, body) = try list(emulator, "")
        #expect(status == 200)
        #expect(body["object"] as? String == "list")
        #expect(ids(body) == [Self.margaret, Self.alan, Self.grace, Self.ada])
        #expect(metadata(body) == ["before": "null", "after": "null"])
        let user = try #require((body["data"] as? [[String: Any]])?.last)
        #expect(user["object"] as? String == "user" && user["email"] as? String == "ada@example.com")
        #expect(user["last_sign_in_at"] is NSNull)  // never signed in here
        #expect(try emulator.counters()["list_users"] == 1)
    }

    @Test func limitOrderAndCursorsPage() throws {
        let emulator = try EmulatorProcess()
        let first = try list(emulator, "?limit=1&order=asc")
        #expect(ids(first.body) == [Self.ada])
        #expect(metadata(first.body) == ["before": "null", "after": Self.ada])
        let second = try list(emulator, "?limit=2&order=asc&after=\(Self.ada)")
        #expect(ids(second.body) == [Self.grace, Self.alan])
        #expect(metadata(second.body) == ["before": Self.grace, "after": Self.alan])
        let back = try list(emulator, "?limit=2&order=asc&before=\(Self.margaret)")
        #expect(ids(back.body) == [Self.grace, Self.alan])
        let last = try list(emulator, "?limit=5&order=asc&after=\(Self.alan)")
        #expect(ids(last.body) == [Self.margaret])
        #expect(metadata(last.body) == ["before": Self.margaret, "after": "null"])
    }

    @Test func filtersByEmailAndOrganization() throws {
        let emulator = try EmulatorProcess()
        #expect(ids(try list(emulator, "?email=GRACE%40example.com").body) == [Self.grace])
        #expect(ids(try list(emulator, "?organization_id=org_01EMULATEACME00000000000&order=asc").body) == [Self.ada, Self.grace])
        #expect(ids(try list(emulator, "?organization_id=org_unknown").body).isEmpty)
    }

    @Test func signedInUsersCarryTheirLastSignIn() throws {
        let emulator = try EmulatorProcess()
        let code = try emulator.authorizationCode(loginHint: "grace@example.com")
        try emulator.request("POST", "/user_management/authenticate", json: """
            {"grant_type":"authorization_code","client_id":"\(EmulatorProcess.clientId)","client_secret":"\(EmulatorProcess.apiKey)","code":"\(code)"}
            """)
        let users = try #require(try list(emulator, "?email=grace%40example.com").body["data"] as? [[String: Any]])
        #expect((users.first?["last_sign_in_at"] as? String)?.hasSuffix("Z") == true)
    }

    @Test(arguments: [[], [("Authorization", "Bearer sk_test_wrong")], [("Authorization", "Basic c2tfdGVzdF9kZWZhdWx0Og==")]])
    func theAPIKeyIsRequired(_ headers: [(String, String)]) throws {
        let emulator = try EmulatorProcess()
        let response = try emulator.request("GET", "/user_management/users?limit=1", headers: headers)
        #expect(response.status == 401)
        #expect(emulator.object(response)["code"] as? String == "unauthorized")
    }

    @Test(arguments: ["?limit=0", "?limit=101", "?limit=ten", "?order=sideways", "?after=user_unknown"])
    func badParametersAre422(_ query: String) throws {
        let emulator = try EmulatorProcess()
        let (status, body) = try list(emulator, query)
        #expect(status == 422)
        #expect(body["code"] as? String == "invalid_request_parameters")
    }
}
