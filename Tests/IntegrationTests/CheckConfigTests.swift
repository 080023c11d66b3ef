import Foundation
import Testing

/// The real `authkit-fcgi` binary, run with a clean environment: configuration from an env file,
/// masked output, one-line errors, exit codes (0, or 78 = EX_CONFIG).
@Suite struct CheckConfigTests {
    let binary = Binaries.path("authkit-fcgi")

    static let apiKey = "sk_test_Zq81Lm30Rt77Vb12Kx54"
    static let password = "J8vQ2mZr5Tn1Xw4Ls7Hd0Pf3Gk6Yb9Ce"
    static let previous = "Uo4Ni8Mh2Lg6Kf0Je3Id7Hc1Gb5Fa9Ez"

    /// Writes `.env.local` into a fresh directory; the caller removes the directory.
    func envFile(_ text: String) throws -> (directory: URL, file: URL) {
        let directory = try temporaryDirectory()
        let file = directory.appendingPathComponent(".env.local")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return (directory, file)
    }

    @Test func goodConfigurationPrintsMaskedSettings() throws {
        let (directory, file) = try envFile("""
            # as in a Next.js app's .env.local
            WORKOS_CLIENT_ID=client_01TEST
            export WORKOS_API_KEY=\(Self.apiKey)
            WORKOS_COOKIE_PASSWORD="\(Self.password)"
            WORKOS_COOKIE_PASSWORD_PREVIOUS='\(Self.previous)'
            NEXT_PUBLIC_WORKOS_REDIRECT_URI=http://localhost:3000/callback # the callback
            WORKOS_COOKIE_NAME=from-file

            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runCommand(binary, ["check-config", "--env-file", file.path], environment: ["WORKOS_COOKIE_NAME": "from-env"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(result.stdout.hasSuffix("\n"))
        #expect(lines.count > 10)
        for line in lines {
            let name = line.prefix { $0 != "=" }
            #expect(line.contains("=") && !name.isEmpty && name.allSatisfy { $0.isUppercase || $0 == "_" }, "\(line)")
        }
        #expect(lines.contains("WORKOS_CLIENT_ID=client_01TEST"))
        #expect(lines.contains("WORKOS_API_KEY=sk_test_…(28 chars)"))
        #expect(lines.contains("WORKOS_COOKIE_PASSWORD=(32 characters)"))
        #expect(lines.contains("WORKOS_COOKIE_PASSWORD_PREVIOUS=(32 characters)"))
        #expect(lines.contains("WORKOS_REDIRECT_URI=http://localhost:3000/callback"))
        #expect(lines.contains("WORKOS_COOKIE_NAME=from-env"))  // the real environment wins over the file
        #expect(lines.contains("WORKOS_COOKIE_SAMESITE=lax"))
        #expect(lines.contains("WORKOS_COOKIE_MAX_AGE=34560000"))
        for secret in [Self.apiKey, Self.password, Self.previous] {
            let characters = Array(secret)
            for start in 0...(characters.count - 6) {
                let run = String(characters[start..<start + 6])
                if "sk_test_".contains(run) { continue }
                #expect(!result.stdout.contains(run), "\(run)")
            }
        }
    }

    @Test func environmentAloneIsEnough() throws {
        let result = try runCommand(binary, ["check-config"], environment: [
            "WORKOS_CLIENT_ID": "client_01ENV", "WORKOS_API_KEY": Self.apiKey, "WORKOS_COOKIE_PASSWORD": Self.password,
            "WORKOS_REDIRECT_URI": "https://app.example.com/auth/callback",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("WORKOS_CLIENT_ID=client_01ENV\n"))
    }

    @Test func shortPasswordStopsWithOneLineAndStatus78() throws {
        let (directory, file) = try envFile("WORKOS_CLIENT_ID=c\nWORKOS_API_KEY=sk_test_x\nWORKOS_COOKIE_PASSWORD=tooShortPw9\nWORKOS_REDIRECT_URI=https://a.example/cb\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        for command in [["check-config"], ["serve", "--listen", "127.0.0.1:1"]] {
            let result = try runCommand(binary, command + ["--env-file", file.path])
            #expect(result.status == 78, "\(command)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr == "authkit-fcgi: WORKOS_COOKIE_PASSWORD is too short (11 characters; at least 32 are required). Fix: set it to a random string, e.g. the output of `openssl rand -base64 24`.\n")
            #expect(!result.stderr.contains("tooShortPw9"))
        }
    }

    @Test func environmentCanBreakAGoodFile() throws {
        let (directory, file) = try envFile("""
            WORKOS_CLIENT_ID=client_01TEST
            WORKOS_API_KEY=\(Self.apiKey)
            WORKOS_COOKIE_PASSWORD=\(Self.password)
            WORKOS_REDIRECT_URI=https://a.example/cb
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runCommand(binary, ["check-config", "--env-file", file.path], environment: ["WORKOS_COOKIE_SAMESITE": "sometimes"])
        #expect(result.status == 78)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("authkit-fcgi: WORKOS_COOKIE_SAMESITE ") == true)
    }

    @Test func nothingConfiguredNamesTheFirstRequiredVariable() throws {
        let result = try runCommand(binary, ["check-config"])
        #expect(result.status == 78)
        #expect(result.stderr == "authkit-fcgi: WORKOS_CLIENT_ID is not set. Fix: copy the client ID (client_…) from the WorkOS dashboard, API Keys page.\n")
    }

    @Test func missingOrUnreadableEnvFileStops() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for path in ["/nonexistent/.env", directory.path] {
            let result = try runCommand(binary, ["check-config", "--env-file", path])
            #expect(result.status == 78, "\(path)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1)
            #expect(lines.first?.hasPrefix("authkit-fcgi: --env-file \(path) cannot be read") == true)
        }
    }

    @Test func envFileSyntaxErrorNamesTheLineNotTheValue() throws {
        let (directory, file) = try envFile("WORKOS_CLIENT_ID=client_01\nWORKOS_API_KEY=\"\(Self.apiKey)\nWORKOS_COOKIE_PASSWORD=x\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runCommand(binary, ["check-config", "--env-file", file.path])
        #expect(result.status == 78)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("authkit-fcgi: --env-file \(file.path): line 2: unterminated \" quote. Fix: ") == true)
        #expect(!result.stderr.contains("Zq81Lm30"))
    }
}
