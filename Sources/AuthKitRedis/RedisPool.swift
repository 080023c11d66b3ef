import AuthKitSync

/// Connections to one Redis server, shared by the stores of a process (refresh coordination,
/// API-key answers). hiredis contexts are not thread-safe: each is used by one thread at a
/// time, taken from the idle list and put back after its command.
public final class RedisPool: @unchecked Sendable {
    private let url: RedisURL
    private let connectTimeoutMillis: Int
    private let idle = Locked<[RedisConnection]>([])

    public init(url: RedisURL, connectTimeoutMillis: Int = 1000) {
        self.url = url
        self.connectTimeoutMillis = connectTimeoutMillis
    }

    deinit { idle.withLock { $0.forEach { $0.close() } } }

    /// Sends one command on a pooled connection; nil when Redis is unreachable or errs.
    func command(_ arguments: [String]) -> RedisReply? {
        guard let connection = idle.withLock({ $0.popLast() }) ?? RedisConnection.open(url, timeoutMillis: connectTimeoutMillis) else {
            return nil
        }
        guard let reply = connection.send(arguments) else {
            connection.close()  // a broken context is not reused
            return nil
        }
        idle.withLock { $0.count < 16 ? $0.append(connection) : connection.close() }
        return reply
    }
}
