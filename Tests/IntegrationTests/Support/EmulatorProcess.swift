import AuthKitCore
import AuthKitCurl
import Foundation

/// A running `authkit-emulator` on a free loopback port, stopped by PID at the end.
final class EmulatorProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    let http = CurlTransport(connectTimeoutMillis: 2000, totalTimeoutMillis: 10_000, userAgent: "authkit-tests")
    static let clientId = "client_emulate"
    static let apiKey = "sk_test_default"

    init(arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: Binaries.path("authkit-emulator"))
        process.arguments = ["--port", "0"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line.append(byte)
        }
        guard let port = String(decoding: line, as: UTF8.self).split(separator: ":").last.flatMap({ Int($0) }) else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile)
        }
        self.port = port
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// Configuration of authkit-fcgi pointed at this emulator.
    func config(redirectURI: String = "http://localhost:8080/auth/callback") -> AuthKitConfig {
        AuthKitConfig(clientId: Self.clientId, apiKey: Self.apiKey, cookiePassword: "J8vQ2mZr5Tn1Xw4Ls7Hd0Pf3Gk6Yb9Ce",
                      redirectURI: redirectURI, apiHostname: "127.0.0.1", apiHTTPS: false, apiPort: port)
    }

    @discardableResult
    func request(_ method: String, _ path: String, json: String? = nil, headers: [(name: String, value: String)] = []) throws -> HTTPResponse {
        var all = headers
        if json != nil { all.append(("Content-Type", "application/json")) }
        return try http.send(HTTPRequest(method: method, url: base + path, headers: all, body: Array((json ?? "").utf8)))
    }

    func object(_ response: HTTPResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
    }

    func counters() throws -> [String: Int] {
        (object(try request("GET", "/_emulate/counters")) as? [String: Int]) ?? [:]
    }

    /// Auto-approved authorize: the code issued for `loginHint`, with an optional PKCE challenge.
    func authorizationCode(loginHint: String = "ada@example.com", challenge: String? = nil, organizationId: String? = nil,
                           redirectURI: String = "http://localhost:8080/auth/callback") throws -> String {
        let url = WorkOSURLs.authorization(baseURL: base, clientId: Self.clientId, AuthorizationRequest(
            redirectURI: redirectURI, state: "st", codeChallenge: challenge, organizationId: organizationId, loginHint: loginHint))
        let response = try http.send(HTTPRequest(method: "GET", url: url))
        guard response.status == 302, let location = response.header("Location"),
              let code = URLComponents(string: location)?.queryItems?.first(where: { $0.name == "code" })?.value else {
            throw CocoaError(.featureUnsupported)
        }
        return code
    }
}

/// How the refresh suites run the emulator: WorkOS's single-use refresh tokens
/// (`--strict-refresh`, no `Idempotency-Key` replay of a refresh) with a replay grace window of
/// `AUTHKIT_TEST_REFRESH_GRACE_SECONDS` (default 0; scripts/test.sh runs those suites again with
/// 30, about WorkOS's), so every refresh test holds with and without the grace.
enum StrictRefresh {
    static let graceVariable = "AUTHKIT_TEST_REFRESH_GRACE_SECONDS"

    /// The grace window of this run. A malformed value stops the run rather than testing
    /// something else than was asked.
    static let graceSeconds: Int = {
        guard let text = ProcessInfo.processInfo.environment[graceVariable], !text.isEmpty else { return 0 }
        guard let seconds = Int(text), (0...3600).contains(seconds) else {
            fatalError("\(graceVariable)=\(text): expected a whole number of seconds, 0…3600")
        }
        return seconds
    }()

    /// Emulator arguments for strict refresh tokens with `graceSeconds` (this run's unless told).
    static func arguments(graceSeconds: Int = graceSeconds) -> [String] {
        ["--strict-refresh", "--refresh-grace-seconds", String(graceSeconds)]
    }
}

extension EmulatorProcess {
    /// An emulator with strict refresh tokens and this run's grace window (``StrictRefresh``).
    static func strict(graceSeconds: Int = StrictRefresh.graceSeconds, arguments: [String] = []) throws -> EmulatorProcess {
        try EmulatorProcess(arguments: StrictRefresh.arguments(graceSeconds: graceSeconds) + arguments)
    }

    /// A session for Ada whose access token expired 100 s ago (signed in on the emulator's
    /// clock 400 s back), sealed as authkit-nextjs would with `password`.
    func expiredSessionCookie(redirectURI: String, password: String = "this-is-a-32-character-password!") throws -> String {
        try sessionCookie(redirectURI: redirectURI, password: password, signedInSecondsAgo: 400)
    }

    /// A session for Ada signed in `signedInSecondsAgo` on the emulator's clock (0: a fresh
    /// access token), sealed as authkit-nextjs would with `password`.
    func sessionCookie(redirectURI: String, password: String = "this-is-a-32-character-password!", signedInSecondsAgo: Int = 0) throws -> String {
        if signedInSecondsAgo != 0 { try request("POST", "/_emulate/clock", json: #"{"offset_seconds":-\#(signedInSecondsAgo)}"#) }
        defer { if signedInSecondsAgo != 0 { _ = try? request("POST", "/_emulate/clock", json: #"{"offset_seconds":0}"#) } }
        let code = try authorizationCode(redirectURI: redirectURI)
        let answer = object(try request("POST", "/user_management/authenticate", json: """
            {"grant_type":"authorization_code","client_id":"client_emulate","client_secret":"sk_test_default","code":"\(code)"}
            """))
        let user = SessionUser(apiJSON: try JSONParser.parse(String(decoding: try JSONSerialization.data(withJSONObject: answer["user"]!), as: UTF8.self)))!
        let payload = SessionPayload(accessToken: answer["access_token"] as! String, refreshToken: answer["refresh_token"] as! String, user: user)
        return SessionSealer(password: password, clock: SystemClock(), random: SecureRandom()).sealSession(payload)
    }
}
