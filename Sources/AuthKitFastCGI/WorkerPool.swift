import AuthKitSync
import AuthKitCore

/// The FastCGI server's thread accounting, and its answer to ``BlockingAdmission``: it keeps
/// `workers` threads free to accept requests however many are waiting on WorkOS.
///
/// A thread about to wait on a refresh calls ``enterBlocking()``; if that leaves fewer than
/// `workers` threads able to serve, another thread is started. When a thread finishes a
/// request and there are more free threads than `workers`, it exits. At most `maxBlocked`
/// threads wait on calls of their own at once, and at most `maxSharing` on another thread's
/// call (a refresh of the same token); beyond that a refresh is not attempted (see
/// ``WorkOSError/notAttempted(_:)``).
public final class WorkerPool: BlockingAdmission, Sendable {
    public let workers: Int
    public let maxBlocked: Int
    /// Threads waiting for another thread's refresh of the same token: they make no call, so
    /// they may be many more (a page of 100 assets with one expired cookie is 99 of them).
    public let maxSharing: Int

    /// Sharing waits allowed per ``maxBlocked`` by default.
    public static let sharingPerBlocked = 16

    private struct Counts {
        /// Threads alive (serving, accepting or waiting).
        var running = 0
        /// Threads waiting on WorkOS (calls and sharing waits).
        var blocked = 0
        /// Of those, threads waiting on another thread's call.
        var sharing = 0
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

    /// - Parameter maxSharing: default ``sharingPerBlocked`` × `maxBlocked` (clamped).
    public init(workers: Int, maxBlocked: Int = 64, maxSharing: Int? = nil) {
        self.workers = max(1, workers)
        self.maxBlocked = max(0, maxBlocked)
        self.maxSharing = max(0, maxSharing ?? min(self.maxBlocked, Int.max / Self.sharingPerBlocked) * Self.sharingPerBlocked)
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

    public func enterBlocking(sharing: Bool) -> Bool {
        let startAnother: Bool? = counts.withLock { counts in
            if sharing {
                guard counts.sharing < maxSharing else { return nil }
                counts.sharing += 1
            } else {
                guard counts.blocked - counts.sharing < maxBlocked else { return nil }
            }
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

    public func leaveBlocking(sharing: Bool) {
        counts.withLock { counts in
            counts.blocked -= 1
            if sharing { counts.sharing -= 1 }
        }
    }
}
