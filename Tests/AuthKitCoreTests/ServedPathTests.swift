import Testing
@testable import AuthKitCore

@Suite struct ServedPathTests {
    func target(_ raw: String) -> String? { try? ServedPath.target(raw.utf8).get() }
    func server(_ path: String) -> String? { try? ServedPath.server(path.utf8).get() }

    @Test func readsTheRawTargetLikeTheServer() {
        #expect(target("/public/../admin/x") == "/admin/x")
        #expect(target("/public/%2e%2e/admin/") == "/admin/")
        #expect(target("/public/.%2E/admin/x?q=/../../public") == "/admin/x", "the query is not the path")
        #expect(target("//public///a/./b/") == "/public/a/b/")
        #expect(target("/") == "/" && target("/a/.") == "/a/" && target("/a/b/..") == "/a/" && target("//") == "/")
        #expect(target("/caf%C3%A9/a%20b") == "/caf%C3%A9/a%20b")
        #expect(target("/a%25b") == "/a%25b", "a decoded % is sent again as %25")
        #expect(target("/a%23b/c%3Fd") == "/a%23b/c%3Fd", "encoded # and ? are part of a segment")
        #expect(target("/a;b/") == "/a;b/")
    }

    @Test func refusesWhatItCannotReadWithCertainty() {
        let refused: [(String, ServedPath.Refusal)] = [
            ("", .notOriginForm), ("*", .notOriginForm), ("http://h/a", .notOriginForm), ("a/b", .notOriginForm),
            ("/a#/../../auth/callback", .rawByte(UInt8(ascii: "#"))), ("/a?x#y", .rawByte(UInt8(ascii: "#"))),
            ("/a\\..\\b", .rawByte(UInt8(ascii: "\\"))), ("/a b", .rawByte(0x20)), ("/a\u{7F}", .rawByte(0x7F)),
            ("/caf\u{E9}", .rawByte(0xC3)), ("/a/\u{338}/", .rawByte(0xCC)),
            ("/a%zz", .badEscape), ("/a%2", .badEscape), ("/a%", .badEscape), ("/a%u002e", .badEscape),
            ("/a%2Fb", .encodedSeparator(0x2F)), ("/a%2fb", .encodedSeparator(0x2F)), ("/a%5Cb", .encodedSeparator(0x5C)),
            ("/a%00b", .encodedSeparator(0)), ("/a%0Ab", .controlCharacter(0x0A)), ("/a%7F", .controlCharacter(0x7F)),
            ("/%c0%ae%c0%ae/x", .invalidUTF8), ("/%e0%80%ae/x", .invalidUTF8), ("/%ff", .invalidUTF8), ("/%80", .invalidUTF8),
            ("/%ed%a0%80", .invalidUTF8),
            ("/..", .aboveRoot), ("/a/../../b", .aboveRoot), ("/%2e%2e/x", .aboveRoot),
        ]
        for (raw, refusal) in refused {
            #expect(throws: refusal, "\(raw)") { try ServedPath.target(raw.utf8).get() }
        }
    }

    @Test func readsTheServersPath() {
        #expect(server("/admin/x") == "/admin/x")
        #expect(server("/caf\u{E9}/a b") == "/caf%C3%A9/a%20b")
        #expect(server("/a#b") == "/a%23b")
        #expect(server("//a//b/") == "/a/b/")
        #expect(server("/a/\u{338}/b") == "/a/%CC%B8/b", "a glue character is a segment of its own")
        #expect(server("") == nil && server("a") == nil)
        #expect(server("/a/../b") == nil && server("/a/./b") == nil && server("/a/..") == nil, "the server resolves dots")
        #expect(server("/a\nb") == nil && server("/a\u{0}b") == nil)
    }

    /// Every kind of Unicode scalar that extends or joins a grapheme cluster, right after `/`
    /// and after `.`, raw and percent-encoded: never glued onto the separator or the dot.
    @Test func graphemeGlueNeverJoinsASeparatorOrADot() {
        let glue: [Unicode.Scalar] = [
            "\u{0300}", "\u{0301}", "\u{0338}", "\u{036F}",  // combining marks (Extend)
            "\u{200D}", "\u{200C}",                          // ZWJ, ZWNJ
            "\u{FE0E}", "\u{FE0F}", "\u{E0100}",             // variation selectors
            "\u{0903}",                                      // SpacingMark
            "\u{0600}",                                      // Prepend
            "\u{1161}", "\u{11A8}",                          // Hangul jamo V, T
            "\u{1F3FB}",                                     // emoji modifier
            "\u{1F1E6}",                                     // regional indicator
            "\u{E0061}",                                     // tag character
            "\u{20E3}",                                      // combining enclosing keycap
        ]
        let pattern = try! PathPattern("/site/public/:path*")
        for scalar in glue {
            let encoded = PercentEncoding.pathSegment(String(scalar))
            // /site/public/../<glue>/../secret.txt is /site/secret.txt: the glue is one segment.
            let walked = target("/site/public/%2e%2e/\(encoded)/%2e%2e/secret.txt")
            #expect(walked == "/site/secret.txt", "U+\(String(scalar.value, radix: 16))")
            #expect(walked.map(pattern.matches) != true)
            // A glue character after a dot makes a new name, never a dot segment.
            #expect(target("/site/public/.\(encoded)/x") == "/site/public/.\(encoded)/x")
            #expect(target("/site/public/%2e%2e\(encoded)/x") == "/site/public/..\(encoded)/x")
            // Raw, beyond ASCII: refused, never read.
            #expect(target("/site/public/../\(scalar)/../secret.txt") == nil)
            // The server's own path, decoded: the same segments.
            #expect(server("/site/\(scalar)/secret.txt") == "/site/\(encoded)/secret.txt")
            // Routing by path: `/auth/` + glue is no endpoint, and the glue is not eaten.
            let settings = EndpointSettings(origin: "https://a.example", redirectURI: "https://a.example/auth/callback")
            #expect(RouteTable.route(AuthRequest(method: "GET", requestURI: "/auth/\(scalar)sign-out"), serverVariables: [:], settings: settings) == .notFound)
            #expect(RouteTable.route(AuthRequest(method: "GET", requestURI: "/auth/callback\(scalar)"), serverVariables: [:], settings: settings) == .notFound)
        }
    }

    /// The decoded bytes are compared, not canonically equivalent strings.
    @Test func canonicalEquivalentsAreDifferentPaths() {
        let settings = EndpointSettings(origin: "https://a.example", redirectURI: "https://a.example/auth/callback")
        // U+212A KELVIN SIGN is canonically equivalent to "K"; U+037E to ";".
        #expect(RouteTable.route(AuthRequest(method: "GET", requestURI: "/auth/sign-out"), serverVariables: [:], settings: settings) == .action(.signOut))
        #expect(RouteTable.route(AuthRequest(method: "GET", requestURI: "/auth/sign-ou\u{0074}\u{0301}"), serverVariables: [:], settings: settings) == .notFound)
        #expect(server("/\u{212A}") == "/%E2%84%AA")
    }

    /// Through the check: a public rule never lets a path that the server serves elsewhere through.
    @Test func publicRulesCannotBeWalkedOutOf() {
        let pattern = try! PathPattern("/public/:path*")
        for raw in ["/public/../admin/secret", "/public/%2e%2e/admin/secret", "/public/./../admin/secret", "/public/.%2e/admin/secret"] {
            let read = target(raw)
            #expect(read == "/admin/secret", "\(raw)")
            #expect(!pattern.matches(read!), "\(raw)")
        }
        #expect(pattern.matches(target("/public/./docs//a.html")!))
    }
}
