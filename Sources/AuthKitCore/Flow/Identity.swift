/// What the protected site learns about the signed-in user (or the API key): one list, rendered as
/// `X-AuthKit-*` response headers for nginx and as `Variable-AUTHKIT_*` for Apache.
public struct Identity: Sendable, Equatable {
    /// One field: `key` is the upper-case variable suffix (`USER_ID`), `value` is header-safe.
    public struct Field: Sendable, Equatable {
        public let key: String
        public let value: String
        /// `X-AuthKit-User-Id` for `USER_ID` (taken from a table built once: this runs for
        /// every allowed check).
        public let headerName: String

        /// `AUTHKIT_USER_ID` for `USER_ID`.
        public var variableName: String { "AUTHKIT_" + key }
    }

    /// Every key, in the order they are emitted; a key without a value is emitted empty so
    /// that a stale value can never survive in a server variable.
    public static let keys = [
        "USER_ID", "USER_EMAIL", "USER_FIRST_NAME", "USER_LAST_NAME", "SESSION_ID", "ORGANIZATION_ID",
        "ROLE", "ROLES", "PERMISSIONS", "ENTITLEMENTS", "FEATURE_FLAGS", "IMPERSONATOR_EMAIL",
        "API_KEY_ID", "API_KEY_NAME",
    ]

    public let fields: [Field]

    static func headerName(for key: String) -> String {
        "X-AuthKit-" + key.split(separator: "_").map { $0.prefix(1) + $0.dropFirst().lowercased() }.joined(separator: "-")
    }

    /// The header name of each of ``keys``, in the same order.
    static let headerNames: [String] = keys.map(headerName(for:))
    static let accessTokenHeaderName = headerName(for: "ACCESS_TOKEN")

    /// - Parameter includeAccessToken: adds `ACCESS_TOKEN` (off by default: tokens are secrets).
    public init(session: AuthenticatedSession, includeAccessToken: Bool = false) {
        let user = session.payload.user
        self.init(userId: user.id, email: user.email, firstName: user.firstName, lastName: user.lastName,
                  claims: session.claims, impersonatorEmail: session.payload.impersonator?.email,
                  accessToken: includeAccessToken ? session.payload.accessToken : nil)
    }

    /// The identity a bearer access token carries on its own: its claims, no profile (the
    /// token has no email or names; those fields are emitted empty).
    public init(bearerClaims claims: AccessTokenClaims) {
        self.init(userId: claims.subject, email: nil, firstName: nil, lastName: nil, claims: claims, impersonatorEmail: nil, accessToken: nil)
    }

    /// The identity of an organization API key (`AUTHKIT_ALLOW_API_KEY`): its id and name, its
    /// organization and permissions. No user: the user fields are emitted empty.
    public init(apiKey: ApiKey) {
        self.init(values: [
            nil, nil, nil, nil, nil, apiKey.ownerId, nil, nil, Self.commaJoined(apiKey.permissions), nil, nil, nil,
            apiKey.id, apiKey.name,
        ], accessToken: nil)
    }

    private init(userId: String, email: String?, firstName: String?, lastName: String?, claims: AccessTokenClaims,
                 impersonatorEmail: String?, accessToken: String?) {
        // In the order of `keys` (built directly: this runs for every allowed check).
        self.init(values: [
            userId, email, firstName, lastName, claims.sessionId, claims.organizationId, claims.role,
            Self.commaJoined(claims.roles), Self.commaJoined(claims.permissions),
            Self.commaJoined(claims.entitlements), Self.commaJoined(claims.featureFlags),
            impersonatorEmail ?? claims.actor, nil, nil,
        ], accessToken: accessToken)
    }

    /// One value per key of ``keys``, in order.
    private init(values: [String?], accessToken: String?) {
        var fields: [Field] = []
        fields.reserveCapacity(values.count + 1)
        for (index, value) in values.enumerated() {
            fields.append(Field(key: Self.keys[index], value: Self.headerSafe(value ?? ""), headerName: Self.headerNames[index]))
        }
        if let accessToken {
            fields.append(Field(key: "ACCESS_TOKEN", value: Self.headerSafe(accessToken), headerName: Self.accessTokenHeaderName))
        }
        self.fields = fields
    }

    public func value(_ key: String) -> String? { fields.first { $0.key == key }?.value }

    /// `a,b,c`, copied as bytes straight into the new string: `joined(separator:)` costs more
    /// than the rest of the identity put together for a token with forty permissions.
    static func commaJoined(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        let length = items.reduce(items.count - 1) { $0 + $1.utf8.count }
        return String(unsafeUninitializedCapacity: length) { out in
            var written = 0
            for (index, item) in items.enumerated() {
                if index > 0 {
                    out[written] = UInt8(ascii: ",")
                    written += 1
                }
                var item = item
                item.withUTF8 { bytes in
                    guard let base = bytes.baseAddress else { return }
                    (out.baseAddress! + written).update(from: base, count: bytes.count)
                    written += bytes.count
                }
            }
            return written
        }
    }

    /// Removes what could split or end a header line: CR, LF, NUL and other C0 controls, DEL.
    static func headerSafe(_ value: String) -> String {
        var text = value
        // Over the contiguous bytes: String's UTF-8 iterator costs several times as much.
        guard text.withUTF8(hasControlCharacter) else { return value }
        return String(String.UnicodeScalarView(value.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
    }

    /// Whether any byte is below 0x20 or is 0x7F, eight bytes at a time (the classic "has a
    /// byte less than n" and "has a zero byte" tests), then byte by byte for the tail.
    static func hasControlCharacter(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let ones: UInt64 = 0x0101_0101_0101_0101
        var index = 0
        while index + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            let below = (word &- ones &* 0x20) & ~word
            let del = word ^ (ones &* 0x7F)
            let isDel = (del &- ones) & ~del
            if (below | isDel) & (ones &* 0x80) != 0 { return true }
            index += 8
        }
        while index < bytes.count {
            if bytes[index] < 0x20 || bytes[index] == 0x7F { return true }
            index += 1
        }
        return false
    }
}
