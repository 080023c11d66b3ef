/// What the refresh hooks receive (authkit's `onSessionRefreshSuccess` /
/// `onSessionRefreshError`): who, which session and organization — never a token.
///
///     {"event":"session.refreshed", "time":1764770000,
///      "user":{"id":"user_…","email":"ada@example.com"}, "sessionId":"session_…",
///      "organizationId":"org_…", "impersonator":null}
///     {"event":"session.refresh_failed", …, "error":{"code":"invalid_grant","status":400,"transient":false}}
public struct RefreshEvent: Sendable, Equatable {
    /// Why a refresh failed: WorkOS's code (`invalid_grant`, …) when it answered, its HTTP
    /// status (nil when no answer came), and whether the session was kept for a retry.
    public struct Failure: Sendable, Equatable {
        public var code: String?
        public var status: Int?
        public var transient: Bool
    }

    public var userId: String
    public var email: String?
    public var sessionId: String?
    /// The organization of the new session, or for a failure the one asked for.
    public var organizationId: String?
    public var impersonator: Impersonator?
    /// Unix seconds of the refresh.
    public var time: Int64
    /// Nil for a successful refresh.
    public var failure: Failure?

    public var name: String { failure == nil ? "session.refreshed" : "session.refresh_failed" }

    /// A successful refresh, from the new session.
    public static func refreshed(_ payload: SessionPayload, claims: AccessTokenClaims, time: Int64) -> RefreshEvent {
        RefreshEvent(userId: payload.user.id, email: payload.user.email, sessionId: claims.sessionId,
                     organizationId: claims.organizationId, impersonator: payload.impersonator, time: time)
    }

    /// A failed refresh of `payload` (the session as it was), into `organizationId`.
    public static func failed(_ payload: SessionPayload, organizationId: String?, error: WorkOSError, time: Int64) -> RefreshEvent {
        let status: Int? = if case .http(let status, _, _, _, _, _) = error { status } else { nil }
        return RefreshEvent(
            userId: payload.user.id, email: payload.user.email,
            sessionId: AccessTokenVerifier.decodeUnverified(payload.accessToken)?.sessionId,
            organizationId: organizationId, impersonator: payload.impersonator, time: time,
            failure: Failure(code: error.code, status: status, transient: error.isTransient))
    }

    /// The hook's body.
    public var json: JSONValue {
        func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        var fields: [(String, JSONValue)] = [
            ("event", .string(name)),
            ("time", .int(time)),
            ("user", .object([("id", .string(userId)), ("email", optional(email))])),
            ("sessionId", optional(sessionId)),
            ("organizationId", optional(organizationId)),
            ("impersonator", impersonator.map { .object([("email", .string($0.email)), ("reason", optional($0.reason))]) } ?? .null),
        ]
        if let failure {
            fields.append(("error", .object([
                ("code", optional(failure.code)),
                ("status", failure.status.map { .int(Int64($0)) } ?? .null),
                ("transient", .bool(failure.transient)),
            ])))
        }
        return .object(fields)
    }
}
