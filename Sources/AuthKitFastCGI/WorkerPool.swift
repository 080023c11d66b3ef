import AuthKitSync
import AuthKitCore
import Synchronization

/// The FastCGI server's thread accounting, and its answer to ``BlockingAdmission``: it keeps
/// `workers` threads free to accept requests however many are waiting on WorkOS.
///
/// A thread about to wait on a refresh calls ``enterBlocking()``; if that leaves fewer than
/// `workers` threads able to serve, another thread is started. When a thread finishes a
/// request and there are more free threads than `workers`, it exits. At most `maxBlocked`
/// threads wait at once; beyond that a refresh is not attempted (see ``WorkOSError/notAttempted(_:)``).
public final class WorkerPool: BlockingAdmission, Sendable {
    public let workers: Int
    public let maxBlocked: Int

    private struct Counts {
        /// Threads alive (serving, accepting or waiting).
        var running = 0
        /// Threads waiting on WorkOS.
        var blocked = 0
        var peak = 0
    }
    private let counts = Locked(Counts())
    /// Starts one more worker thread; set by the server before it serves.
    private let starter = Locked<(@Sendable () -> Void)?>(nil)

    /// The default: one worker per CPU this process can use, plus one. A check is CPU work
    /// (threads waiting on WorkOS get stand-ins), and more threads than CPUs only take turns:
    /// on 2 CPUs behind nginx, 8 workers did 10-21 % fewer uncached checks a second than 3, at
    /// 16-31 % more CPU per check (three side-by-side runs, 2026-11-23).
    public static var defaultWorkers: Int { CPUCount.available() + 1 }

    public init(workers: Int, maxBlocked: Int = 64) {
        self.workers = max(1, workers)
        self.maxBlocked = max(0, maxBlocked)
    }

    func setStarter(_ start: @escaping @Sendable () -> Void) {
        starter.withLock { $0 = start }
    }

    /// A thread was started by the server.
    func threadStarted() {
        counts.withLock { $0.running += 1; $0.peak = max($0.peak, $0.running) }
    }

    /// After each request: true when this thread is surplus and should exit (already counted out).
    func shouldRetire() -> Bool {
        counts.withLock { counts in
            guard counts.running - counts.blocked > workers else { return false }
            counts.running -= 1
            return true
        }
    }

    /// A thread left its loop because the server is stopping.
    func threadStopped() {
        counts.withLock { $0.running -= 1 }
    }

    public var running: Int { counts.withLock { $0.running } }
    public var blocked: Int { counts.withLock { $0.blocked } }
    /// The most threads alive at once since start.
    public var peakThreads: Int { counts.withLock { $0.peak } }

    public func enterBlocking() -> Bool {
        let startAnother: Bool? = counts.withLock { counts in
            guard counts.blocked < maxBlocked else { return nil }
            counts.blocked += 1
            guard counts.running - counts.blocked < workers else { return false }
            counts.running += 1
            counts.peak = max(counts.peak, counts.running)
            return true
        }
        guard let startAnother else { return false }
        if startAnother, let start = starter.withLock({ $0 }) { start() }
        return true
    }

    public func leaveBlocking() {
        counts.withLock { $0.blocked -= 1 }
    }
}
