import AuthKitCore

/// WorkOS's answers about API keys shared between hosts: `authkit:apikey:<sha256 of the key>`
/// holds an ``ApiKeyAnswer`` record (the key's id, name, owner and permissions, or `-` for a
/// refused key — never the key itself) with Redis's own expiry. Best effort: when Redis cannot
/// be reached, each host asks WorkOS itself.
public final class RedisApiKeyStore: SharedApiKeyStore, Sendable {
    private let pool: RedisPool

    public init(pool: RedisPool) {
        self.pool = pool
    }

    public func loadApiKeyAnswer(digest: String) -> String? {
        guard case .string(let record)? = pool.command(["GET", "authkit:apikey:\(digest)"]) else { return nil }
        return record
    }

    public func saveApiKeyAnswer(digest: String, record: String, ttlMillis: Int64) {
        _ = pool.command(["SET", "authkit:apikey:\(digest)", record, "PX", String(max(1, ttlMillis))])
    }
}
