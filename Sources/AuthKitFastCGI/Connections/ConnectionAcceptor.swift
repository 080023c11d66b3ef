import AuthKitSync
import CLinuxEvents
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The one thread that accepts FastCGI connections and holds each until its next request has
/// fully arrived in the kernel's buffer; only then is the connection queued for a worker
/// (``ReadyConnections``), which lets libfcgi read the request from it without blocking.
///
/// Idle and half-sent connections so cost a descriptor and an epoll entry, never a worker.
/// Each is closed when it has not delivered its request within the read timeout, and at most
/// `maxConnections` are open at once (``ConnectionLimits``).
///
/// Readiness is watched with edge-triggered epoll: a connection with part of a request stays
/// readable, so level-triggered polling would spin on it, while an edge fires again whenever
/// more bytes arrive. Whether the request is complete is judged by peeking (`MSG_PEEK`) at the
/// record headers (``FirstRequestFraming``); nothing is consumed, libfcgi reads it all.
///
/// `@unchecked Sendable`: the loop state (`waiting`, `listening`, the buffers, the log state)
/// is touched only by the acceptor thread; workers use only `open`, `returned` and `wake`
/// (an eventfd), which are thread-safe.
final class ConnectionAcceptor: @unchecked Sendable {
    private let listenSocket: Int32
    private let limits: ConnectionLimits
    private let ready: ReadyConnections
    private let logger: Logger
    private let addresses = WebServerAddresses()
    private let epoll: Int32
    private let wake: Int32
    /// Connections open: waiting here, queued, or with a worker.
    private let open = Atomic<Int>(0)
    /// Kept connections (FCGI_KEEP_CONN) handed back by workers; nil once the acceptor stopped.
    private let returned = Locked<[Int32]?>([])
    private let stopping = Atomic<Bool>(false)
    /// Whether the listening socket is out of the epoll set because the bound is reached (a
    /// worker closing a connection then wakes the acceptor).
    private let pausedAtBound = Atomic<Bool>(false)

    // Acceptor thread only.
    private var waiting = WaitingConnections()
    private var listening = false
    private var resumeListeningAt: UInt64?
    private var boundLoggedAt: UInt64?
    private var closedAtBound = 0
    private let peekBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ConnectionAcceptor.peekBytes, alignment: 8)
    private let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: 64)

    /// How much of a connection's input is peeked at. A request whose framing is not complete
    /// within this much is handed to a worker anyway, with the rest of its deadline as the
    /// socket's receive timeout: the kernel may not buffer more than this (TCP's initial
    /// receive window is about 64 KiB), so waiting for all of it could wait forever. A worker
    /// held so is bounded by the deadline, and sending 32 KiB is not what a slow or idle
    /// client does; nginx and mod_authnz_fcgi checks are 1-4 KiB.
    static let peekBytes = 32_768

    private static let listenToken = UInt64.max
    private static let wakeToken = UInt64.max - 1

    struct StartError: Error { let description: String }

    init(listenSocket: Int32, limits: ConnectionLimits, ready: ReadyConnections, logger: Logger) throws(StartError) {
        self.listenSocket = listenSocket
        self.limits = limits
        self.ready = ready
        self.logger = logger
        epoll = authkit_epoll_create()
        wake = authkit_eventfd()
        guard epoll >= 0, wake >= 0 else {
            throw StartError(description: "cannot create the acceptor's epoll: \(String(cString: strerror(errno)))")
        }
        // Accepting must never block the acceptor (a connection can vanish between readiness and
        // accept, or another process sharing an inherited socket can take it).
        let flags = fcntl(listenSocket, F_GETFL)
        guard flags >= 0, fcntl(listenSocket, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw StartError(description: "cannot make the listening socket non-blocking: \(String(cString: strerror(errno)))")
        }
        register(wake, token: Self.wakeToken, events: authkit_epoll_in)
    }

    deinit {
        close(epoll)
        close(wake)
        peekBuffer.deallocate()
        events.deallocate()
    }

    // MARK: Workers

    /// A worker finished a request on a kept connection: watch it for the next request.
    func giveBack(_ descriptor: Int32) {
        let kept = returned.withLock { list -> Bool in
            guard list != nil else { return false }
            list!.append(descriptor)
            return true
        }
        guard kept else {
            closed(closing: descriptor)
            return
        }
        signalWake()
    }

    /// A worker's connection was closed (by libfcgi, or by `closing` here).
    func closed(closing descriptor: Int32? = nil) {
        if let descriptor { close(descriptor) }
        // Sequentially consistent with the acceptor's pause (store, then load of `open`): one of
        // the two sees the other, so a pause never outlives the last connection over the bound.
        open.subtract(1, ordering: .sequentiallyConsistent)
        if pausedAtBound.load(ordering: .sequentiallyConsistent) { signalWake() }
    }

    /// Ends ``run()``; connections waiting here are closed.
    func stop() {
        stopping.store(true, ordering: .releasing)
        signalWake()
    }

    private func signalWake() {
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    // MARK: The acceptor thread

    /// Accepts and watches connections until ``stop()``.
    func run() {
        startListening()
        while !stopping.load(ordering: .acquiring) {
            let count = epoll_wait(epoll, events, 64, timeoutMilliseconds())
            if count < 0 {
                guard errno == EINTR else {
                    logger.error("the acceptor's epoll_wait failed: \(String(cString: strerror(errno)))")
                    break
                }
                continue
            }
            for index in 0..<Int(count) {
                let event = events[index]
                switch event.data.u64 {
                case Self.listenToken: acceptAll()
                case Self.wakeToken: takeReturned()
                default: watched(event)
                }
            }
            expire(now: Self.now())
        }
        let kept = returned.withLock { list -> [Int32] in
            defer { list = nil }
            return list ?? []
        }
        for descriptor in kept + waiting.removeAll() {
            close(descriptor)
            open.subtract(1, ordering: .relaxed)
        }
    }

    private func acceptAll() {
        // Bounded: at most the backlog is waiting, and each pass takes one or returns.
        for _ in 0..<4_096 {
            if open.load(ordering: .relaxed) >= limits.maxConnections {
                guard let oldest = waiting.popOldest() else {
                    // Every connection is with a worker: leave new ones in the listen backlog.
                    stopListening()
                    pausedAtBound.store(true, ordering: .sequentiallyConsistent)
                    // A worker may have closed one between the load and the store.
                    if open.load(ordering: .sequentiallyConsistent) < limits.maxConnections { resumeAtBound() }
                    noteBound(closing: false)
                    return
                }
                closeWaiting(oldest.descriptor)
                noteBound(closing: true)
            }
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let descriptor = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { authkit_accept(listenSocket, $0, &length) }
            }
            guard descriptor >= 0 else {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR, ECONNABORTED, EPROTO, ECONNRESET, ETIMEDOUT, ENETDOWN, ENETUNREACH, EHOSTUNREACH: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors or memory: retrying at once would spin. Try again shortly.
                    logger.error("cannot accept a connection: \(String(cString: strerror(errno))). Fix: raise the open-file limit (LimitNOFILE) or lower --max-connections")
                    stopListening()
                    resumeListeningAt = Self.now() + 100
                    return
                default:
                    // The socket was shut down (stop) or is not listening: nothing to accept.
                    if !stopping.load(ordering: .relaxed) {
                        logger.error("cannot accept a connection: \(String(cString: strerror(errno)))")
                    }
                    stopListening()
                    return
                }
            }
            open.add(1, ordering: .relaxed)
            guard addresses.permits(address) else {
                close(descriptor)
                open.subtract(1, ordering: .relaxed)
                continue
            }
            var on: Int32 = 1
            if address.ss_family == sa_family_t(AF_INET) || address.ss_family == sa_family_t(AF_INET6) {
                // As libfcgi does: answers are written in one go, Nagle only delays them.
                setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            }
            // A worker writing an answer to a client that does not read is bounded too.
            var timeout = Self.timeval(milliseconds: limits.readTimeoutMilliseconds)
            setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            admit(descriptor)
        }
    }

    /// Looks at a new or handed-back connection at once (nginx has usually sent the whole
    /// request by then: no epoll entry needed), else starts watching it.
    private func admit(_ descriptor: Int32) {
        let deadline = Self.now() + UInt64(limits.readTimeoutMilliseconds)
        switch examine(descriptor, deadline: deadline, peerHungUp: false) {
        case .handOver: ready.put(descriptor)
        case .close: close(descriptor); open.subtract(1, ordering: .relaxed)
        case .wait:
            let entry = waiting.admit(descriptor, deadline: deadline)
            // Added with data already there, epoll reports it at once: no arrival is missed
            // between the peek above and this.
            let events = authkit_epoll_in | authkit_epoll_rdhup | authkit_epoll_et
            guard register(descriptor, token: UInt64(entry.generation) << 32 | UInt64(UInt32(bitPattern: descriptor)), events: events) else {
                closeWaiting(descriptor)
                return
            }
        }
    }

    /// An epoll event for a waiting connection.
    private func watched(_ event: epoll_event) {
        let token = event.data.u64
        let descriptor = Int32(bitPattern: UInt32(truncatingIfNeeded: token))
        guard let entry = waiting.entry(descriptor, generation: UInt32(truncatingIfNeeded: token >> 32)) else { return }
        let hungUp = event.events & (authkit_epoll_rdhup | authkit_epoll_hup | authkit_epoll_err) != 0
        switch examine(descriptor, deadline: entry.deadline, peerHungUp: hungUp) {
        case .wait: return
        case .close: closeWaiting(descriptor)
        case .handOver:
            waiting.remove(descriptor)
            _ = epoll_ctl(epoll, EPOLL_CTL_DEL, descriptor, nil)
            ready.put(descriptor)
        }
    }

    private enum Decision { case handOver, wait, close }

    private func examine(_ descriptor: Int32, deadline: UInt64, peerHungUp: Bool) -> Decision {
        let count = recv(descriptor, peekBuffer.baseAddress, peekBuffer.count, Int32(MSG_PEEK | MSG_DONTWAIT))
        if count == 0 { return .close }  // closed before (another) request: nothing to serve
        if count < 0 { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? (peerHungUp ? .close : .wait) : .close }
        switch FirstRequestFraming.judge(UnsafeRawBufferPointer(rebasing: peekBuffer[..<count])) {
        case .complete: return .handOver
        case .invalid: return .close
        case .incomplete:
            guard count == peekBuffer.count else { return peerHungUp ? .close : .wait }
            // More than can be peeked at: the worker reads the rest, for what is left of the deadline.
            let now = Self.now()
            guard deadline > now else { return .close }
            var timeout = Self.timeval(milliseconds: Int(deadline - now))
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            return .handOver
        }
    }

    private func takeReturned() {
        var count: UInt64 = 0
        _ = read(wake, &count, 8)
        let kept = returned.withLock { list -> [Int32] in
            defer { list = list.map { _ in [] } }
            return list ?? []
        }
        for descriptor in kept { admit(descriptor) }
        if pausedAtBound.load(ordering: .relaxed), open.load(ordering: .relaxed) < limits.maxConnections { resumeAtBound() }
    }

    private func expire(now: UInt64) {
        while let entry = waiting.popOldest(expiredBy: now) {
            close(entry.descriptor)
            open.subtract(1, ordering: .relaxed)
        }
        if let resume = resumeListeningAt, resume <= now {
            resumeListeningAt = nil
            startListening()
        }
    }

    private func closeWaiting(_ descriptor: Int32) {
        waiting.remove(descriptor)
        close(descriptor)
        open.subtract(1, ordering: .relaxed)
    }

    /// One line when the bound is first reached, then at most one a minute while it keeps
    /// being reached (with how many waiting connections it closed meanwhile): never one per connection.
    private func noteBound(closing: Bool) {
        if closing { closedAtBound += 1 }
        let now = Self.now()
        if let last = boundLoggedAt, now - last < 60_000 { return }
        boundLoggedAt = now
        logger.warning("open connections reached --max-connections (\(limits.maxConnections)): the connection waiting longest for its request is closed to make room (\(closedAtBound) so far), or new ones wait in the listen backlog while all are being served. Fix: raise --max-connections, or find what holds connections open")
        closedAtBound = 0
    }

    private func resumeAtBound() {
        pausedAtBound.store(false, ordering: .relaxed)
        startListening()
    }

    private func startListening() {
        guard !listening else { return }
        listening = register(listenSocket, token: Self.listenToken, events: authkit_epoll_in)
    }

    private func stopListening() {
        guard listening else { return }
        _ = epoll_ctl(epoll, EPOLL_CTL_DEL, listenSocket, nil)
        listening = false
    }

    @discardableResult
    private func register(_ descriptor: Int32, token: UInt64, events: UInt32) -> Bool {
        var event = epoll_event()
        event.events = events
        event.data.u64 = token
        return epoll_ctl(epoll, EPOLL_CTL_ADD, descriptor, &event) == 0
    }

    private func timeoutMilliseconds() -> Int32 {
        let next = [waiting.earliestDeadline(), resumeListeningAt].compactMap { $0 }.min()
        guard let next else { return -1 }
        let now = Self.now()
        return next <= now ? 0 : Int32(clamping: next - now)
    }

    /// Milliseconds on the monotonic clock.
    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000 + UInt64(time.tv_nsec) / 1_000_000
    }

    private static func timeval(milliseconds: Int) -> timeval {
        Glibc.timeval(tv_sec: milliseconds / 1_000, tv_usec: (milliseconds % 1_000) * 1_000)
    }
}
