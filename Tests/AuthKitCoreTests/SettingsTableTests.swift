import Testing
@testable import AuthKitCore

/// `check-config`'s aligned `SETTING  VALUE  SOURCE` listing.
@Suite struct SettingsTableTests {
    @Test func columnsLineUpUnderTheHeader() {
        let lines = SettingsTable.lines([
            ("WORKOS_CLIENT_ID", "client_01", "file /srv/.env.local"),
            ("WORKOS_COOKIE_SAMESITE", "lax", "default"),
            ("WORKOS_API_KEY", "sk_test_…(40 chars)", "env"),
        ])
        #expect(lines == [
            "SETTING                 VALUE                SOURCE",
            "WORKOS_CLIENT_ID        client_01            file /srv/.env.local",
            "WORKOS_COOKIE_SAMESITE  lax                  default",
            "WORKOS_API_KEY          sk_test_…(40 chars)  env",
        ])
    }

    @Test func aLongValuePushesOnlyItsOwnSource() {
        let long = "/public/:path*," + String(repeating: "/docs/(.*),", count: 5)
        let lines = SettingsTable.lines([("A", "short", "default"), ("WORKOS_UNAUTHENTICATED_PATHS", long, "env")])
        #expect(lines[1] == "A                             short  default")
        #expect(lines[2] == "WORKOS_UNAUTHENTICATED_PATHS  \(long)  env")
    }

    @Test func controlCharactersCannotBreakALine() {
        let lines = SettingsTable.lines([("WORKOS_COOKIE_DOMAIN", "a\nb\tc\u{1B}[31m", "env"), ("X", "", "default")])
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("WORKOS_COOKIE_DOMAIN  a\\nb\\tc?[31m"))
        #expect(lines[2].hasPrefix("X                     \"\""))
    }

    @Test func rowsCoverEveryDescribedSettingWithItsSourceAndMaskSecrets() throws {
        let apiKey = "sk_test_Zq81Lm30Rt77Vb12Kx54Np06", password = "J8vQ2mZr5Tn1Xw4Ls7Hd0Pf3Gk6Yb9Ce"
        let sources = ConfigSources(
            file: ["WORKOS_CLIENT_ID": "client_01", "WORKOS_API_KEY": apiKey, "NEXT_PUBLIC_WORKOS_REDIRECT_URI": "https://a.example/cb"],
            filePath: "/srv/app/.env.local",
            environment: ["WORKOS_COOKIE_PASSWORD": password, "PATH": "/usr/bin"])
        let config = try ConfigLoader.load(sources.variables)
        let rows = SettingsTable.rows(config, sources: sources)
        #expect(rows.map(\.name) == ConfigLoader.describe(config).map(\.name))
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0) })
        #expect(byName["WORKOS_CLIENT_ID"]?.source == "file /srv/app/.env.local")
        #expect(byName["WORKOS_API_KEY"]?.value == "sk_test_…(32 chars)")
        #expect(byName["WORKOS_COOKIE_PASSWORD"]?.value == "(32 characters)")
        #expect(byName["WORKOS_COOKIE_PASSWORD"]?.source == "env")
        #expect(byName["WORKOS_REDIRECT_URI"]?.source == "file /srv/app/.env.local (as NEXT_PUBLIC_WORKOS_REDIRECT_URI)")
        #expect(byName["WORKOS_COOKIE_NAME"]?.source == "default")
        #expect(byName["WORKOS_UNAUTHENTICATED_PATHS"]?.value == "(none)")
        let text = SettingsTable.lines(rows).joined(separator: "\n")
        for secret in [apiKey, password] {
            let characters = Array(secret)
            for start in 0...(characters.count - 6) {
                let run = String(characters[start..<start + 6])
                if "sk_test_".contains(run) { continue }
                #expect(!text.contains(run), "\(run)")
            }
        }
    }
}
