import Foundation
import Testing

/// The real `authkit-fcgi` binary: configuration from an env file, masked output, exit codes.
@Suite struct CheckConfigTests {
    let binary = Binaries.path("authkit-fcgi")

    func envFile(_ text: String) throws -> (URL, URL) {
        let directory = try temporaryDirectory()
        let file = directory.appendingPathComponent(".env.local")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return (directory, file)
    }

    @Test func goodConfigurationPrintsMaskedSettings() throws {
        let (directory, file) = try envFile("""
            WORKOS_CLIENT_ID=client_01TEST
            WORKOS_API_KEY=sk_test_Zq81Lm30Rt77Vb12Kx54
            WORKOS_COOKIE_PASSWORD="J8vQ2mZr5Tn1Xw4Ls7Hd0Pf3Gk6Yb9Ce"
            NEXT_PUBLIC_WORKOS_REDIRECT_URI=http://localhost:3000/callback
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runCommand(binary, ["check-config", "--env-file", file.path], environment: ["WORKOS_COOKIE_NAME": "from-env"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("WORKOS_CLIENT_ID=client_01TEST\n"))
        #expect(result.stdout.contains("WORKOS_API_KEY=sk_test_…(28 chars)\n"))
        #expect(result.stdout.contains("WORKOS_COOKIE_NAME=from-env\n"))  // the real environment wins
        #expect(!result.stdout.contains("Zq81Lm30"))
        #expect(!result.stdout.contains("J8vQ2mZr"))
    }

    @Test func shortPasswordStopsWithOneLineAndStatus78() throws {
        let (directory, file) = try envFile("WORKOS_CLIENT_ID=c\nWORKOS_API_KEY=sk_test_x\nWORKOS_COOKIE_PASSWORD=tooShortPw9\nWORKOS_REDIRECT_URI=https://a.example/cb\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        for command in [["check-config"], ["serve", "--listen", "127.0.0.1:1"]] {
            let result = try runCommand(binary, command + ["--env-file", file.path])
            #expect(result.status == 78)
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1)
            #expect(lines.first?.hasPrefix("authkit-fcgi: WORKOS_COOKIE_PASSWORD is too short") == true)
            #expect(result.stderr.contains("openssl rand -base64 24"))
            #expect(!result.stderr.contains("tooShortPw9"))
        }
    }

    @Test func missingEnvFileStops() throws {
        let result = try runCommand(binary, ["check-config", "--env-file", "/nonexistent/.env"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("/nonexistent/.env cannot be read"))
    }
}
