// Micro-benchmark of the session hot path, one thread, release build.
// Run with bench/core.sh. Prints µs per operation; not a test.
import AuthKitCore
import AuthKitCrypto
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
    sealer: sealer, verifier: AccessTokenVerifier(keys: keys, clock: clock),
    workos: WorkOSClient(config: config, transport: UnreachableTransport(), random: SecureRandom()),
    policy: RefreshPolicy(bufferSeconds: nil), cookieOptions: .session(config: config), clock: clock, logger: logger)

guard case .signedIn = authenticator.authenticate(cookieValue: cookie) else { fatalError("benchmark session does not verify") }

// `authkit-core-bench path` runs only the whole path, for a profiler.
if CommandLine.arguments.dropFirst().first == "path" {
    for _ in 0..<2000 { blackHole(authenticator.authenticate(cookieValue: cookie)) }
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
    measure("RS256 verify (2048-bit)", iterations: 3000) {
        blackHole(publicKey.verifyRS256(signature: signature, message: Array(signingInput.utf8)))
    },
    measure("cookie in -> verified session out", iterations: 3000) {
        blackHole(authenticator.authenticate(cookieValue: cookie))
    },
]

print("authkit-fcgi core hot path, release build, one thread (median of 7 rounds)")
print("session: \(cookie.utf8.count)-byte cookie, \(accessToken.utf8.count)-byte access token")
print("")
print("operation".padding(toLength: 48, withPad: " ", startingAt: 0) + "µs/op")
for (name, micros) in results {
    print(name.padding(toLength: 48, withPad: " ", startingAt: 0) + String(format: "%8.2f", micros))
}
