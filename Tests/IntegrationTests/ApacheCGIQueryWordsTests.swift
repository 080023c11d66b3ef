import Foundation
import Testing

/// The attack of ``CGIQueryWordsTests`` through a real Apache (mod_cgid) with the shipped plain
/// CGI setup (`apache/authkit-cgi.conf`, `apache/example-cgi-site.conf`): Apache itself turns
/// an indexed query into authkit-fcgi's arguments, running as www-data.
@Suite struct ApacheCGIQueryWordsTests {
    @Test func queryWordsChangeNothingBehindApache() throws {
        let site = try ApacheSite(.cgi)
        defer { _ = site.stop() }
        // A file www-data may delete (its directory is www-data's), as under /var/www.
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let victim = directory.appendingPathComponent("victim-file").path
        try "precious\n".write(toFile: victim, atomically: true, encoding: .utf8)
        for path in [directory.path, victim] {
            try FileManager.default.setAttributes([.ownerAccountName: "www-data", .groupOwnerAccountName: "www-data"], ofItemAtPath: path)
        }
        _ = try runCommand("/bin/chmod", ["0755", directory.path])
        let port = freeLoopbackPort()
        // Before the fix these requests left FastCGI servers running as www-data; stop any by PID.
        defer {
            CGIInvocation.killServers(mentioning: victim)
            CGIInvocation.killServers(mentioning: "127.0.0.1:\(port)")
        }

        let callback = try? Browser().send("GET", "\(site.base)/auth/callback?--listen+unix:\(victim)")
        #expect(callback?.status == 400, "callback: \(callback.map { "\($0.status)" } ?? "no answer") \(site.errorLog)")
        #expect(callback.map { String(decoding: $0.body, as: UTF8.self).contains("missing_auth_params") } == true)
        #expect(!CGIInvocation.isSocket(victim), "the victim file was replaced by a socket")
        #expect((try? String(contentsOfFile: victim, encoding: .utf8)) == "precious\n", "the victim file is gone or changed")

        let signIn = try? Browser().send("GET", "\(site.base)/auth/sign-in?--listen+127.0.0.1:\(port)+--workers+50")
        #expect(signIn?.status == 302, "sign-in: \(signIn.map { "\($0.status)" } ?? "no answer") \(site.errorLog)")
        #expect(signIn?.header("Location")?.hasPrefix("http://127.0.0.1:\(site.emulator.port)/user_management/authorize?") == true)
        #expect(!CGIInvocation.isListening(port: port), "a FastCGI server listens on 127.0.0.1:\(port)")

        for query in ["print", "check-config", "--help"] {
            let health = try? Browser().send("GET", "\(site.base)/auth/health?\(query)")
            #expect(health?.status == 200, "health?\(query): \(health.map { "\($0.status)" } ?? "no answer") \(site.errorLog)")
            #expect(health.map { String(decoding: $0.body, as: UTF8.self) } == #"{"status":"ok"}"#)
        }
        #expect(!site.errorLog.contains("End of script output before headers"), "\(site.errorLog)")
        #expect(CGIInvocation.killServers(mentioning: victim) + CGIInvocation.killServers(mentioning: "127.0.0.1:\(port)") == 0,
                "authkit-fcgi servers were left running")
    }
}
