import Testing
@testable import AuthKitCore

/// ``AccessTokenClaims/init(payloadJSON:)`` reads the text in one pass; the tree initialiser
/// writes its tree and reads that. Parsing any text and reading the tree must agree with reading
/// the text itself (repeated keys, escapes and broken UTF-8 included), and text that is not a
/// JSON object must be refused both ways.
@Suite struct AccessTokenClaimsTests {
    static let payloads: [String] = [
        #"{"sub":"user_1","exp":2000000000}"#,
        #"{"sub":"user_1","sid":"session_1","org_id":"org_1","role":"admin","roles":["admin","member"],"permissions":["a:read","b:write"],"entitlements":["sso"],"feature_flags":["beta"],"act":{"sub":"admin@example.com"},"exp":2000000000,"iat":1999999000,"nbf":1999999000,"auth_time":1999998000,"iss":"https://api.workos.com","custom":{"deep":[1,{"x":null}]}}"#,
        // A repeated key counts with its last value, whatever the types.
        #"{"sub":"first","sub":"second","exp":1,"exp":2000000000,"roles":["a"],"roles":"not an array","org_id":"o","org_id":7}"#,
        #"{"roles":"x","roles":["y", 1, null, "z", {"w":1}, ["v"]],"sub":"u","exp":2e9}"#,
        // Mistyped or missing required claims.
        #"{"sub":1,"exp":2000000000}"#, #"{"sub":"u"}"#, #"{"sub":"u","exp":"soon"}"#, #"{"sub":"u","exp":2000000000,"iat":"x"}"#,
        #"{"sub":"u","exp":2000000000,"nbf":null}"#, #"{"sub":"u","exp":1e300,"auth_time":-1e300}"#,
        #"{"sub":"u","exp":2000000000,"act":"not an object","sid":null,"role":true}"#,
        // Escapes and broken UTF-8 in keys and values.
        #"{"s\u0075b":"\ud83d\ude00","exp":2000000000,"permissions":["\n","\u00e9"]}"#,
        // Not an object, or not JSON.
        #"[]"#, #""sub""#, #"null"#, #"{"sub":"u","exp":2000000000"#, #"{"sub":"u","exp":2000000000}x"#, #"{"sub":"u",}"#, "", " ",
        #" { "sub" : "u" , "exp" : 2000000000 } "#,
    ]

    static func bothWays(_ bytes: [UInt8]) -> (tree: AccessTokenClaims?, text: AccessTokenClaims?) {
        let tree = (try? JSONParser.parse(bytes)).flatMap(AccessTokenClaims.init(payload:))
        return (tree, AccessTokenClaims(payloadJSON: bytes))
    }

    @Test(arguments: payloads)
    func oneReadingAgreesWithTheTree(_ text: String) {
        let (tree, read) = Self.bothWays(Array(text.utf8))
        #expect(tree == read, "\(text)")
        #expect(tree?.payload == read?.payload)
    }

    @Test func brokenUTF8AndDeepNestingAgree() {
        var broken = Array(#"{"sub":"u\#u{FF}","exp":2000000000,"roles":["a\#u{FF}"]}"#.utf8)
        broken[9] = 0xFF
        let (tree, read) = Self.bothWays(broken)
        #expect(tree != nil && tree == read)
        let deep = Array((#"{"sub":"u","exp":1,"x":"# + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "}").utf8)
        #expect(Self.bothWays(deep).text == nil && Self.bothWays(deep).tree == nil)
    }

    @Test func everyTruncationAgrees() {
        let full = Array(Self.payloads[1].utf8)
        for length in 0...full.count {
            let (tree, read) = Self.bothWays(Array(full[..<length]))
            #expect(tree == read, "length \(length)")
        }
    }

    @Test func claimsReadFromTextKeepTheWholePayload() throws {
        let text = Self.payloads[1]
        let claims = try #require(AccessTokenClaims(payloadJSON: Array(text.utf8)))
        #expect(claims.payload == (try JSONParser.parse(text)))
        #expect(claims.payload["custom"]?["deep"]?.arrayValue?.count == 2)
        #expect(claims.actor == "admin@example.com" && claims.permissions == ["a:read", "b:write"] && claims.authTime == 1_999_998_000)
    }
}
