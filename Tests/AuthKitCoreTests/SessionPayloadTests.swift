import Foundation
import Testing
@testable import AuthKitCore

@Suite struct SessionPayloadTests {
    nonisolated(unsafe) static let vectors: [[String: Any]] = (try? SharedVectors.json("iron-vectors.json") as? [[String: Any]]) ?? []

    /// Every authkit-shaped vector reads as a session, and the compact shapes written by
    /// authkit's callback and middleware come back byte for byte.
    @Test(arguments: vectors.indices.filter { (vectors[$0]["id"] as! String).hasPrefix("authkit-") || vectors[$0]["id"] as! String == "large-session" })
    func readsAuthkitShapes(_ index: Int) throws {
        let vector = Self.vectors[index]
        let text = vector["plaintext_json"] as! String
        let payload = try SessionPayload(json: JSONParser.parse(text))
        #expect(payload.user.id == "user_01H5JQDV7R7ATEYZDEG0W5PRYS")
        if (vector["id"] as! String) != "authkit-refreshSession-shape" {
            #expect(JSONWriter.string(payload.json) == text, "\(vector["id"]!)")
        } else {
            // The whole-response shape is rewritten compactly: no organizationId, no extras.
            #expect(payload.json.objectValue?.map(\.key) == ["accessToken", "refreshToken", "user"])
        }
    }

    @Test func impersonatorAndMethodAreKept() throws {
        let vector = Self.vectors.first { $0["id"] as? String == "authkit-impersonation" }!
        let payload = try SessionPayload(json: JSONParser.parse(vector["plaintext_json"] as! String))
        #expect(payload.impersonator == Impersonator(email: "admin@foocorp.com", reason: "Investigating support ticket #4521"))
        #expect(payload.authenticationMethod == "Impersonation")
    }

    @Test func rejectsPayloadsThatAreNotSessions() {
        #expect(throws: SessionPayloadError.missingAccessToken) { try SessionPayload(json: .object([])) }
        #expect(throws: SessionPayloadError.missingRefreshToken) {
            try SessionPayload(json: JSONParser.parse(#"{"accessToken":"a"}"#))
        }
        #expect(throws: SessionPayloadError.missingUser) {
            try SessionPayload(json: JSONParser.parse(#"{"accessToken":"a","refreshToken":"r","user":{"email":"x"}}"#))
        }
        #expect(throws: SessionPayloadError.missingAccessToken) { try SessionPayload(json: JSONParser.parse(#"{"accessToken":5}"#)) }
    }

    @Test func apiUserConversionDropsAbsentFieldsAndDefaultsLikeTheSDK() throws {
        let user = try #require(SessionUser(apiJSON: JSONParser.parse(#"{"id":"user_1","email":"a@b.c","first_name":"A","extra":1}"#)))
        #expect(JSONWriter.string(user.json) == #"{"object":"user","id":"user_1","email":"a@b.c","name":null,"firstName":"A","externalId":null,"metadata":{}}"#)
        #expect(JSONWriter.string(user.slimmed().json) == #"{"object":"user","id":"user_1","email":"a@b.c","firstName":"A"}"#)
    }

    @Test func sealedSessionOpensWithTheIronVectorsAlgorithm() throws {
        // A cookie we write must open with the vectors' password through plain iron-session
        // rules (id 1, ~2), as a Next.js app would open it.
        let clock = FixedClock(millis: 1_785_000_000_123)
        let sealer = SessionSealer(password: Fixtures.password, clock: clock, random: SecureRandom())
        let vector = Self.vectors.first { $0["id"] as? String == "authkit-basic-ttl0" }!
        let payload = try SessionPayload(json: JSONParser.parse(vector["plaintext_json"] as! String))
        let sealed = sealer.sealSession(payload)
        #expect(sealed.hasPrefix("Fe26.2*1*") && sealed.hasSuffix("~2"))
        let components = sealed.dropLast(2).split(separator: "*", omittingEmptySubsequences: false)
        #expect(components.count == 8 && components[5].isEmpty)
        let opened = try IronSession.unseal(sealed, passwords: { $0 == "1" ? [vector["password"] as! String] : [] }, now: clock.millis + 10 * 365 * 86_400_000)
        #expect(JSONWriter.string(opened.value) == vector["plaintext_json"] as! String)
    }
}
