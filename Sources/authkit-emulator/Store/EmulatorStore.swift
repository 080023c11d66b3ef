import AuthKitSync

/// The emulator's state behind one lock. Handlers are short and synchronous, so one lock
/// keeps every grant atomic: two refreshes racing with the same token see one winner, the
/// other `invalid_grant`, exactly as WorkOS answers.
///
/// ```swift
/// let reply = store.with { state in state.authenticate(fields, bearer: bearer) }
/// ```
final class EmulatorStore: Sendable {
    private let state: Locked<StoreState>

    init(_ state: StoreState) {
        self.state = Locked(state)
    }

    /// Runs `body` with exclusive access to the state.
    func with<T: Sendable>(_ body: (inout StoreState) -> T) -> T {
        state.withLock { body(&$0) }
    }
}
