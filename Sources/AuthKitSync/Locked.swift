#if canImport(Glibc)
import Glibc
#endif

/// A value only reachable under a pthread mutex, with a condition variable for threads that
/// wait on it: the one lock primitive of the project.
///
/// Why not `Synchronization.Mutex`: on Linux it locks with raw futex calls that ThreadSanitizer
/// cannot see, so TSan reports every access it protects as a race (measured here with a
/// two-thread counter that is correct and still "races"). Uncontended cost is the same.
///
/// The mutex and the condition live in memory allocated once for the object's lifetime: pthread
/// objects must not move, and `&storedProperty` on a class promises no stable address.
///
/// Hold a value with a size (`Locked(false)` for a lock that guards no data, not `Locked(())`):
/// ThreadSanitizer places the access to an empty value on the object's header, which every call
/// reads before locking, and reports a race that is not there.
public final class Locked<Value: ~Copyable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var value: Value

    public init(_ value: consuming Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        // Deadlines are monotonic: a wall-clock step must not end or stretch a wait.
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock.
    public func withLock<Result: ~Copyable, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Runs `body` only if the lock is free right now; nil when another thread holds it.
    public func withLockIfAvailable<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result? {
        guard pthread_mutex_trylock(mutex) == 0 else { return nil }
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Holding the lock, runs `step` until it answers non-nil, sleeping on the condition between
    /// tries (other threads wake it with ``withLockBroadcasting(_:)``). When `timeoutMillis` passes
    /// first, `step` runs once more and its answer, nil or not, is returned.
    public func waitUntil<Result>(timeoutMillis: Int64, _ step: (inout Value) -> Result?) -> Result? {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let timeout = max(0, timeoutMillis)
        deadline.tv_sec += Int(timeout / 1000)
        deadline.tv_nsec += Int(timeout % 1000) * 1_000_000
        if deadline.tv_nsec >= 1_000_000_000 { deadline.tv_sec += 1; deadline.tv_nsec -= 1_000_000_000 }
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while true {
            if let answer = step(&value) { return answer }
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { return step(&value) }
        }
    }

    /// ``withLock(_:)``, then wakes every thread sleeping in ``waitUntil(timeoutMillis:_:)``.
    public func withLockBroadcasting<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        return try body(&value)
    }
}
