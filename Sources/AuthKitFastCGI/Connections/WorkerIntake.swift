import CLinuxEvents
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// How one worker thread gets its next connection: it waits (its own epoll set) on the
/// listening socket, the ``ReadyConnections`` queue and the server's stop signal, and serves a
/// connection only once its request has arrived. nginx opens a connection per auth subrequest
/// and has usually written the whole request before the connection is accepted, so the common
/// path is the old one (a worker wakes, accepts, serves) plus one peek; a connection not ready
/// within a millisecond goes to the ``ConnectionWatcher`` instead of holding the worker.
///
/// One per worker thread; not shared.
final class WorkerIntake {
    private let listenSocket: Int32
    private let limits: ConnectionLimits
    private let ready: ReadyConnections
    private let watcher: ConnectionWatcher
    private let addresses: WebServerAddresses
    private let logger: Logger
    private let epoll: Int32
    private let peekBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ConnectionPeek.peekBytes, alignment: 8)
    private let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: 4)

    private enum Token: UInt64 { case listen = 1, ready, stop }

    /// nil if the epoll set cannot be made (out of descriptors).
    init?(listenSocket: Int32, stop: Int32, limits: ConnectionLimits, ready: ReadyConnections, watcher: ConnectionWatcher,
          addresses: WebServerAddresses, logger: Logger) {
        self.listenSocket = listenSocket
        self.limits = limits
        self.ready = ready
        self.watcher = watcher
        self.addresses = addresses
        self.logger = logger
        epoll = authkit_epoll_create()
        guard epoll >= 0 else { return nil }
        // EPOLLEXCLUSIVE: a new connection or a queued one wakes one idle worker, not every one.
        // The stop signal wakes them all.
        let exclusive = authkit_epoll_in | authkit_epoll_exclusive
        guard add(listenSocket, .listen, exclusive), add(ready.signal, .ready, exclusive), add(stop, .stop, authkit_epoll_in) else {
            close(epoll)
            return nil
        }
    }

    deinit {
        close(epoll)
        peekBuffer.deallocate()
        events.deallocate()
    }

    private func add(_ descriptor: Int32, _ token: Token, _ flags: UInt32) -> Bool {
        var event = epoll_event()
        event.events = flags
        event.data.u64 = token.rawValue
        return epoll_ctl(epoll, EPOLL_CTL_ADD, descriptor, &event) == 0
    }

    /// The next connection whose request has arrived; waits for one. nil when the server stops.
    func next() -> Int32? {
        while true {
            let count = epoll_wait(epoll, events, 4, -1)
            if count < 0 {
                if errno == EINTR { continue }
                logger.error("a worker's epoll_wait failed: \(String(cString: strerror(errno)))")
                return nil
            }
            var sawListen = false
            // Stop first, then connections that already waited, then new ones.
            for index in 0..<Int(count) where events[index].data.u64 == Token.stop.rawValue { return nil }
            for index in 0..<Int(count) {
                switch Token(rawValue: events[index].data.u64) {
                case .ready: if let descriptor = ready.take() { return descriptor }
                case .listen: sawListen = true
                default: break
                }
            }
            if sawListen, let descriptor = acceptReady() { return descriptor }
        }
    }

    /// A kept connection (FCGI_KEEP_CONN) after its request: served again at once if its next
    /// request is there, else watched. Returns the descriptor to serve now, if any.
    func keep(_ descriptor: Int32) -> Int32? {
        // Answers pile up in the socket only on a kept connection whose client does not read
        // them (one answer fits in the socket buffer): from now on a worker's write is bounded.
        var timeout = ConnectionPeek.timeval(milliseconds: limits.readTimeoutMilliseconds)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let deadline = ConnectionPeek.now() + UInt64(limits.readTimeoutMilliseconds)
        switch ConnectionPeek.examine(descriptor, buffer: peekBuffer, deadline: deadline, peerHungUp: false) {
        case .serve: return descriptor
        case .close: watcher.closed(closing: descriptor)
        case .wait: watcher.watch(descriptor, deadline: deadline)
        }
        return nil
    }

    /// Accepts one connection (the listening socket is non-blocking: another worker may have
    /// taken it) and returns it if its request is there.
    private func acceptReady() -> Int32? {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let descriptor = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listenSocket, $0, &length) }
        }
        guard descriptor >= 0 else {
            switch errno {
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                // Out of descriptors or memory: the listening socket stays readable, so retrying
                // at once would spin. This worker pauses instead.
                logger.error("cannot accept a connection: \(String(cString: strerror(errno))). Fix: raise the open-file limit (LimitNOFILE) or lower --max-connections")
                usleep(100_000)
            default:
                // EAGAIN (another worker took it), an aborted connection, or a socket shut down by stop().
                break
            }
            return nil
        }
        let deadline = ConnectionPeek.now() + UInt64(limits.readTimeoutMilliseconds)
        let withinBound = watcher.opened()
        guard addresses.permits(address) else {
            watcher.closed(closing: descriptor)
            return nil
        }
        var on: Int32 = 1
        if address.ss_family == sa_family_t(AF_INET) || address.ss_family == sa_family_t(AF_INET6) {
            // As libfcgi's accept did: answers are written in one go, Nagle only delays them.
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }

        var decision = ConnectionPeek.examine(descriptor, buffer: peekBuffer, deadline: deadline, peerHungUp: false)
        if decision == .wait {
            // The client connected and is writing: give it a millisecond before moving it to the
            // watcher (a wake-up of another thread each way). A stalled client costs this once.
            var poll = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            if Glibc.poll(&poll, 1, 1) > 0 {
                decision = ConnectionPeek.examine(descriptor, buffer: peekBuffer, deadline: deadline, peerHungUp: false)
            }
        }
        switch decision {
        case .serve:
            if !withinBound { watcher.watch(-1, deadline: 0, overBound: true) }
            return descriptor
        case .close:
            watcher.closed(closing: descriptor)
        case .wait:
            watcher.watch(descriptor, deadline: deadline, overBound: !withinBound)
        }
        return nil
    }
}
