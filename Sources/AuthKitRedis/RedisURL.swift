/// `AUTHKIT_REDIS_URL`: `redis://[:password@]host[:port][/db]`.
public struct RedisURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var password: String?
    public var database: Int

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String { "AUTHKIT_REDIS_URL is not redis://[:password@]host[:port][/db]. Fix: e.g. redis://127.0.0.1:6379/0" }
    }

    public init(parsing text: String) throws(Invalid) {
        guard text.hasPrefix("redis://") else { throw Invalid() }
        var rest = Substring(text.dropFirst("redis://".count))
        password = nil
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            password = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).last.map(String.init)
            rest = rest[rest.index(after: at)...]
        }
        var hostPort = rest
        database = 0
        if let slash = rest.firstIndex(of: "/") {
            hostPort = rest[..<slash]
            let db = rest[rest.index(after: slash)...]
            if !db.isEmpty {
                guard let number = Int(db), number >= 0 else { throw Invalid() }
                database = number
            }
        }
        if let colon = hostPort.lastIndex(of: ":") {
            guard let number = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(number) else { throw Invalid() }
            port = number
            host = String(hostPort[..<colon])
        } else {
            port = 6379
            host = String(hostPort)
        }
        guard !host.isEmpty else { throw Invalid() }
    }
}
