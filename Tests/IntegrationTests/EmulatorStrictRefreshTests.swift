import AuthKitCore
import Foundation
import Testing

/// The emulator's strict refresh mode (`--strict-refresh`, `--refresh-grace-seconds`,
/// `/_emulate/config`): single-use refresh tokens as WorkOS documents them, no
/// `Idempotency-Key` replay for a refresh, a reuse answered with the first exchange's pair only
/// within the grace window.
@Suite struct EmulatorStrictRefreshTests {
    typealias E = EmulatorProcess

    static func invalidGrant(_ response: HTTPResponse) -> Bool {
        response.status == 400 && response.text.contains(#""error":"invalid_grant""#) && response.text.contains("Refresh token already exchanged.")
    }

    /// Strict, grace 0: the same `Idempotency-Key` and body are a reuse, not a replay.
    @Test func aRepeatWithTheSameIdempotencyKeyIsAReuse() throws {
        let emulator = try EmulatorProcess.strict(graceSeconds: 0)
        let token = try emulator.signIn()["refresh_token"] as! String
        let key = [(name: "Idempotency-Key", value: "retry-\(UUID().uuidString)")]
        #expect(try emulator.refresh(token, headers: key).status == 200)
        let again = try emulator.refresh(token, headers: key)
        #expect(Self.invalidGrant(again), "\(again.status) \(again.text)")
        #expect(again.header("Idempotent-Replayed") == nil)
        let counters = try emulator.counters()
        #expect(counters["refreshes"] == 1 && counters["refresh_token_reuse"] == 1 && counters["idempotent_replays"] == nil, "\(counters)")
        #expect(counters["refresh_grace_replays"] == nil)
        // Other grants keep the Idempotency-Key replay (WorkOS documents it for other endpoints).
        let code = try emulator.code()
        let fields = ["grant_type": "authorization_code", "client_id": E.clientId, "client_secret": E.apiKey, "code": code]
        let codeKey = [(name: "Idempotency-Key", value: "code-\(UUID().uuidString)")]
        #expect(try emulator.authenticate(fields, headers: codeKey).status == 200)
        #expect(try emulator.authenticate(fields, headers: codeKey).header("Idempotent-Replayed") == "true")
    }

    /// Strict, grace 30: a reuse within the window gets the same pair (not another), however
    /// often and with or without a key; after the window, `invalid_grant`.
    @Test func aReuseWithinTheGraceWindowGetsTheSamePair() throws {
        let emulator = try EmulatorProcess.strict(graceSeconds: 30)
        let token = try emulator.signIn()["refresh_token"] as! String
        let first = try emulator.refresh(token)
        #expect(first.status == 200)
        let pair = emulator.object(first)
        try emulator.control("POST", "/_emulate/clock", #"{"advance_seconds":20}"#)
        for headers in [[], [(name: "Idempotency-Key", value: "k-\(UUID().uuidString)")]] {
            let repeated = try emulator.refresh(token, headers: headers)
            #expect(repeated.status == 200)
            let again = emulator.object(repeated)
            #expect(again["refresh_token"] as? String == pair["refresh_token"] as? String)
            #expect(again["access_token"] as? String == pair["access_token"] as? String)
        }
        // A switch is not the exchange that spent it: a reuse.
        #expect(Self.invalidGrant(try emulator.refresh(token, organizationId: "org_01EMULATEGLOBEX000000000")))
        var counters = try emulator.counters()
        #expect(counters["refreshes"] == 1 && counters["refresh_grace_replays"] == 2 && counters["refresh_token_reuse"] == 1, "\(counters)")
        // The new token is good, once.
        #expect(try emulator.refresh(pair["refresh_token"] as! String).status == 200)
        try emulator.control("POST", "/_emulate/clock", #"{"advance_seconds":11}"#)
        let late = try emulator.refresh(token)
        #expect(Self.invalidGrant(late), "31 s after: \(late.status) \(late.text)")
        counters = try emulator.counters()
        #expect(counters["refresh_grace_replays"] == 2 && counters["refresh_token_reuse"] == 2, "\(counters)")
    }

    /// Within the window, an ended session's spent token is refused like any of its tokens.
    @Test func theGraceWindowDoesNotOutliveTheSession() throws {
        let emulator = try EmulatorProcess.strict(graceSeconds: 30)
        let signedIn = try emulator.signIn()
        let token = signedIn["refresh_token"] as! String
        #expect(try emulator.refresh(token).status == 200)
        let sid = try CompactJWT(signedIn["access_token"] as! String).claims["sid"] as! String
        #expect(try emulator.request("POST", "/user_management/sessions/revoke", json: #"{"session_id":"\#(sid)"}"#,
                                     headers: [("Authorization", "Bearer \(E.apiKey)")]).status == 200)
        let after = try emulator.refresh(token)
        #expect(after.status == 400 && after.text.contains("Session has already ended."), "\(after.text)")
    }

    /// `/_emulate/config` reports and sets both; bad values are a 400 and change nothing.
    /// Without `--strict-refresh` the emulator is as lenient as before (replay of a refresh).
    @Test func configReportsAndValidatesStrictMode() throws {
        let emulator = try EmulatorProcess()
        var config = emulator.object(try emulator.request("GET", "/_emulate/config"))
        #expect(config["strict_refresh"] as? Bool == false && config["refresh_grace_seconds"] as? Int == 0, "\(config)")
        for bad in [#"{"refresh_grace_seconds":-1}"#, #"{"refresh_grace_seconds":3601}"#, #"{"refresh_grace_seconds":1.5}"#,
                    #"{"refresh_grace_seconds":"30"}"#, #"{"refresh_grace_seconds":1e300}"#, #"{"strict_refresh":"yes"}"#,
                    #"{"strict_refresh":1}"#, #"{"strict_refresh":true,"refresh_grace_seconds":null}"#] {
            let answer = try emulator.request("POST", "/_emulate/config", json: bad)
            #expect(answer.status == 400, "\(bad): \(answer.status) \(answer.text)")
        }
        config = emulator.object(try emulator.request("GET", "/_emulate/config"))
        #expect(config["strict_refresh"] as? Bool == false && config["refresh_grace_seconds"] as? Int == 0, "unchanged: \(config)")

        let token = try emulator.signIn()["refresh_token"] as! String
        let key = [(name: "Idempotency-Key", value: "lenient-\(UUID().uuidString)")]
        #expect(try emulator.refresh(token, headers: key).status == 200)
        #expect(try emulator.refresh(token, headers: key).header("Idempotent-Replayed") == "true", "lenient by default")

        config = emulator.object(try emulator.request("POST", "/_emulate/config", json: #"{"strict_refresh":true,"refresh_grace_seconds":30}"#))
        #expect(config["strict_refresh"] as? Bool == true && config["refresh_grace_seconds"] as? Int == 30, "\(config)")
        let second = try emulator.signIn()["refresh_token"] as! String
        let secondKey = [(name: "Idempotency-Key", value: "strict-\(UUID().uuidString)")]
        #expect(try emulator.refresh(second, headers: secondKey).status == 200)
        let repeated = try emulator.refresh(second, headers: secondKey)
        #expect(repeated.status == 200 && repeated.header("Idempotent-Replayed") == nil)
        #expect(try emulator.counters()["refresh_grace_replays"] == 1)
    }

    /// The command line refuses a grace window out of range.
    @Test func theCommandLineRefusesABadGraceWindow() throws {
        for bad in ["-1", "3601", "x"] {
            let run = try runCommand(Binaries.path("authkit-emulator"), ["--port", "0", "--strict-refresh", "--refresh-grace-seconds", bad])
            #expect(run.status != 0 && run.stderr.contains("refresh-grace-seconds"), "\(bad): \(run.status) \(run.stderr)")
        }
    }
}
