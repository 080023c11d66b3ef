/// What the protected site learns about the signed-in user: one list, rendered as
/// `X-AuthKit-*` response headers for nginx and as `Variable-AUTHKIT_*` for Apache.
public struct Identity: Sendable, Equatable {
    /// One field: `key` is the upper-case variable suffix (`USER_ID`), `value` is header-safe.
    public struct Field: Sendable, Equatable {
        public let key: String
        public let value: String

        /// `X-AuthKit-User-Id` for `USER_ID`.
        public var headerName: String {
            "X-AuthKit-" + key.split(separator: "_").map { $0.prefix(1) + $0.dropFirst().lowercased() }.joined(separator: "-")
        }

        /// `AUTHKIT_USER_ID` for `USER_ID`.
        public var variableName: String { "AUTHKIT_" + key }
    }

    /// Every key, in the order they are emitted; a key without a value is emitted empty so
    /// that a stale value can never survive in a server variable.
    public static let keys = [
        "USER_ID", "USER_EMAIL", "USER_FIRST_NAME", "USER_LAST_NAME", "SESSION_ID", "ORGANIZATION_ID",
        "ROLE", "ROLES", "PERMISSIONS", "ENTITLEMENTS", "FEATURE_FLAGS", "IMPERSONATOR_EMAIL",
    ]

    public let fields: [Field]

    /// - Parameter includeAccessToken: adds `ACCESS_TOKEN` (off by default: tokens are secrets).
    public init(session: AuthenticatedSession, includeAccessToken: Bool = false) {
        let user = session.payload.user
        let claims = session.claims
        let values: [String: String?] = [
            "USER_ID": user.id,
            "USER_EMAIL": user.email,
            "USER_FIRST_NAME": user.firstName,
            "USER_LAST_NAME": user.lastName,
            "SESSION_ID": claims.sessionId,
            "ORGANIZATION_ID": claims.organizationId,
            "ROLE": claims.role,
            "ROLES": claims.roles.joined(separator: ","),
            "PERMISSIONS": claims.permissions.joined(separator: ","),
            "ENTITLEMENTS": claims.entitlements.joined(separator: ","),
            "FEATURE_FLAGS": claims.featureFlags.joined(separator: ","),
            "IMPERSONATOR_EMAIL": session.payload.impersonator?.email ?? claims.actor,
        ]
        var fields = Self.keys.map { Field(key: $0, value: Self.headerSafe((values[$0] ?? nil) ?? "")) }
        if includeAccessToken { fields.append(Field(key: "ACCESS_TOKEN", value: Self.headerSafe(session.payload.accessToken))) }
        self.fields = fields
    }

    public func value(_ key: String) -> String? { fields.first { $0.key == key }?.value }

    /// Removes what could split or end a header line: CR, LF, NUL and other C0 controls, DEL.
    static func headerSafe(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return value }
        return String(String.UnicodeScalarView(value.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
    }
}
