import AuthKitCore
import AuthKitCrypto
import FoundationEssentials
import Glibc

/// The JWKS kept in `AUTHKIT_CACHE_DIR`, so CGI processes do not refetch it on every request.
///
/// The directory is created 0700 and used only when it belongs to this user and nobody else
/// can write to it; the file is written 0600 to a temporary name and renamed into place, so a
/// reader never sees half a document. The fetch time is the file's modification time.
public struct FileJWKSStore: JWKSStore {
    public let file: URL

    /// nil (with the reason logged by the caller) when the directory is unsafe or unusable.
    public init?(directory: String, url: String) {
        let manager = FileManager.default
        if !manager.fileExists(atPath: directory) {
            try? manager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        var info = stat()
        guard stat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == geteuid(),
              info.st_mode & 0o022 == 0 else { return nil }
        let name = "jwks-" + Hex.encode(Array(Digest.sha256(Array(url.utf8)).prefix(8))) + ".json"
        file = URL(fileURLWithPath: directory).appendingPathComponent(name)
    }

    public func load() -> (document: [UInt8], fetchedAt: UnixMillis)? {
        guard let data = FileManager.default.contents(atPath: file.path),
              let modified = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.modificationDate] as? Date else {
            return nil
        }
        // Clamped: `UnixMillis(Double)` traps for a file dated past the year 292 million.
        guard let fetchedAt = Int64.clamping(modified.timeIntervalSince1970 * 1000) else { return nil }
        return ([UInt8](data), fetchedAt)
    }

    public func save(document: [UInt8], fetchedAt: UnixMillis) {
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(getpid())")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(document), attributes: [.posixPermissions: 0o600]) else { return }
        if rename(temporary.path, file.path) != 0 { unlink(temporary.path) }
    }
}
