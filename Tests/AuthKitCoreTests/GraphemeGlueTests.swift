import Testing
@testable import AuthKitCore

/// Issue 20, item 2: every parser of untrusted or outside text reads UTF-8 bytes, never Swift
/// `Character`s. A scalar that extends or joins a grapheme cluster, put right after (or, for
/// Prepend, right before) a delimiter, must not hide it: the input parses exactly as if the
/// scalar were ordinary text next to a plain delimiter. And names compare by bytes, not by
/// canonical equivalence (KELVIN SIGN is not K, U+037E is not `;`, NFD `é` is not NFC `é`).
@Suite struct GraphemeGlueTests {
    /// One or more scalars of every class that extends or joins a grapheme cluster.
    static let glues: [String] = [
        // Extend: combining marks (U+0300–U+036F, U+20D0–U+20FF)
        "\u{300}", "\u{301}", "\u{338}", "\u{36F}", "\u{20D0}", "\u{20E3}", "\u{20FF}",
        // ZWJ, ZWNJ
        "\u{200D}", "\u{200C}",
        // variation selectors (U+FE00–U+FE0F, U+E0100–U+E01EF)
        "\u{FE00}", "\u{FE0F}", "\u{E0100}", "\u{E01EF}",
        // SpacingMark
        "\u{903}", "\u{93E}",
        // Prepend (glues onto what follows)
        "\u{600}", "\u{605}", "\u{110BD}",
        // Hangul L, V, T jamo and an LV syllable
        "\u{1100}", "\u{1161}", "\u{11A8}", "\u{AC00}",
        // emoji modifiers
        "\u{1F3FB}", "\u{1F3FF}",
        // regional indicators, alone and paired
        "\u{1F1E6}", "\u{1F1FF}", "\u{1F1E6}\u{1F1E8}",
        // tag characters
        "\u{E0020}", "\u{E0061}", "\u{E007F}",
        // a mix: ZWJ sequence and a keycap
        "\u{200D}\u{301}\u{FE0F}", "\u{20E3}\u{E0100}",
    ]

    /// The glue percent-encoded as a browser sends it (upper-case hex).
    static func encoded(_ text: String) -> String {
        text.utf8.map { byte in
            let hex = Array("0123456789ABCDEF".utf8)
            return "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
        }.joined()
    }

    /// Byte-exact comparison (String `==` would compare by canonical equivalence).
    static func same(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (a?, b?): a.utf8.elementsEqual(b.utf8)
        default: false
        }
    }

    static func same(_ a: [(name: String, value: String)], _ b: [(String, String)]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { same($0.0.name, $0.1.0) && same($0.0.value, $0.1.1) }
    }

    /// The glue really glues in Swift: after an ASCII delimiter for the extending classes,
    /// before it for Prepend (so each test below would catch a Character-based parser).
    @Test func theGlueIsReal() {
        for glue in ["\u{301}", "\u{338}", "\u{20D0}", "\u{200D}", "\u{200C}", "\u{FE0F}", "\u{E0100}", "\u{903}", "\u{1F3FB}", "\u{E0020}"] {
            #expect(("=" + glue).count == 1 && ("&" + glue).count == 1 && ("/" + glue).count == 1, "\(glue.unicodeScalars.first!.value)")
        }
        for glue in ["\u{600}", "\u{605}", "\u{110BD}"] {
            #expect((glue + "=").count == 1 && (glue + "/").count == 1, "\(glue.unicodeScalars.first!.value)")
        }
        #expect("\u{1100}\u{1161}\u{11A8}".count == 1 && "\u{1F1E6}\u{1F1E8}".count == 1 && "\r\n".count == 1)
        #expect("\u{212A}" == "K" && "\u{37E}" == ";" && "caf\u{E9}" == "cafe\u{301}")
    }

    // MARK: query and form fields

    @Test(arguments: glues) func formFieldsSplitOnEveryAmpersandAndEquals(_ g: String) {
        #expect(Self.same(FormFields.parse("a=1&\(g)b=2"), [("a", "1"), ("\(g)b", "2")]))
        #expect(Self.same(FormFields.parse("a\(g)=1"), [("a\(g)", "1")]))
        #expect(Self.same(FormFields.parse("a=\(g)1&b=2"), [("a", "\(g)1"), ("b", "2")]))
        #expect(Self.same(FormFields.parse("a=1\(g)&b=2"), [("a", "1\(g)"), ("b", "2")]))
        #expect(Self.same(FormFields.parse("a=\(g)&code=abc"), [("a", g), ("code", "abc")]))
        #expect(Self.same(FormFields.parse("b\(g)=\(g)2&\(g)"), [("b\(g)", "\(g)2"), (g, "")]))
        #expect(Self.same(FormFields.parse("+\(g)=x+"), [(" \(g)", "x ")]))
    }

    @Test(arguments: glues) func queryAndFormValues(_ g: String) {
        let query = AuthRequest(method: "GET", requestURI: "/auth/callback?state=\(g)&code=abc&\(g)x=1")
        #expect(Self.same(query.queryValue("code"), "abc"))
        #expect(Self.same(query.queryValue("state"), g))
        #expect(Self.same(query.queryValue("\(g)x"), "1"))
        let form = AuthRequest(method: "POST", requestURI: "/auth/signout",
                               headers: ["content-type": "application/x-www-form-urlencoded;\(g) charset=utf-8"],
                               body: Array("a=\(g)&csrf=\(g)ok".utf8))
        #expect(Self.same(form.formValue("csrf"), "\(g)ok"))
        let glued = AuthRequest(method: "POST", requestURI: "/", headers: ["content-type": "application/x-www-form-urlencoded\(g)"],
                                body: Array("csrf=ok".utf8))
        // Read as bytes, like the ASCII `application/x-www-form-urlencodedX` (a prefix match).
        let ascii = AuthRequest(method: "POST", requestURI: "/", headers: ["content-type": "application/x-www-form-urlencodedX"],
                                body: Array("csrf=ok".utf8))
        #expect(glued.formValue("csrf") == ascii.formValue("csrf"))
    }

    @Test func queryAndFormNamesCompareBytes() {
        #expect(AuthRequest(method: "GET", requestURI: "/?%E2%84%AA=1").queryValue("K") == nil)
        #expect(AuthRequest(method: "GET", requestURI: "/?%CD%BE=1").queryValue(";") == nil)
        #expect(AuthRequest(method: "GET", requestURI: "/?cafe%CC%81=1").queryValue("caf\u{E9}") == nil)
        #expect(AuthRequest(method: "GET", requestURI: "/?caf%C3%A9=1").queryValue("caf\u{E9}") == "1")
        let upper = AuthRequest(method: "POST", requestURI: "/", headers: ["content-type": "APPLICATION/X-WWW-FORM-URLENCODED"], body: Array("k=1".utf8))
        #expect(upper.formValue("k") == "1" && upper.formValue("\u{212A}") == nil)
        let form = AuthRequest(method: "POST", requestURI: "/", headers: ["content-type": "application/x-www-form-urlencoded"], body: Array("k=1".utf8))
        #expect(form.formValue("k") == "1")
    }

    @Test func methodFoldsASCIIOnly() {
        #expect(AuthRequest(method: "post", requestURI: "/").method == "POST")
        // U+017F LATIN SMALL LETTER LONG S upper-cases to S in Unicode.
        #expect(AuthRequest(method: "po\u{17F}t", requestURI: "/").method != "POST")
        #expect(Self.same(AuthRequest(method: "po\u{17F}t", requestURI: "/").method, "PO\u{17F}T"))
    }

    // MARK: cookies

    @Test(arguments: glues) func cookiePairsSplitOnBytes(_ g: String) {
        #expect(CookieHeader.value(named: "wos-session", in: "a=1;\(g) wos-session=v") == nil, "the name is \(g) wos-session")
        #expect(CookieHeader.value(named: "wos-session", in: "a=1; \(g)wos-session=v") == nil)
        #expect(Self.same(CookieHeader.value(named: "wos-session", in: "a=1\(g); wos-session=v"), "v"))
        #expect(Self.same(CookieHeader.value(named: "wos-session", in: "a=1;wos-session=\(g)v"), "\(g)v"))
        #expect(CookieHeader.value(named: "wos-session", in: "wos-session\(g)=v") == nil)
        #expect(Self.same(CookieHeader.parse("a=1;\(g) b=2; c\(g)=\(g)"), [("a", "1"), ("\(g) b", "2"), ("c\(g)", g)]))
    }

    @Test func cookieNamesCompareBytes() {
        #expect(CookieHeader.value(named: "K", in: "\u{212A}=1") == nil)
        #expect(CookieHeader.value(named: "caf\u{E9}", in: "cafe\u{301}=1") == nil)
        #expect(CookieHeader.value(named: "a;b", in: "a\u{37E}b=1") == nil)
    }

    @Test(arguments: glues) func setCookieValueStopsAtTheFirstSemicolonByte(_ g: String) {
        #expect(Self.same(SetCookie.value(of: "wos-session=abc\(g); Path=/", name: "wos-session"), "abc\(g)"))
        #expect(CookieOptions.secureFlag(sameSite: .lax, url: "http\(g)://a.example/"))
        #expect(!CookieOptions.secureFlag(sameSite: .lax, url: "HTTP://a.example/"))
    }

    // MARK: return paths, globs, hosts, origins

    @Test(arguments: glues) func returnPathsSplitOnBytes(_ g: String) {
        let e = Self.encoded(g)
        #expect(ReturnPath.sanitize("/a/\(g)b") == "/a/\(e)b")
        #expect(ReturnPath.sanitize("/a\(g)/b") == "/a\(e)/b")
        #expect(ReturnPath.sanitize("//\(g)evil.example/x") == "/x")
        #expect(ReturnPath.sanitize("/\(g)/evil.example") == "/\(e)/evil.example")
        #expect(ReturnPath.sanitize("/a?x=\(g)#\(g)frag") == "/a?x=\(e)")
        #expect(ReturnPath.sanitize("/a#\(g)?x=1") == "/a")
        #expect(ReturnPath.sanitize("/a?\(g)x") == "/a?\(e)x")
        #expect(ReturnPath.sanitize("/a/..\(g)/b") == "/a/..\(e)/b")
        #expect(ReturnPath.sanitize("/a/\(g)../b") == "/a/\(e)../b")
        #expect(ReturnPath.sanitize("/a/.\(g)/b") == "/a/.\(e)/b")
        #expect(ReturnPath.sanitize("https://evil.example/\(g)x") == "/\(e)x")
    }

    @Test func returnPathCRLFAndCanonicalForms() {
        #expect(ReturnPath.sanitize("/a\r\n/b") == "/a/b")
        #expect(ReturnPath.sanitize("/\r\n/evil.example/x") == "/x")
        #expect(ReturnPath.sanitize("/caf\u{E9}") == "/caf%C3%A9" && ReturnPath.sanitize("/cafe\u{301}") == "/cafe%CC%81")
        #expect(ReturnPath.sanitize("/a?b\u{37E}c") == "/a?b%CD%BEc")
    }

    @Test(arguments: glues) func pathGlobsSplitOnBytes(_ g: String) {
        let e = Self.encoded(g)
        #expect(URLPathParser.pathAndHash(of: "/public/\(g)x") == "/public/\(e)x")
        #expect(URLPathParser.pathAndHash(of: "/public\(g)/x") == "/public\(e)/x")
        #expect(URLPathParser.pathAndHash(of: "/public?\(g)x") == "/public")
        #expect(URLPathParser.pathAndHash(of: "/public\(g)?x") == "/public\(e)")
        #expect(URLPathParser.pathAndHash(of: "/public#\(g)x") == "/public#\(e)x")
        #expect(URLPathParser.pathAndHash(of: "//\(g)host/p") == "/p")
        #expect(URLPathParser.pathAndHash(of: "/a/..\(g)/b") == "/a/..\(e)/b")
        #expect(URLPathParser.pathAndHash(of: "/a/b/..\\\(g)c") == "/a/\(e)c")
        let pattern = try? PathPattern("/public/\(g)/:rest*")
        #expect(pattern?.matches("/public/\(e)/x") == true && pattern?.matches("/public/\(e)") == true)
        #expect(pattern?.matches("/public\(e)/x") == false && pattern?.matches("/public/x") == false)
    }

    @Test func allowedReturnHostsFoldASCIIOnly() {
        // KELVIN SIGN lower-cases to k in Unicode: it must not become kids.example.com.
        #expect(AllowedReturnHosts(list: "\u{212A}ids.example.com") == nil)
        let kids = AllowedReturnHosts(list: "KIDS.example.com, .Example.org")!
        #expect(kids.permits(host: "kids.example.com") && kids.permits(host: "a.EXAMPLE.org"))
        #expect(!kids.permits(host: "\u{212A}ids.example.com") && !kids.permits(host: "\u{212A}IDS.example.com"))
    }

    @Test(arguments: glues) func allowedReturnHostsListsAndURLs(_ g: String) {
        #expect(AllowedReturnHosts(list: "docs.example.com,\(g)x.example.org") == nil)
        #expect(AllowedReturnHosts(list: "docs.example.com\(g),x.example.org") == nil)
        #expect(AllowedReturnHosts(list: "docs.example.com, \(g)") == nil)
        let allowed = AllowedReturnHosts(list: "docs.example.com,\t.example.org ")!
        #expect(allowed.external("https://docs.example.com/\(g)") == nil)
        #expect(allowed.external("https://docs.example.com\(g)/") == nil)
        #expect(allowed.external("https://a.example.org/x") == "https://a.example.org/x")
    }

    @Test(arguments: glues) func originsAndPathsOfURLs(_ g: String) {
        #expect(EndpointSettings.origin(of: "https://app.example.com/\(g)x") == "https://app.example.com")
        #expect(EndpointSettings.origin(of: "https://app.example.com?\(g)") == "https://app.example.com")
        #expect(EndpointSettings.origin(of: "https://app.example.com#\(g)") == "https://app.example.com")
        #expect(Self.same(EndpointSettings.origin(of: "HTTPS://App.Example.com\(g)/x"), "https://app.example.com\(g)"))
        #expect(EndpointSettings.origin(of: "https:\(g)//app.example.com/") == nil)
        #expect(Self.same(EndpointSettings.path(of: "https://a.example/\(g)auth?x"), "/\(g)auth"))
        #expect(EndpointSettings.path(of: "https://a.example/auth/callback?\(g)") == "/auth/callback")
        #expect(EndpointSettings.path(of: "https://a.example/auth/callback#\(g)") == "/auth/callback")
    }

    @Test func originsFoldASCIIOnly() {
        #expect(Self.same(EndpointSettings.origin(of: "https://\u{212A}.example/"), "https://\u{212A}.example"))
        #expect(EndpointSettings.origin(of: "HTTPS://APP.EXAMPLE.COM:8443/x") == "https://app.example.com:8443")
        #expect(Self.same(EndpointSettings.origin(of: "https://\u{130}.example"), "https://\u{130}.example"))
    }

    // MARK: headers

    @Test(arguments: glues) func bearerTokens(_ g: String) {
        #expect(BearerToken.parse("Bearer tok\(g)") == nil)
        #expect(BearerToken.parse("Bearer \(g)tok") == nil)
        #expect(BearerToken.parse("Bearer\(g) tok") == nil)
        #expect(BearerToken.parse("\(g)Bearer tok") == nil)
        #expect(BearerToken.parse("bEaReR   tok") == "tok")
        #expect(BearerToken.parse("Bearer\u{A0}tok") == nil && BearerToken.parse("Bearer\ttok") == nil)
    }

    @Test(arguments: glues) func ifNoneMatchSplitsOnCommaBytes(_ g: String) {
        let tag = AuthKitScript.etag
        #expect(AuthKitScript.response(ifNoneMatch: "\"x\"\(g), \(tag)").status == 304)
        #expect(AuthKitScript.response(ifNoneMatch: "\"x\",\(g)\(tag)").status == 200)
        #expect(AuthKitScript.response(ifNoneMatch: "\(tag)\(g)").status == 200)
        #expect(AuthKitScript.response(ifNoneMatch: "\"x\",\t W/\(tag) ").status == 304)
    }

    @Test(arguments: glues) func navigationHeadersReadAsBytes(_ g: String) {
        func navigation(_ headers: [String: String]) -> Bool { NavigationClassifier.isNavigation { headers[$0] } }
        #expect(navigation(["accept": "text/html\(g)"]))
        #expect(navigation(["accept": "application/json,\(g)text/html"]))
        #expect(navigation(["accept": "application/json\(g),*/*"]))
        #expect(!navigation(["accept": "application/json\(g)"]))
        #expect(!navigation(["sec-fetch-mode": "navigate\(g)"]) && navigation(["sec-fetch-mode": "NAVIGATE"]))
        #expect(!navigation(["sec-fetch-dest": "document\(g)"]) && navigation(["sec-fetch-dest": "IFrame"]))
        #expect(navigation(["x-requested-with": "XMLHttpRequest\(g)"]) && !navigation(["x-requested-with": "xmlhttprequest"]))
    }

    // MARK: configuration

    @Test(arguments: glues) func dotEnvLines(_ g: String) throws {
        let pairs = try DotEnv.parse("A=1\(g)\nB=\(g)2 #\(g)c\nC=\"x\(g)\"\n#\(g)\nD='\(g)'\r\nE=5")
        #expect(Self.same(pairs.map { (name: $0.key, value: $0.value) }, [("A", "1\(g)"), ("B", "\(g)2"), ("C", "x\(g)"), ("D", g), ("E", "5")]))
        #expect(throws: DotEnvError.self) { try DotEnv.parse("A\(g)=1") }
    }

    @Test(arguments: glues) func trimmingAndCommaLists(_ g: String) {
        #expect(Self.same(String(" \t\(g)x\(g) \t".trimmingWhitespace()), "\(g)x\(g)"))
        #expect(Self.same(" \t \t".trimmingWhitespace().description, ""))
    }

    static let minimal = [
        "WORKOS_CLIENT_ID": "client_01", "WORKOS_API_KEY": "sk_test_1234567890abcdefghij",
        "WORKOS_COOKIE_PASSWORD": "this-is-a-32-character-password!",
        "WORKOS_REDIRECT_URI": "https://app.example.com/auth/callback",
    ]

    @Test(arguments: glues) func configListsSplitOnCommaBytes(_ g: String) throws {
        let config = try ConfigLoader.load(Self.minimal.merging([
            "WORKOS_UNAUTHENTICATED_PATHS": "/a,\(g)/b, /c\(g)",
            "WORKOS_COOKIE_PASSWORD_PREVIOUS": "this-is-another-32-character-pw!,\(g)this-is-a-third-32-character-pw!",
        ]) { _, b in b })
        #expect(config.unauthenticatedPaths.count == 3)
        #expect(config.previousCookiePasswords.count == 2)
    }

    @Test func configWordsFoldASCIIOnly() {
        func load(_ name: String, _ value: String) -> AuthKitConfig? { try? ConfigLoader.load(Self.minimal.merging([name: value]) { _, b in b }) }
        #expect(load("AUTHKIT_METRICS", "loopbac\u{212A}") == nil)
        #expect(load("AUTHKIT_METRICS", "LOOPBACK") != nil)
        #expect(load("WORKOS_COOKIE_SAMESITE", "STRICT") != nil)
        #expect(load("AUTHKIT_LOG_FORMAT", "JSON") != nil)
        #expect(load("WORKOS_EAGER_AUTH", "TRUE")?.eagerAuth == true)
        // U+0131 DOTLESS I upper-cases to I; U+0130 lower-cases to i + U+0307.
        #expect(load("WORKOS_EAGER_AUTH", "\u{130}") == nil)
    }

    @Test(arguments: glues) func absoluteURLs(_ g: String) {
        #expect(ConfigLoader.isAbsoluteHTTPURL("https://app.example.com:443/\(g)"))
        #expect(!ConfigLoader.isAbsoluteHTTPURL("https://app.example.com:443\(g)/"))
        #expect(!ConfigLoader.isAbsoluteHTTPURL("https://:443/"))
        #expect(ConfigLoader.isAbsoluteHTTPURL("https://user@[::1]:8443/x"))
        #expect(!ConfigLoader.isAbsoluteHTTPURL("https://app.example.com/\u{2003}"))
    }

    // MARK: logs and the settings table

    @Test(arguments: glues) func logValuesEscapeEveryQuote(_ g: String) {
        #expect(Self.same(LogLine.logfmtValue("a\"\(g)b"), "\"a\\\"\(g)b\""))
        #expect(Self.same(LogLine.logfmtValue("a=\(g)"), "\"a=\(g)\""))
        #expect(Self.same(LogLine.logfmtValue("a\\\(g)"), "\"a\\\\\(g)\""))
        #expect(Self.same(LogLine.logfmtValue("a\n\(g)"), "\"a\\n\(g)\""))
        #expect(Self.same(LogLine.logfmtValue("a\r\n\(g)"), "\"a\\r\\n\(g)\""))
        #expect(Self.same(LogLine.logfmtValue("x\(g)"), "x\(g)"))
        #expect(Self.same(SettingsTable.visible("a\n\(g)\t\u{7}\(g)"), "a\\n\(g)\\t?\(g)"))
    }
}
