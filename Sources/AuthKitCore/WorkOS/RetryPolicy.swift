#if canImport(Glibc)
import Glibc
#endif

/// Waits between retries; injected so tests do not sleep.
public protocol Sleeper: Sendable {
    func sleep(millis: Int64)
}

/// Blocks the calling thread.
public struct ThreadSleeper: Sleeper {
    public init() {}
    public func sleep(millis: Int64) {
        guard millis > 0 else { return }
        var request = timespec(tv_sec: Int(millis / 1000), tv_nsec: Int(millis % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
    }
}

/// Retries of transient WorkOS failures, as workos-node does them: 408, 429, 5xx and network
/// errors are retried with the same `Idempotency-Key`, after `min(500 ms · 1.5ⁿ, 8 s)` with
/// ±50 % jitter, or after `Retry-After` when WorkOS sends one. Unlike workos-node, everything
/// — attempts and waits — fits in one time budget, so a check never waits longer than configured.
public struct RetryPolicy: Sendable {
    public var maxRetries: Int
    /// The whole call, waits included, in milliseconds.
    public var budgetMillis: Int64
    public var baseDelayMillis: Int64 = 500
    public var maxDelayMillis: Int64 = 8000

    public init(maxRetries: Int = 2, budgetMillis: Int64 = 10_000) {
        self.maxRetries = maxRetries
        self.budgetMillis = budgetMillis
    }

    /// The wait before retry number `attempt` (0-based), or nil to give up.
    func delay(after error: WorkOSError, attempt: Int, elapsedMillis: Int64, random: some RandomSource) -> Int64? {
        guard error.isTransient, attempt < maxRetries else { return nil }
        var wait: Int64
        if case .http(_, _, _, _, let retryAfter?, _) = error {
            // Clamped before multiplying: a huge Retry-After must not overflow (and trap).
            wait = Int64(min(max(retryAfter, 0), 86_400)) * 1000
        } else {
            var backoff = Double(baseDelayMillis)
            for _ in 0..<attempt { backoff *= 1.5 }
            let jitter = 0.5 + Double(random.bytes(1)[0]) / 255.0
            wait = Int64(min(backoff, Double(maxDelayMillis)) * jitter)
        }
        wait = max(wait, 0)
        // Give up rather than overrun the budget; leave time for the attempt itself.
        guard elapsedMillis.addingClamped(wait) < budgetMillis else { return nil }
        return wait
    }
}
