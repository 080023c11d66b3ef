import AuthKitCore
import AuthKitSync
import FoundationEssentials
import Glibc

/// Cross-process refresh coordination over files in `AUTHKIT_CACHE_DIR`.
///
/// Why file locks and not SQLite: `flock(2)` locks are released by the kernel when their holder
/// dies, so a process killed mid-refresh leaves no stale lock to detect and break; nothing to
/// install, no database file to corrupt, and the result is a single small file written
/// atomically. (SQLite would add a dependency for a key-value store of a few dozen entries.)
/// Across hosts, Redis takes this role (issue 6, not yet).
///
/// Files: `refresh-<key>.lock` (the lock) and `refresh-<key>.session` (the new session, sealed
/// with the cookie password, mode 0600). Keys are hashes of refresh tokens, never tokens.
public struct FileRefreshStore: SharedRefreshStore {
    public let directory: URL
    /// Told (once per process) that a lock file could not be created, with `strerror`'s text.
    private let unavailable: @Sendable (String) -> Void
    private let warned = Locked(false)

    /// nil when the directory is not private to this user (see ``FileJWKSStore``).
    public init?(directory path: String, unavailable: @escaping @Sendable (String) -> Void = { _ in }) {
        let manager = FileManager.default
        if !manager.fileExists(atPath: path) {
            try? manager.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == geteuid(), info.st_mode & 0o022 == 0 else {
            return nil
        }
        directory = URL(fileURLWithPath: path)
        self.unavailable = unavailable
    }

    private func path(_ key: String, _ suffix: String) -> String {
        directory.appendingPathComponent("refresh-\(key.prefix(32)).\(suffix)").path
    }

    /// A directory that cannot take a lock file (read-only, out of inodes) means no lock to
    /// wait for: the refresh goes ahead without it, as when Redis is unreachable (this process
    /// still coalesces its own threads; another process's repeat of the refresh is answered
    /// only within WorkOS's replay grace window).
    /// Before, every refresh failed as "timed out" and each expired session got a 503.
    public func withLock<T>(key: String, timeoutMillis: Int64, _ body: () -> T) -> T? {
        switch FileLock.lock(path: path(key, "lock"), timeoutMillis: timeoutMillis, body) {
        case .ran(let value):
            return value
        case .timedOut:
            return nil
        case .unavailable(let error):
            if warned.withLock({ warned in defer { warned = true }; return !warned }) {
                unavailable(String(cString: strerror(error)))
            }
            return body()
        }
    }

    public func load(key: String) -> (sealedSession: String, storedAt: UnixMillis)? {
        let file = path(key, "session")
        guard let data = FileManager.default.contents(atPath: file),
              let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date else {
            return nil
        }
        // Clamped: `UnixMillis(Double)` traps for a file dated past the year 292 million.
        guard let storedAt = Int64.clamping(modified.timeIntervalSince1970 * 1000) else { return nil }
        return (String(decoding: data, as: UTF8.self), storedAt)
    }

    /// Kept until ``removeExpired()`` (the coordinator decides how long a stored session answers).
    public func save(key: String, sealedSession: String, keepMillis: Int64) {
        let file = path(key, "session")
        let temporary = file + ".\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(sealedSession.utf8), attributes: [.posixPermissions: 0o600]) else {
            return
        }
        if rename(temporary, file) != 0 { unlink(temporary) }
        removeExpired()
    }

    /// Results older than ten minutes are past any window (``RefreshCoordinator/maxKeepMillis``:
    /// a refreshed session answers for the token it replaced until that one expires); lock files
    /// older than ten minutes cannot be in use (waits are bounded by the HTTP timeouts).
    private func removeExpired() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        let now = Date()
        for name in names where name.hasBytePrefix("refresh-") {
            let file = directory.appendingPathComponent(name).path
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date else { continue }
            let age = now.timeIntervalSince(modified)
            if (name.hasByteSuffix(".session") && age > Double(RefreshCoordinator.maxKeepMillis / 1000)) || (name.hasByteSuffix(".lock") && age > 600) { unlink(file) }
        }
    }
}
