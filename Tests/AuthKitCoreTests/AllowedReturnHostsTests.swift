import Testing
@testable import AuthKitCore

@Suite struct AllowedReturnHostsTests {
    let allowed = AllowedReturnHosts(list: "docs.example.com, .example.org")!

    @Test func exactHostsAndDotSuffixes() {
        #expect(allowed.permits(host: "docs.example.com") && allowed.permits(host: "DOCS.example.com"))
        #expect(!allowed.permits(host: "example.com") && !allowed.permits(host: "evil-docs.example.com"))
        #expect(allowed.permits(host: "a.example.org") && allowed.permits(host: "a.b.example.org"))
        #expect(!allowed.permits(host: "example.org") && !allowed.permits(host: "evilexample.org"))
        #expect(AllowedReturnHosts(list: "exa mple.com") == nil && AllowedReturnHosts(list: "a..b") == nil)
        #expect(AllowedReturnHosts(list: "https://x.com") == nil && AllowedReturnHosts(list: "127.0.0.1") == nil)
    }

    @Test func onlyCleanAbsoluteURLsToPermittedHosts() {
        #expect(allowed.external("https://docs.example.com/bye?x=1") == "https://docs.example.com/bye?x=1")
        #expect(allowed.external("HTTPS://Docs.Example.com") == "https://docs.example.com/")
        #expect(allowed.external("http://a.example.org:8443?x") == "http://a.example.org:8443/?x")
        for refused in [
            "https://evil.example/", "//docs.example.com/", "/local", "javascript://docs.example.com/%0aalert(1)",
            "https://docs.example.com@evil.example/", "https://evil.example#@docs.example.com", "https://docs.example.com\\@evil.example",
            "https://docs.example.com:99999/", "https://docs.example.com/\r\nSet-Cookie:x", "https://docs.example.com./",
            "https://docs.example.com%2eevil.example/", "ftp://docs.example.com/", "https://docs.example.com /",
            "https://dоcs.example.com/",  // Cyrillic о
        ] {
            #expect(allowed.external(refused) == nil, "\(refused)")
        }
        #expect(AllowedReturnHosts.none.external("https://docs.example.com/") == nil)
    }
}
