import AuthKitCrypto

/// A bounded map that forgets its least recently used entry first: a doubly linked list over
/// an array of nodes, plus an index, for O(1) lookup, insertion, promotion and eviction. Not
/// thread-safe: the caches keep it inside a ``Locked``. Used by ``VerifiedSessionCache`` and
/// ``ApiKeyCache``.
///
/// ```swift
/// var lru = LRUIndex<DigestKey, Int>(capacity: 2)
/// lru.put(a, 1); lru.put(b, 2); lru.put(c, 3)   // a is evicted
/// if let slot = lru.slot(of: b) { lru.touch(slot); print(lru[slot] ?? 0) }
/// ```
struct LRUIndex<Key: Hashable, Value>: ~Copyable {
    struct Node {
        var key: Key
        /// nil once removed: the value is dropped at once, not when the slot is reused.
        var value: Value?
        var previous: Int
        var next: Int
    }
    let capacity: Int
    private var nodes: [Node] = []
    private var index: [Key: Int] = [:]
    private var head = -1   // most recently used
    private var tail = -1   // least recently used
    private var free: [Int] = []

    init(capacity: Int) {
        self.capacity = max(0, capacity)
        index.reserveCapacity(min(self.capacity, 1 << 16))
    }

    var count: Int { index.count }

    /// Where `key` lives, if it does. Slots stay valid until the entry is removed or evicted.
    func slot(of key: Key) -> Int? { index[key] }

    /// The value in a slot, read or changed in place (without promoting it).
    subscript(slot: Int) -> Value? {
        get { nodes[slot].value }
        _modify { yield &nodes[slot].value }
    }

    /// Replaces or inserts `value` for `key` as the most recently used entry, evicting the
    /// least recently used one when full.
    mutating func put(_ key: Key, _ value: Value) {
        guard capacity > 0 else { return }
        if let slot = index[key] {
            nodes[slot].value = value
            touch(slot)
            return
        }
        if index.count >= capacity, tail >= 0 { remove(tail) }
        let node = Node(key: key, value: value, previous: -1, next: head)
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

    /// Makes a slot the most recently used.
    mutating func touch(_ slot: Int) {
        guard head != slot else { return }
        unlink(slot)
        nodes[slot].previous = -1
        nodes[slot].next = head
        if head >= 0 { nodes[head].previous = slot }
        head = slot
        if tail < 0 { tail = slot }
    }

    /// Forgets the entry in a slot.
    mutating func remove(_ slot: Int) {
        unlink(slot)
        index[nodes[slot].key] = nil
        nodes[slot].value = nil
        free.append(slot)
    }

    private mutating func unlink(_ slot: Int) {
        let previous = nodes[slot].previous, next = nodes[slot].next
        if previous >= 0 { nodes[previous].next = next } else { head = next }
        if next >= 0 { nodes[next].previous = previous } else { tail = previous }
    }
}

/// SHA-256 of a secret (a cookie value, an API key), as four words: cheap to hash and compare,
/// and the secret itself is never kept.
public struct DigestKey: Hashable, Sendable {
    let a, b, c, d: UInt64

    /// The key of these bytes.
    public init(bytes: UnsafeBufferPointer<UInt8>) {
        // On the stack: this runs for every check.
        (a, b, c, d) = withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { raw in
            Digest.sha256(bytes, into: raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
            return (raw.load(fromByteOffset: 0, as: UInt64.self), raw.load(fromByteOffset: 8, as: UInt64.self),
                    raw.load(fromByteOffset: 16, as: UInt64.self), raw.load(fromByteOffset: 24, as: UInt64.self))
        }
    }

    /// The key of a string's UTF-8 bytes.
    public init(_ text: String) {
        var text = text
        self = text.withUTF8 { DigestKey(bytes: $0) }
    }

    /// The digest as 64 lower-case hex digits (a shared store's key name).
    public var hex: String {
        [a, b, c, d].map { word in
            let text = String(UInt64(littleEndian: word).byteSwapped, radix: 16)
            return String(repeating: "0", count: 16 - text.utf8.count) + text
        }.joined()
    }
}
