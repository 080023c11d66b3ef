import AuthKitSync

/// Signs the identity assertion: one short-lived JWT per allowed check, sent upstream as
/// `X-AuthKit-Assertion` (like Cloudflare Access's `Cf-Access-Jwt-Assertion`), so an upstream
/// can verify who the user (or the API key) is instead of trusting plain headers; its public keys
/// are served as a JWKS at `{prefix}jwks.json`.
///
/// Signed afresh for every check: the token names the host, the path and a 60-second window, so
/// no cached answer may carry one (``CheckAnswerMemo`` is off while assertions are).
public final class AssertionSigner: Sendable {
    /// The header to the upstream (Apache: variable `AUTHKIT_ASSERTION`).
    public static let headerName = "X-AuthKit-Assertion"

    public enum Source: Sendable {
        /// `AUTHKIT_ASSERTION_KEY_FILE`: one key, rotated by the operator.
        case fixed(AssertionKey)
        /// Keys made and rotated in a directory shared by the site's processes.
        case directory(AssertionKeyDirectory)
    }

    /// Who the assertion is about: a signed-in user or an organization API key, told apart by
    /// the `principal` claim (a verifier that serves only users checks it, since `sub` alone
    /// does not say whose id it is). One shape for both, so one claims builder signs them.
    public struct Subject: Sendable, Equatable {
        /// The `principal` claim.
        public enum Principal: String, Sendable {
            case user
            case apiKey = "api_key"
        }
        public var principal: Principal
        /// `sub`: the user id (`user_…`) or the API key id (`api_key_…`).
        public var id: String
        public var email: String?
        public var firstName: String?
        public var lastName: String?
        /// `api_key_name`, for a key only.
        public var apiKeyName: String?
        public var sessionId: String?
        public var organizationId: String?
        public var role: String?
        /// Nil: the claim is left out (a key has no roles, entitlements or feature flags);
        /// empty: sent as `[]`.
        public var roles: [String]?
        public var permissions: [String]
        public var entitlements: [String]?
        public var featureFlags: [String]?
        /// `act.sub`: who impersonates the user.
        public var actor: String?

        /// A signed-in user, from the session (or bearer token) and its access token's claims.
        public init(userId: String, email: String?, firstName: String?, lastName: String?, claims: AccessTokenClaims, impersonatorEmail: String?) {
            principal = .user
            id = userId
            self.email = email
            self.firstName = firstName
            self.lastName = lastName
            sessionId = claims.sessionId
            organizationId = claims.organizationId
            role = claims.role
            roles = claims.roles
            permissions = claims.permissions
            entitlements = claims.entitlements
            featureFlags = claims.featureFlags
            actor = impersonatorEmail ?? claims.actor
        }

        /// An organization API key as WorkOS validated it: `sub` is the key's id, `org_id` its owner.
        public init(apiKey: ApiKey) {
            principal = .apiKey
            id = apiKey.id
            apiKeyName = apiKey.name
            organizationId = apiKey.ownerId
            permissions = apiKey.permissions
        }
    }

    private let source: Source
    public let algorithm: AssertionAlgorithm
    public let lifetimeSeconds: Int64
    private let clock: any WallClock
    private let random: any RandomSource
    private struct State: Sendable {
        var ring: AssertionKeyRing
        var loadedAt: Int64
    }
    private let state: Locked<State>

    /// Loads (or makes) the keys now, so a key problem stops the start-up rather than a check.
    public init(source: Source, algorithm: AssertionAlgorithm, lifetimeSeconds: Int64, clock: any WallClock, random: any RandomSource) throws(AssertionKeyDirectory.Failure) {
        self.source = source
        self.algorithm = algorithm
        self.lifetimeSeconds = lifetimeSeconds
        self.clock = clock
        self.random = random
        let now = clock.nowSeconds()
        let ring: AssertionKeyRing
        switch source {
        case .fixed(let key): ring = AssertionKeyRing([.init(key: key, notBefore: 0)])
        case .directory(let directory): ring = try directory.load(now: now)
        }
        state = Locked(State(ring: ring, loadedAt: now))
    }

    /// The ring at `now`: a directory is read again every ``AssertionKeyRing/Policy/reloadSeconds``
    /// (other processes may have rotated) and whenever a successor is due. A failed read keeps
    /// the keys already known.
    func ring(at now: Int64) -> AssertionKeyRing {
        state.withLock { state in
            guard case .directory(let directory) = source else { return state.ring }
            let due = state.ring.successorDue(at: now, algorithm: algorithm, policy: directory.policy) != nil
            if due || now - state.loadedAt >= AssertionKeyRing.Policy.reloadSeconds || now < state.loadedAt,
               let fresh = try? directory.load(now: now) {
                state.ring = fresh
                state.loadedAt = now
            }
            return state.ring
        }
    }

    /// The compact JWS for `subject` at `host` and `path`; nil when no key can sign (never for a
    /// ring that loaded).
    public func assertion(for subject: Subject, audience: String, issuer: String, host: String, path: String) -> String? {
        let now = clock.nowSeconds()
        guard let key = ring(at: now).signing(at: now, algorithm: algorithm)?.key else { return nil }
        var members: [(key: String, value: JSONValue)] = [
            ("iss", .string(issuer)), ("aud", .string(audience)), ("sub", .string(subject.id)),
            ("principal", .string(subject.principal.rawValue)),
            ("iat", .int(now)), ("nbf", .int(now)), ("exp", .int(now.addingClamped(lifetimeSeconds))),
            ("jti", .string(Base64URL.encode(random.bytes(16)))), ("host", .string(host)), ("path", .string(path)),
        ]
        func optional(_ name: String, _ value: String?) {
            if let value { members.append((name, .string(value))) }
        }
        func list(_ name: String, _ values: [String]?) {
            if let values { members.append((name, .array(values.map(JSONValue.string)))) }
        }
        optional("email", subject.email)
        optional("given_name", subject.firstName)
        optional("family_name", subject.lastName)
        optional("api_key_name", subject.apiKeyName)
        optional("sid", subject.sessionId)
        optional("org_id", subject.organizationId)
        optional("role", subject.role)
        list("roles", subject.roles)
        list("permissions", subject.permissions)
        list("entitlements", subject.entitlements)
        list("feature_flags", subject.featureFlags)
        if let actor = subject.actor { members.append(("act", .object([("sub", .string(actor))]))) }

        let header = JSONValue.object([("alg", .string(key.algorithm.jwsName)), ("kid", .string(key.kid)), ("typ", .string("JWT"))])
        var signingInput = Base64URL.encodeBytes(JSONWriter.bytes(header))
        signingInput.append(UInt8(ascii: "."))
        signingInput += Base64URL.encodeBytes(JSONWriter.bytes(.object(members)))
        guard let signature = try? key.sign(signingInput) else { return nil }
        signingInput.append(UInt8(ascii: "."))
        signingInput += Base64URL.encodeBytes(signature)
        return String(decoding: signingInput, as: UTF8.self)
    }

    /// The `host` claim: the Host the server passed, A–Z lower-cased, without a port (nginx's
    /// stock `fastcgi_params` sends `$host`, which has none; Apache sends the client's with one),
    /// so that both servers name a site alike. On the bytes; `[v6]` keeps its brackets.
    public static func hostName(_ header: String) -> String {
        let bytes = Array(header.lowercasedASCII().utf8)
        var end = bytes.count
        if let colon = bytes.lastIndex(of: UInt8(ascii: ":")), bytes.last != UInt8(ascii: "]"),
           bytes.first != UInt8(ascii: "[") || (colon > 0 && bytes[colon - 1] == UInt8(ascii: "]")),
           bytes[(colon + 1)...].allSatisfy(ASCIIBytes.isDigit) {
            end = colon
        }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// `{"keys":[…]}`: every key that signs, will sign or signed within a token's lifetime.
    public func jwks() -> [UInt8] {
        let now = clock.nowSeconds()
        let ring = ring(at: now)
        let entries: [AssertionKeyRing.Entry]
        switch source {
        case .fixed: entries = ring.entries
        case .directory(let directory): entries = ring.published(at: now, policy: directory.policy)
        }
        return JSONWriter.bytes(.object([("keys", .array(entries.map(\.key.publicJWK)))]))
    }
}
