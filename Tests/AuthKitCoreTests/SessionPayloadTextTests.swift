import Foundation
import Testing
@testable import AuthKitCore

/// ``SessionPayload/read(sessionJSONText:)`` reads a cookie's JSON in one pass and keeps the
/// user as text; it must agree with parsing the whole text and reading the tree.
@Suite struct SessionPayloadTextTests {
    static func viaTree(_ text: [UInt8]) -> Result<SessionPayload, SessionReadError> {
        guard let tree = try? JSONParser.parse(text) else { return .failure(.seal(.decryptionFailed)) }
        do { return .success(try SessionPayload(json: tree)) } catch { return .failure(.payload(error)) }
    }

    static let user = #"{"object":"user","id":"user_1","email":"a@b.c","emailVerified":true,"firstName":"A","lastName":"B","metadata":{"k":["v",1,null]},"name":null}"#

    static let texts: [String] = [
        #"{"accessToken":"at","refreshToken":"rt","user":\#(user)}"#,
        #"{"accessToken":"at","refreshToken":"rt","user":\#(user),"impersonator":{"email":"x@y.z","reason":null},"authenticationMethod":"SSO","extra":[1,2,{"a":"\u00e9"}]}"#,
        // Repeats: the last value counts, whatever its type.
        #"{"accessToken":"old","accessToken":"at","refreshToken":"rt","user":{"id":"first"},"user":\#(user),"impersonator":{"email":"x@y.z"},"impersonator":null}"#,
        #"{"accessToken":"at","refreshToken":"rt","user":\#(user),"user":"not an object"}"#,
        #"{"accessToken":"at","refreshToken":"rt","user":{"id":"a","id":""}}"#,
        #"{"accessToken":"at","refreshToken":"rt","user":{"id":"u","email":7,"firstName":"\ud83d\ude00","lastName":"\n"}}"#,
        // Missing or mistyped fields, in the order the tree reports them.
        #"{}"#, #"{"accessToken":""}"#, #"{"accessToken":"at","refreshToken":5,"user":{"id":"u"}}"#, #"{"accessToken":"at","refreshToken":"rt"}"#,
        #"{"accessToken":"at","refreshToken":"rt","user":{"email":"a@b.c"}}"#, #"{"accessToken":"at","refreshToken":"rt","user":[]}"#,
        // Not JSON.
        #"{"accessToken":"at","refreshToken":"rt","user":{"id":"u"}"#, #"{"accessToken":"at",}"#, #"{"a":"\x"}"#, #"{"a":1}}"#,
        #"{"accessToken":"at","refreshToken":"rt","user":{"id":"u","bad":"\u12"}}"#, #"{"accessToken":"at","refreshToken":"rt","user":{"id":"u","x":01}}"#,
        " {\"accessToken\" : \"at\" ,\n\"refreshToken\":\"rt\",\t\"user\":{\"id\":\"u\"} } ",
    ]

    static func expectSame(_ bytes: [UInt8], _ label: String) {
        let read = SessionPayload.read(sessionJSONText: bytes)
        let tree = viaTree(bytes)
        #expect(read == tree, "\(label)")
        if case .success(let a) = read, case .success(let b) = tree {
            #expect(a.user.json == b.user.json && a.user.id == b.user.id && a.user.email == b.user.email, "\(label)")
            #expect(a.user.firstName == b.user.firstName && a.user.lastName == b.user.lastName && a.user.name == b.user.name, "\(label)")
            #expect(JSONWriter.string(a.json) == JSONWriter.string(b.json), "\(label)")
        }
    }

    @Test(arguments: texts.map(Escaped.init))
    func agreesWithTheTree(_ argument: Escaped) { Self.expectSame(Array(argument.text.utf8), argument.text) }

    @Test func agreesOnEveryTruncationAndOnBrokenUTF8() {
        let full = Array(Self.texts[1].utf8)
        for length in 0...full.count { Self.expectSame(Array(full[..<length]), "length \(length)") }
        for position in full.indices where full[position] > 0x20 {
            var broken = full
            broken[position] = 0xFF
            Self.expectSame(broken, "0xFF at \(position)")
        }
    }

    /// The iron vectors' sessions (real authkit shapes) read the same both ways and re-seal the same JSON.
    @Test func ironVectorSessionsAgree() throws {
        let vectors = try #require(try SharedVectors.json("iron-vectors.json") as? [[String: Any]])
        var compared = 0
        for vector in vectors {
            guard let text = vector["plaintext_json"] as? String, text.hasPrefix("{") else { continue }
            Self.expectSame(Array(text.utf8), vector["id"] as? String ?? "?")
            compared += 1
        }
        #expect(compared >= 3)
    }

    @Test func aSessionOpenedFromACookieKeepsItsUserWhole() throws {
        let sealer = SessionSealer(password: String(repeating: "p", count: 32), clock: FixedClock(millis: 1_700_000_000_000), random: SecureRandom())
        let payload = try SessionPayload(json: JSONParser.parse(Self.texts[1]))
        let opened = try sealer.openSession(sealer.sealSession(payload)).get()
        #expect(opened.payload == payload)
        #expect(JSONWriter.string(opened.payload.user.json) == Self.user)
        #expect(opened.payload.user.slimmed().json.objectValue?.map(\.key) == ["object", "id", "email", "emailVerified", "firstName", "lastName"])
    }
}
