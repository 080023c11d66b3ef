import AuthKitCore

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
        // On the bytes: a password may hold anything, and as Characters `@\u{301}` is no `@`.
        guard text.hasBytePrefix("redis://") else { throw Invalid() }
        var rest = text[text.utf8.index(text.startIndex, offsetBy: "redis://".utf8.count)...]
        password = nil
        if let at = rest.utf8.lastIndex(of: UInt8(ascii: "@")) {
            let credentials = rest[..<at]
            password = String(credentials.firstUTF8Index(of: UInt8(ascii: ":")).map { credentials[credentials.utf8.index(after: $0)...] } ?? credentials)
            rest = rest[rest.utf8.index(after: at)...]
        }
        var hostPort = rest
        database = 0
        if let slash = rest.firstUTF8Index(of: UInt8(ascii: "/")) {
            hostPort = rest[..<slash]
            let db = rest[rest.utf8.index(after: slash)...]
            if !db.isEmpty {
                guard let number = Int(db), number >= 0 else { throw Invalid() }
                database = number
            }
        }
        if let colon = hostPort.utf8.lastIndex(of: UInt8(ascii: ":")) {
            guard let number = Int(hostPort[hostPort.utf8.index(after: colon)...]), (1...65535).contains(number) else { throw Invalid() }
            port = number
            host = String(hostPort[..<colon])
        } else {
            port = 6379
            host = String(hostPort)
        }
        guard !host.isEmpty else { throw Invalid() }
    }
}
