import AuthKitCore
import Foundation
import Testing
@testable import AuthKitFastCGI
@testable import AuthKitGateway

/// Issue 20, item 2, for the gateway: CGI parameters, the guard's redirect target and
/// script paths are read as UTF-8 bytes (see GraphemeGlueTests in AuthKitCoreTests).
@Suite struct GraphemeGlueGatewayTests {
    static let glues: [String] = [
        "\u{301}", "\u{338}", "\u{20D0}", "\u{200D}", "\u{200C}", "\u{FE0F}", "\u{E0100}", "\u{903}",
        "\u{600}", "\u{110BD}", "\u{1100}", "\u{1161}", "\u{11A8}", "\u{1F3FB}", "\u{1F1E6}", "\u{E0020}", "\u{E007F}",
    ]

    @Test(arguments: glues) func localRedirectTargets(_ g: String) {
        #expect(CGIScript.localRedirectTarget("//\(g)evil.example/x") == nil, "a //host reference")
        #expect(CGIScript.localRedirectTarget("/\(g)/evil.example") == "/\(g)/evil.example")
        #expect(CGIScript.localRedirectTarget("/a\(g)") == "/a\(g)")
        #expect(CGIScript.localRedirectTarget("http://h\(g)/p?q") == "/p?q")
        #expect(CGIScript.localRedirectTarget("http://h/\(g)/p") == "/\(g)/p")
        #expect(CGIScript.localRedirectTarget("http:\(g)//h/p") == nil)
        #expect(CGIScript.localRedirectTarget("http://h\(g)") == "/")
    }

    @Test(arguments: glues) func headerParametersByBytes(_ g: String) {
        let request = GatewayRequest.make(parameters: ["HTTP_\(g)X": "1", "HTTP_COOKIE": "a=1", "AUTHKIT_\(g)MODE": "optional"], body: [])
        #expect(request.headers["\(g)x"] == "1" && request.headers["cookie"] == "a=1")
        #expect(request.parameters["AUTHKIT_\(g)MODE"] == "optional")
        #expect(CGIScript.isWithheld("AUTHKIT_\(g)X") && CGIScript.isWithheld("HTTP_X_AUTHKIT_\(g)USER"))
    }

    @Test func rolesFoldASCIIOnly() {
        let settings = EndpointSettings(origin: "https://a.example", redirectURI: "https://a.example/auth/callback")
        func route(_ variables: [String: String]) -> Route {
            RouteTable.route(AuthRequest(method: "GET", requestURI: "/x"), serverVariables: variables, settings: settings)
        }
        #expect(route(["FCGI_ROLE": "authorizer"]) == .authorizer(accessChecker: false))
        // U+0131 DOTLESS I upper-cases to I in Unicode.
        #expect(route(["FCGI_ROLE": "author\u{131}zer"]) == .notFound)
        #expect(route(["FCGI_ROLE": "AUTHORIZER", "FCGI_APACHE_ROLE": "access_checker"]) == .authorizer(accessChecker: true))
        #expect(route(["FCGI_ROLE": "AUTHORIZER", "FCGI_APACHE_ROLE": "access_chec\u{212A}er"]) == .authorizer(accessChecker: false))
    }

    @Test(arguments: glues) func scriptPathsSplitOnSlashBytes(_ g: String) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cgiglue-\(UUID().uuidString)").path
        let scripts = root + "/cgi-bin"
        try FileManager.default.createDirectory(atPath: scripts, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(FileManager.default.createFile(atPath: scripts + "/whoami", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
        let located = CGIScript.locate(pathTranslated: scripts + "/whoami/\(g)x", scriptsDirectory: scripts, requestPath: "/cgi-bin/whoami/\(g)x")
        #expect(located?.file == scripts + "/whoami")
        #expect(located.map { $0.pathInfo.utf8.elementsEqual("/\(g)x".utf8) } == true)
        #expect(located.map { $0.scriptName.utf8.elementsEqual("/cgi-bin/whoami".utf8) } == true)
    }

    @Test func scriptDirectoriesCompareBytes() throws {
        // NFC "café" and NFD "café" are two directories to the kernel; String.hasPrefix calls them equal.
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cgicanon-\(UUID().uuidString)").path
        let inside = root + "/caf\u{E9}", outside = root + "/cafe\u{301}"
        try FileManager.default.createDirectory(atPath: inside, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(FileManager.default.createFile(atPath: outside + "/whoami", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
        #expect(FileManager.default.createFile(atPath: inside + "/whoami", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
        #expect(CGIScript.locate(pathTranslated: outside + "/whoami", scriptsDirectory: inside, requestPath: "/w") == nil)
        #expect(CGIScript.locate(pathTranslated: inside + "/whoami", scriptsDirectory: inside, requestPath: "/w") != nil)
    }

    @Test(arguments: glues) func listenAddresses(_ g: String) throws {
        #expect(try ListenAddress(parsing: "h\(g):9000") == .tcp(host: "h\(g)", port: 9000))
        #expect(throws: ListenAddress.Invalid.self) { try ListenAddress(parsing: "h:\(g)9000") }
        #expect(throws: ListenAddress.Invalid.self) { try ListenAddress(parsing: "unix:\(g)/run/a.sock") }
        #expect(try ListenAddress(parsing: "unix:/run/\(g)a.sock") == .unix(path: "/run/\(g)a.sock"))
    }
}
