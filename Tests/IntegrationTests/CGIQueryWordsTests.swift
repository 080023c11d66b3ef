import Foundation
import Testing

/// For a query without `=` Apache's mod_cgi and mod_cgid pass the query's words to a CGI program
/// as its arguments (RFC 3875 §4.4), and no directive turns that off. In CGI mode authkit-fcgi
/// must ignore its arguments altogether: `?--listen+unix:/path` must not replace a file with a
/// socket, `?--listen+127.0.0.1:PORT` must not start a server, `?--env-file+…` must not choose the
/// configuration, and `?print` or `?--help` must not turn the answer into a 500.
@Suite struct CGIQueryWordsTests {
    /// A configuration read from AUTHKIT_ENV_FILE, as the shipped CGI setup reads it.
    struct Site {
        let directory: URL
        let environment: [String: String]

        init() throws {
            directory = try temporaryDirectory()
            let envFile = directory.appendingPathComponent("authkit.env")
            try """
                WORKOS_CLIENT_ID=client_emulate
                WORKOS_API_KEY=sk_test_default
                WORKOS_COOKIE_PASSWORD=J8vQ2mZr5Tn1Xw4Ls7Hd0Pf3Gk6Yb9Ce
                WORKOS_REDIRECT_URI=http://127.0.0.1:8080/auth/callback
                WORKOS_API_HOSTNAME=127.0.0.1
                WORKOS_API_PORT=9
                WORKOS_API_HTTPS=false

                """.write(to: envFile, atomically: true, encoding: .utf8)
            environment = ["AUTHKIT_ENV_FILE": envFile.path]
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    /// An answer as a CGI program gives it: a `Status:` line of `status`, no usage text.
    func expectNormalAnswer(_ result: CGIInvocation.Result, status: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!result.timedOut, "still running after \(result.seconds) s: a CGI request started a server", sourceLocation: sourceLocation)
        #expect(result.status == 0, "exit status \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.hasPrefix("Status: \(status)\r\n"), "answer: \(result.stdout.prefix(200))", sourceLocation: sourceLocation)
        #expect(!result.stdout.lowercased().contains("usage:") && !result.stderr.lowercased().contains("usage:"),
                "usage text: \(result.stdout.prefix(200)) \(result.stderr.prefix(200))", sourceLocation: sourceLocation)
    }

    @Test func listenWordsDoNotReplaceAFileWithASocket() throws {
        let site = try Site()
        defer { site.remove() }
        let victim = site.directory.appendingPathComponent("victim-file").path
        try "precious\n".write(toFile: victim, atomically: true, encoding: .utf8)

        let result = try CGIInvocation.run(uri: "/auth/callback?--listen+unix:\(victim)", environment: site.environment)

        expectNormalAnswer(result, status: "400 Bad Request")
        #expect(!CGIInvocation.isSocket(victim), "the victim file was replaced by a socket")
        #expect((try? String(contentsOfFile: victim, encoding: .utf8)) == "precious\n", "the victim file is gone or changed")
    }

    @Test func serveListenWordsStartNoServer() throws {
        let site = try Site()
        defer { site.remove() }
        let port = freeLoopbackPort()
        var listenedWhileRunning = false

        let result = try CGIInvocation.run(uri: "/auth/sign-in?serve+--listen+127.0.0.1:\(port)+--workers+50",
                                           environment: site.environment) {
            listenedWhileRunning = CGIInvocation.isListening(port: port)
        }

        expectNormalAnswer(result, status: "302 Found")
        #expect(result.seconds < 5, "took \(result.seconds) s")
        #expect(!listenedWhileRunning, "a FastCGI server listened on 127.0.0.1:\(port)")
        #expect(!CGIInvocation.isListening(port: port), "something listens on 127.0.0.1:\(port)")
    }

    @Test func envFileWordsDoNotChooseTheConfiguration() throws {
        let site = try Site()
        defer { site.remove() }
        let chosen = site.directory.appendingPathComponent("chosen.env")
        try """
            WORKOS_CLIENT_ID=client_chosen_by_the_query
            WORKOS_API_KEY=sk_test_chosen
            WORKOS_COOKIE_PASSWORD=0123456789abcdef0123456789abcdef
            WORKOS_REDIRECT_URI=http://127.0.0.1:8080/auth/callback
            WORKOS_API_HOSTNAME=elsewhere.invalid

            """.write(to: chosen, atomically: true, encoding: .utf8)

        let result = try CGIInvocation.run(uri: "/auth/sign-in?--env-file+\(chosen.path)", environment: site.environment)

        expectNormalAnswer(result, status: "302 Found")
        #expect(result.stdout.contains("Location: http://127.0.0.1:9/user_management/authorize?client_id=client_emulate&"),
                "answer: \(result.stdout.prefix(300))")
        #expect(!result.stdout.contains("client_chosen_by_the_query") && !result.stdout.contains("elsewhere.invalid"))

        // A file that cannot be read: still the configured answer, not a configuration error.
        let missing = try CGIInvocation.run(uri: "/auth/health?--env-file+/nonexistent/authkit.env", environment: site.environment)
        expectNormalAnswer(missing, status: "200 OK")
    }

    /// Subcommands, options and bare words: every one gets the answer the request would get anyway.
    @Test(arguments: ["check-config", "check-config+--online", "--help", "serve+--help", "--version", "print", "%2D%2Dhelp"])
    func otherWordsGetTheNormalAnswer(query: String) throws {
        let site = try Site()
        defer { site.remove() }

        let result = try CGIInvocation.run(uri: "/auth/health?\(query)", environment: site.environment)

        expectNormalAnswer(result, status: "200 OK")
        #expect(result.stdout.hasSuffix(#"{"status":"ok"}"#), "answer: \(result.stdout.prefix(300))")
        #expect(!result.stdout.contains("WORKOS_CLIENT_ID"), "the settings table was printed")
    }
}
