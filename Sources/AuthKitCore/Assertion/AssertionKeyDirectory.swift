import AuthKitSync
#if canImport(Glibc)
import Glibc
#endif

/// The assertion signing keys kept on disk (`AUTHKIT_ASSERTION_KEY_DIR`, else
/// `AUTHKIT_CACHE_DIR`), shared by every process of the site and rotated by the
/// ``AssertionKeyRing`` rules.
///
/// One PEM file per key, `assertion-<notBefore>-<alg>.pem`, mode 0600, in a directory that must
/// belong to this user and be closed to everyone else (0700; made so when missing). A key is
/// written to a temporary name and renamed into place, so a reader never sees half a key; making
/// or removing keys happens under an `flock` on `assertion.lock`, re-reading the directory first,
/// so processes starting together make one key, not one each.
public struct AssertionKeyDirectory: Sendable {
    public let path: String
    public let algorithm: AssertionAlgorithm
    public let policy: AssertionKeyRing.Policy

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Not a directory of this user closed to group and others.
        case notPrivate(String)
        case cannotWrite(String)
        case lockTimeout(String)
        public var description: String {
            switch self {
            case .notPrivate(let path): "\(path) is not a directory of this user closed to group and others (mode 0700)"
            case .cannotWrite(let path): "cannot write a key file in \(path)"
            case .lockTimeout(let path): "\(path)/assertion.lock stayed locked"
            }
        }
    }

    public init(path: String, algorithm: AssertionAlgorithm, policy: AssertionKeyRing.Policy) {
        self.path = path.utf8.count > 1 && path.utf8.last == UInt8(ascii: "/") ? String(path.dropLast()) : path
        self.algorithm = algorithm
        self.policy = policy
    }

    /// The keys at `now`, after making a due successor and removing retired keys.
    public func load(now: Int64) throws(Failure) -> AssertionKeyRing {
        try checkPrivate()
        let ring = read()
        let due = ring.successorDue(at: now, algorithm: algorithm, policy: policy)
        let retired = ring.entries.contains { ring.isRetired($0, at: now, policy: policy) }
        guard due != nil || retired else { return ring }
        let outcome: Result<AssertionKeyRing, Failure>? = FileLock.withExclusiveLock(path: path + "/assertion.lock", timeoutMillis: 10_000) {
            // Another process may have done it while this one waited.
            let current = read()
            if let notBefore = current.successorDue(at: now, algorithm: algorithm, policy: policy) {
                do { try write(AssertionKey(generating: algorithm), notBefore: notBefore) } catch { return .failure(.cannotWrite(path)) }
            }
            let updated = read()
            for entry in updated.entries where updated.isRetired(entry, at: now, policy: policy) {
                unlink(fileName(entry.notBefore, entry.key.algorithm))
            }
            return .success(read())
        }
        guard let outcome else { throw .lockTimeout(path) }
        return try outcome.get()
    }

    private func checkPrivate() throws(Failure) {
        var info = stat()
        if stat(path, &info) != 0, errno == ENOENT {
            _ = mkdir(path, 0o700)
        }
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == geteuid(), info.st_mode & 0o077 == 0 else {
            throw .notPrivate(path)
        }
    }

    private func fileName(_ notBefore: Int64, _ algorithm: AssertionAlgorithm) -> String {
        "\(path)/assertion-\(notBefore)-\(algorithm.rawValue).pem"
    }

    /// Every readable key file; an unreadable or foreign file is skipped.
    func read() -> AssertionKeyRing {
        guard let directory = opendir(path) else { return AssertionKeyRing([]) }
        defer { closedir(directory) }
        var entries: [AssertionKeyRing.Entry] = []
        while let item = readdir(directory) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let notBefore = Self.notBefore(fileName: name), let pem = Self.contents(path + "/" + name),
                  let key = try? AssertionKey(pem: pem) else { continue }
            entries.append(.init(key: key, notBefore: notBefore))
        }
        return AssertionKeyRing(entries)
    }

    /// `assertion-<digits>-<alg>.pem` → its `notBefore`; on the bytes.
    static func notBefore(fileName name: String) -> Int64? {
        let bytes = Array(name.utf8)
        let prefix = Array("assertion-".utf8)
        guard bytes.starts(with: prefix), let dash = bytes[prefix.count...].firstIndex(of: UInt8(ascii: "-")) else { return nil }
        let rest = bytes[(dash + 1)...]
        guard AssertionAlgorithm.allCases.contains(where: { Array(($0.rawValue + ".pem").utf8)[...] == rest }) else { return nil }
        return DecimalText.int64(bytes[prefix.count..<dash])
    }

    private static func contents(_ file: String) -> String? {
        let fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while out.count < 64 * 1024 {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            out += buffer[..<count]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes the key 0600 under a temporary name, then renames it into place.
    private func write(_ key: AssertionKey, notBefore: Int64) throws {
        let final = fileName(notBefore, key.algorithm)
        let temporary = "\(path)/.assertion-\(getpid())-\(notBefore).tmp"
        let bytes = Array(try key.pem().utf8)
        unlink(temporary)
        let fd = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure.cannotWrite(path) }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            written += count
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, final) == 0 else {
            unlink(temporary)
            throw Failure.cannotWrite(path)
        }
    }
}
