/// The connections the acceptor holds until their request has arrived, with their deadlines.
///
/// Every deadline is "when admitted + the read timeout", and admissions happen in time order,
/// so a first-in-first-out list is also the deadline order: the oldest waiting connection is
/// the first to expire and the one closed first at the connection bound. Entries for
/// connections that left early (handed to a worker, closed) stay in the list until they reach
/// its head and are skipped by their generation, which also tells a reused descriptor number
/// from the connection it used to be.
struct WaitingConnections {
    struct Entry: Equatable {
        let descriptor: Int32
        let generation: UInt32
        let deadline: UInt64
    }

    private var current: [Int32: Entry] = [:]
    private var order: [Entry] = []
    private var head = 0
    private var nextGeneration: UInt32 = 0

    var count: Int { current.count }

    /// Starts holding a connection; returns its entry (the generation names this admission).
    mutating func admit(_ descriptor: Int32, deadline: UInt64) -> Entry {
        nextGeneration &+= 1
        let entry = Entry(descriptor: descriptor, generation: nextGeneration, deadline: deadline)
        current[descriptor] = entry
        order.append(entry)
        return entry
    }

    /// The entry if this descriptor is still held under this generation.
    func entry(_ descriptor: Int32, generation: UInt32) -> Entry? {
        guard let entry = current[descriptor], entry.generation == generation else { return nil }
        return entry
    }

    /// Stops holding a connection (handed over or closed).
    mutating func remove(_ descriptor: Int32) {
        current[descriptor] = nil
    }

    /// The next deadline among held connections (may be one that already left: waking early is harmless).
    mutating func earliestDeadline() -> UInt64? {
        dropLeft()
        return head < order.count ? order[head].deadline : nil
    }

    /// Removes and returns the oldest held connection whose deadline is at or before `now`
    /// (or, with `now` nil, the oldest held connection at all).
    mutating func popOldest(expiredBy now: UInt64? = nil) -> Entry? {
        dropLeft()
        guard head < order.count else { return nil }
        let entry = order[head]
        if let now, entry.deadline > now { return nil }
        head += 1
        current[entry.descriptor] = nil
        compact()
        return entry
    }

    /// Removes every held connection (the server is stopping).
    mutating func removeAll() -> [Int32] {
        let descriptors = Array(current.keys)
        current = [:]
        order = []
        head = 0
        return descriptors
    }

    /// Skips entries at the head for connections that already left.
    private mutating func dropLeft() {
        while head < order.count, current[order[head].descriptor] != order[head] { head += 1 }
        compact()
    }

    private mutating func compact() {
        if head == order.count {
            order.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1_024, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
