import AuthKitCrypto
import Foundation

/// Settings fixed at start-up (some adjustable through `/_emulate/config`).
struct EmulatorSettings: Sendable {
    var clientId: String
    var apiKey: String
    var redirectURIs: [String]
    var accessTokenTTL: Int
    var interactive: Bool
    var baseURL: String
}

/// An injected fault (`/_emulate/hooks`): on requests whose path starts with `path` (and whose
/// method matches, when given), wait `latencyMs`, then drop the connection or answer `status`.
struct Fault: Sendable {
    var id: Int
    var path: String
    var method: String?
    var status: Int?
    var body: String?
    var headers: [String: String]
    var latencyMs: Int
    var dropConnection: Bool
    /// Calls left; nil until cleared.
    var remaining: Int?

    var json: [String: Any] {
        var object: [String: Any] = ["id": id, "path": path, "latency_ms": latencyMs, "drop_connection": dropConnection]
        if let method { object["method"] = method }
        if let status { object["status"] = status }
        if let body { object["body"] = body }
        if !headers.isEmpty { object["headers"] = headers }
        if let remaining { object["times"] = remaining }
        return object
    }
}

/// Everything the emulator remembers, behind one lock. Handlers are short and synchronous.
final class EmulatorState: @unchecked Sendable {
    struct Code { let userId: String; let organizationId: String?; let challenge: String?; let redirectURI: String; let expires: Date; var used: Bool }
    struct RefreshGrant { let sessionId: String; var used: Bool }
    struct Session { let userId: String; var organizationId: String?; var active: Bool; let impersonator: Seed.Impersonation?; let method: String }
    struct Stored { let bodyDigest: [UInt8]; let status: Int; let body: [String: Any] }

    struct Data {
        var settings: EmulatorSettings
        var seed: Seed
        var keys: [SigningKey]
        var keySequence = 1
        var clockOffset: TimeInterval = 0
        var codes: [String: Code] = [:]
        var refreshTokens: [String: RefreshGrant] = [:]
        var sessions: [String: Session] = [:]
        var idempotent: [String: Stored] = [:]
        var counters: [String: Int] = [:]
        var faults: [Fault] = []
        var faultSequence = 0
    }

    // Guarded by `lock`; `Data` holds `[String: Any]` values that never leave it.
    private var data: Data
    private let lock = NSLock()

    init(settings: EmulatorSettings, seed: Seed) {
        data = Data(settings: settings, seed: seed, keys: [SigningKey.generate(sequence: 1)])
    }

    /// Runs `body` with exclusive access.
    func with<T>(_ body: (inout Data) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&data)
    }

    var settings: EmulatorSettings { with { $0.settings } }
}

extension EmulatorState.Data {
    var now: Date { Date().addingTimeInterval(clockOffset) }

    mutating func count(_ name: String) { counters[name, default: 0] += 1 }

    static func randomToken(_ prefix: String, bytes: Int = 24) -> String {
        prefix + Base64URLText.encode(CryptoRandom.bytes(bytes))
    }

    static func ulidLike(_ prefix: String) -> String {
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        return prefix + String(CryptoRandom.bytes(26).map { alphabet[Int($0) % 32] })
    }

    /// The API's snake_case user.
    func userJSON(_ user: Seed.User) -> [String: Any] {
        let stamp = "2025-01-01T00:00:00.000Z"
        let name = [user.first_name, user.last_name].compactMap { $0 }.joined(separator: " ")
        return [
            "object": "user", "id": user.id, "email": user.email, "email_verified": user.email_verified ?? true,
            "first_name": user.first_name as Any? ?? NSNull(), "last_name": user.last_name as Any? ?? NSNull(),
            "name": name.isEmpty ? NSNull() : name,
            "profile_picture_url": user.profile_picture_url as Any? ?? NSNull(),
            "last_sign_in_at": ISO8601DateFormatter().string(from: now), "locale": NSNull(),
            "created_at": stamp, "updated_at": stamp,
            "external_id": user.external_id as Any? ?? NSNull(), "metadata": user.metadata ?? [:],
        ]
    }

    /// Signs an access token for a session, WorkOS's claim set.
    func accessToken(sessionId: String, session: EmulatorState.Session) -> String {
        let issued = Int(now.timeIntervalSince1970)
        var claims: [String: Any] = [
            "iss": "\(settings.baseURL)/user_management/\(settings.clientId)",
            "sub": session.userId, "sid": sessionId, "jti": Self.ulidLike("01"),
            "iat": issued, "exp": issued + settings.accessTokenTTL,
        ]
        if let organizationId = session.organizationId {
            let membership = seed.membership(session.userId, organizationId)
            let organization = seed.organization(id: organizationId)
            claims["org_id"] = organizationId
            claims["role"] = membership?.role ?? "member"
            claims["roles"] = membership?.roles ?? [membership?.role ?? "member"]
            claims["permissions"] = membership?.permissions ?? []
            claims["entitlements"] = organization?.entitlements ?? []
            claims["feature_flags"] = organization?.feature_flags ?? []
        }
        if let impersonator = session.impersonator {
            claims["act"] = ["sub": impersonator.impersonator_email]
        }
        return keys.last!.sign(claims: claims)
    }

    /// Issues a fresh refresh token for a session and the authenticate response body.
    mutating func authenticationResponse(sessionId: String) -> [String: Any] {
        let session = sessions[sessionId]!
        let refresh = Self.randomToken("")
        refreshTokens[refresh] = EmulatorState.RefreshGrant(sessionId: sessionId, used: false)
        var body: [String: Any] = [
            "user": userJSON(seed.user(id: session.userId)!),
            "organization_id": session.organizationId as Any? ?? NSNull(),
            "access_token": accessToken(sessionId: sessionId, session: session),
            "refresh_token": refresh,
            "authentication_method": session.method,
        ]
        if let impersonator = session.impersonator {
            body["impersonator"] = ["email": impersonator.impersonator_email, "reason": impersonator.reason as Any? ?? NSNull()]
        }
        return body
    }
}
