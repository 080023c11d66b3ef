/// The signing keys in use, and when each one signs: pure rotation rules, driven by a clock.
///
/// A key signs from its `notBefore` until the next key's. A successor is made
/// ``Policy/publishAheadSeconds`` before it starts signing, so that every process (which re-reads
/// the key directory every ``Policy/reloadSeconds``) and every verifier (which caches the JWKS
/// for at most ``Policy/jwksMaxAgeSeconds``) knows it first. A replaced key signs no more but
/// stays published for the token lifetime plus ``Policy/retireMarginSeconds``, then is removed.
public struct AssertionKeyRing: Sendable {
    public struct Entry: Sendable {
        public let key: AssertionKey
        /// Seconds since the epoch from which the key signs.
        public let notBefore: Int64

        public init(key: AssertionKey, notBefore: Int64) {
            self.key = key
            self.notBefore = notBefore
        }
    }

    public struct Policy: Sendable, Equatable {
        /// How long a key signs before the next takes over.
        public var rotationSeconds: Int64
        /// The assertion's lifetime (`exp - iat`).
        public var lifetimeSeconds: Int64
        public var publishAheadSeconds: Int64 = 300
        public var retireMarginSeconds: Int64 = 300
        public static let reloadSeconds: Int64 = 30
        public static let jwksMaxAgeSeconds: Int64 = 60

        public init(rotationSeconds: Int64, lifetimeSeconds: Int64) {
            self.rotationSeconds = rotationSeconds
            self.lifetimeSeconds = lifetimeSeconds
        }
    }

    /// Oldest first.
    public let entries: [Entry]

    public init(_ entries: [Entry]) {
        self.entries = entries.sorted { $0.notBefore < $1.notBefore }
    }

    /// The key that signs at `now`: the latest of `algorithm` whose `notBefore` has come.
    public func signing(at now: Int64, algorithm: AssertionAlgorithm) -> Entry? {
        entries.last { $0.notBefore <= now && $0.key.algorithm == algorithm }
    }

    /// When a new key must be made at `now`, the `notBefore` to give it; nil when none is due.
    /// None yet: one that signs at once (there is nothing a verifier could have cached).
    public func successorDue(at now: Int64, algorithm: AssertionAlgorithm, policy: Policy) -> Int64? {
        guard let current = signing(at: now, algorithm: algorithm) else {
            // A pending key of this algorithm (made ahead by another process) will do.
            return entries.contains { $0.key.algorithm == algorithm && $0.notBefore > now } ? nil : now
        }
        guard !entries.contains(where: { $0.key.algorithm == algorithm && $0.notBefore > current.notBefore }) else { return nil }
        let due = current.notBefore.addingClamped(policy.rotationSeconds)
        guard now >= due.subtractingClamped(policy.publishAheadSeconds) else { return nil }
        return max(due, now.addingClamped(policy.publishAheadSeconds))
    }

    /// Whether `entry` is past use at `now`: a later key has signed for longer than any token of
    /// this one lives, plus the margin.
    public func isRetired(_ entry: Entry, at now: Int64, policy: Policy) -> Bool {
        entries.contains { later in
            later.notBefore > entry.notBefore && later.notBefore <= now
                && now >= later.notBefore.addingClamped(policy.lifetimeSeconds).addingClamped(policy.retireMarginSeconds)
        }
    }

    /// The keys the JWKS publishes at `now`: every key not retired, pending ones included.
    public func published(at now: Int64, policy: Policy) -> [Entry] {
        entries.filter { !isRetired($0, at: now, policy: policy) }
    }
}
