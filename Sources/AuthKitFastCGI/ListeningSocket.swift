import CFastCGI

#if canImport(Glibc)
import Glibc
#endif

/// A listening socket opened apart from a ``FastCGIServer``: the supervisor of `serve` opens it
/// and hands it to each worker it starts, which adopts it as ``ListenAddress/inherited(fd:)``.
public enum ListeningSocket {
    /// Opens `address` as ``FastCGIServer`` does (a stale socket file removed, libfcgi's
    /// `FCGX_OpenSocket` with a backlog of 1024, a unix socket made 0660). The descriptor is
    /// close-on-exec: only a worker it is handed to on purpose gets it.
    public static func open(_ address: ListenAddress) throws(FastCGIServer.StartError) -> Int32 {
        let fd: Int32
        switch address {
        case .inherited(let inherited):
            return inherited
        case .unix(let path):
            try StaleSocket.remove(at: path)
            fd = FCGX_OpenSocket(address.libfcgiPath, 1024)
            if fd >= 0 { chmod(path, 0o660) }
        case .tcp:
            fd = FCGX_OpenSocket(address.libfcgiPath, 1024)
        }
        guard fd >= 0 else {
            throw FastCGIServer.StartError(description: "cannot listen on \(address): \(String(cString: strerror(errno))). Fix: check the address is free and writable")
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }

    /// Whether `fd` is a socket in the listening state (`SO_ACCEPTCONN`).
    public static func isListening(_ fd: Int32) -> Bool {
        var accepts: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepts, &length) == 0 && accepts == 1
    }
}
