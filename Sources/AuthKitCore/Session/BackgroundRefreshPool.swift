import AuthKitSync
#if canImport(Glibc)
import Glibc
#endif

/// A few threads of their own for refreshes no request waits on: a token due for a refresh
/// but still valid is served at once, and its refresh runs here (issue 22). When WorkOS hangs,
/// only these threads wait on it; the workers keep answering checks.
///
/// Bounded twice: at most `threads` refreshes run at once, and at most `capacity` are queued
/// or running. ``submit(_:)`` never blocks: past the bound it refuses, and the caller serves the
/// valid token without starting a refresh (a later request tries again). Threads start on
/// first use and then stay.
public final class BackgroundRefreshPool: Sendable {
    /// Refreshes running at once (each may wait up to the WorkOS timeout).
    public let threads: Int
    /// Refreshes queued or running at once.
    public let capacity: Int

    private struct State {
        var queue: [@Sendable () -> Void] = []
        var running = 0
        var started = 0
        var stopping = false
    }
    private let state = Locked(State())
    private let wakeup = Wakeup()

    public init(threads: Int = 8, capacity: Int = 128) {
        self.threads = max(1, threads)
        self.capacity = max(self.threads, capacity)
    }

    /// Queues `job`; false (and nothing queued) when the pool is full, stopping, or the system
    /// refused its first thread.
    public func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        let startThread: Bool? = state.withLock { state in
            guard !state.stopping, state.queue.count + state.running < capacity else { return nil }
            state.queue.append(job)
            // One more thread while some queued job has none to take it.
            guard state.started < threads, state.queue.count + state.running > state.started else { return false }
            state.started += 1
            return true
        }
        guard let startThread else { return false }
        if startThread, !DetachedThread.start({ [self] in work() }) {
            let removed = state.withLock { state -> Bool in
                state.started -= 1
                // With no thread at all, nothing would ever run it: take it back.
                guard state.started == 0, !state.queue.isEmpty else { return false }
                state.queue.removeLast()
                return true
            }
            if removed { return false }
        }
        wakeup.post()
        return true
    }

    /// Refreshes queued or running now.
    public var pending: Int { state.withLock { $0.queue.count + $0.running } }

    /// Stops taking jobs and waits up to `waitMillis` for those queued or running to finish, so
    /// a refresh WorkOS already answered can store its session before the process exits. true
    /// when none was left.
    @discardableResult
    public func stop(waitMillis: Int64) -> Bool {
        state.withLock { $0.stopping = true }
        var waited: Int64 = 0
        while pending > 0 {
            guard waited < waitMillis else { return false }
            usleep(10_000)
            waited += 10
        }
        return true
    }

    private func work() {
        while true {
            wakeup.wait()
            let job = state.withLock { state -> (@Sendable () -> Void)? in
                guard !state.queue.isEmpty else { return nil }
                state.running += 1
                return state.queue.removeFirst()
            }
            guard let job else { continue }
            job()
            state.withLock { $0.running -= 1 }
        }
    }
}
