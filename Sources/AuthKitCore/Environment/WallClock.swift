#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in time as milliseconds since the Unix epoch, the unit iron and JavaScript use.
public typealias UnixMillis = Int64

/// Tells the wall-clock time. Injected so tests can drive expiry without sleeping. (Not named
/// `Clock`: that would shadow the standard library's `Clock` protocol in every file that imports us.)
public protocol WallClock: Sendable {
    /// Milliseconds since the Unix epoch.
    func nowMillis() -> UnixMillis
}

extension WallClock {
    /// Whole seconds since the epoch, rounded down like `Math.floor(Date.now()/1000)`.
    public func nowSeconds() -> Int64 { nowMillis() / 1000 }
}

/// The wall clock (`CLOCK_REALTIME`).
public struct SystemClock: WallClock {
    public init() {}
    public func nowMillis() -> UnixMillis {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// Time that only moves forward (`CLOCK_MONOTONIC`), for durations: latencies, timeouts.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary start; only differences mean anything.
    public static func nanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

/// A clock that always answers the same instant; for tests and vectors.
public struct FixedClock: WallClock {
    public var millis: UnixMillis
    public init(millis: UnixMillis) { self.millis = millis }
    public func nowMillis() -> UnixMillis { millis }
}
