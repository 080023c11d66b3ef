import Foundation
import Testing

/// The real `authkit-fcgi` binary, run with a clean environment: configuration from an env file,
/// masked output with each setting's source, one-line errors, exit codes (0, 78 = EX_CONFIG, and
/// 69 = EX_UNAVAILABLE when `--online` finds WorkOS unreachable or refusing; against a real
/// authkit-emulator).
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

    /// The settings table, `SETTING  VALUE  SOURCE` in aligned columns, by name; nil unless
    /// every line up to the first blank one is a row under the header's columns.
    static func table(_ stdout: String) -> [String: (value: String, source: String)]? {
        let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).prefix { !$0.isEmpty }
        guard let header = lines.first, header.hasPrefix("SETTING "),
              let valueColumn = header.firstRange(of: " VALUE ").map({ header.distance(from: header.startIndex, to: $0.lowerBound) + 1 }),
              let sourceColumn = header.firstRange(of: " SOURCE").map({ header.distance(from: header.startIndex, to: $0.lowerBound) + 1 })
        else { return nil }
        var rows: [String: (value: String, source: String)] = [:]
        for line in lines.dropFirst() {
            let characters = Array(line)
            guard characters.count > sourceColumn, characters[valueColumn - 1] == " ", characters[valueColumn - 2] == " ",
                  characters[sourceColumn - 1] == " ", characters[sourceColumn - 2] == " ", characters[sourceColumn] != " ",
                  rows[String(characters[..<valueColumn]).trimmingCharacters(in: .whitespaces)] == nil
            else { return nil }
            let name = String(characters[..<valueColumn]).trimmingCharacters(in: .whitespaces)
            rows[name] = (String(characters[valueColumn..<sourceColumn]).trimmingCharacters(in: .whitespaces), String(characters[sourceColumn...]))
        }
        return rows
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
        #expect(result.stdout.hasSuffix("\n"))
        let table = try #require(Self.table(result.stdout))
        #expect(table.count > 10)
        for name in table.keys { #expect(!name.isEmpty && name.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" }, "\(name)") }
        #expect(table["WORKOS_CLIENT_ID"]?.value == "client_01TEST")
        #expect(table["WORKOS_API_KEY"]?.value == "sk_test_…(28 chars)")
        #expect(table["WORKOS_COOKIE_PASSWORD"]?.value == "(32 characters)")
        #expect(table["WORKOS_COOKIE_PASSWORD_PREVIOUS"]?.value == "(32 characters)")
        #expect(table["WORKOS_REDIRECT_URI"]?.value == "http://localhost:3000/callback")
        #expect(table["WORKOS_COOKIE_NAME"]?.value == "from-env")  // the real environment wins over the file
        #expect(table["WORKOS_COOKIE_SAMESITE"]?.value == "lax")
        #expect(table["WORKOS_COOKIE_MAX_AGE"]?.value == "34560000")
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
        let table = try #require(Self.table(result.stdout))
        #expect(table["WORKOS_CLIENT_ID"]?.value == "client_01ENV")
        #expect(table["WORKOS_CLIENT_ID"]?.source == "env")
        #expect(table["WORKOS_COOKIE_NAME"]?.source == "default")
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

    @Test(arguments: [["check-config"], ["check-config", "--online"]])
    func nothingConfiguredNamesTheFirstRequiredVariable(_ command: [String]) throws {
        let result = try runCommand(binary, command)
        #expect(result.status == 78)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").first == "authkit-fcgi: WORKOS_CLIENT_ID is not set. Fix: copy the client ID (client_…) from the WorkOS dashboard, API Keys page.")
        // The other required ones follow, one line each.
        #expect(Self.problemVariables(result.stderr) == ["WORKOS_CLIENT_ID", "WORKOS_API_KEY", "WORKOS_COOKIE_PASSWORD", "WORKOS_REDIRECT_URI"])
    }

    /// The variable each stderr line names (`authkit-fcgi: NAME …`), nil for a line of another shape.
    static func problemVariables(_ stderr: String) -> [String?] {
        stderr.split(separator: "\n").map { line in
            guard line.hasPrefix("authkit-fcgi: ") else { return nil }
            return line.dropFirst("authkit-fcgi: ".count).split(separator: " ").first.map(String.init)
        }
    }

    @Test func everyProblemIsOneLineOnStderrAllAtOnce() throws {
        let (directory, file) = try envFile("""
            WORKOS_CLIENT_ID=client_01TEST
            WORKOS_API_KEY=\(Self.apiKey)
            WORKOS_COOKIE_PASSWORD=tooShortPw9
            WORKOS_REDIRECT_URI=https://a.example/cb
            WORKOS_COOKIE_SAMESITE=sideways
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        for command in [["check-config"], ["serve", "--listen", "127.0.0.1:1"]] {
            let result = try runCommand(binary, command + ["--env-file", file.path], environment: ["AUTHKIT_HTTP_RETRIES": "abc"])
            #expect(result.status == 78, "\(command)")
            #expect(result.stdout.isEmpty, "\(command)")
            #expect(result.stderr.hasSuffix(".\n"))
            #expect(Self.problemVariables(result.stderr) == ["WORKOS_COOKIE_PASSWORD", "WORKOS_COOKIE_SAMESITE", "AUTHKIT_HTTP_RETRIES"],
                    "\(command): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").allSatisfy { $0.contains(". Fix: ") })
            #expect(!result.stderr.contains("tooShortPw9"))
        }
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

// MARK: sources

extension CheckConfigTests {
    @Test func eachSettingShowsWhereItCameFrom() throws {
        let (directory, file) = try envFile("""
            WORKOS_CLIENT_ID=client_01TEST
            WORKOS_API_KEY=\(Self.apiKey)
            WORKOS_COOKIE_PASSWORD=\(Self.password)
            NEXT_PUBLIC_WORKOS_REDIRECT_URI=http://localhost:3000/callback
            WORKOS_COOKIE_NAME=from-file
            WORKOS_COOKIE_DOMAIN=.file.example
            AUTHKIT_HTTP_RETRIES=

            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["WORKOS_COOKIE_NAME": "from-env", "WORKOS_COOKIE_DOMAIN": "", "AUTHKIT_CLOCK_LEEWAY_SECONDS": "5"]
        for (arguments, extra) in [(["--env-file", file.path], [:]), ([], ["AUTHKIT_ENV_FILE": file.path])] {
            let result = try runCommand(binary, ["check-config"] + arguments, environment: environment.merging(extra) { $1 })
            #expect(result.status == 0, "\(result.stderr)")
            let table = try #require(Self.table(result.stdout), "\(result.stdout)")
            let fromFile = "file \(file.path)"
            #expect(table["WORKOS_CLIENT_ID"]?.source == fromFile)
            #expect(table["WORKOS_API_KEY"]?.source == fromFile)
            #expect(table["WORKOS_REDIRECT_URI"]?.value == "http://localhost:3000/callback")
            #expect(table["WORKOS_REDIRECT_URI"]?.source == "\(fromFile) (as NEXT_PUBLIC_WORKOS_REDIRECT_URI)")
            #expect(table["WORKOS_COOKIE_NAME"]?.value == "from-env")
            #expect(table["WORKOS_COOKIE_NAME"]?.source == "env (overrides the file)")
            #expect(table["AUTHKIT_CLOCK_LEEWAY_SECONDS"]?.value == "5")
            #expect(table["AUTHKIT_CLOCK_LEEWAY_SECONDS"]?.source == "env")
            #expect(table["WORKOS_COOKIE_DOMAIN"]?.value == "(none)")  // an empty variable in the environment hides the file's
            #expect(table["WORKOS_COOKIE_DOMAIN"]?.source == "default (empty in env, which hides the file's value)")
            #expect(table["AUTHKIT_HTTP_RETRIES"]?.value == "2")
            #expect(table["AUTHKIT_HTTP_RETRIES"]?.source == "default (empty in the file)")
            #expect(table["WORKOS_COOKIE_SAMESITE"]?.source == "default")
            #expect(table.values.allSatisfy { $0.source == "env" || $0.source.hasPrefix("env (") || $0.source.hasPrefix(fromFile) || $0.source.hasPrefix("default") })
        }
    }
}

// MARK: --online against a real authkit-emulator

extension CheckConfigTests {
    /// An env file pointing at `port` on loopback with the emulator's client and key.
    func emulatorEnvFile(port: Int) throws -> (directory: URL, file: URL) {
        try envFile("""
            WORKOS_CLIENT_ID=\(EmulatorProcess.clientId)
            WORKOS_API_KEY=\(EmulatorProcess.apiKey)
            WORKOS_COOKIE_PASSWORD=\(Self.password)
            WORKOS_REDIRECT_URI=http://localhost:8080/auth/callback
            WORKOS_API_HOSTNAME=127.0.0.1
            WORKOS_API_HTTPS=false
            WORKOS_API_PORT=\(port)
            AUTHKIT_HTTP_CONNECT_TIMEOUT_MS=2000
            AUTHKIT_HTTP_TIMEOUT_MS=5000

            """)
    }

    /// The line after the table that starts with `check` (`JWKS`, `API key`).
    static func onlineLine(_ stdout: String, _ check: String) -> String? {
        stdout.split(separator: "\n").map(String.init).first { $0.hasPrefix(check + " ") }
    }

    /// `…, 12 ms` at the end.
    static func endsWithLatency(_ line: String) -> Bool {
        guard line.hasSuffix(" ms"), let comma = line.range(of: ", ", options: .backwards) else { return false }
        let number = line[comma.upperBound...].dropLast(3)
        return !number.isEmpty && number.allSatisfy(\.isNumber)
    }

    @Test func onlineReportsTheKeySetAndTheAcceptedKeyWithLatency() throws {
        let emulator = try EmulatorProcess()
        let rotated = emulator.object(try emulator.request("POST", "/_emulate/keys/rotate", json: #"{"keep_old":true}"#))
        let kids = try #require(rotated["kids"] as? [String])
        #expect(kids.count == 2)
        try emulator.request("POST", "/_emulate/counters/reset")
        let (directory, file) = try emulatorEnvFile(port: emulator.port)
        defer { try? FileManager.default.removeItem(at: directory) }

        let result = try runCommand(binary, ["check-config", "--online", "--env-file", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(Self.table(result.stdout)?["WORKOS_API_PORT"]?.value == String(emulator.port))
        let jwks = try #require(Self.onlineLine(result.stdout, "JWKS"), "\(result.stdout)")
        #expect(jwks.hasPrefix("JWKS     ok       \(emulator.base)/sso/jwks/\(EmulatorProcess.clientId): HTTP 200, 2 keys (\(kids.joined(separator: ", "))), "), "\(jwks)")
        #expect(Self.endsWithLatency(jwks), "\(jwks)")
        let key = try #require(Self.onlineLine(result.stdout, "API key"), "\(result.stdout)")
        #expect(key.hasPrefix("API key  ok       \(emulator.base)/user_management/users?limit=1: HTTP 200, key accepted, "), "\(key)")
        #expect(Self.endsWithLatency(key), "\(key)")
        let counters = try emulator.counters()
        #expect(counters["jwks"] == 1 && counters["list_users"] == 1, "\(counters)")  // really asked, once each
        #expect(!result.stdout.contains(EmulatorProcess.apiKey))
    }

    /// Issue 22 item 1: `--online` also asks the configured Redis, as serve would need it.
    @Test func onlineChecksRedisToo() throws {
        let emulator = try EmulatorProcess()
        let (directory, file) = try emulatorEnvFile(port: emulator.port)
        defer { try? FileManager.default.removeItem(at: directory) }
        let redis = try RedisServer()
        let up = try runCommand(binary, ["check-config", "--online", "--env-file", file.path], environment: ["AUTHKIT_REDIS_URL": redis.url])
        #expect(up.status == 0, "\(up.stderr)")
        let line = try #require(Self.onlineLine(up.stdout, "Redis"), "\(up.stdout)")
        #expect(line.hasPrefix("Redis    ok       127.0.0.1:\(redis.port): PONG, ") && line.hasSuffix(" ms"), "\(line)")

        let closed = freeLoopbackPort()
        let down = try runCommand(binary, ["check-config", "--online", "--env-file", file.path],
                                  environment: ["AUTHKIT_REDIS_URL": "redis://:hunter2-secret@127.0.0.1:\(closed)/0"])
        #expect(down.status == 69)
        #expect(Self.onlineLine(down.stdout, "Redis") == "Redis    FAILED", "\(down.stdout)")
        #expect(Self.onlineLine(down.stdout, "JWKS")?.hasPrefix("JWKS     ok ") == true)
        let lines = down.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix("authkit-fcgi: AUTHKIT_REDIS_URL 127.0.0.1:\(closed): ") == true, "\(down.stderr)")
        #expect(down.stderr.contains("Fix: start Redis"))
        #expect(!down.stdout.contains("hunter2") && !down.stderr.contains("hunter2"))
    }

    @Test func onlineWithAWrongAPIKeyIsRefusedWithStatus69() throws {
        let emulator = try EmulatorProcess()
        let (directory, file) = try emulatorEnvFile(port: emulator.port)
        defer { try? FileManager.default.removeItem(at: directory) }
        let wrongKey = "sk_test_Wr0ngK3yQ9x8c7v6b5n4m3"

        let result = try runCommand(binary, ["check-config", "--online", "--env-file", file.path], environment: ["WORKOS_API_KEY": wrongKey])
        #expect(result.status == 69)
        #expect(Self.table(result.stdout)?["WORKOS_API_KEY"]?.source == "env (overrides the file)")
        #expect(Self.onlineLine(result.stdout, "JWKS")?.hasPrefix("JWKS     ok ") == true)
        #expect(Self.onlineLine(result.stdout, "API key") == "API key  FAILED")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        let line = String(lines.first ?? "")
        #expect(line.hasPrefix("authkit-fcgi: API key sk_test_…(\(wrongKey.count) chars) at \(emulator.base)/user_management/users?limit=1: refused: WorkOS does not accept this API key (HTTP 401 in "), "\(line)")
        #expect(line.contains("unauthorized") && line.contains(". Fix: copy the API key"), "\(line)")
        for output in [result.stdout, result.stderr] {
            #expect(!output.contains("Wr0ngK3y") && !output.contains(EmulatorProcess.apiKey))
        }
        #expect(try emulator.counters()["list_users"] == 1)
    }

    @Test func onlineAgainstAClosedPortSaysSoInOneLineWithStatus69() throws {
        let port = freeLoopbackPort()
        let (directory, file) = try emulatorEnvFile(port: port)
        defer { try? FileManager.default.removeItem(at: directory) }

        let result = try runCommand(binary, ["check-config", "--online", "--env-file", file.path])
        #expect(result.status == 69)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        let line = String(lines.first ?? "")
        #expect(line.hasPrefix("authkit-fcgi: JWKS http://127.0.0.1:\(port)/sso/jwks/\(EmulatorProcess.clientId): connection refused or host unreachable after "), "\(line)")
        #expect(line.contains("curl 7") && line.contains(". Fix: check WORKOS_API_HOSTNAME and WORKOS_API_PORT (127.0.0.1:\(port))"), "\(line)")
        #expect(Self.onlineLine(result.stdout, "JWKS") == "JWKS     FAILED")
        #expect(Self.onlineLine(result.stdout, "API key")?.hasPrefix("API key  skipped  not checked") == true)
        #expect(Self.table(result.stdout) != nil)  // the settings are still listed
    }
}

/// `check-config --server-config`: misspelt or malformed `AUTHKIT_*` settings in nginx and
/// Apache files are reported, one line each with file and line, before a reload (exit 78).
@Suite struct ServerConfigCheckTests {
    @Test func reportsEachProblemWithItsLine() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let nginx = directory.appendingPathComponent("site.conf")
        try "location = /c {\n    fastcgi_param AUTHKIT_REQUIRE_ROLES admin;\n    fastcgi_param AUTHKIT_MODE optinal;\n}\n"
            .write(to: nginx, atomically: true, encoding: .utf8)
        let apache = directory.appendingPathComponent("apache.conf")
        try "<Location \"/a/\">\n    SetEnvIf Request_URI \".\" AUTHKIT_REQUIRE_ROLE=admin\n</Location>\n".write(to: apache, atomically: true, encoding: .utf8)
        let environment = ["WORKOS_CLIENT_ID": "client_1", "WORKOS_API_KEY": CheckConfigTests.apiKey,
                           "WORKOS_COOKIE_PASSWORD": CheckConfigTests.password, "WORKOS_REDIRECT_URI": "https://a.example/auth/callback"]
        let bad = try runCommand(Binaries.path("authkit-fcgi"), ["check-config", "--server-config", nginx.path, apache.path], environment: environment)
        #expect(bad.status == 78, "\(bad.stdout) \(bad.stderr)")
        let lines = bad.stderr.split(separator: "\n")
        #expect(lines.count == 2, "\(bad.stderr)")
        #expect(lines.first?.hasPrefix("authkit-fcgi: \(nginx.path):2: AUTHKIT_REQUIRE_ROLES is not a setting") == true, "\(bad.stderr)")
        #expect(lines.last?.contains("\(nginx.path):3: AUTHKIT_MODE is \"optinal\"") == true, "\(bad.stderr)")
        let good = try runCommand(Binaries.path("authkit-fcgi"), ["check-config", "--server-config", apache.path], environment: environment)
        #expect(good.status == 0 && good.stdout.contains("1 AUTHKIT_* settings, 0 problems"), "\(good.stdout) \(good.stderr)")
    }

    /// A server block's site redirect URI is checked against the process's allowlist.
    @Test func reportsASiteRedirectURIOffTheAllowlist() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let nginx = directory.appendingPathComponent("sites.conf")
        try "server {\n    set $authkit_site_redirect_uri https://docs.example.com/auth/callback;\n}\nserver {\n    set $authkit_site_redirect_uri https://docs.example.com.evil.com/auth/callback;\n}\n"
            .write(to: nginx, atomically: true, encoding: .utf8)
        let environment = ["WORKOS_CLIENT_ID": "client_1", "WORKOS_API_KEY": CheckConfigTests.apiKey,
                           "WORKOS_COOKIE_PASSWORD": CheckConfigTests.password, "WORKOS_REDIRECT_URI": "https://a.example/auth/callback",
                           "AUTHKIT_ALLOWED_REDIRECT_URIS": "https://*.example.com/auth/callback"]
        let bad = try runCommand(Binaries.path("authkit-fcgi"), ["check-config", "--server-config", nginx.path], environment: environment)
        #expect(bad.status == 78, "\(bad.stdout) \(bad.stderr)")
        let lines = bad.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix("authkit-fcgi: \(nginx.path):5: AUTHKIT_SITE_REDIRECT_URI is \"https://docs.example.com.evil.com/auth/callback\"") == true, "\(bad.stderr)")
        #expect(bad.stdout.contains("2 AUTHKIT_* settings, 1 problems"), "\(bad.stdout)")
        let badList = try runCommand(Binaries.path("authkit-fcgi"), ["check-config"], environment: environment.merging(["AUTHKIT_ALLOWED_REDIRECT_URIS": "https://*.com/cb"]) { _, b in b })
        #expect(badList.status == 78 && badList.stderr.contains("AUTHKIT_ALLOWED_REDIRECT_URIS has an entry authkit-fcgi cannot use: entry 1 (https://*.com/cb)"), "\(badList.stderr)")
    }

    /// Process settings and server files are reported together: one line per problem, all at
    /// once (before, a bad process setting hid the server files' problems, and an unreadable
    /// file stopped the scan).
    @Test func everyProblemAtOnceAcrossProcessAndServerSettings() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let nginx = directory.appendingPathComponent("site.conf")
        try "location = /c {\n    fastcgi_param AUTHKIT_MODE optinal;\n}\n".write(to: nginx, atomically: true, encoding: .utf8)
        let missing = directory.appendingPathComponent("missing.conf").path
        let environment = ["WORKOS_CLIENT_ID": "client_1", "WORKOS_API_KEY": CheckConfigTests.apiKey,
                           "WORKOS_COOKIE_PASSWORD": "short", "WORKOS_REDIRECT_URI": "https://a.example/auth/callback"]
        let bad = try runCommand(Binaries.path("authkit-fcgi"), ["check-config", "--server-config", nginx.path, missing], environment: environment)
        #expect(bad.status == 78, "\(bad.stdout) \(bad.stderr)")
        let lines = bad.stderr.split(separator: "\n")
        #expect(lines.count == 3, "\(bad.stderr)")
        #expect(lines.count == 3 && lines[0].hasPrefix("authkit-fcgi: WORKOS_COOKIE_PASSWORD ") && lines[1].hasPrefix("authkit-fcgi: \(nginx.path):2: AUTHKIT_MODE")
                && lines[2].hasPrefix("authkit-fcgi: --server-config \(missing) cannot be read"), "\(bad.stderr)")
        #expect(lines.allSatisfy { $0.contains(" Fix: ") })
        // With good process settings the unreadable file no longer hides the other's problem.
        let fixed = environment.merging(["WORKOS_COOKIE_PASSWORD": CheckConfigTests.password]) { _, b in b }
        let two = try runCommand(Binaries.path("authkit-fcgi"), ["check-config", "--server-config", missing, nginx.path], environment: fixed)
        #expect(two.status == 78 && two.stderr.split(separator: "\n").count == 2, "\(two.stderr)")
    }
}

/// `--help` says what must be set and where the rest is described.
@Suite struct HelpTextTests {
    @Test(arguments: [["--help"], ["serve", "--help"]])
    func namesTheRequiredVariablesAndTheManPage(_ arguments: [String]) throws {
        let help = try runCommand(Binaries.path("authkit-fcgi"), arguments, environment: [:])
        #expect(help.status == 0)
        let text = help.stdout.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
        for name in ["WORKOS_CLIENT_ID", "WORKOS_API_KEY", "WORKOS_COOKIE_PASSWORD", "WORKOS_REDIRECT_URI", "authkit-fcgi(8)", "check-config"] {
            #expect(text.contains(name), "\(arguments): \(name) in \(help.stdout)")
        }
    }
}
