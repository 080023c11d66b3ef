import Glibc
import Testing
@testable import AuthKitCore

@Suite struct ServerConfigScanTests {
    @Test func findsNginxAndApacheSettings() {
        let text = """
            location = /_authkit/check/admin {
                fastcgi_param AUTHKIT_REQUIRE_ROLE admin;   # fine
                fastcgi_param AUTHKIT_REQUIRE_ROLES admin;
                fastcgi_param AUTHKIT_MODE "optinal";
                fastcgi_param AUTHKIT_REQUIRE_ROLE $role_of_this_site;
                fastcgi_param AUTHKIT_ALLOW_BERAER $x;
                fastcgi_param AUTHKIT_SERVED_PATH $authkit_served_path;
                fastcgi_param REQUEST_URI $request_uri;
            }
            # fastcgi_param AUTHKIT_COMMENTED out;
            <Location "/admin/">
                SetEnvIf Request_URI "." AUTHKIT_REQUIRE_ROLE=admin
                SetEnvIfNoCase Request_URI "." AUTHKIT_REQUIRE_PERMISSON=posts:read
                SetEnv AUTHKIT_ENV_FILE /etc/authkit-fcgi/authkit.env
                SetEnv AUTHKIT_ALLOW_BEARER maybe
            </Location>
            """
        #expect(ServerConfigScan.settings(in: text).count == 10)
        let findings = ServerConfigScan.findings(file: "site.conf", text: text)
        #expect(findings.map(\.line) == [3, 4, 6, 13, 15], "\(findings)")
        #expect(findings.map(\.problem.parameter) == ["AUTHKIT_REQUIRE_ROLES", "AUTHKIT_MODE", "AUTHKIT_ALLOW_BERAER", "AUTHKIT_REQUIRE_PERMISSON", "AUTHKIT_ALLOW_BEARER"])
        #expect(findings[0].description.hasPrefix("site.conf:3: AUTHKIT_REQUIRE_ROLES is not a setting"))
    }

    @Test func siteRedirectURIsAreCheckedAgainstTheAllowlist() throws {
        let text = """
            server {
                set $authkit_site_redirect_uri https://docs.example.com/auth/callback;
                set $authkit_site_redirect_uri https://evil.com/auth/callback;
                set $authkit_site_redirect_uri $from_a_map;
                set $authkit_site_base_url https://docs.example.com;
                set $something_else https://evil.com/;
            }
            <VirtualHost *:443>
                SetEnvIf Request_URI "." AUTHKIT_SITE_REDIRECT_URI=https://a.b.example.com/auth/callback
            </VirtualHost>
            """
        #expect(ServerConfigScan.settings(in: text).map(\.name) == [
            "AUTHKIT_SITE_REDIRECT_URI", "AUTHKIT_SITE_REDIRECT_URI", "AUTHKIT_SITE_REDIRECT_URI", "AUTHKIT_SITE_BASE_URL", "AUTHKIT_SITE_REDIRECT_URI",
        ])
        let allowlist = try AllowedRedirectURIs.parse("https://*.example.com/auth/callback").get()
        let findings = ServerConfigScan.findings(file: "sites.conf", text: text, allowlist: allowlist)
        #expect(findings.map(\.line) == [3, 9], "\(findings)")
        #expect(findings.allSatisfy { $0.problem.parameter == "AUTHKIT_SITE_REDIRECT_URI" && $0.problem.problem.contains("does not allow") })
        // Without the allowlist, every literal site redirect URI is a problem.
        #expect(ServerConfigScan.findings(file: "sites.conf", text: text).map(\.line) == [2, 3, 9])
    }

    @Test func theShippedConfigurationsAreClean() throws {
        // The repository's own files, as a reload would read them.
        for (name, text) in try ShippedConfigs.all() {
            #expect(ServerConfigScan.findings(file: name, text: text).isEmpty, "\(name)")
        }
    }
}

/// The repository's nginx and Apache files (tests run from the package root).
enum ShippedConfigs {
    static func all() throws -> [(String, String)] {
        let root = String(#filePath.utf8.split(separator: UInt8(ascii: "/")).dropLast(3).map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/"))
        var out: [(String, String)] = []
        for name in ["nginx/authkit.conf", "nginx/authkit-check.conf", "nginx/authkit-protect.conf", "nginx/example-site.conf",
                     "apache/authkit-site.conf", "apache/authkit-fcgid.conf", "apache/authkit-cgi.conf", "apache/example-site.conf",
                     "apache/example-fcgid-site.conf", "apache/example-cgi-site.conf"] {
            out.append((name, try readText("/" + root + "/" + name)))
        }
        return out
    }

    static func readText(_ path: String) throws -> String {
        guard let file = fopen(path, "r") else { throw Missing(path: path) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    struct Missing: Error { let path: String }
}
