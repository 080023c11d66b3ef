import Foundation
import Testing

/// A misspelt or malformed per-location setting, through the real servers: the check denies
/// with a 500 and logs the parameter and the fix; the page is never served as if the
/// requirement were absent (before, `AUTHKIT_REQUIRE_ROLES admin` let any signed-in user in).
@Suite struct LocationSettingsThroughServersTests {
    static let page = "<h1>Typo area</h1>"

    func putPage(under root: URL) throws {
        let folder = root.appendingPathComponent("typo")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.page.write(to: folder.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        _ = try? runCommand("/bin/chmod", ["-R", "a+rX", folder.path])
    }

    @Test(arguments: ["fastcgi_param AUTHKIT_REQUIRE_ROLES admin;", "fastcgi_param AUTHKIT_MODE optinal;",
                      #"fastcgi_param AUTHKIT_REQUIRE_ROLE "";"#, "fastcgi_param AUTHKIT_ALLOW_BEARER yes;"])
    func nginxDeniesWith500(setting: String) throws {
        let site = try NginxSite(extraLocations: """
                location /typo/ {
                    auth_request /_authkit/check/typo;
                    include authkit/authkit-protect.conf;
                    try_files $uri $uri/index.html =404;
                }
                location = /_authkit/check/typo {
                    internal;
                    include authkit/authkit-check.conf;
                    \(setting)
                }
            """)
        try putPage(under: site.directory.appendingPathComponent("html"))
        let member = Browser()
        _ = try member.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=grace%40example.com")
        let answer = try member.send("GET", "\(site.base)/typo/")
        #expect(answer.status == 500, "\(setting): \(answer.status)")
        #expect(!String(decoding: answer.body, as: UTF8.self).contains(Self.page))
        let anonymous = try Browser().send("GET", "\(site.base)/typo/")
        #expect(anonymous.status == 500 && !String(decoding: anonymous.body, as: UTF8.self).contains(Self.page))
        // The shipped locations are unaffected.
        #expect(try member.send("GET", "\(site.base)/protected/").status == 200)
        let log = site.authkit.stop().log
        #expect(log.contains("bad location setting") && log.contains("Fix:"), "\(log.suffix(600))")
    }

    @Test(arguments: ApacheSite.Setup.allCases)
    func apacheDeniesWith500(setup: ApacheSite.Setup) throws {
        // The example site's own /admin/ block, for /typo/, with the requirement misspelt.
        let block = try ApacheSite.adminBlock(setup, location: "/typo/", with: "AUTHKIT_REQUIRE_ROLES=admin")
        let site = try ApacheSite(setup, extraSite: block)
        defer { _ = site.stop() }
        try putPage(under: site.directory.appendingPathComponent("html"))
        let member = Browser()
        _ = try member.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=grace%40example.com")
        let answer = try member.send("GET", "\(site.base)/typo/")
        #expect(answer.status == 500, "\(setup): \(answer.status)")
        #expect(!String(decoding: answer.body, as: UTF8.self).contains(Self.page), "\(setup)")
        #expect(try member.send("GET", "\(site.base)/protected/").status == 200, "\(setup)")
    }
}
