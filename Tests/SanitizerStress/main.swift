// The concurrent parts under many threads, for ThreadSanitizer and AddressSanitizer
// (scripts/sanitizers.sh builds this one product with --sanitize=thread and =address: the
// whole test product would also build the integration suites; Hummingbird is not needed).
// Each scenario is bounded in rounds and touches only this process and 127.0.0.1. Exits
// non-zero when a scenario's own result is wrong; the sanitizers abort on what they find.
// Usage: authkit-sanitizer-stress [scenario ...]   (default: all)
import AuthKitCore
import AuthKitCrypto
import AuthKitCurl
import AuthKitFastCGI
import AuthKitGateway
import AuthKitSync
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Runs `body(index)` on `count` threads at once and waits for all of them.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    final class Start: Sendable {
        let index: Int
        let body: @Sendable (Int) -> Void
        init(_ index: Int, _ body: @escaping @Sendable (Int) -> Void) { self.index = index; self.body = body }
    }
    var threads: [pthread_t] = []
    for index in 0..<count {
        var thread = pthread_t()
        let start = Unmanaged.passRetained(Start(index, body))
        let created = pthread_create(&thread, nil, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            start.body(start.index)
            return nil
        }, start.toOpaque())
        guard created == 0 else { fatalError("pthread_create: \(created)") }
        threads.append(thread)
    }
    for thread in threads { pthread_join(thread, nil) }
}

/// Writes a line at once (not buffered): a sanitizer that aborts the run leaves the lines of
/// the scenarios that passed in the log.
func say(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
}

/// Fails the run with a message naming the scenario.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        say("FAILED: \(message())")
        exit(1)
    }
}

let threads = 8

// MARK: - A session like WorkOS's, and a WorkOS that answers every refresh

let key = try RSAPrivateKey(generatingBits: 2048)
let now: Int64 = 1_785_000_000
let clock = FixedClock(millis: now * 1000)
let keySetJSON = """
{"keys":[{"alg":"RS256","kty":"RSA","use":"sig","n":"\(Base64URL.encode(try key.modulus()))","e":"\(Base64URL.encode(try key.exponent()))","kid":"key_stress"}]}
"""
let config = AuthKitConfig(clientId: "client_01HSTRESS", apiKey: "sk_test_stress", cookiePassword: "this-is-a-32-character-password!",
                           redirectURI: "https://app.example.com/auth/callback")

func accessToken(iat: Int64, exp: Int64, sid: String = "session_01HSTRESS") throws -> String {
    let header = #"{"alg":"RS256","kid":"key_stress","typ":"JWT"}"#
    let claims = """
    {"iss":"https://api.workos.com/user_management/client_01HSTRESS","sub":"user_01HSTRESS","sid":"\(sid)","jti":"jti_\(iat)","org_id":"org_01HSTRESS","role":"admin","permissions":["posts:read"],"exp":\(exp),"iat":\(iat)}
    """
    let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
    return input + "." + Base64URL.encode(try key.signRS256(Array(input.utf8)))
}

let userJSON = #"{"object":"user","id":"user_01HSTRESS","email":"stress@example.com","email_verified":true,"first_name":"Stress","last_name":"Test","created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z"}"#
let freshToken = try accessToken(iat: now, exp: now + 300)

/// WorkOS's refresh answer, counting the calls; a JWKS document for the key cache.
final class FakeWorkOS: HTTPTransport {
    let calls = Locked(0)
    func send(_ request: HTTPRequest) throws(HTTPTransportError) -> HTTPResponse {
        calls.withLock { $0 += 1 }
        let body = request.url.contains("/sso/jwks/")
            ? keySetJSON
            : #"{"user":\#(userJSON),"organization_id":"org_01HSTRESS","access_token":"\#(freshToken)","refresh_token":"rt_new"}"#
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
    }
}

let logger = { var logger = Logger(label: "stress"); logger.logLevel = .critical; return logger }()
let sealer = SessionSealer(config: config, clock: clock, random: SecureRandom())

func cookie(token: String, refreshToken: String) -> String {
    sealer.sealSession(SessionPayload(
        accessToken: token, refreshToken: refreshToken, user: SessionUser(apiJSON: try! JSONParser.parse(userJSON))!,
        impersonator: nil, authenticationMethod: "Password"))
}

// MARK: - Scenarios

/// Locked: a counter from every thread, and a hand-off through waitUntil / withLockBroadcasting.
func lockedScenario() {
    let counter = Locked(0)
    onThreads(threads) { _ in for _ in 0..<5000 { counter.withLock { $0 += 1 } } }
    require(counter.withLock { $0 } == threads * 5000, "Locked counter lost increments")

    let queue = Locked<[Int]>([])
    let consumed = Locked(0)
    onThreads(4) { index in
        if index < 2 {
            for item in 0..<500 { queue.withLockBroadcasting { $0.append(item) } }
        } else {
            var taken = 0
            while taken < 500 {
                if queue.waitUntil(timeoutMillis: 1000, { $0.isEmpty ? nil : $0.removeLast() }) != nil { taken += 1 }
            }
            consumed.withLock { $0 += taken }
        }
    }
    require(consumed.withLock { $0 } == 1000, "waitUntil hand-off lost items")
}

/// RefreshCoordinator: threads coalescing on a few tokens (rejections remembered, failures
/// shared), and background refreshes on a BackgroundRefreshPool racing them.
func coordinatorScenario() {
    let coordinator = RefreshCoordinator(graceMillis: 1, waitMillis: 5000, clock: SystemClock(), admission: WorkerPool(workers: threads))
    let pool = BackgroundRefreshPool(threads: 3, capacity: 16)
    let calls = Locked(0)
    onThreads(threads) { index in
        for round in 0..<200 {
            let token = "rt_\(round % 5)"
            if index % 4 == 0 {
                _ = coordinator.refreshInBackground(refreshToken: token, oldTokenExpiresAt: now, pool: pool) {
                    calls.withLock { $0 += 1 }
                    return .failure(.transport(.timedOut))
                }
            } else {
                let result = coordinator.coalesce(refreshToken: token) {
                    calls.withLock { $0 += 1 }
                    return .failure(.http(status: 400, code: "invalid_grant", message: nil, requestId: nil, retryAfterSeconds: nil))
                }
                if case .success = result { require(false, "a refused refresh succeeded") }
            }
        }
    }
    require(pool.stop(waitMillis: 5000), "BackgroundRefreshPool did not stop")
    require(calls.withLock { $0 } > 0, "no refresh ran")
}

/// WorkerPool admission from every thread: no thread is left counted as waiting. (`running`
/// only falls as the server's threads retire, so it is not checked here.)
func workerPoolScenario() {
    let pool = WorkerPool(workers: 2, maxBlocked: 4)
    onThreads(threads) { index in
        for _ in 0..<2000 {
            let sharing = index % 2 == 0
            if pool.enterBlocking(sharing: sharing) { pool.leaveBlocking(sharing: sharing) }
        }
    }
    require(pool.blocked == 0, "WorkerPool still counts \(pool.blocked) threads as waiting")
}

/// The session path from every thread: a shared authenticator with the verified-session cache
/// (evicting: more cookies than room), a JWKS cache that refetches, coalesced refreshes of
/// expired tokens and background refreshes of tokens about to expire; then the whole check
/// from FastCGI parameters read in place.
func sessionScenario() throws {
    let workos = FakeWorkOS()
    let jwks = JWKSCache(url: "https://api.workos.com/sso/jwks/client_01HSTRESS", transport: workos, clock: SystemClock(), userAgent: "stress",
                         settings: { var settings = JWKSCache.Settings(); settings.maxAgeMillis = 1; settings.cooldownMillis = 0; return settings }())
    let background = BackgroundRefreshPool(threads: 2, capacity: 8)
    let authenticator = SessionAuthenticator(
        sealer: sealer, verifier: AccessTokenVerifier(keys: jwks, clock: clock, issuers: config.acceptedIssuers),
        workos: WorkOSClient(config: config, transport: workos, random: SecureRandom()),
        policy: RefreshPolicy(bufferSeconds: nil), cookieOptions: .session(config: config), clock: clock, logger: logger,
        coordinator: RefreshCoordinator(clock: clock), admission: WorkerPool(workers: threads),
        cache: VerifiedSessionCache(capacity: 4), backgroundRefresh: background)
    let valid = try (0..<12).map { cookie(token: try accessToken(iat: now, exp: now + 300, sid: "session_\($0)"), refreshToken: "rt_valid_\($0)") }
    let expired = try (0..<6).map { cookie(token: try accessToken(iat: now - 400, exp: now - 100), refreshToken: "rt_expired_\($0)") }
    let expiring = try (0..<6).map { cookie(token: try accessToken(iat: now - 290, exp: now + 10), refreshToken: "rt_expiring_\($0)") }
    let cookies = valid + expired + expiring
    onThreads(threads) { index in
        for round in 0..<60 {
            let value = cookies[(index * 7 + round) % cookies.count]
            switch authenticator.authenticate(cookieValue: value, useCache: true) {
            case .signedIn: break
            case let other: require(false, "session not signed in: \(other)")
            }
        }
    }
    require(background.stop(waitMillis: 5000), "background refreshes did not stop")
    // Each expired or expiring cookie refreshes once (coalesced, then remembered), plus JWKS fetches.
    let calls = workos.calls.withLock { $0 }
    require(calls >= expired.count + expiring.count, "only \(calls) calls to WorkOS: the refreshes did not run")

    let service = AuthKitService(
        settings: EndpointSettings(origin: "https://app.example.com", redirectURI: config.redirectURI),
        authenticator: authenticator, clock: clock, random: SecureRandom(), logger: logger)
    let sessionCookie = valid[0]
    onThreads(threads) { index in
        let parameters = [
            "REQUEST_METHOD=GET", "REQUEST_URI=/protected/\(index)", "DOCUMENT_URI=/_authkit_check", "SERVER_PROTOCOL=HTTP/1.1",
            "REQUEST_SCHEME=https", "HTTPS=on", "SERVER_NAME=app.example.com", "SERVER_PORT=443", "AUTHKIT_ACTION=check",
            "AUTHKIT_SERVED_PATH=/protected/\(index)", "HTTP_HOST=app.example.com",
            "HTTP_COOKIE=theme=dark; wos-session=\(sessionCookie)",
        ]
        let environment = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: parameters.count + 1)
        for (slot, parameter) in parameters.enumerated() { environment[slot] = strdup(parameter) }
        environment[parameters.count] = nil
        defer {
            for slot in 0..<parameters.count { free(environment[slot]) }
            environment.deallocate()
        }
        for _ in 0..<40 {
            let request = GatewayRequest.make(parameters: FastCGIParameters(environment: UnsafePointer(environment)), body: []).request
            let answer = GatewayResponse.bytes(service.handle(request, action: .check))
            require(answer.starts(with: Array("Status: 200".utf8)), "check not allowed: \(String(decoding: answer.prefix(40), as: UTF8.self))")
        }
    }
}

/// CurlTransport's handle pool from every thread, against a loopback port nobody listens on.
func curlScenario() {
    let transport = CurlTransport(connectTimeoutMillis: 500, totalTimeoutMillis: 1000, userAgent: "stress")
    // A port just bound and closed: connections are refused at once.
    let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) } }
    close(socketFD)
    let url = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))/"
    onThreads(threads) { _ in
        for _ in 0..<25 {
            do {
                _ = try transport.send(HTTPRequest(method: "GET", url: url))
                require(false, "a closed port answered")
            } catch {}
        }
    }
}

let scenarios: [(String, () throws -> Void)] = [
    ("locked", lockedScenario), ("coordinator", coordinatorScenario), ("worker-pool", workerPoolScenario),
    ("session", sessionScenario), ("curl", curlScenario),
]
let chosen = Set(CommandLine.arguments.dropFirst())
for (name, run) in scenarios where chosen.isEmpty || chosen.contains(name) {
    let started = MonotonicClock.nanoseconds()
    try run()
    say("\(name): ok (\((MonotonicClock.nanoseconds() - started) / 1_000_000) ms)")
}
