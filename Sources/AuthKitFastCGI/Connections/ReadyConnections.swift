import AuthKitSync
import CLinuxEvents

#if canImport(Glibc)
import Glibc
#endif

/// Connections whose next request has arrived after waiting in the ``ConnectionWatcher``, for
/// the next free worker.
///
/// Workers wait on this and on the listening socket at once (each in its own epoll set), so
/// the queue signals through a semaphore eventfd: one write per connection queued, and a worker
/// whose read of it succeeds takes one connection. Registered with EPOLLEXCLUSIVE, one
/// connection wakes one worker, not all of them.
final class ReadyConnections: Sendable {
    /// Readable while connections are queued (EFD_SEMAPHORE: each read takes one).
    let signal: Int32
    /// nil once closed (the server is stopping).
    private let queue = Locked<[Int32]?>([])

    init() {
        signal = authkit_semaphore_eventfd()
    }

    deinit { Glibc.close(signal) }

    /// Queues a connection for the next free worker. After ``close()``, closes it instead and returns false.
    @discardableResult
    func put(_ descriptor: Int32) -> Bool {
        let queued = queue.withLock { queue -> Bool in
            guard queue != nil else { return false }
            queue!.append(descriptor)
            return true
        }
        guard queued else {
            Glibc.close(descriptor)
            return false
        }
        var one: UInt64 = 1
        _ = write(signal, &one, 8)
        return true
    }

    /// After the worker's epoll reported ``signal`` readable: one queued connection, if this
    /// worker won it (another may have read the signal first).
    func take() -> Int32? {
        var value: UInt64 = 0
        guard read(signal, &value, 8) == 8 else { return nil }
        return queue.withLock { queue -> Int32? in
            guard queue != nil, !queue!.isEmpty else { return nil }
            return queue!.removeFirst()
        }
    }

    /// Closes the connections still queued; later ones are closed as they come.
    func close() {
        let left = queue.withLock { queue -> [Int32] in
            defer { queue = nil }
            return queue ?? []
        }
        for descriptor in left { Glibc.close(descriptor) }
    }
}
