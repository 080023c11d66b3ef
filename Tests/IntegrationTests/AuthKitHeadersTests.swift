import AuthKitCore
import Foundation
import Testing

/// The security model's claim (docs/security.md), held as an attack: an upstream never receives a client's `X-AuthKit-*`
/// header, under any name the project uses or any case, `_` or `.` spelling of one. The one
/// list (``AuthKitHeaders``) is the source of the snippets' stripping lines; these tests fail when
/// a name appears in the code or the docs without being on the list, or the list without a line.
@Suite struct AuthKitHeadersTests {
    func text(_ path: String) throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// Every `X-AuthKit-Name` written anywhere in the sources, snippets, manual, README and docs/.
    func namesInTheTree() throws -> Set<String> {
        var files: [String] = ["README.md", "packaging/authkit-fcgi.8"]
        for folder in ["Sources", "nginx", "apache", "docs"] {
            let root = repositoryRoot.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(atPath: root.path) else { continue }
            for case let file as String in walker where file.hasSuffix(".swift") || file.hasSuffix(".conf") || file.hasSuffix(".md") {
                files.append("\(folder)/\(file)")
            }
        }
        var names = Set<String>()
        let letters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-".utf8)
        for file in files {
            guard let bytes = try? Array(text(file).utf8) else { continue }
            let prefix = Array("x-authkit-".utf8)
            var index = 0
            while index + prefix.count <= bytes.count {
                let candidate = bytes[index..<index + prefix.count].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
                guard candidate == prefix, index == 0 || !letters.contains(bytes[index - 1]) else { index += 1; continue }
                var end = index + prefix.count
                while end < bytes.count, letters.contains(bytes[end]) { end += 1 }
                var name = String(decoding: bytes[index..<end], as: UTF8.self)
                while name.hasSuffix("-") { name.removeLast() }
                // "X-AuthKit-*" and "X-AuthKit-" name the family, not a header.
                if name.count > "X-AuthKit".count { names.insert(name.lowercased()) }
                index = end
            }
        }
        return names
    }

    @Test func everyNameInTheTreeIsOnTheList() throws {
        let listed = Set(AuthKitHeaders.all.map { $0.lowercased() })
        let found = try namesInTheTree()
        #expect(found.count >= 15, "the scan found \(found.count) names")
        #expect(found.subtracting(listed).isEmpty, "not on AuthKitHeaders.all: \(found.subtracting(listed).sorted())")
    }

    @Test func theSnippetsStripEveryName() throws {
        let nginx = try text("nginx/authkit-identity-proxy.conf")
        for name in AuthKitHeaders.all {
            #expect(nginx.contains("\nproxy_set_header \(name) "), "nginx/authkit-identity-proxy.conf has no line for \(name)")
        }
        for file in ["apache/authkit-site.conf", "apache/authkit-fcgid.conf", "apache/authkit-cgi.conf"] {
            let apache = try text(file)
            for name in AuthKitHeaders.all {
                #expect(apache.contains("\nRequestHeader unset \(name) early\n"), "\(file) has no line for \(name)")
            }
            #expect(apache.contains("\nSetEnvIfNoCase ^X[-_.]AuthKit[-_.] . \(AuthKitService.clientHeaderParameter)=1\n"), "\(file)")
        }
    }

    @Test func everySpellingIsRecognised() {
        for name in AuthKitHeaders.all + ["X-AuthKit-Anything-New"] {
            for spelling in [name, name.lowercased(), name.uppercased(), name.replacingOccurrences(of: "-", with: "_"),
                             name.replacingOccurrences(of: "-", with: "."), "x_AUTHKIT-" + name.dropFirst("X-AuthKit-".count)] {
                #expect(AuthKitHeaders.isClientSpoof(headerName: spelling), "\(spelling)")
            }
        }
        for other in ["X-AuthKit", "X-AuthKitUser", "X-Auth-Kit-User-Id", "AuthKit-User-Id", "X-Authkit\u{301}-Role", "x-authkit\u{2010}role", ""] {
            #expect(!AuthKitHeaders.isClientSpoof(headerName: other), "\(other)")
        }
    }

    /// Spellings a client may send; nginx drops underscore names by default, Apache keeps them
    /// out of CGI variables but would proxy them.
    static let spellings = ["X-AuthKit-User-Id", "x-authkit-role", "X-AUTHKIT-SIGN-IN", "X-AuthKit-Anything", "X_AuthKit_User_Id", "X-AuthKit_Role"]

    @Test func nginxRefusesEverySpelling() throws {
        let site = try NginxSite(serveArguments: [])
        let browser = Browser()
        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=ada%40example.com")
        for spelling in Self.spellings {
            for path in ["/whoami", "/blog/", "/protected/"] {
                let answer = try browser.send("GET", site.base + path, headers: Browser.navigation + [(spelling, "user_spoofed")])
                let body = String(decoding: answer.body, as: UTF8.self)
                #expect(!body.contains("user_spoofed"), "\(spelling) \(path)")
                // Underscore names are dropped by nginx itself (underscores_in_headers off).
                if !spelling.contains("_") { #expect(answer.status == 400, "\(spelling) \(path): \(answer.status)") }
            }
        }
        // Signed out, at a location open to everyone (optional mode): refused all the same.
        let anonymous = try Browser().send("GET", site.base + "/blog/", headers: [("X-AuthKit-User-Id", "user_spoofed")])
        #expect(anonymous.status == 400)
        #expect(try browser.send("GET", site.base + "/whoami").status == 200)
    }

    @Test(arguments: ApacheSite.Setup.allCases)
    func apacheNeverHandsThemToAScript(setup: ApacheSite.Setup) throws {
        let site = try ApacheSite(setup)
        defer { _ = site.stop() }
        let browser = Browser()
        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=ada%40example.com")
        for spelling in Self.spellings + ["AuthKit-User-Id", "AUTHKIT_USER_ID", "Remote-User", "Variable-AUTHKIT_ROLE"] {
            let answer = try browser.send("GET", site.base + "/protected/cgi-bin/whoami", headers: Browser.navigation + [(spelling, "user_spoofed")])
            let body = String(decoding: answer.body, as: UTF8.self)
            #expect(!body.contains("user_spoofed"), "\(setup) \(spelling): \(body)")
            #expect(answer.status == 200 || answer.status == 400, "\(setup) \(spelling): \(answer.status)")
            if answer.status == 200 { #expect(body.contains("AUTHKIT_USER_ID=user_01EMULATEADMIN0000000000\n"), "\(setup) \(spelling)") }
        }
        // The spellings Apache would proxy but never hands to a script: the request is refused.
        for spelling in ["X_AuthKit_User_Id", "X-AuthKit_Role", "X.AuthKit.Role"] {
            let answer = try browser.send("GET", site.base + "/protected/", headers: Browser.navigation + [(spelling, "user_spoofed")])
            #expect(answer.status == 400, "\(setup) \(spelling): \(answer.status)")
        }
    }
}
