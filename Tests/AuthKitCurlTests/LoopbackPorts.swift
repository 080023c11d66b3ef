#if canImport(Glibc)
import Glibc
#endif

/// Socket helpers shared by the loopback server and the tests. Everything binds 127.0.0.1 only.
enum LoopbackSocket {
    /// A TCP socket bound to 127.0.0.1 on a port the kernel chose; returns the descriptor and port.
    static func bound() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw LoopbackError.system("socket", errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = in_addr_t(INADDR_LOOPBACK).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { let error = errno; close(fd); throw LoopbackError.system("bind", error) }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { let error = errno; close(fd); throw LoopbackError.system("getsockname", error) }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}

/// A 127.0.0.1 port that is bound but not listening, held for the test's duration: connecting
/// to it is refused, and nothing else can take it meanwhile.
final class RefusingLoopbackPort: Sendable {
    let port: Int
    private let fd: Int32

    init() throws {
        (fd, port) = try LoopbackSocket.bound()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func close() { _ = Glibc.close(fd) }
}

enum LoopbackError: Error {
    case system(String, Int32)
}
