#if canImport(Glibc)
import Glibc
#endif

/// A value only reachable under a pthread mutex: the same shape as `Synchronization.Mutex`, but
/// ThreadSanitizer understands it. (On Linux `Mutex` locks with raw futex calls that TSan cannot
/// see, so it reports every access the mutex protects as a race — measured here with a
/// two-thread counter that is correct and still "races".) Uncontended cost is the same.
public final class Locked<Value: ~Copyable>: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var value: Value

    public init(_ value: consuming Value) {
        self.value = value
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    /// Runs `body` with the value, holding the lock.
    public func withLock<Result: ~Copyable, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body(&value)
    }

    /// Runs `body` only if the lock is free right now; nil when another thread holds it.
    public func withLockIfAvailable<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result? {
        guard pthread_mutex_trylock(&mutex) == 0 else { return nil }
        defer { pthread_mutex_unlock(&mutex) }
        return try body(&value)
    }
}
