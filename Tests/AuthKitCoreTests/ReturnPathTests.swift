import Foundation
import Testing
@testable import AuthKitCore

@Suite struct ReturnPathTests {
    static func payloads(_ name: String) -> [String] {
        let url = SharedVectors.directory.appendingPathComponent("open-redirect/\(name)")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    @Test(arguments: ["oauth2-proxy-openredirects.txt", "mod_auth_openidc-payloads.txt"])
    func noPayloadLeavesTheOrigin(_ file: String) {
        let payloads = Self.payloads(file)
        #expect(payloads.count > 500)
        for payload in payloads {
            let result = ReturnPath.sanitize(payload)
            #expect(result.hasPrefix("/") && !result.hasPrefix("//"), "\(payload) -> \(result)")
            #expect(!result.contains { $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false }, "\(payload)")
            #expect(!result.contains("\\"), "\(payload)")
            // Resolved the way a browser resolves a Location header, it stays on our host.
            let resolved = URL(string: result, relativeTo: URL(string: "https://app.example.com/")!)?.absoluteURL
            #expect(resolved == nil || resolved?.host == "app.example.com", "\(payload) -> \(result)")
        }
    }

    @Test func keepsPathAndQueryOnly() {
        #expect(ReturnPath.sanitize("/dashboard?tab=billing") == "/dashboard?tab=billing")
        #expect(ReturnPath.sanitize("https://evil.example/steal?x=1#frag") == "/steal?x=1")
        #expect(ReturnPath.sanitize("//evil.example/x") == "/x")
        #expect(ReturnPath.sanitize("/\\evil.example") == "/evil.example")
        #expect(ReturnPath.sanitize("") == "/")
        #expect(ReturnPath.sanitize(nil) == "/")
        #expect(ReturnPath.sanitize("relative/page") == "/relative/page")
        #expect(ReturnPath.sanitize("/a b?c d") == "/a%20b?c%20d")
    }

    @Test func verifierCookieNameMatchesAuthkitForTheVectorState() throws {
        // spec §3.2 [ran]: the pkce-state-ttl600 seal → wos-auth-verifier-ad23dce7.
        let vectors = try SharedVectors.json("iron-vectors.json") as! [[String: Any]]
        let sealed = vectors.first { $0["id"] as? String == "pkce-state-ttl600" }!["sealed"] as! String
        #expect(VerifierCookie.name(forSealedState: sealed) == "wos-auth-verifier-ad23dce7")
        let state = try PKCEState(json: JSONParser.parse(vectors.first { $0["id"] as? String == "pkce-state-ttl600" }!["plaintext_json"] as! String))
        #expect(state?.returnPathname == "/dashboard?tab=billing")
    }
}
