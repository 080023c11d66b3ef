// Micro-benchmark of the session hot path, one thread, release build.
// Run with bench/core.sh. Prints µs per operation; not a test.
import AuthKitCore
import AuthKitCrypto
import AuthKitFastCGI
import AuthKitGateway
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Runs `body` in rounds and reports the median round's µs per call.
func measure(_ name: String, iterations: Int, _ body: () -> Void) -> (String, Double) {
    for _ in 0..<(iterations / 10) { body() }
    var rounds: [Double] = []
    for _ in 0..<7 {
        let start = monotonicNanos()
        for _ in 0..<iterations { body() }
        rounds.append(Double(monotonicNanos() - start) / Double(iterations) / 1000)
    }
    rounds.sort()
    return (name, rounds[rounds.count / 2])
}

@inline(never) func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }

/// The profiled loop, named so that a profiler can count only it
/// (`valgrind --tool=callgrind --toggle-collect='*profiledRuns*'`).
@inline(never) func profiledRuns(_ count: Int, _ body: () -> Void) { for _ in 0..<count { body() } }

// A realistic session: a WorkOS-shaped RS256 token with roles, permissions and flags, a full
// SDK user, an impersonator — about 3 KB sealed.
let key = try RSAPrivateKey(generatingBits: 2048)
let now: Int64 = 1_785_000_000
let clock = FixedClock(millis: now * 1000)
let jwks = """
{"keys":[{"alg":"RS256","kty":"RSA","use":"sig","n":"\(Base64URL.encode(try key.modulus()))","e":"\(Base64URL.encode(try key.exponent()))","kid":"key_bench"}]}
"""
let header = #"{"alg":"RS256","kid":"key_bench","typ":"JWT"}"#
let permissions = (1...40).map { "\"resource_\($0):read\"" }.joined(separator: ",")
let claims = """
{"iss":"https://api.workos.com/user_management/client_01HBENCH","sub":"user_01H5JQDV7R7ATEYZDEG0W5PRYS","sid":"session_01HBENCHSESSION0000000000","jti":"01HBENCHJTI000000000000000","org_id":"org_01HRDMC6CM357W30QMHMQ96Q0S","role":"admin","roles":["admin","member"],"permissions":[\(permissions)],"entitlements":["audit-logs","sso"],"feature_flags":["beta-dashboard","new-billing"],"exp":\(now + 300),"iat":\(now)}
"""
let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
let accessToken = signingInput + "." + Base64URL.encode(try key.signRS256(Array(signingInput.utf8)))
let user = """
{"object":"user","id":"user_01H5JQDV7R7ATEYZDEG0W5PRYS","email":"test01@example.com","email_verified":true,"first_name":"Test 01","last_name":"User","profile_picture_url":"https://workoscdn.com/images/v1/abcdefghijklmnopqrstuvwxyz0123456789","last_sign_in_at":"2026-07-18T02:07:19.911Z","locale":"en-US","created_at":"2023-07-18T02:07:19.911Z","updated_at":"2026-07-18T02:07:19.911Z","external_id":"ext_123","metadata":{"plan":"enterprise","region":"eu-west-1"},"name":"Test 01 User"}
"""
let payload = SessionPayload(
    accessToken: accessToken, refreshToken: "yAjhKk123NLIjdrBdGZPf8pLIDvK",
    user: SessionUser(apiJSON: try JSONParser.parse(user))!,
    impersonator: Impersonator(email: "admin@foocorp.com", reason: "Investigating support ticket #4521"),
    authenticationMethod: "SSO")
let password = "this-is-a-32-character-password!"
let sealer = SessionSealer(password: password, clock: clock, random: SecureRandom())
let cookie = sealer.sealSession(payload)
let publicKey = try key.publicKey()
let signature = Base64URL.decode(String(accessToken.split(separator: ".")[2]))!
let keys = StaticKeyProvider(try JSONWebKeySet(json: Array(jwks.utf8)))
let config = AuthKitConfig(clientId: "client_01HBENCH", apiKey: "sk_test_bench", cookiePassword: password,
                           redirectURI: "https://app.example.com/auth/callback")

/// No request leaves this process: the session is valid, so WorkOS is never called.
struct UnreachableTransport: HTTPTransport {
    func send(_ request: HTTPRequest) throws(HTTPTransportError) -> HTTPResponse { throw .other("benchmark makes no requests") }
}
var logger = Logger(label: "bench")
logger.logLevel = .critical
let authenticator = SessionAuthenticator(
    sealer: sealer, verifier: AccessTokenVerifier(keys: keys, clock: clock, issuers: config.acceptedIssuers),
    workos: WorkOSClient(config: config, transport: UnreachableTransport(), random: SecureRandom()),
    policy: RefreshPolicy(bufferSeconds: nil), cookieOptions: .session(config: config), clock: clock, logger: logger)

guard case .signedIn = authenticator.authenticate(cookieValue: cookie) else { fatalError("benchmark session does not verify") }

// The whole uncached check as the FastCGI server runs it: the parameters nginx's
// fastcgi_params and the shipped snippet send, in place, to the answer's bytes.
let service = AuthKitService(
    settings: EndpointSettings(origin: "https://app.example.com", redirectURI: "https://app.example.com/auth/callback"),
    authenticator: authenticator, clock: clock, random: SecureRandom(), logger: logger)
let nginxParameters: [String] = [
    "QUERY_STRING=", "REQUEST_METHOD=GET", "CONTENT_TYPE=", "CONTENT_LENGTH=", "SCRIPT_NAME=/_authkit_check",
    "REQUEST_URI=/protected/report.html", "DOCUMENT_URI=/_authkit_check", "DOCUMENT_ROOT=/srv/site", "SERVER_PROTOCOL=HTTP/1.1",
    "REQUEST_SCHEME=https", "HTTPS=on", "GATEWAY_INTERFACE=CGI/1.1", "SERVER_SOFTWARE=nginx/1.22.1", "REMOTE_ADDR=127.0.0.1",
    "REMOTE_PORT=51234", "REMOTE_USER=", "SERVER_ADDR=127.0.0.1", "SERVER_PORT=443", "SERVER_NAME=app.example.com",
    "REDIRECT_STATUS=200", "AUTHKIT_ACTION=check", "AUTHKIT_SERVED_PATH=/protected/report.html", "REQUEST_ID=0f4c3a1b2d9e8f7a6b5c4d3e2f1a0b9c",
    "HTTP_HOST=app.example.com", "HTTP_USER_AGENT=Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "HTTP_ACCEPT=text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "HTTP_ACCEPT_LANGUAGE=en-GB,en;q=0.9",
    "HTTP_ACCEPT_ENCODING=gzip, deflate, br", "HTTP_SEC_FETCH_MODE=navigate", "HTTP_SEC_FETCH_DEST=document",
    "HTTP_COOKIE=_ga=GA1.1.123456789.1700000000; theme=dark; wos-session=\(cookie)",
]
let environment = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: nginxParameters.count + 1)
for (index, parameter) in nginxParameters.enumerated() { environment[index] = strdup(parameter) }
environment[nginxParameters.count] = nil
let check = { (service: AuthKitService) -> [UInt8] in
    let parameters = FastCGIParameters(environment: UnsafePointer(environment))
    let request = GatewayRequest.make(parameters: parameters, body: []).request
    return GatewayResponse.bytes(service.handle(request, action: .check))
}
let uncachedCheck = { check(service) }
guard String(decoding: uncachedCheck().prefix(15), as: UTF8.self) == "Status: 200 OK\r" else { fatalError("benchmark check is not allowed") }

// The same check with the signed identity assertion on (AUTHKIT_ASSERTION_ALG), one per key type.
let assertingService = { (algorithm: AssertionAlgorithm) throws -> AuthKitService in
    var settings = EndpointSettings(origin: "https://app.example.com", redirectURI: "https://app.example.com/auth/callback")
    settings.assertionSigner = try AssertionSigner(source: .fixed(AssertionKey(generating: algorithm)), algorithm: algorithm,
                                                   lifetimeSeconds: 60, clock: clock, random: SecureRandom())
    return AuthKitService(settings: settings, authenticator: authenticator, clock: clock, random: SecureRandom(), logger: logger)
}
let es256Service = try assertingService(.es256)
let es256Key = try AssertionKey(generating: .es256)
let rs256Service = try assertingService(.rs256)
guard String(decoding: check(es256Service), as: UTF8.self).contains("X-AuthKit-Assertion: ey") else { fatalError("no assertion in the check") }

// `authkit-core-bench path|check [N]` runs only the session path or the whole check, N times
// (default 2000), for a profiler (perf; or valgrind --tool=callgrind, whose instruction counts
// do not depend on this machine's noise).
// `assert` runs the check with the ES256 identity assertion.
if let mode = CommandLine.arguments.dropFirst().first, mode == "path" || mode == "check" || mode == "assert" {
    let count = CommandLine.arguments.dropFirst(2).first.flatMap { Int($0) } ?? 2000
    profiledRuns(count) {
        switch mode {
        case "path": blackHole(authenticator.authenticate(cookieValue: cookie))
        case "check": blackHole(uncachedCheck())
        default: blackHole(check(es256Service))
        }
    }
    exit(0)
}

let results = [
    measure("unseal (iron, \(cookie.utf8.count)-byte cookie)", iterations: 5000) {
        blackHole(try? IronSession.unseal(cookie, passwords: { _ in [password] }, now: clock.millis))
    },
    measure("seal (same session)", iterations: 5000) { blackHole(sealer.sealSession(payload)) },
    measure("JSON parse of the session", iterations: 5000) {
        blackHole(try? JSONParser.parse(JSONWriter.bytes(payload.json)))
    },
    measure("iron key derivation (PBKDF2-SHA1, 1 iteration)", iterations: 20000) {
        blackHole(Digest.pbkdf2SHA1(password: Array(password.utf8), salt: Array("0123456789abcdef0123456789abcdef".utf8), iterations: 1, keyLength: 32))
    },
    measure("HMAC-SHA256 of the cookie", iterations: 20000) {
        blackHole(Digest.hmacSHA256(key: Array(repeating: 7, count: 32), data: Array(cookie.utf8)))
    },
    measure("RS256 verify (2048-bit)", iterations: 3000) {
        blackHole(publicKey.verifyRS256(signature: signature, message: Array(signingInput.utf8)))
    },
    measure("cookie in -> verified session out", iterations: 3000) {
        blackHole(authenticator.authenticate(cookieValue: cookie))
    },
    measure("check: FastCGI parameters -> answer bytes", iterations: 3000) { blackHole(uncachedCheck()) },
    measure("ES256 sign (P-256, JOSE r||s)", iterations: 3000) { blackHole(try? es256Key.sign(Array(signingInput.utf8))) },
    measure("RS256 sign (2048-bit)", iterations: 1000) { blackHole(try? key.signRS256(Array(signingInput.utf8))) },
    measure("check + ES256 identity assertion", iterations: 3000) { blackHole(check(es256Service)) },
    measure("check + RS256 identity assertion", iterations: 1000) { blackHole(check(rs256Service)) },
]

print("authkit-fcgi core hot path, release build, one thread (median of 7 rounds)")
print("session: \(cookie.utf8.count)-byte cookie, \(accessToken.utf8.count)-byte access token")
print("")
print("operation".padding(toLength: 48, withPad: " ", startingAt: 0) + "µs/op")
for (name, micros) in results {
    print(name.padding(toLength: 48, withPad: " ", startingAt: 0) + String(format: "%8.2f", micros))
}
