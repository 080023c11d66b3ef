#if canImport(Glibc)
import Glibc
#endif

/// Connections whose next request has fully arrived, from the acceptor to the workers.
///
/// A pthread mutex and condition variable: workers sleep until a connection is ready, and the
/// acceptor wakes one only when one is asleep (no wake-up call while every worker is busy).
/// `@unchecked Sendable`: every stored property is read and written under `mutex`.
final class ReadyConnections: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var queue: [Int32] = []
    private var head = 0
    private var sleepers = 0
    private var closed = false

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Queues a connection for the next free worker. After ``close()``, closes it instead.
    func put(_ descriptor: Int32) {
        pthread_mutex_lock(mutex)
        if closed {
            pthread_mutex_unlock(mutex)
            Glibc.close(descriptor)
            return
        }
        queue.append(descriptor)
        let wake = sleepers > 0
        pthread_mutex_unlock(mutex)
        if wake { pthread_cond_signal(condition) }
    }

    /// The next ready connection; waits for one. nil once ``close()`` was called.
    func take() -> Int32? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while head == queue.count && !closed {
            sleepers += 1
            pthread_cond_wait(condition, mutex)
            sleepers -= 1
        }
        guard !closed else { return nil }
        let descriptor = queue[head]
        head += 1
        // Reuse the storage instead of shifting: the queue is usually drained to empty.
        if head == queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
        }
        return descriptor
    }

    /// Wakes every waiting worker with nil and closes the connections still queued; returns how many.
    @discardableResult
    func close() -> Int {
        pthread_mutex_lock(mutex)
        closed = true
        let left = queue[head...]
        queue = []
        head = 0
        pthread_mutex_unlock(mutex)
        pthread_cond_broadcast(condition)
        for descriptor in left { Glibc.close(descriptor) }
        return left.count
    }
}
