import AuthKitSync
import AuthKitCrypto
import Synchronization

/// Sessions already unsealed and verified, so the check for the next request with the same
/// cookie skips AES, HMAC, JSON and RSA: keyed by SHA-256 of the cookie value, bounded (least
/// recently used out first), each entry good until its token's refresh deadline — after that
/// the full path runs again (and refreshes). The refresh token is not kept: a hit can answer
/// the check, never refresh. Nothing outlives the access token it came with.
public final class VerifiedSessionCache: Sendable {
    public let capacity: Int
    private let state: Locked<LRUIndex<DigestKey, Entry>>

    /// Hits and misses since start.
    public let hits = Atomic<Int>(0)
    public let misses = Atomic<Int>(0)

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        state = Locked(LRUIndex(capacity: capacity))
    }

    public static func key(cookieValue: String) -> Key {
        var value = cookieValue
        return value.withUTF8 { key(cookieBytes: $0) }
    }

    /// The key of a cookie value given as its bytes.
    public static func key(cookieBytes: UnsafeBufferPointer<UInt8>) -> Key {
        DigestKey(bytes: cookieBytes)
    }

    /// The session for this cookie if cached and not past `validUntil`.
    public func lookup(_ key: Key, nowMillis: UnixMillis) -> AuthenticatedSession? {
        guard capacity > 0 else { return nil }
        let found = state.withLock { $0.get(key, nowMillis: nowMillis) }
        if found == nil { misses.add(1, ordering: .relaxed) } else { hits.add(1, ordering: .relaxed) }
        return found
    }

    /// Keeps `session` for this cookie until `validUntilMillis` (without its refresh token).
    public func store(_ key: Key, session: AuthenticatedSession, validUntilMillis: UnixMillis) {
        guard capacity > 0 else { return }
        var kept = session
        kept.payload.refreshToken = ""
        kept.refreshed = false
        state.withLock { $0.put(key, kept, validUntil: validUntilMillis) }
    }

    public var count: Int { state.withLock { $0.count } }

    /// The whole check answer given before for this cookie in this `context` (the location's
    /// settings, as the gateway names them), while the session's entry is valid. Counts a hit;
    /// no answer is not a miss (the full path looks the session up next).
    public func answer(_ key: Key, context: [UInt8], nowMillis: UnixMillis) -> [UInt8]? {
        guard capacity > 0 else { return nil }
        let found = state.withLock { $0.answer(key, context: context, nowMillis: nowMillis) }
        if found != nil { hits.add(1, ordering: .relaxed) }
        return found
    }

    /// Keeps a check answer beside the session verified for this cookie, if there is one: the
    /// answer lives and dies with that entry. At most ``answersPerSession`` contexts per session.
    public func rememberAnswer(_ key: Key, context: [UInt8], bytes: [UInt8]) {
        guard capacity > 0 else { return }
        state.withLock { $0.rememberAnswer(key, Answer(context: context, bytes: bytes)) }
    }

    /// Locations with different settings get different answers; a site has a handful.
    public static let answersPerSession = 8

    struct Answer {
        var context: [UInt8]
        var bytes: [UInt8]
    }

    /// SHA-256 of a cookie value.
    public typealias Key = DigestKey

    struct Entry {
        var session: AuthenticatedSession
        var validUntil: UnixMillis
        var answers: [Answer] = []
    }
}

/// The cache's operations on its entries, under the lock.
extension LRUIndex where Key == DigestKey, Value == VerifiedSessionCache.Entry {
    mutating func get(_ key: Key, nowMillis: UnixMillis) -> AuthenticatedSession? {
        guard let slot = slot(of: key), let entry = self[slot] else { return nil }
        guard entry.validUntil > nowMillis else {
            remove(slot)
            return nil
        }
        touch(slot)
        return entry.session
    }

    mutating func answer(_ key: Key, context: [UInt8], nowMillis: UnixMillis) -> [UInt8]? {
        guard let slot = slot(of: key), let entry = self[slot], entry.validUntil > nowMillis,
              let answer = entry.answers.first(where: { $0.context == context }) else { return nil }
        touch(slot)
        return answer.bytes
    }

    mutating func rememberAnswer(_ key: Key, _ answer: VerifiedSessionCache.Answer) {
        guard let slot = slot(of: key) else { return }
        self[slot]?.answers.removeAll { $0.context == answer.context }
        if let count = self[slot]?.answers.count, count >= VerifiedSessionCache.answersPerSession { self[slot]?.answers.removeFirst() }
        self[slot]?.answers.append(answer)
    }

    mutating func put(_ key: Key, _ session: AuthenticatedSession, validUntil: UnixMillis) {
        put(key, VerifiedSessionCache.Entry(session: session, validUntil: validUntil))
    }
}
