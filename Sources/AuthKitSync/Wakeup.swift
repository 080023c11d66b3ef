#if canImport(Glibc)
import Glibc
#endif

/// A counting semaphore (POSIX `sem_t`): one thread posts work, another sleeps until there is
/// some. Posting never blocks, so a request thread can hand work to a background thread
/// without waiting on it. (For data, use ``Locked``; this only wakes.)
public final class Wakeup: @unchecked Sendable {
    private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)

    public init() { sem_init(semaphore, 0, 0) }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    /// Wakes one waiter (or the next one to wait).
    public func post() { sem_post(semaphore) }

    /// Sleeps until posted.
    public func wait() {
        while sem_wait(semaphore) == -1 && errno == EINTR {}
    }
}
