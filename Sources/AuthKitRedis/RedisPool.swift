import AuthKitSync

/// Connections to one Redis server, shared by the stores of a process (refresh coordination,
/// API-key answers). hiredis contexts are not thread-safe: each is used by one thread at a
/// time, taken from the idle list and put back after its command.
public final class RedisPool: @unchecked Sendable {
    private let url: RedisURL
    private let connectTimeoutMillis: Int
    private let idle = Locked<[RedisConnection]>([])
    /// What the commands found: up, or down with the error.
    public let health: RedisHealth

    public init(url: RedisURL, connectTimeoutMillis: Int = 1000, health: RedisHealth = RedisHealth()) {
        self.url = url
        self.connectTimeoutMillis = connectTimeoutMillis
        self.health = health
    }

    deinit { idle.withLock { $0.forEach { $0.close() } } }

    /// `PING` (for `check-config --online`): nil when Redis answers, else why not, for a log
    /// line (never the password).
    public func ping() -> String? {
        switch command(["PING"]) {
        case .status("PONG")?: return nil
        case .error(let message)?: return "\(url.host):\(url.port) answered PING with an error: \(message)"
        case nil: return health.error ?? "\(url.host):\(url.port): unreachable"
        default: return "\(url.host):\(url.port) answered PING with something else than PONG"
        }
    }

    /// Sends one command on a pooled connection; nil when Redis is unreachable or errs.
    func command(_ arguments: [String]) -> RedisReply? {
        let connection: RedisConnection
        if let pooled = idle.withLock({ $0.popLast() }) {
            connection = pooled
        } else {
            switch RedisConnection.open(url, timeoutMillis: connectTimeoutMillis) {
            case .success(let opened): connection = opened
            case .failure(let failure):
                health.failed(failure.message)
                return nil
            }
        }
        guard let reply = connection.send(arguments) else {
            health.failed(connection.errorText)
            connection.close()  // a broken context is not reused
            return nil
        }
        health.succeeded()
        idle.withLock { $0.count < 16 ? $0.append(connection) : connection.close() }
        return reply
    }
}
