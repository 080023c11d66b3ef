#if canImport(Glibc)
import Glibc
#endif

/// What to do with a connection after peeking at its input: shared by the workers (a new or
/// kept connection, looked at once) and the ``ConnectionWatcher`` (one that was waiting).
enum ConnectionPeek {
    enum Decision: Equatable { case serve, wait, close }

    /// How much of a connection's input is peeked at. A request whose framing is not complete
    /// within this much is served anyway, with the rest of its deadline as the socket's receive
    /// timeout: the kernel may not buffer more than this (TCP's initial receive window is about
    /// 64 KiB), so waiting for all of it could wait forever. A worker held so is bounded by the
    /// deadline, and sending 32 KiB is not what a slow or idle client does; nginx and
    /// mod_authnz_fcgi checks are 1-4 KiB.
    static let peekBytes = 32_768

    /// Peeks (`MSG_PEEK`, nothing consumed) and judges the framing (``FirstRequestFraming``).
    static func examine(_ descriptor: Int32, buffer: UnsafeMutableRawBufferPointer, deadline: UInt64, peerHungUp: Bool) -> Decision {
        let count = recv(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_PEEK | MSG_DONTWAIT))
        if count == 0 { return .close }  // closed before (another) request: nothing to serve
        if count < 0 { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? (peerHungUp ? .close : .wait) : .close }
        switch FirstRequestFraming.judge(UnsafeRawBufferPointer(rebasing: buffer[..<count])) {
        case .complete: return .serve
        case .invalid: return .close
        case .incomplete:
            guard count == buffer.count else { return peerHungUp ? .close : .wait }
            // More than can be peeked at: the worker reads the rest, for what is left of the deadline.
            let now = now()
            guard deadline > now else { return .close }
            var timeout = timeval(milliseconds: Int(deadline - now))
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            return .serve
        }
    }

    /// Milliseconds on the monotonic clock.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000 + UInt64(time.tv_nsec) / 1_000_000
    }

    static func timeval(milliseconds: Int) -> timeval {
        Glibc.timeval(tv_sec: milliseconds / 1_000, tv_usec: (milliseconds % 1_000) * 1_000)
    }
}
