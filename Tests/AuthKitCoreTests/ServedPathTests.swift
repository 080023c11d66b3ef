import Testing
@testable import AuthKitCore

@Suite struct ServedPathTests {
    @Test func normalisesLikeTheServer() {
        #expect(ServedPath.normalize("/public/../admin/x") == "/admin/x")
        #expect(ServedPath.normalize("/public/%2e%2e/admin/") == "/admin/")
        #expect(ServedPath.normalize("/public%2F..%2Fadmin") == "/admin")
        #expect(ServedPath.normalize("//public///a/./b/") == "/public/a/b/")
        #expect(ServedPath.normalize("/") == "/" && ServedPath.normalize("/a/.") == "/a/")
        #expect(ServedPath.normalize("/caf%C3%A9/a%20b") == "/caf%C3%A9/a%20b")
        #expect(ServedPath.normalize("/a%25b") == "/a%25b", "a decoded % is sent again as %25")
        #expect(ServedPath.normalize("/..") == nil && ServedPath.normalize("/a/../../b") == nil)
        #expect(ServedPath.normalize("/a%zz") == nil && ServedPath.normalize("/a%00b") == nil && ServedPath.normalize("a") == nil)
    }

    /// Through the check: a public rule never lets a path that the server serves elsewhere through.
    @Test func publicRulesCannotBeWalkedOutOf() {
        let pattern = try! PathPattern("/public/:path*")
        for raw in ["/public/../admin/secret", "/public/%2e%2e/admin/secret", "/public%2F..%2Fadmin%2Fsecret", "/public/./../admin/secret"] {
            let served = ServedPath.normalize(raw)
            #expect(served == "/admin/secret", "\(raw)")
            #expect(!pattern.matches(served!), "\(raw)")
        }
        #expect(pattern.matches(ServedPath.normalize("/public/./docs//a.html")!))
    }
}
