import AuthKitCrypto

/// Calls the WorkOS User Management API over an injected ``HTTPTransport``.
///
/// Requests look like workos-node's: `Authorization: Bearer <key>` and the key again as
/// `client_secret` in the JSON body, `Content-Type: application/json`, an `Idempotency-Key` on
/// every POST, and `User-Agent: authkit-fcgi/<version>`. The API key never appears in an error.
public struct WorkOSClient: Sendable {
    public let baseURL: String
    public let clientId: String
    private let apiKey: String
    private let transport: any HTTPTransport
    private let random: any RandomSource
    public let userAgent: String
    private let retry: RetryPolicy
    private let clock: any WallClock
    private let sleeper: any Sleeper

    public init(
        baseURL: String, clientId: String, apiKey: String, transport: any HTTPTransport, random: any RandomSource,
        retry: RetryPolicy = RetryPolicy(maxRetries: 0), clock: any WallClock = SystemClock(), sleeper: any Sleeper = ThreadSleeper()
    ) {
        self.baseURL = baseURL
        self.clientId = clientId
        self.apiKey = apiKey
        self.transport = transport
        self.random = random
        self.userAgent = "authkit-fcgi/\(AuthKitVersion.string)"
        self.retry = retry
        self.clock = clock
        self.sleeper = sleeper
    }

    public init(config: AuthKitConfig, transport: any HTTPTransport, random: any RandomSource,
                clock: any WallClock = SystemClock(), sleeper: any Sleeper = ThreadSleeper()) {
        self.init(baseURL: config.apiBaseURL, clientId: config.clientId, apiKey: config.apiKey, transport: transport, random: random,
                  retry: RetryPolicy(maxRetries: config.httpRetries, budgetMillis: Int64(config.httpTotalTimeoutMillis)),
                  clock: clock, sleeper: sleeper)
    }

    /// Exchanges an authorization code (with its PKCE verifier) for a session.
    public func authenticate(code: String, codeVerifier: String?) throws(WorkOSError) -> AuthenticationResponse {
        var body: [(key: String, value: JSONValue)] = [
            ("grant_type", .string("authorization_code")),
            ("client_id", .string(clientId)),
            ("client_secret", .string(apiKey)),
            ("code", .string(code)),
        ]
        if let codeVerifier { body.append(("code_verifier", .string(codeVerifier))) }
        return try authenticate(body: .object(body))
    }

    /// Uses a refresh token (single-use at WorkOS), optionally switching organization.
    public func refresh(refreshToken: String, organizationId: String?) throws(WorkOSError) -> AuthenticationResponse {
        var body: [(key: String, value: JSONValue)] = [
            ("grant_type", .string("refresh_token")),
            ("client_id", .string(clientId)),
            ("client_secret", .string(apiKey)),
            ("refresh_token", .string(refreshToken)),
        ]
        if let organizationId { body.append(("organization_id", .string(organizationId))) }
        return try authenticate(body: .object(body), idempotencyKey: Self.refreshIdempotencyKey(refreshToken: refreshToken, organizationId: organizationId, nowMillis: clock.nowMillis()))
    }

    /// The `Idempotency-Key` of a refresh: derived from the refresh token (a one-way hash; the
    /// token itself never leaves in a header) and the current two-minute period, so the attempts
    /// to spend one token close together — retries, the next request after an answer was lost or
    /// a timeout gave up while WorkOS went on, another process — are one operation to WorkOS,
    /// which replays its first answer instead of reporting the token as reused. The period keeps
    /// that short: a token presented again later is reused, and refused, as WorkOS intends.
    static func refreshIdempotencyKey(refreshToken: String, organizationId: String?, nowMillis: UnixMillis) -> String {
        let period = nowMillis / refreshIdempotencyPeriodMillis
        let material = "authkit-fcgi refresh\u{0}" + refreshToken + "\u{0}" + (organizationId ?? "") + "\u{0}\(period)"
        return "refresh-" + Hex.encode(Array(Digest.sha256(Array(material.utf8)).prefix(16)))
    }

    static let refreshIdempotencyPeriodMillis: UnixMillis = 120_000

    /// The authorization URL for this client.
    public func authorizationURL(_ request: AuthorizationRequest) -> String {
        WorkOSURLs.authorization(baseURL: baseURL, clientId: clientId, request)
    }

    /// The logout URL for a WorkOS session.
    public func logoutURL(sessionId: String, returnTo: String?) -> String {
        WorkOSURLs.logout(baseURL: baseURL, sessionId: sessionId, returnTo: returnTo)
    }

    /// Where this client's signing keys are published.
    public var jwksURL: String { WorkOSURLs.jwks(baseURL: baseURL, clientId: clientId) }

    /// `POST /api_keys/validations` `{"value"}` (workos-node's `apiKeys.validateApiKey`): the
    /// key when WorkOS knows it and it is neither expired nor deleted, nil otherwise. Transient
    /// failures (``WorkOSError/isTransient``) are retried within the budget like a refresh.
    public func validateApiKey(_ value: String) throws(WorkOSError) -> ApiKey? {
        let json = try post("/api_keys/validations", body: .object([("value", .string(value))]), idempotencyKey: Self.idempotencyKey(random))
        return try ApiKey.validation(json: json)
    }

    private func authenticate(body: JSONValue, idempotencyKey given: String? = nil) throws(WorkOSError) -> AuthenticationResponse {
        try AuthenticationResponse(json: try post("/user_management/authenticate", body: body, idempotencyKey: given ?? Self.idempotencyKey(random)))
    }

    /// One logical call: the first attempt and any retries share one `Idempotency-Key`, so
    /// WorkOS never spends a refresh token twice for it. Returns the 2xx answer's JSON.
    private func post(_ path: String, body: JSONValue, idempotencyKey: String) throws(WorkOSError) -> JSONValue {
        let started = clock.nowMillis()
        var attempt = 0
        while true {
            do {
                return try attemptPost(path, body: body, idempotencyKey: idempotencyKey)
            } catch {
                guard let wait = retry.delay(after: error, attempt: attempt, elapsedMillis: clock.nowMillis() - started, random: random) else {
                    throw error
                }
                sleeper.sleep(millis: wait)
                attempt += 1
            }
        }
    }

    private func attemptPost(_ path: String, body: JSONValue, idempotencyKey: String) throws(WorkOSError) -> JSONValue {
        let request = HTTPRequest(
            method: "POST",
            url: baseURL + path,
            headers: [
                ("Authorization", "Bearer \(apiKey)"),
                ("Content-Type", "application/json"),
                ("Accept", "application/json, text/plain, */*"),
                ("User-Agent", userAgent),
                ("Idempotency-Key", idempotencyKey),
            ],
            body: JSONWriter.bytes(body))
        let response: HTTPResponse
        do {
            response = try transport.send(request)
        } catch {
            throw .transport(error)
        }
        guard (200...299).contains(response.status) else { throw Self.error(from: response) }
        do {
            return try JSONParser.parse(response.body)
        } catch {
            throw .invalidResponse("body is not JSON")
        }
    }

    /// Reads WorkOS's error shapes: OAuth `{error, error_description}` and `{code, message}`.
    static func error(from response: HTTPResponse) -> WorkOSError {
        let json = try? JSONParser.parse(response.body)
        let code = json?["error"]?.stringValue ?? json?["code"]?.stringValue
        let message = json?["error_description"]?.stringValue ?? json?["message"]?.stringValue
        return .http(
            status: response.status, code: code, message: message.map { String($0.prefix(300)) },
            requestId: response.header("X-Request-ID"),
            retryAfterSeconds: retryAfterSeconds(response.header("Retry-After")),
            redirectURL: json?["authkit_redirect_url"]?.stringValue.flatMap(redirectURL))
    }

    /// An `authkit_redirect_url` worth sending a browser to: an absolute http(s) URL of sane
    /// length without control bytes (it becomes a `Location` header), else nil.
    static func redirectURL(_ text: String) -> String? {
        guard text.utf8.count <= 2048, text.hasASCIICaseInsensitivePrefix("https://") || text.hasASCIICaseInsensitivePrefix("http://"),
              !text.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F }) else { return nil }
        return text
    }

    /// `Retry-After` in its delay-seconds form (RFC 9110 `1*DIGIT`, read on the bytes), capped
    /// at a day: `99999999999999999999` is a day, not a trap. Nil for the HTTP-date form and
    /// for anything else that is not digits (`-1`, `+5`, `1e3`, `١`): the usual backoff then.
    static func retryAfterSeconds(_ header: String?) -> Int? {
        guard let header, let seconds = DecimalText.saturating(DecimalText.trimmingSpaces(header[...].utf8), ceiling: 86_400) else { return nil }
        return Int(seconds)
    }

    /// `retry-<uuid v4>`, the form workos-node sends.
    static func idempotencyKey(_ random: some RandomSource) -> String {
        "retry-" + UUIDv4.string(random.bytes(16))
    }
}

/// Random (version 4) UUIDs in their lower-case text form, like `crypto.randomUUID()`.
public enum UUIDv4 {
    public static func string(_ randomBytes: [UInt8]) -> String {
        precondition(randomBytes.count == 16)
        var bytes = randomBytes
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = Hex.encode(bytes)
        let h = Array(hex)
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-" + String(h[20..<32])
    }
}
