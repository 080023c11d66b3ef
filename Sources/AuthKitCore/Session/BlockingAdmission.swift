/// How a thread pool serving requests learns that one of its threads is about to wait on
/// WorkOS (a refresh, or another thread's refresh of the same token).
///
/// A refresh can take as long as the WorkOS timeout. If every worker waited on one, checks
/// whose tokens are still valid — which need no network — would queue behind them. The pool
/// answers by starting another thread for each one that waits, up to a bound; past the bound
/// the refresh is not attempted (the check answers "unavailable", the cookie is kept).
public protocol BlockingAdmission: Sendable {
    /// The calling thread is about to wait. false: no more threads may wait; do not.
    /// - Parameter sharing: true when it waits for another thread's call (a refresh of the same
    ///   token already running), which makes no WorkOS call of its own: such waits are bounded
    ///   apart from the calls, so that a page of many assets with one cookie gets one answer.
    func enterBlocking(sharing: Bool) -> Bool
    /// The wait that ``enterBlocking(sharing:)`` admitted (with the same `sharing`) is over.
    func leaveBlocking(sharing: Bool)
}

extension BlockingAdmission {
    /// A wait that may call WorkOS itself.
    public func enterBlocking() -> Bool { enterBlocking(sharing: false) }
    /// The wait ``enterBlocking()`` admitted is over.
    public func leaveBlocking() { leaveBlocking(sharing: false) }
}
