#if canImport(Glibc)
import Glibc
#endif

/// What one FastCGI connection may cost the server: how long it may take to deliver a
/// complete request, and how many connections may be open at once.
public struct ConnectionLimits: Sendable, Equatable {
    /// A connection that has not delivered a complete request this long after it was accepted
    /// (or handed back after a kept request) is closed. nginx and Apache send a request in one
    /// go, in well under a millisecond on one host.
    public var readTimeoutMilliseconds: Int
    /// Open connections at most, waiting or being served. At the bound, the connection that has
    /// waited longest for its request is closed to make room; if none is waiting, new
    /// connections wait in the listen backlog.
    public var maxConnections: Int

    /// `readTimeoutMilliseconds` is clamped to 1 ms...1 h, `maxConnections` to at least 1.
    public init(readTimeoutMilliseconds: Int = 5_000, maxConnections: Int = ConnectionLimits.defaultMaxConnections) {
        self.readTimeoutMilliseconds = min(max(readTimeoutMilliseconds, 1), 3_600_000)
        self.maxConnections = max(maxConnections, 1)
    }

    /// 1024, or fewer when the open-file limit would be reached first (Debian's soft limit is
    /// 1024 descriptors, and the process needs some of its own): accepting at the limit fails
    /// with EMFILE instead of closing the oldest waiting connection.
    public static var defaultMaxConnections: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return 1_024 }
        let available = Int(clamping: limit.rlim_cur) - 64
        return min(1_024, max(16, available))
    }
}
