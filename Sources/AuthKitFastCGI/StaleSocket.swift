#if canImport(Glibc)
import Glibc
#endif

/// Clears the way for a unix listening socket: a socket file left at the path by an earlier
/// run (which would make `bind` fail) is removed; anything else there is left alone and
/// start-up fails. A path never names a file to delete, whoever chose it.
enum StaleSocket {
    /// Removes the socket file at `path`, if there is one. Nothing there: nothing to do.
    /// A regular file, a directory, a symbolic link (not followed), a FIFO or a device: refused.
    static func remove(at path: String) throws(FastCGIServer.StartError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            // Nothing there, or nothing this user may look at: bind reports what it finds.
            return
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw FastCGIServer.StartError(description:
                "cannot listen on unix:\(path): it exists and is not a socket (\(kind(info.st_mode))). Fix: choose a path of its own for --listen, e.g. unix:/run/authkit-fcgi/authkit.sock, or remove what is there")
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw FastCGIServer.StartError(description:
                "cannot remove the old socket unix:\(path): \(String(cString: strerror(errno))). Fix: let this user write to its directory, or remove it")
        }
    }

    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFLNK: "a symbolic link"
        case S_IFIFO: "a FIFO"
        case S_IFCHR, S_IFBLK: "a device"
        default: "not a socket"
        }
    }
}
