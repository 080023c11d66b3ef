import AuthKitCrypto
import AuthKitSync
@testable import AuthKitCore

/// A clock the test moves by hand.
final class ManualClock: WallClock {
    private let millis: Locked<UnixMillis>
    init(seconds: Int64) { millis = Locked(seconds * 1000) }
    func nowMillis() -> UnixMillis { millis.withLock { $0 } }
    func advance(seconds: Int64) { millis.withLock { $0 += seconds * 1000 } }
}

/// Deterministic bytes, so seals and keys are reproducible.
struct CountingRandom: RandomSource {
    func bytes(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) } }
}

/// A unit-level stand-in for WorkOS: answers from a script and records what it was sent.
/// Integration tests use a real HTTP server instead.
final class ScriptedTransport: HTTPTransport {
    typealias Handler = @Sendable (HTTPRequest) throws(HTTPTransportError) -> HTTPResponse
    private let handler: Handler
    private let log = Locked<[HTTPRequest]>([])

    init(_ handler: @escaping Handler) { self.handler = handler }

    var requests: [HTTPRequest] { log.withLock { $0 } }

    func send(_ request: HTTPRequest) throws(HTTPTransportError) -> HTTPResponse {
        log.withLock { $0.append(request) }
        return try handler(request)
    }

    static func json(_ status: Int, _ text: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }
}

/// Signs access tokens the way WorkOS does (RS256 with a kid), for tests.
struct TokenFactory: Sendable {
    static let sharedKey: RSAPrivateKey = try! RSAPrivateKey(generatingBits: 2048)
    static let otherKey: RSAPrivateKey = try! RSAPrivateKey(generatingBits: 2048)

    var key: RSAPrivateKey = Self.sharedKey
    var keyId: String = "key_1"

    /// The JWKS document for this key.
    var jwksJSON: String {
        """
        {"keys":[{"alg":"RS256","kty":"RSA","use":"sig","n":"\(Base64URL.encode(try! key.modulus()))","e":"\(Base64URL.encode(try! key.exponent()))","kid":"\(keyId)"}]}
        """
    }

    var keySet: JSONWebKeySet { try! JSONWebKeySet(json: Array(jwksJSON.utf8)) }

    /// The `iss` of ``accessToken(sub:sid:org:iat:exp:extra:)``'s tokens.
    static let issuer = "https://api.workos.com/user_management/client_01"
    /// What the verifiers of the unit tests accept: ``issuer``.
    static let issuers = AcceptedIssuers([issuer])

    func token(header: JSONValue? = nil, claims: JSONValue) -> String {
        let header = header ?? .object([("alg", .string("RS256")), ("kid", .string(keyId)), ("typ", .string("JWT"))])
        let input = Base64URL.encode(JSONWriter.bytes(header)) + "." + Base64URL.encode(JSONWriter.bytes(claims))
        let signature = try! key.signRS256(Array(input.utf8))
        return input + "." + Base64URL.encode(signature)
    }

    /// A WorkOS-like access token for `user` living from `iat` to `exp`.
    func accessToken(
        sub: String = "user_01", sid: String = "session_01", org: String? = "org_01",
        iat: Int64, exp: Int64, extra: [(key: String, value: JSONValue)] = []
    ) -> String {
        var claims: [(key: String, value: JSONValue)] = [
            ("iss", .string(Self.issuer)),
            ("sub", .string(sub)), ("sid", .string(sid)), ("jti", .string("jti_\(iat)")),
        ]
        if let org {
            claims += [("org_id", .string(org)), ("role", .string("admin")),
                       ("roles", .array([.string("admin"), .string("member")])),
                       ("permissions", .array([.string("posts:read"), .string("posts:write")])),
                       ("entitlements", .array([.string("audit-logs")])),
                       ("feature_flags", .array([.string("beta")]))]
        }
        claims += [("exp", .int(exp)), ("iat", .int(iat))] + extra
        return token(claims: .object(claims))
    }
}

enum Fixtures {
    static let password = "this-is-a-32-character-password!"
    static let oldPassword = "an-older-password-of-at-least-32-chars"

    static func apiUser(id: String = "user_01") -> String {
        """
        {"object":"user","id":"\(id)","email":"jane@example.com","email_verified":true,"first_name":"Jane","last_name":"Doe","profile_picture_url":null,"last_sign_in_at":"2026-11-01T10:00:00.000Z","locale":null,"created_at":"2025-01-01T00:00:00.000Z","updated_at":"2026-11-01T10:00:00.000Z","external_id":null,"metadata":{}}
        """
    }

    /// No retries: unit tests check classification without sleeping (RetryPolicyTests cover retries).
    static func config(refreshBuffer: Int? = nil, previous: [String] = []) -> AuthKitConfig {
        var config = AuthKitConfig(
            clientId: "client_01", apiKey: "sk_test_secret_api_key_value", cookiePassword: password,
            previousCookiePasswords: previous, redirectURI: "https://app.example.com/auth/callback",
            apiHostname: "workos.test", refreshBufferSeconds: refreshBuffer)
        config.httpRetries = 0
        return config
    }
}
