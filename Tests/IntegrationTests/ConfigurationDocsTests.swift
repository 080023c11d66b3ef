import AuthKitCore
import Foundation
import Testing

/// The configuration reference, docs/configuration.md, documents every setting the code reads:
/// a process setting without a row there, or a per-location parameter it never names, fails.
@Suite struct ConfigurationDocsTests {
    static let page = "docs/configuration.md"

    func reference() throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent(Self.page), encoding: .utf8)
    }

    /// Every process setting: what `check-config` lists (``ConfigLoader/describe(_:)``) and
    /// every name ``LocationSettings/processNames`` lets through, each as a table row.
    @Test func everyProcessSettingHasARow() throws {
        let config = try ConfigLoader.load([
            "WORKOS_CLIENT_ID": "client_01", "WORKOS_API_KEY": "sk_test_1234567890abcdefghij",
            "WORKOS_COOKIE_PASSWORD": "this-is-a-32-character-password!",
            "WORKOS_REDIRECT_URI": "https://app.example.com/auth/callback",
        ])
        let names = Set(ConfigLoader.describe(config).map(\.name)).union(LocationSettings.processNames)
        #expect(names.count >= 40, "only \(names.count) settings found")
        let text = try reference()
        // A row starts with the name in backticks; WORKOS_REDIRECT_URI shares its row with the Next.js name.
        let undocumented = names.filter { name in
            !text.contains("\n| `\(name)` |") && !text.contains("/ `\(name)` |")
        }
        #expect(undocumented.isEmpty, "no row in \(Self.page) for \(undocumented.sorted())")
    }

    /// Every per-location parameter a site sets (nginx `fastcgi_param`, Apache `SetEnvIf`).
    /// The rest of ``LocationSettings/locationNames`` are the shipped snippets' own plumbing.
    @Test func everyLocationParameterIsNamed() throws {
        let plumbing: Set<String> = ["AUTHKIT_ACTION", "AUTHKIT_CLIENT_HEADER", "AUTHKIT_SERVED_PATH"]
        let text = try reference()
        let unnamed = LocationSettings.locationNames.subtracting(plumbing).filter { !text.contains("`\($0)") }
        #expect(unnamed.isEmpty, "\(Self.page) never names \(unnamed.sorted())")
    }
}
