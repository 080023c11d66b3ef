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
        // API keys, valid and unknown, on /api/ (AUTHKIT_ALLOW_API_KEY): never logged either.
        let apiKey = try site.emulator.createApiKey()
        let unknownKey = "sk_" + String(repeating: "u", count: 40)
        secrets.formUnion([apiKey.value, unknownKey])
        #expect(try browser.send("GET", "\(site.base)/api/items", headers: [("Accept", "application/json"), ("Authorization", "Bearer \(apiKey.value)")]).status == 200)
        #expect(try browser.send("GET", "\(site.base)/api/items", headers: [("Accept", "application/json"), ("Authorization", "Bearer \(unknownKey)")]).status == 401)
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

/// The servers' own logs at their default levels (nginx `error_log … warn`, Apache
/// `LogLevel warn`, which also holds what mod_fcgid and CGI programs write to stderr): after a
/// whole flow, failed callbacks, long inputs and planted cookies, none holds a token, a state
/// seal, a code or a cookie value.
@Suite struct ServerLogSecretTests {
    /// Every secret-looking value the flow produced: cookie values, code, state, tokens.
    static func secrets(_ browser: Browser) -> Set<String> {
        var found = Set<String>()
        for (name, value) in browser.cookies where value.count > 8 && name != SignInLoopGuard.cookieName { found.insert(value) }
        for hop in browser.history {
            for field in ["code", "state"] {
                if let value = URLComponents(string: hop.url)?.queryItems?.first(where: { $0.name == field })?.value, value.count > 8 { found.insert(value) }
            }
            if let location = hop.response.header("Location"), let state = URLComponents(string: location)?.queryItems?.first(where: { $0.name == "state" })?.value {
                found.insert(state)
            }
        }
        return found
    }

    static func exercise(_ base: String, _ browser: Browser) throws {
        _ = try browser.navigate("\(base)/protected/")
        _ = try browser.send("GET", "\(base)/protected/")
        // A replayed and a forged callback, long inputs, planted cookies, a bad session cookie.
        if let callback = browser.history.first(where: { $0.url.contains("/auth/callback") })?.url {
            _ = try Browser().send("GET", callback)
        }
        _ = try browser.send("GET", "\(base)/auth/callback?code=01CODE0000000000000000&state=Fe26.2**forged*state")
        _ = try Browser().send("GET", "\(base)/protected/?" + String(repeating: "q=1&", count: 900))
        _ = try Browser().send("GET", "\(base)/protected/", headers: Browser.navigation + [("Cookie", "wos-session=Fe26.2**notaseal0000000000; wos-auth-verifier-1=Fe26.2**planted00000000")])
        _ = try browser.navigate("\(base)/auth/sign-out", method: "POST", body: "return_to=%2F")
    }

    static func expectClean(_ log: String, _ secrets: Set<String>, _ what: String) {
        #expect(secrets.count >= 3, "\(what): \(secrets.count) secrets collected")
        for secret in secrets {
            #expect(!log.contains(secret) && !log.contains(secret.prefix(24)), "\(what): a secret (\(secret.prefix(6))…) is in the server's log")
        }
        for marker in ["Fe26.2*", "Fe26.2%2A", "access_token", "refresh_token"] {
            #expect(!log.contains(marker), "\(what): \(marker) in the server's log")
        }
    }

    @Test func nginxErrorLogHoldsNoSecret() throws {
        let site = try NginxSite()
        let browser = Browser()
        try Self.exercise(site.base, browser)
        let log = (try? String(contentsOf: site.directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
        Self.expectClean(log, Self.secrets(browser), "nginx")
    }

    @Test(arguments: ApacheSite.Setup.allCases)
    func apacheErrorLogHoldsNoSecret(setup: ApacheSite.Setup) throws {
        let site = try ApacheSite(setup)
        let browser = Browser()
        try Self.exercise(site.base, browser)
        let log = site.errorLog
        _ = site.stop()
        Self.expectClean(log, Self.secrets(browser), "\(setup)")
    }
}
