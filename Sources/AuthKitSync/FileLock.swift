#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock(2)` lock on a file, between processes (and between threads that open the
/// file separately): the kernel releases it when its holder closes the file or dies, so a
/// process killed while holding it leaves no stale lock behind.
public enum FileLock {
    /// What became of an attempt to take the lock.
    public enum Outcome<T> {
        /// The lock was had and `body` ran.
        case ran(T)
        /// Another holder kept it past the timeout.
        case timedOut
        /// The lock file could not be opened or created (`errno`: a read-only file system,
        /// no inodes left, no permission): there is no lock to wait for.
        case unavailable(errno: Int32)
    }

    /// Runs `body` holding the lock on `path` (created 0600 if missing); nil when the file cannot
    /// be opened or the lock is not had within `timeoutMillis`.
    public static func withExclusiveLock<T>(path: String, timeoutMillis: Int64, _ body: () throws -> T) rethrows -> T? {
        if case .ran(let value) = try lock(path: path, timeoutMillis: timeoutMillis, body) { return value }
        return nil
    }

    /// Runs `body` holding the lock on `path` (created 0600 if missing), telling a lock held by
    /// another past `timeoutMillis` from a lock file that cannot exist.
    public static func lock<T>(path: String, timeoutMillis: Int64, _ body: () throws -> T) rethrows -> Outcome<T> {
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return .unavailable(errno: errno) }
        defer { close(fd) }  // closing releases the lock
        var waited: Int64 = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, waited < timeoutMillis else { return .timedOut }
            usleep(2_000)
            waited += 2
        }
        return .ran(try body())
    }
}
