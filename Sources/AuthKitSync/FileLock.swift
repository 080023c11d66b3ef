#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock(2)` lock on a file, between processes (and between threads that open the
/// file separately): the kernel releases it when its holder closes the file or dies, so a
/// process killed while holding it leaves no stale lock behind.
public enum FileLock {
    /// Runs `body` holding the lock on `path` (created 0600 if missing); nil when the file cannot
    /// be opened or the lock is not had within `timeoutMillis`.
    public static func withExclusiveLock<T>(path: String, timeoutMillis: Int64, _ body: () throws -> T) rethrows -> T? {
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        defer { close(fd) }  // closing releases the lock
        var waited: Int64 = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, waited < timeoutMillis else { return nil }
            usleep(2_000)
            waited += 2
        }
        return try body()
    }
}
