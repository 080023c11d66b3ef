import Synchronization
import AuthKitSync

/// Whether Redis answered the last command, as the pool saw it, so that falling back to this
/// host alone is never silent: each change is told once (down with the error, then up again),
/// and every command that could not reach Redis counts as a fallback.
///
/// A process that never needed Redis yet reports ``State/unknown``: `/auth/health` does no I/O.
public final class RedisHealth: Sendable {
    public enum State: Int, Sendable {
        case unknown = 0, up, down
    }

    private let current = Atomic<Int>(State.unknown.rawValue)
    private let fallbackCount = Atomic<Int>(0)
    private let lastError = Locked<String?>(nil)
    private let changed: @Sendable (_ state: State, _ previous: State, _ error: String?) -> Void
    private let fellBack: @Sendable () -> Void

    /// - Parameters:
    ///   - changed: called once per change of state (down with the error), with the state before
    ///     (`.unknown` for the first command).
    ///   - fellBack: called for each command that went without Redis.
    public init(changed: @escaping @Sendable (_ state: State, _ previous: State, _ error: String?) -> Void = { _, _, _ in },
                fellBack: @escaping @Sendable () -> Void = {}) {
        self.changed = changed
        self.fellBack = fellBack
    }

    public var state: State { State(rawValue: current.load(ordering: .relaxed)) ?? .unknown }
    /// Commands that could not reach Redis since start.
    public var fallbacks: Int { fallbackCount.load(ordering: .relaxed) }
    /// The error of the last failure while down, nil while up.
    public var error: String? { lastError.withLock { $0 } }

    func succeeded() {
        let before = current.exchange(State.up.rawValue, ordering: .relaxed)
        guard before != State.up.rawValue else { return }
        lastError.withLock { $0 = nil }
        changed(.up, State(rawValue: before) ?? .unknown, nil)
    }

    func failed(_ error: String) {
        fallbackCount.add(1, ordering: .relaxed)
        fellBack()
        lastError.withLock { $0 = error }
        let before = current.exchange(State.down.rawValue, ordering: .relaxed)
        if before != State.down.rawValue { changed(.down, State(rawValue: before) ?? .unknown, error) }
    }
}
