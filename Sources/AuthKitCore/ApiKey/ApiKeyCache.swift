import AuthKitSync
import Synchronization

/// WorkOS's answer about one API key, and when it was given.
public struct ApiKeyAnswer: Sendable, Equatable {
    /// The key when WorkOS called it valid; nil when it said `api_key: null`.
    public var key: ApiKey?
    public var answeredAt: UnixMillis

    public init(key: ApiKey?, answeredAt: UnixMillis) {
        self.key = key
        self.answeredAt = answeredAt
    }

    /// `<answeredAt millis> <api_key JSON>` (or `-` for "not valid"): what a shared store keeps.
    public var record: String {
        "\(answeredAt) " + (key.map { String(decoding: JSONWriter.bytes($0.json), as: UTF8.self) } ?? "-")
    }

    /// Reads ``record`` back (from Redis: checked, never trusted to be well formed).
    public init?(record: String) {
        let bytes = Array(record.utf8)
        guard let space = bytes.firstIndex(of: UInt8(ascii: " ")), let millis = DecimalText.int64(bytes[..<space]) else { return nil }
        let rest = Array(bytes[(space + 1)...])
        if rest == [UInt8(ascii: "-")] {
            self.init(key: nil, answeredAt: millis)
            return
        }
        guard let json = try? JSONParser.parse(rest), let key = ApiKey(json: json) else { return nil }
        self.init(key: key, answeredAt: millis)
    }
}

/// How long answers count (`AUTHKIT_API_KEY_CACHE_SECONDS`, `_NEGATIVE_CACHE_SECONDS`,
/// `_CACHE_SIZE`).
public struct ApiKeyCachePolicy: Sendable, Equatable {
    /// A valid key is taken on WorkOS's word for this long.
    public var positiveMillis: Int64
    /// An unknown, expired or deleted key is refused without asking for this long.
    public var negativeMillis: Int64
    /// While WorkOS is unavailable, a valid key's answer serves up to this many times
    /// `positiveMillis` after WorkOS gave it.
    public var staleFactor: Int64 = 10
    /// Keys remembered, least recently used out first.
    public var capacity: Int

    public init(positiveMillis: Int64 = 60_000, negativeMillis: Int64 = 10_000, capacity: Int = 10_000) {
        self.positiveMillis = max(0, positiveMillis)
        self.negativeMillis = max(0, negativeMillis)
        self.capacity = max(0, capacity)
    }

    /// How old an answer may be to decide a check without WorkOS.
    func freshFor(_ answer: ApiKeyAnswer) -> Int64 { answer.key == nil ? negativeMillis : positiveMillis }

    /// How long an answer is worth keeping: a valid key's, for outages; a refusal, while fresh.
    func keepFor(_ answer: ApiKeyAnswer) -> Int64 { answer.key == nil ? negativeMillis : positiveMillis.multipliedClamped(by: staleFactor) }

    /// Whether the answer decides a check now. An answer from the future (another host's clock
    /// far ahead, a forged record) does not.
    func isFresh(_ answer: ApiKeyAnswer, nowMillis: UnixMillis) -> Bool {
        age(answer, nowMillis).map { $0 < freshFor(answer) } ?? false
    }

    /// The valid key of an answer that may stand in while WorkOS is unavailable.
    func stalePositive(_ answer: ApiKeyAnswer?, nowMillis: UnixMillis) -> ApiKey? {
        guard let answer, let key = answer.key, let age = age(answer, nowMillis), age < keepFor(answer) else { return nil }
        return key
    }

    private func age(_ answer: ApiKeyAnswer, _ now: UnixMillis) -> Int64? {
        let (age, overflow) = now.subtractingReportingOverflow(answer.answeredAt)
        // A little skew between hosts is fine; an answer from far in the future is not.
        return overflow || age < -5_000 ? nil : max(age, 0)
    }
}

/// WorkOS's answers about API keys, so a check need not ask on every request: keyed by
/// SHA-256 of the key's value (never the value), bounded (least recently used out first).
/// Valid keys are kept up to ``ApiKeyCachePolicy/staleFactor`` times their time to live, for
/// when WorkOS cannot be asked; refusals only while they count.
public final class ApiKeyCache: Sendable {
    public let policy: ApiKeyCachePolicy
    private let state: Locked<LRUIndex<DigestKey, Entry>>

    /// An answer, and the whole check answers given for it (by location settings).
    struct Entry {
        var answer: ApiKeyAnswer
        var checkAnswers: [VerifiedSessionCache.Answer] = []
    }

    /// Checks answered from here, and checks that had to ask.
    public let hits = Atomic<Int>(0)
    public let misses = Atomic<Int>(0)

    public init(policy: ApiKeyCachePolicy) {
        self.policy = policy
        state = Locked(LRUIndex(capacity: policy.capacity))
    }

    /// The answer that decides a check now, if there is one.
    public func fresh(_ key: DigestKey, nowMillis: UnixMillis) -> ApiKeyAnswer? {
        let found = state.withLock { lru -> ApiKeyAnswer? in
            guard let slot = lru.slot(of: key), let answer = lru[slot]?.answer else { return nil }
            guard policy.stalePositive(answer, nowMillis: nowMillis) != nil || policy.isFresh(answer, nowMillis: nowMillis) else {
                lru.remove(slot)
                return nil
            }
            lru.touch(slot)
            return policy.isFresh(answer, nowMillis: nowMillis) ? answer : nil
        }
        if found == nil { misses.add(1, ordering: .relaxed) } else { hits.add(1, ordering: .relaxed) }
        return found
    }

    /// The last answer kept for this key, fresh or not (for outages).
    public func last(_ key: DigestKey) -> ApiKeyAnswer? {
        state.withLock { lru in lru.slot(of: key).flatMap { lru[$0]?.answer } }
    }

    /// Remembers an answer, when its kind is cached at all (a time to live of 0 turns it off).
    public func store(_ key: DigestKey, _ answer: ApiKeyAnswer) {
        guard policy.freshFor(answer) > 0 else { return }
        state.withLock { $0.put(key, Entry(answer: answer)) }
    }

    /// The whole check answer given before for this key at a location with these settings,
    /// while WorkOS's answer that the key is valid is fresh (``CheckAnswerMemo``).
    public func checkAnswer(_ key: DigestKey, context: [UInt8], nowMillis: UnixMillis) -> [UInt8]? {
        state.withLock { lru -> [UInt8]? in
            guard let slot = lru.slot(of: key), let entry = lru[slot], entry.answer.key != nil,
                  policy.isFresh(entry.answer, nowMillis: nowMillis),
                  let answer = entry.checkAnswers.first(where: { $0.context == context }) else { return nil }
            lru.touch(slot)
            return answer.bytes
        }
    }

    /// Keeps an allowed check's answer beside this key's valid answer; it lives and dies with
    /// it. At most ``VerifiedSessionCache/answersPerSession`` locations per key.
    public func rememberCheckAnswer(_ key: DigestKey, context: [UInt8], bytes: [UInt8]) {
        state.withLock { lru in
            guard let slot = lru.slot(of: key), lru[slot]?.answer.key != nil else { return }
            lru[slot]?.checkAnswers.removeAll { $0.context == context }
            if let count = lru[slot]?.checkAnswers.count, count >= VerifiedSessionCache.answersPerSession { lru[slot]?.checkAnswers.removeFirst() }
            lru[slot]?.checkAnswers.append(VerifiedSessionCache.Answer(context: context, bytes: bytes))
        }
    }

    public var count: Int { state.withLock { $0.count } }
}
