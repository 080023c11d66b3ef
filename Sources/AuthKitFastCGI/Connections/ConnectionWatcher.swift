import AuthKitSync
import CLinuxEvents
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The one thread that holds connections whose request has not fully arrived, so that no
/// worker waits on them: workers accept, and a connection that is not ready to serve at once
/// (idle, half-sent) comes here. When its request is complete in the kernel's buffer it goes to
/// ``ReadyConnections`` for the next free worker; when its deadline passes it is closed.
///
/// Readiness is watched with edge-triggered epoll: a connection with part of a request stays
/// readable, so level-triggered polling would spin on it, while an edge fires again whenever
/// more bytes arrive. Completeness is judged by peeking (``ConnectionPeek``).
///
/// It also keeps the count of open connections (``ConnectionLimits/maxConnections``): over the
/// bound, the connection that has waited longest is closed to make room.
///
/// `@unchecked Sendable`: the loop state (`waiting`, the buffers, the log state) is touched
/// only by the watcher thread; workers use only `open`, `incoming` and `wake` (an eventfd).
final class ConnectionWatcher: @unchecked Sendable {
    private let limits: ConnectionLimits
    private let ready: ReadyConnections
    private let logger: Logger
    private let epoll: Int32
    private let wake: Int32
    /// Connections open: with a worker, queued, or waiting here.
    private let open = Atomic<Int>(0)
    /// Connections handed over by workers, with their deadlines; nil once the watcher stopped.
    /// A descriptor of -1 asks only to make room under the bound.
    private let incoming = Locked<[(descriptor: Int32, deadline: UInt64)]?>([])
    private let stopping = Atomic<Bool>(false)

    // Watcher thread only.
    private var waiting = WaitingConnections()
    private var boundLoggedAt: UInt64?
    private var closedAtBound = 0
    private let peekBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ConnectionPeek.peekBytes, alignment: 8)
    private let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: 64)

    private static let wakeToken = UInt64.max

    struct StartError: Error { let description: String }

    init(limits: ConnectionLimits, ready: ReadyConnections, logger: Logger) throws(StartError) {
        self.limits = limits
        self.ready = ready
        self.logger = logger
        epoll = authkit_epoll_create()
        wake = authkit_eventfd()
        guard epoll >= 0, wake >= 0, ready.signal >= 0 else {
            throw StartError(description: "cannot create the connection watcher's epoll: \(String(cString: strerror(errno)))")
        }
        var event = epoll_event()
        event.events = authkit_epoll_in
        event.data.u64 = Self.wakeToken
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &event) == 0 else {
            throw StartError(description: "cannot watch the connection watcher's eventfd: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        close(epoll)
        close(wake)
        peekBuffer.deallocate()
        events.deallocate()
    }

    // MARK: Workers

    /// A worker accepted a connection; returns whether it is within the bound.
    func opened() -> Bool {
        open.add(1, ordering: .relaxed).newValue <= limits.maxConnections
    }

    /// A connection to hold until its request has arrived (or its deadline passes). `overBound`:
    /// it was opened over the bound, so the oldest waiting connection is closed to make room
    /// (`descriptor` -1: make room only, the new connection is being served).
    func watch(_ descriptor: Int32, deadline: UInt64, overBound: Bool = false) {
        var entries: [(Int32, UInt64)] = []
        if overBound { entries.append((-1, 0)) }
        if descriptor >= 0 { entries.append((descriptor, deadline)) }
        let taken = incoming.withLock { list -> Bool in
            guard list != nil else { return false }
            list!.append(contentsOf: entries)
            return true
        }
        guard taken else {
            if descriptor >= 0 { closed(closing: descriptor) }
            return
        }
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    /// A worker's connection was closed (by libfcgi, or by `closing` here).
    func closed(closing descriptor: Int32? = nil) {
        if let descriptor { close(descriptor) }
        open.subtract(1, ordering: .relaxed)
    }

    /// Ends ``run()``; connections waiting here are closed.
    func stop() {
        stopping.store(true, ordering: .releasing)
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    // MARK: The watcher thread

    /// Watches connections until ``stop()``.
    func run() {
        while !stopping.load(ordering: .acquiring) {
            let count = epoll_wait(epoll, events, 64, timeoutMilliseconds())
            if count < 0 {
                guard errno == EINTR else {
                    logger.error("the connection watcher's epoll_wait failed: \(String(cString: strerror(errno)))")
                    break
                }
                continue
            }
            for index in 0..<Int(count) {
                let event = events[index]
                if event.data.u64 == Self.wakeToken { takeIncoming() } else { watched(event) }
            }
            expire(now: ConnectionPeek.now())
        }
        let left = incoming.withLock { list -> [(descriptor: Int32, deadline: UInt64)] in
            defer { list = nil }
            return list ?? []
        }
        for descriptor in left.map(\.descriptor).filter({ $0 >= 0 }) + waiting.removeAll() {
            close(descriptor)
            open.subtract(1, ordering: .relaxed)
        }
    }

    private func takeIncoming() {
        var value: UInt64 = 0
        _ = read(wake, &value, 8)
        let list = incoming.withLock { list -> [(descriptor: Int32, deadline: UInt64)] in
            defer { if list != nil { list = [] } }
            return list ?? []
        }
        for (descriptor, deadline) in list {
            if descriptor < 0 { makeRoom() } else { admit(descriptor, deadline: deadline) }
        }
    }

    /// Over the bound: closes the connection waiting longest. With none waiting (every open
    /// connection is being served), the newest is closed when it arrives here instead.
    private func makeRoom() {
        if let oldest = waiting.popOldest() {
            close(oldest.descriptor)
            open.subtract(1, ordering: .relaxed)
        }
        noteBound()
    }

    private func admit(_ descriptor: Int32, deadline: UInt64) {
        // Bytes may have arrived since the worker looked.
        switch ConnectionPeek.examine(descriptor, buffer: peekBuffer, deadline: deadline, peerHungUp: false) {
        case .serve: ready.put(descriptor)
        case .close: closed(closing: descriptor)
        case .wait:
            guard open.load(ordering: .relaxed) <= limits.maxConnections else {
                closed(closing: descriptor)
                noteBound()
                return
            }
            let entry = waiting.admit(descriptor, deadline: deadline)
            // Added with data already there, epoll reports it at once: no arrival is missed
            // between the peek above and this.
            var event = epoll_event()
            event.events = authkit_epoll_in | authkit_epoll_rdhup | authkit_epoll_et
            event.data.u64 = UInt64(entry.generation) << 32 | UInt64(UInt32(bitPattern: descriptor))
            if epoll_ctl(epoll, EPOLL_CTL_ADD, descriptor, &event) != 0 {
                waiting.remove(descriptor)
                closed(closing: descriptor)
            }
        }
    }

    /// An epoll event for a waiting connection.
    private func watched(_ event: epoll_event) {
        let token = event.data.u64
        let descriptor = Int32(bitPattern: UInt32(truncatingIfNeeded: token))
        guard let entry = waiting.entry(descriptor, generation: UInt32(truncatingIfNeeded: token >> 32)) else { return }
        let hungUp = event.events & (authkit_epoll_rdhup | authkit_epoll_hup | authkit_epoll_err) != 0
        switch ConnectionPeek.examine(descriptor, buffer: peekBuffer, deadline: entry.deadline, peerHungUp: hungUp) {
        case .wait: return
        case .close:
            waiting.remove(descriptor)
            closed(closing: descriptor)
        case .serve:
            waiting.remove(descriptor)
            _ = epoll_ctl(epoll, EPOLL_CTL_DEL, descriptor, nil)
            ready.put(descriptor)
        }
    }

    private func expire(now: UInt64) {
        while let entry = waiting.popOldest(expiredBy: now) {
            closed(closing: entry.descriptor)
        }
    }

    /// One line when the bound is first reached, then at most one a minute while it keeps
    /// being reached (with how many connections it closed meanwhile): never one per connection.
    private func noteBound() {
        closedAtBound += 1
        let now = ConnectionPeek.now()
        if let last = boundLoggedAt, now - last < 60_000 { return }
        boundLoggedAt = now
        logger.warning("open connections reached --max-connections (\(limits.maxConnections)): the connection waiting longest for its request is closed to make room (\(closedAtBound) so far). Fix: raise --max-connections, or find what holds connections open")
        closedAtBound = 0
    }

    private func timeoutMilliseconds() -> Int32 {
        guard let next = waiting.earliestDeadline() else { return -1 }
        let now = ConnectionPeek.now()
        return next <= now ? 0 : Int32(clamping: next - now)
    }
}
