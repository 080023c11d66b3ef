import AuthKitSync
import AuthKitCore
import AuthKitCrypto
import CHiredis

#if canImport(Glibc)
import Glibc
#endif

/// Refresh coordination across hosts through Redis, with hiredis from Debian.
///
/// The lock is `SET authkit:refresh:lock:<key> <random> NX PX 20000`, released only by its
/// holder (a compare-and-delete script); a holder that dies leaves a lock that expires by
/// itself. The new session is stored as `authkit:refresh:session:<key>` for a minute (longer when
/// the token it replaces is valid for longer: ``SharedRefreshStore/save(key:sealedSession:keepMillis:)``), already
/// sealed with the cookie password. Keys are hashes of refresh tokens, never tokens.
///
/// When Redis cannot be reached, the refresh goes ahead without the cross-host lock (this
/// process still coalesces its own threads): a Redis outage must not sign anybody out.
public final class RedisRefreshStore: SharedRefreshStore, Sendable {
    private let pool: RedisPool
    static let lockMillis = 20_000
    static let sessionMillis = 60_000

    public convenience init(url: RedisURL, connectTimeoutMillis: Int = 1000) {
        self.init(pool: RedisPool(url: url, connectTimeoutMillis: connectTimeoutMillis))
    }

    /// On connections shared with the other Redis stores of the process.
    public init(pool: RedisPool) {
        self.pool = pool
    }

    func command(_ arguments: [String]) -> RedisReply? { pool.command(arguments) }

    public func withLock<T>(key: String, timeoutMillis: Int64, _ body: () -> T) -> T? {
        let lockKey = "authkit:refresh:lock:\(key)"
        let token = Hex.encode(CryptoRandom.bytes(16))
        var waited: Int64 = 0
        while true {
            switch command(["SET", lockKey, token, "NX", "PX", String(Self.lockMillis)]) {
            case nil:
                return body()  // Redis unreachable: go ahead alone rather than fail.
            case .status("OK")?:
                defer {
                    _ = command(["EVAL", "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
                                 "1", lockKey, token])
                }
                return body()
            default:
                guard waited < timeoutMillis else { return nil }
                usleep(5_000)
                waited += 5
            }
        }
    }

    public func load(key: String) -> (sealedSession: String, storedAt: UnixMillis)? {
        // `<millis> <sealed>`, split on the bytes; the millis digits only (what save writes).
        guard case .string(let value)? = command(["GET", "authkit:refresh:session:\(key)"]),
              let space = value.utf8.firstIndex(of: UInt8(ascii: " ")), let storedAt = DecimalText.int64(value.utf8[..<space]) else { return nil }
        return (String(value[value.utf8.index(after: space)...]), storedAt)
    }

    public func save(key: String, sealedSession: String, keepMillis: Int64) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let millis = Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
        _ = command(["SET", "authkit:refresh:session:\(key)", "\(millis) \(sealedSession)", "PX", String(max(Int64(Self.sessionMillis), keepMillis))])
    }
}

/// A reply, reduced to what the store reads.
enum RedisReply: Equatable {
    case status(String)
    case string(String)
    case integer(Int64)
    case null
    case error(String)
    case other
}

/// One hiredis connection.
final class RedisConnection: @unchecked Sendable {
    private let context: UnsafeMutablePointer<redisContext>

    private init(context: UnsafeMutablePointer<redisContext>) { self.context = context }

    /// Why a connection could not be had, for the log: hiredis's error (`Connection refused`,
    /// a timeout), or the server refusing AUTH or SELECT. Never the password.
    struct OpenFailure: Error {
        let message: String
    }

    static func open(_ url: RedisURL, timeoutMillis: Int) -> Result<RedisConnection, OpenFailure> {
        let timeout = timeval(tv_sec: timeoutMillis / 1000, tv_usec: (timeoutMillis % 1000) * 1000)
        let place = "\(url.host):\(url.port)"
        guard let context = redisConnectWithTimeout(url.host, Int32(url.port), timeout) else {
            return .failure(OpenFailure(message: "\(place): no memory for a connection"))
        }
        let connection = RedisConnection(context: context)
        guard context.pointee.err == 0 else {
            let message = "\(place): \(connection.errorText)"
            connection.close()
            return .failure(OpenFailure(message: message))
        }
        _ = redisSetTimeout(context, timeout)
        if let password = url.password, connection.send(["AUTH", password]) != .status("OK") {
            connection.close()
            return .failure(OpenFailure(message: "\(place): AUTH refused (check the password in AUTHKIT_REDIS_URL)"))
        }
        if url.database != 0, connection.send(["SELECT", String(url.database)]) != .status("OK") {
            connection.close()
            return .failure(OpenFailure(message: "\(place): SELECT \(url.database) refused"))
        }
        return .success(connection)
    }

    func close() { redisFree(context) }

    /// hiredis's error text of this context (`errstr`, a fixed C buffer).
    var errorText: String {
        withUnsafeBytes(of: &context.pointee.errstr) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return bytes.isEmpty ? "connection error" : String(decoding: bytes, as: UTF8.self)
        }
    }

    /// nil on a connection error (the context must then be discarded).
    func send(_ arguments: [String]) -> RedisReply? {
        let cStrings = arguments.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var lengths = arguments.map { $0.utf8.count }
        var pointers = cStrings.map { UnsafePointer($0) }
        let raw = pointers.withUnsafeMutableBufferPointer { p in
            lengths.withUnsafeMutableBufferPointer { l in
                redisCommandArgv(context, Int32(arguments.count), p.baseAddress, l.baseAddress)
            }
        }
        guard let raw else { return nil }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        let type = reply.pointee.type
        func text() -> String {
            guard let str = reply.pointee.str else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: str, count: reply.pointee.len), as: UTF8.self)
        }
        switch type {
        case REDIS_REPLY_STATUS: return .status(text())
        case REDIS_REPLY_STRING: return .string(text())
        case REDIS_REPLY_INTEGER: return .integer(reply.pointee.integer)
        case REDIS_REPLY_NIL: return .null
        case REDIS_REPLY_ERROR: return .error(text())
        default: return .other
        }
    }
}
