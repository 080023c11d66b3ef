// ConfigLoader + DotEnv (AuthKitCore/Config) beside swift-configuration 1.4.0's
// EnvironmentVariablesProvider and ConfigReader, on what authkit-fcgi needs of a config loader
// rather than on speed (it runs once, at start-up): the env file read exactly as Next.js's
// dotenv reads `.env.local` (the cookie password must be the same bytes on both sides), and
// every problem reported at once, one line per variable, exit 78.
import AuthKitCore
import Configuration
import Foundation
import SystemPackage

let password = "this-is-a-32-character-password!"
let base = "WORKOS_CLIENT_ID=client_01H\nWORKOS_API_KEY=sk_test_1\nWORKOS_REDIRECT_URI=https://app.example.com/auth/callback\n"
/// Env files a Next.js app may share with authkit-fcgi, and the cookie password dotenv reads from each.
let cases: [(label: String, line: String, dotenv: String?)] = [
    ("plain", "WORKOS_COOKIE_PASSWORD=\(password)\n", password),
    ("double-quoted, with #", "WORKOS_COOKIE_PASSWORD=\"\(password)#x\"\n", password + "#x"),
    ("single-quoted", "WORKOS_COOKIE_PASSWORD='\(password)'\n", password),
    ("`export` prefix", "export WORKOS_COOKIE_PASSWORD=\(password)\n", password),
    ("inline comment", "WORKOS_COOKIE_PASSWORD=\(password) # rotated 2026-11\n", password),
    ("CRLF line ends", "WORKOS_COOKIE_PASSWORD=\(password)\r\nAUTHKIT_HTTP_RETRIES=1\r\n", password),
    ("unterminated quote", "WORKOS_COOKIE_PASSWORD=\"\(password)\n", nil),
]

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("buy-config-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

/// What a reader gets for the variable: the value, "(unset)", or the error thrown.
func show(_ value: String?) -> String {
    guard let value else { return "(unset)" }
    return value == password ? "the password" : "`\(value.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: password, with: "<password>"))`"
}

print("### Env file: the cookie password as read by dotenv (Next.js), DotEnv, swift-configuration")
print("")
print("| env file | dotenv (Next.js) | DotEnv (ours) | swift-configuration |")
print("| --- | --- | --- | --- |")
for (index, testCase) in cases.enumerated() {
    let text = base + testCase.line
    let ours: String
    do { ours = show(Dictionary(try DotEnv.parse(text), uniquingKeysWith: { $1 })["WORKOS_COOKIE_PASSWORD"]) } catch { ours = "refused: \(error)" }
    let file = directory.appendingPathComponent("case\(index).env")
    try Data(text.utf8).write(to: file)
    let theirs: String
    do {
        let reader = ConfigReader(provider: try await EnvironmentVariablesProvider(environmentFilePath: FilePath(file.path)))
        theirs = show(reader.string(forKey: "WORKOS_COOKIE_PASSWORD"))
    } catch { theirs = "refused: \(error)" }
    print("| \(testCase.label) | \(testCase.dotenv.map { show($0) } ?? "keeps the quote") | \(ours) | \(theirs) |")
}
print("")

// Three bad values at once: ours reports all three, one line each, naming variable and fix.
let bad = ["WORKOS_CLIENT_ID": "client_01H", "WORKOS_API_KEY": "sk_test_1", "WORKOS_COOKIE_PASSWORD": "short",
           "WORKOS_REDIRECT_URI": "https://app.example.com/auth/callback", "AUTHKIT_HTTP_RETRIES": "two",
           "AUTHKIT_CLOCK_LEEWAY_SECONDS": "9999"]
print("### Three bad settings (short password, `AUTHKIT_HTTP_RETRIES=two`, `AUTHKIT_CLOCK_LEEWAY_SECONDS=9999`)")
print("")
do {
    _ = try ConfigLoader.load(bad)
    print("ConfigLoader: accepted (unexpected)")
} catch {
    print("ConfigLoader: \(error.errors.count) problems, one line each:")
    print("")
    for line in error.lines { print("    \(line)") }
}
print("")
let reader = ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: bad))
let retries = reader.int(forKey: "AUTHKIT_HTTP_RETRIES", default: 2)
let leeway = reader.int(forKey: "AUTHKIT_CLOCK_LEEWAY_SECONDS", default: 0)
print("swift-configuration int(forKey:default:): AUTHKIT_HTTP_RETRIES=two reads as \(retries), AUTHKIT_CLOCK_LEEWAY_SECONDS=9999 reads as \(leeway) (no error for either: a bad number becomes the default, and no range is checked)")
do {
    _ = try reader.requiredInt(forKey: "AUTHKIT_HTTP_RETRIES")
    _ = try reader.requiredInt(forKey: "AUTHKIT_CLOCK_LEEWAY_SECONDS")
    print("swift-configuration requiredInt: accepted")
} catch {
    print("swift-configuration requiredInt: throws at the first bad key and stops: \(error)")
}
