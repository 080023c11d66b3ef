import Foundation
import Testing
@testable import AuthKitCore

/// Every case of `path-glob-vectors.json`, made by the real path-to-regexp 6.3.0 through
/// authkit-nextjs's own wrapper: the same regex source, the same errors, the same matches.
@Suite struct PathPatternTests {
    nonisolated(unsafe) static let document = (try? SharedVectors.json("path-glob-vectors.json") as? [String: Any]) ?? [:]
    static var cases: [[String: Any]] { document["cases"] as? [[String: Any]] ?? [] }
    static var testPaths: [String] { document["test_paths"] as? [String] ?? [] }

    @Test func vectorsArePresent() {
        #expect(Self.cases.count == 18)
        #expect(Self.testPaths.count == 25)
    }

    @Test(arguments: cases.indices)
    func matchesLikeAuthkit(_ index: Int) {
        let vector = Self.cases[index]
        let glob = vector["glob"] as! String
        if vector["error"] is String {
            #expect(throws: PathPattern.InvalidPattern.self, "\(glob)") { try PathPattern(glob) }
            do {
                _ = try PathPattern(glob)
            } catch {
                #expect(error.description == (vector["error"] as! String), "\(glob)")
            }
            return
        }
        guard let pattern = try? PathPattern(glob) else {
            Issue.record("\(glob) failed to compile")
            return
        }
        #expect(pattern.regexSource == vector["regex"] as! String, "\(glob)")
        let expected = Set(vector["matches"] as! [String])
        let actual = Set(Self.testPaths.filter(pattern.matches))
        #expect(actual == expected, "\(glob)")
    }

    @Test func urlPreParseFollowsWHATWG() {
        #expect(URLPathParser.pathAndHash(of: "about") == "/about")
        #expect(URLPathParser.pathAndHash(of: "/a/./b/../c") == "/a/c")
        #expect(URLPathParser.pathAndHash(of: "https://other.example/x?y#z") == "/x#z")
        #expect(URLPathParser.pathAndHash(of: "//host/p") == "/p")
        #expect(URLPathParser.pathAndHash(of: "/é") == "/%C3%A9")
        #expect(URLPathParser.pathAndHash(of: "/blog/:slug?") == "/blog/:slug")
    }
}
