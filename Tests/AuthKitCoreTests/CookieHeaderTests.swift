import Testing
@testable import AuthKitCore

/// `Cookie` request header parsing, as Next's `@edge-runtime/cookies` `parseCookie` does it:
/// split on `/; */`, a pair without `=` has the value "true", values are `decodeURIComponent`ed
/// and a pair that fails to decode is skipped, later duplicates win.
@Suite struct CookieHeaderTests {
    static func pairs(_ header: String) -> [String] {
        CookieHeader.parse(header).map { "\($0.name)=\($0.value)" }
    }

    @Test func parsesSemicolonSpaceSeparatedPairs() {
        #expect(Self.pairs("a=1; b=2") == ["a=1", "b=2"])
        #expect(CookieHeader.value(named: "a", in: "a=1; b=2") == "1")
        #expect(CookieHeader.value(named: "b", in: "a=1; b=2") == "2")
    }

    @Test func parsesPairsWithoutSpaces() {
        #expect(Self.pairs("a=1;b=2") == ["a=1", "b=2"])
        #expect(CookieHeader.value(named: "b", in: "a=1;b=2") == "2")
    }

    @Test func skipsAnyNumberOfSpacesAfterSemicolon() {
        #expect(Self.pairs("a=1;   b=2;c=3") == ["a=1", "b=2", "c=3"])
    }

    @Test func keepsSpacesInsideAndAtTheEndOfValues() {
        // `/; */` only eats spaces after the `;`; the rest belongs to the pair.
        #expect(CookieHeader.parse("a=x y ; b=2").first?.value == "x y ")
        #expect(CookieHeader.value(named: "b", in: "a=x y ; b=2") == "2")
    }

    @Test func emptyHeaderHasNoCookies() {
        #expect(CookieHeader.parse("").isEmpty)
        #expect(CookieHeader.parse(";").isEmpty)
        #expect(CookieHeader.parse("; ;  ;").isEmpty)
        #expect(CookieHeader.value(named: "a", in: "") == nil)
    }

    @Test func skipsEmptyPairs() {
        #expect(Self.pairs("a=1;;b=2;") == ["a=1", "b=2"])
        #expect(Self.pairs(";a=1") == ["a=1"])
    }

    @Test func percentDecodesValues() {
        #expect(CookieHeader.value(named: "n", in: "n=caf%C3%A9%20au%20lait") == "café au lait")
        #expect(CookieHeader.value(named: "n", in: "n=a%3Bb%3Dc") == "a;b=c")
        // `+` is not a space in decodeURIComponent.
        #expect(CookieHeader.value(named: "n", in: "n=a+b") == "a+b")
    }

    @Test func namesAreNotDecoded() {
        #expect(Self.pairs("a%20b=1") == ["a%20b=1"])
    }

    @Test(arguments: ["bad=%zz", "bad=%", "bad=%ff", "bad=%E6%97"])
    func skipsPairWhoseValueDoesNotDecode(_ malformed: String) {
        let header = "a=1; \(malformed); b=2"
        #expect(Self.pairs(header) == ["a=1", "b=2"])
        #expect(CookieHeader.value(named: "bad", in: header) == nil)
    }

    @Test func malformedDuplicateDoesNotHideEarlierValue() {
        #expect(CookieHeader.value(named: "s", in: "s=good; s=%zz") == "good")
    }

    @Test func duplicatesLastWins() {
        let header = "wos-session=old; other=x; wos-session=new"
        #expect(CookieHeader.value(named: "wos-session", in: header) == "new")
        #expect(Self.pairs(header) == ["wos-session=old", "other=x", "wos-session=new"])
    }

    @Test func nameWithoutEqualsHasValueTrue() {
        #expect(Self.pairs("flag; a=1") == ["flag=true", "a=1"])
        #expect(CookieHeader.value(named: "flag", in: "a=1;flag") == "true")
    }

    @Test func emptyValueAndEmptyName() {
        #expect(CookieHeader.value(named: "a", in: "a=; b=2") == "")
        #expect(Self.pairs("=v") == ["=v"])
        #expect(CookieHeader.value(named: "", in: "=v") == "v")
    }

    @Test func splitsOnFirstEqualsOnly() {
        #expect(CookieHeader.value(named: "a", in: "a=b=c==") == "b=c==")
    }

    @Test func namesAreCaseSensitive() {
        #expect(CookieHeader.value(named: "A", in: "a=1") == nil)
        #expect(CookieHeader.value(named: "wos-session", in: "WOS-SESSION=1") == nil)
    }

    @Test func lookupNeedsTheWholeName() {
        #expect(CookieHeader.value(named: "wos", in: "wos-session=1") == nil)
        #expect(CookieHeader.value(named: "wos-session", in: "x-wos-session=1") == nil)
    }

    @Test func sealValuePassesThroughUnchanged() {
        let seal = "Fe26.2*1*0123abcd*AbC-_x*cipher-_text**9876fedc*mac-_~2"
        #expect(CookieHeader.value(named: "wos-session", in: "theme=dark; wos-session=\(seal); _ga=GA1.1") == seal)
    }

    @Test func nonASCIIBytesInHeader() {
        #expect(CookieHeader.value(named: "n", in: "n=日本; m=1") == "日本")
        #expect(CookieHeader.value(named: "m", in: "n=日本; m=1") == "1")
    }

    @Test func manyCookies() {
        let header = (0..<200).map { "c\($0)=v\($0)" }.joined(separator: "; ")
        let parsed = CookieHeader.parse(header)
        #expect(parsed.count == 200)
        #expect(CookieHeader.value(named: "c199", in: header) == "v199")
        #expect(CookieHeader.value(named: "c0", in: header) == "v0")
    }

    @Test func lastPairGivesTheRawValueRange() {
        func pair(_ name: String, _ header: String) -> CookieHeader.Pair {
            var header = header
            return header.withUTF8 { CookieHeader.lastPair(named: Array(name.utf8), in: $0) }
        }
        #expect(pair("s", "a=1; s=xyz") == .value(7..<10))
        #expect(pair("s", "s=%41b; t") == .value(2..<6), "still percent-encoded")
        #expect(pair("s", "s=one; s=%zz") == .value(2..<5), "a value that does not decode is skipped")
        #expect(pair("t", "s=1; t") == .bare)
        #expect(pair("s", "ss=1; s2=2") == .absent)
        #expect(pair("s", "") == .absent)
    }
}

/// The fast lookup used on every check agrees with the full parser on generated headers.
@Suite struct CookieLookupAgreementTests {
    @Test func valueAgreesWithParse() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["wos-session", "a", "wos-session=", "=", ";", "; ", "  ", "%41", "%zz", "%", "x=1", "wos-session=v%20w", "true", "é", "=x"]
        for _ in 0..<20_000 {
            let header = (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            for name in ["wos-session", "a", "x", ""] {
                #expect(CookieHeader.value(named: name, in: header) == CookieHeader.parse(header).last { $0.name == name }?.value,
                        "\(header) / \(name)")
            }
        }
    }
}
