import AuthKitSync
import Logging

/// What a check learns about the API key it was shown.
public enum ApiKeyOutcome: Sendable, Equatable {
    /// WorkOS vouches for the key (now, or within the cache's time; or, while WorkOS is
    /// unavailable, within the stale window).
    case valid(ApiKey)
    /// Unknown, expired or deleted, or refused by WorkOS for another lasting reason.
    case invalid(reason: String)
    /// WorkOS could not be asked and nothing remembered vouches for the key: try again later.
    case unavailable(reason: String)
}

/// Answers about API keys shared between hosts (Redis): records of ``ApiKeyAnswer``, under
/// the hex SHA-256 of the key's value.
public protocol SharedApiKeyStore: Sendable {
    /// The record kept for `digest`, nil when there is none or the store cannot be reached.
    func loadApiKeyAnswer(digest: String) -> String?
    /// Keeps `record` for `ttlMillis` (best effort: a store that cannot be reached is skipped).
    func saveApiKeyAnswer(digest: String, record: String, ttlMillis: Int64)
}

/// `Authorization: Bearer <WorkOS API key>` → the key's identity, as authkit-nextjs's
/// `validateApiKey` (workos-node `apiKeys.validateApiKey`), without asking WorkOS on every
/// request: answers are cached (``ApiKeyCache``, and a ``SharedApiKeyStore`` when configured),
/// concurrent first checks of one key make one call, and while WorkOS is unavailable a key
/// it called valid before keeps working for the stale window. A key no one remembers during
/// an outage is "unavailable" (the servers answer 503), not refused.
public final class ApiKeyAuthenticator: Sendable {
    public let cache: ApiKeyCache
    private let workos: WorkOSClient
    private let shared: (any SharedApiKeyStore)?
    private let admission: (any BlockingAdmission)?
    private let clock: any WallClock
    private let logger: Logger
    private let flights = Locked<[DigestKey: Flight]>([:])

    /// One WorkOS call under way; the others asking about the same key wait on its lock.
    private final class Flight: Sendable {
        let result = Locked<Result<ApiKeyAnswer, WorkOSError>?>(nil)
    }

    public init(workos: WorkOSClient, cache: ApiKeyCache, shared: (any SharedApiKeyStore)? = nil,
                admission: (any BlockingAdmission)? = nil, clock: any WallClock, logger: Logger) {
        self.workos = workos
        self.cache = cache
        self.shared = shared
        self.admission = admission
        self.clock = clock
        self.logger = logger
    }

    /// Decides about the key `value` (the bearer token as sent; only its hash is kept).
    public func validate(_ value: String) -> ApiKeyOutcome {
        let key = DigestKey(value)
        let policy = cache.policy
        if let answer = cache.fresh(key, nowMillis: clock.nowMillis()) { return outcome(answer) }
        let sharedAnswer = shared?.loadApiKeyAnswer(digest: key.hex).flatMap(ApiKeyAnswer.init(record:))
        if let sharedAnswer, policy.isFresh(sharedAnswer, nowMillis: clock.nowMillis()) {
            cache.store(key, sharedAnswer)
            return outcome(sharedAnswer)
        }
        switch ask(value, key) {
        case .success(let answer):
            return outcome(answer)
        case .failure(let error) where error.isTransient:
            let now = clock.nowMillis()
            if let stale = policy.stalePositive(cache.last(key), nowMillis: now) ?? policy.stalePositive(sharedAnswer, nowMillis: now) {
                logger.warning("WorkOS unavailable; serving the API key's last valid answer", metadata: [
                    "key_id": "\(stale.id)", "error": "\(error)",
                ])
                return .valid(stale)
            }
            logger.warning("WorkOS unavailable; API key not checked", metadata: ["error": "\(error)"])
            return .unavailable(reason: "API key validation failed: \(error)")
        case .failure(let error):
            logger.error("WorkOS refused the API key validation", metadata: [
                "error": "\(error)", "fix": "check WORKOS_API_KEY (a 401 here means WorkOS refused it)",
            ])
            return .invalid(reason: "API key validation refused: \(error)")
        }
    }

    /// A whole check answer remembered for this key's hash in `context` (``CheckAnswerMemo``).
    public func rememberedCheckAnswer(_ key: DigestKey, context: [UInt8]) -> [UInt8]? {
        cache.checkAnswer(key, context: context, nowMillis: clock.nowMillis())
    }

    /// Remembers an allowed check's answer beside the key's cached valid answer.
    public func rememberCheckAnswer(_ key: DigestKey, context: [UInt8], bytes: [UInt8]) {
        cache.rememberCheckAnswer(key, context: context, bytes: bytes)
    }

    private func outcome(_ answer: ApiKeyAnswer) -> ApiKeyOutcome {
        answer.key.map(ApiKeyOutcome.valid) ?? .invalid(reason: "WorkOS does not know the key (or it expired or was deleted)")
    }

    /// One WorkOS call for this key however many checks ask at once: the first registers a
    /// flight while holding its lock, the others wait on that lock and share the result.
    private func ask(_ value: String, _ key: DigestKey) -> Result<ApiKeyAnswer, WorkOSError> {
        if let admission {
            guard admission.enterBlocking() else { return .failure(.notAttempted("too many requests are waiting on WorkOS already")) }
        }
        defer { admission?.leaveBlocking() }
        let mine = Flight()
        var running: Flight?
        let led = mine.result.withLock { slot -> Result<ApiKeyAnswer, WorkOSError>? in
            running = flights.withLock { flights -> Flight? in
                if let other = flights[key] { return other }
                flights[key] = mine
                return nil
            }
            guard running == nil else { return nil }
            let result = call(value, key)
            slot = result
            flights.withLock { $0[key] = nil }
            return result
        }
        if let led { return led }
        return running?.result.withLock { $0 } ?? .failure(.notAttempted("the shared validation vanished"))
    }

    private func call(_ value: String, _ key: DigestKey) -> Result<ApiKeyAnswer, WorkOSError> {
        do {
            let found = try workos.validateApiKey(value)
            let answer = ApiKeyAnswer(key: found, answeredAt: clock.nowMillis())
            cache.store(key, answer)
            let keep = cache.policy.keepFor(answer)
            if let shared, keep > 0 { shared.saveApiKeyAnswer(digest: key.hex, record: answer.record, ttlMillis: keep) }
            return .success(answer)
        } catch {
            return .failure(error)
        }
    }
}
