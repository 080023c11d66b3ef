import AuthKitCore
import Foundation
import Testing

/// The whole flow through real nginx with authkit-fcgi logging at trace level: sign-in,
/// callback, checks, a refresh, sign-out. Not one log line may contain the API
/// key, the cookie password, an access or refresh token, the authorization code, the PKCE
/// verifier or state, or any cookie value.
@Suite struct SecretLoggingTests {
    @Test func noSecretReachesTheLog() throws {
        let password = "this-is-a-32-character-password!"
        let site = try NginxSite(serveArguments: ["--log-level", "trace"])
        let browser = Browser()
        var secrets: Set<String> = [EmulatorProcess.apiKey, password]
        func collect() {
            for (name, value) in browser.cookies where !value.isEmpty && name != SignInLoopGuard.cookieName { secrets.insert(value) }
            if let session = browser.cookie("wos-session"),
               case .success(let opened) = SessionSealer(password: password, clock: SystemClock(), random: SecureRandom()).openSession(session) {
                secrets.insert(opened.payload.accessToken)
                secrets.insert(opened.payload.refreshToken)
            }
            for hop in browser.history {
                for field in ["code", "state", "code_challenge"] {
                    if let value = URLComponents(string: hop.url)?.queryItems?.first(where: { $0.name == field })?.value, value.count > 8 {
                        secrets.insert(value)
                    }
                }
                for header in hop.response.headers where header.name.lowercased() == "set-cookie" {
                    let pair = header.value.prefix { $0 != ";" }
                    if let equals = pair.firstIndex(of: "="), pair[pair.index(after: equals)...].count > 8 {
                        secrets.insert(String(pair[pair.index(after: equals)...]))
                    }
                }
            }
        }

        // Sign in on an expired clock so the next check refreshes.
        try site.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":-400}"#)
        let (landed, _) = try browser.navigate("\(site.base)/protected/")
        try site.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":0}"#)
        #expect(landed == "\(site.base)/protected/")
        collect()
        #expect(try browser.send("GET", "\(site.base)/whoami").status == 200)   // refreshes
        collect()
        let counters = try site.emulator.counters()
        #expect((counters["refreshes"] ?? 0) >= 1, "\(counters)")
        _ = try browser.send("GET", "\(site.base)/api/items", headers: [("Accept", "application/json")])
        _ = try browser.navigate("\(site.base)/auth/sign-out", method: "POST", body: "return_to=%2F")
        collect()

        let (status, log) = site.stop()
        #expect(status == 0)
        #expect(log.contains("signed in") && log.contains("session refreshed") && log.contains("signed out"), "the log is too quiet to prove anything:\n\(log)")
        #expect(secrets.count >= 8, "\(secrets.count) secrets collected")
        for secret in secrets {
            #expect(!log.contains(secret), "a secret (\(secret.prefix(6))…, \(secret.count) chars) appears in the log")
            // Also no long prefix of it (a truncated token is still a token).
            if secret.count > 40 { #expect(!log.contains(secret.prefix(32)), "a prefix of a secret appears in the log") }
        }
    }
}
