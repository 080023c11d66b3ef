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
    private let state: Locked<LRU>

    /// Hits and misses since start.
    public let hits = Atomic<Int>(0)
    public let misses = Atomic<Int>(0)

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        state = Locked(LRU(capacity: max(0, capacity)))
    }

    public static func key(cookieValue: String) -> Key {
        var value = cookieValue
        return value.withUTF8 { key(cookieBytes: $0) }
    }

    /// The key of a cookie value given as its bytes.
    public static func key(cookieBytes: UnsafeBufferPointer<UInt8>) -> Key {
        // On the stack: this runs for every check.
        withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { raw in
            Digest.sha256(cookieBytes, into: raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
            return Key(a: raw.load(fromByteOffset: 0, as: UInt64.self), b: raw.load(fromByteOffset: 8, as: UInt64.self),
                       c: raw.load(fromByteOffset: 16, as: UInt64.self), d: raw.load(fromByteOffset: 24, as: UInt64.self))
        }
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

    public var count: Int { state.withLock { $0.index.count } }

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

    /// SHA-256 of a cookie value, as four words (cheap to hash and compare).
    public struct Key: Hashable, Sendable {
        let a, b, c, d: UInt64
    }

    /// A doubly linked list over an array of nodes, plus an index: O(1) get, put and eviction.
    struct LRU: ~Copyable {
        struct Node {
            var key: Key
            var session: AuthenticatedSession
            var validUntil: UnixMillis
            var answers: [Answer] = []
            var previous: Int
            var next: Int
        }
        let capacity: Int
        var nodes: [Node] = []
        var index: [Key: Int] = [:]
        var head = -1   // most recently used
        var tail = -1   // least recently used
        var free: [Int] = []

        init(capacity: Int) {
            self.capacity = capacity
            index.reserveCapacity(min(capacity, 1 << 16))
        }

        mutating func get(_ key: Key, nowMillis: UnixMillis) -> AuthenticatedSession? {
            guard let slot = index[key] else { return nil }
            guard nodes[slot].validUntil > nowMillis else {
                remove(slot)
                return nil
            }
            moveToFront(slot)
            return nodes[slot].session
        }

        mutating func answer(_ key: Key, context: [UInt8], nowMillis: UnixMillis) -> [UInt8]? {
            guard let slot = index[key], nodes[slot].validUntil > nowMillis,
                  let answer = nodes[slot].answers.first(where: { $0.context == context }) else { return nil }
            moveToFront(slot)
            return answer.bytes
        }

        mutating func rememberAnswer(_ key: Key, _ answer: Answer) {
            guard let slot = index[key] else { return }
            nodes[slot].answers.removeAll { $0.context == answer.context }
            if nodes[slot].answers.count >= VerifiedSessionCache.answersPerSession { nodes[slot].answers.removeFirst() }
            nodes[slot].answers.append(answer)
        }

        mutating func put(_ key: Key, _ session: AuthenticatedSession, validUntil: UnixMillis) {
            if let slot = index[key] {
                nodes[slot].session = session
                nodes[slot].validUntil = validUntil
                nodes[slot].answers = []
                moveToFront(slot)
                return
            }
            if index.count >= capacity, tail >= 0 { remove(tail) }
            let node = Node(key: key, session: session, validUntil: validUntil, answers: [], previous: -1, next: head)
            let slot: Int
            if let reused = free.popLast() {
                nodes[reused] = node
                slot = reused
            } else {
                nodes.append(node)
                slot = nodes.count - 1
            }
            if head >= 0 { nodes[head].previous = slot }
            head = slot
            if tail < 0 { tail = slot }
            index[key] = slot
        }

        private mutating func unlink(_ slot: Int) {
            let previous = nodes[slot].previous, next = nodes[slot].next
            if previous >= 0 { nodes[previous].next = next } else { head = next }
            if next >= 0 { nodes[next].previous = previous } else { tail = previous }
        }

        private mutating func moveToFront(_ slot: Int) {
            guard head != slot else { return }
            unlink(slot)
            nodes[slot].previous = -1
            nodes[slot].next = head
            if head >= 0 { nodes[head].previous = slot }
            head = slot
            if tail < 0 { tail = slot }
        }

        private mutating func remove(_ slot: Int) {
            unlink(slot)
            index[nodes[slot].key] = nil
            // Drop the session now rather than when the slot is reused.
            nodes[slot].session.payload.accessToken = ""
            nodes[slot].answers = []
            free.append(slot)
        }
    }
}
