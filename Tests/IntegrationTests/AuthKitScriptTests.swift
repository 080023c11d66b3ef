import Foundation
import Testing

/// `/auth/authkit.js` through real nginx: served for caching, and run (in Node, with the
/// server's own endpoints) to read the session, fetch and time tokens, and switch organization.
/// What a person sees in a browser is not covered here yet.
@Suite(.serialized) struct AuthKitScriptTests {
    @Test func servedForBrowsersToKeep() throws {
        let site = try NginxSite()
        let script = try Browser().send("GET", "\(site.base)/auth/authkit.js", headers: [])
        #expect(script.status == 200)
        #expect(script.header("Content-Type") == "text/javascript; charset=utf-8")
        #expect(script.header("Cache-Control") == "public, max-age=86400")
        #expect(!script.headers.contains { ["set-cookie", "vary"].contains($0.name.lowercased()) })
        #expect(String(decoding: script.body, as: UTF8.self).contains("global.AuthKit = AuthKit"))
        let etag = try #require(script.header("ETag"))
        let revalidated = try Browser().send("GET", "\(site.base)/auth/authkit.js", headers: [("If-None-Match", etag)])
        #expect(revalidated.status == 304 && revalidated.body.isEmpty)
        #expect(try Browser().send("GET", "\(site.base)/auth/authkit.js", headers: [("If-None-Match", "\"stale\"")]).status == 200)
        _ = site.stop()
    }

    @Test func runsAgainstTheRealEndpoints() throws {
        let node = try #require(["/usr/bin/node", "/usr/local/bin/node"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                "Node.js is needed (scripts/test.sh installs Debian's nodejs)")
        let site = try NginxSite()
        let browser = Browser()
        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=ada%40example.com")
        let cookie = try #require(browser.cookie("wos-session"))
        let check = repositoryRoot.appendingPathComponent("Tests/js/authkit-script-check.mjs").path
        let result = try runCommand(node, [check, site.base, cookie, "org_01EMULATEGLOBEX000000000"])
        #expect(result.status == 0 && result.stdout.hasSuffix("ok\n"), "\(result.stdout)\(result.stderr)")
        #expect(try site.emulator.counters()["organization_switches"] == 1)
        _ = site.stop()
    }
}
