/// Where `authkit-fcgi serve` listens: `unix:/path.sock`, `127.0.0.1:9000`, `:9000`, or a
/// socket inherited from spawn-fcgi (fd 0) or systemd (`LISTEN_FDS`, fd 3).
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: Int)
    case inherited(fd: Int32)

    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public let text: String
        public var description: String {
            "--listen \(text) is not an address. Fix: use unix:/run/authkit.sock, 127.0.0.1:9000 or :9000"
        }
    }

    public init(parsing text: String) throws(Invalid) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard path.hasPrefix("/") else { throw Invalid(text: text) }
            self = .unix(path: path)
            return
        }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            throw Invalid(text: text)
        }
        let host = String(text[..<colon])
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
