import Foundation
import Testing
@testable import AuthKitGateway

@Suite struct CGIScriptTests {
    /// A scripts directory with an executable, a plain file, and a link pointing outside.
    func makeTree() throws -> (root: String, scripts: String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cgiscript-\(UUID().uuidString)").path
        let scripts = root + "/cgi-bin"
        try FileManager.default.createDirectory(atPath: scripts, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: scripts + "/whoami", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
        #expect(FileManager.default.createFile(atPath: scripts + "/notes.txt", contents: Data("x".utf8), attributes: [.posixPermissions: 0o644]))
        #expect(FileManager.default.createFile(atPath: root + "/outside", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
        try FileManager.default.createSymbolicLink(atPath: scripts + "/escape", withDestinationPath: root + "/outside")
        return (root, scripts)
    }

    @Test func locatesScriptsOnlyInsideTheDirectory() throws {
        let (root, scripts) = try makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let plain = CGIScript.locate(pathTranslated: scripts + "/whoami", scriptsDirectory: scripts, requestPath: "/p/cgi-bin/whoami")
        #expect(plain == CGIScript(file: scripts + "/whoami", scriptName: "/p/cgi-bin/whoami", pathInfo: ""))
        let withPath = CGIScript.locate(pathTranslated: scripts + "/whoami/a/b", scriptsDirectory: scripts, requestPath: "/p/cgi-bin/whoami/a/b")
        #expect(withPath == CGIScript(file: scripts + "/whoami", scriptName: "/p/cgi-bin/whoami", pathInfo: "/a/b"))
        #expect(CGIScript.locate(pathTranslated: scripts + "/notes.txt", scriptsDirectory: scripts, requestPath: "/n") == nil)
        #expect(CGIScript.locate(pathTranslated: scripts + "/escape", scriptsDirectory: scripts, requestPath: "/e") == nil)
        #expect(CGIScript.locate(pathTranslated: scripts + "/../outside", scriptsDirectory: scripts, requestPath: "/o") == nil)
        #expect(CGIScript.locate(pathTranslated: root + "/outside", scriptsDirectory: scripts, requestPath: "/o") == nil)
        #expect(CGIScript.locate(pathTranslated: scripts + "/missing", scriptsDirectory: scripts, requestPath: "/m") == nil)
        #expect(CGIScript.locate(pathTranslated: scripts, scriptsDirectory: scripts, requestPath: "/d") == nil)
        #expect(CGIScript.locate(pathTranslated: scripts + "/whoami", scriptsDirectory: "relative", requestPath: "/w") == nil)
    }

    @Test func theScriptSeesIdentityButNoSecretsOrSpoofs() {
        let script = CGIScript(file: "/s/whoami", scriptName: "/p/whoami", pathInfo: "")
        let environment = script.environment(request: [
            "REQUEST_METHOD": "GET", "QUERY_STRING": "a=1", "HTTP_ACCEPT": "text/html", "PATH_INFO": "/p/whoami",
            "WORKOS_API_KEY": "sk_secret", "WORKOS_COOKIE_PASSWORD": "password", "AUTHKIT_ENV_FILE": "/etc/x.env",
            "REDIRECT_URL": "/p/whoami", "HTTP_AUTHKIT_USER_ID": "spoof", "HTTP_X_AUTHKIT_ROLE": "spoof",
            "HTTP_VARIABLE_AUTHKIT_ROLE": "spoof", "REMOTE_USER": "spoof", "PATH_TRANSLATED": "/srv/p/whoami",
        ], identity: ["AUTHKIT_USER_ID": "user_1", "REMOTE_USER": "user_1"])
        #expect(environment["AUTHKIT_USER_ID"] == "user_1" && environment["REMOTE_USER"] == "user_1" && environment["AUTH_TYPE"] == "AuthKit")
        #expect(environment["SCRIPT_NAME"] == "/p/whoami" && environment["SCRIPT_FILENAME"] == "/s/whoami" && environment["PATH_INFO"] == nil)
        #expect(environment["QUERY_STRING"] == "a=1" && environment["HTTP_ACCEPT"] == "text/html")
        #expect(!environment.values.contains("spoof") && !environment.values.contains("sk_secret") && !environment.values.contains("password"))
        #expect(environment["AUTHKIT_ENV_FILE"] == nil && environment["REDIRECT_URL"] == nil && environment["PATH_TRANSLATED"] == nil)
    }

    @Test func localRedirectsStayOnThisServer() {
        #expect(CGIScript.localRedirectTarget("/docs/a?b=1") == "/docs/a?b=1")
        #expect(CGIScript.localRedirectTarget("http://evil.example/docs/?x") == "/docs/?x")
        #expect(CGIScript.localRedirectTarget("http://evil.example") == "/")
        #expect(CGIScript.localRedirectTarget("//evil.example/") == nil)
        #expect(CGIScript.localRedirectTarget("/a b") == nil)
        #expect(CGIScript.localRedirectTarget("/a\r\nSet-Cookie: x") == nil)
        #expect(CGIScript.localRedirectTarget("/\\evil.example") == nil)
        #expect(CGIScript.localRedirectTarget("evil.example/x") == nil)
    }
}
