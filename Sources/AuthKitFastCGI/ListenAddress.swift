import AuthKitCore
#if canImport(Glibc)
import Glibc
#endif

/// Where `authkit-fcgi serve` listens: `unix:/path.sock`, `127.0.0.1:9000`, `:9000`, or a
/// socket inherited from spawn-fcgi (fd 0) or systemd (`LISTEN_FDS`, fd 3).
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: Int)
    case inherited(fd: Int32)

    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public let text: String
        /// What is wrong, when more can be said than "not an address".
        public var problem: String?

        public init(text: String, problem: String? = nil) {
            self.text = text
            self.problem = problem
        }

        public var description: String {
            "--listen \(text) \(problem ?? "is not an address"). Fix: use unix:/run/authkit.sock, 127.0.0.1:9000 or :9000"
        }
    }

    /// The longest unix socket path `bind` takes: `sun_path` less its terminating NUL.
    public static let maxUnixPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1
    /// The longest host name (RFC 1035); libfcgi copies the address into a fixed buffer and
    /// exits the process when it does not fit, so longer ones are refused here first.
    public static let maxHostBytes = 253

    public init(parsing text: String) throws(Invalid) {
        // On the bytes (as Characters, `:\u{301}` is no colon).
        if text.hasBytePrefix("unix:") {
            let path = String(decoding: text.utf8.dropFirst(5), as: UTF8.self)
            guard path.utf8.first == UInt8(ascii: "/"), !path.utf8.contains(0) else { throw Invalid(text: text) }
            guard path.utf8.count <= Self.maxUnixPathBytes else {
                throw Invalid(text: text, problem: "is too long for a unix socket (\(path.utf8.count) bytes, at most \(Self.maxUnixPathBytes))")
            }
            self = .unix(path: path)
            return
        }
        guard let colon = text.utf8.lastIndex(of: UInt8(ascii: ":")), let port = Int(text[text.utf8.index(after: colon)...]),
              (1...65535).contains(port) else {
            throw Invalid(text: text)
        }
        let host = String(text[..<colon])
        guard host.utf8.count <= Self.maxHostBytes, !host.utf8.contains(0) else {
            throw Invalid(text: text, problem: "has a host name longer than \(Self.maxHostBytes) bytes")
        }
        self = .tcp(host: host.isEmpty ? "127.0.0.1" : host, port: port)
    }

    /// The string libfcgi's `FCGX_OpenSocket` takes.
    var libfcgiPath: String {
        switch self {
        case .unix(let path): path
        case .tcp(let host, let port): "\(host):\(port)"
        case .inherited: ""
        }
    }

    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): "\(host):\(port)"
        case .inherited(let fd): "inherited fd \(fd)"
        }
    }
}
