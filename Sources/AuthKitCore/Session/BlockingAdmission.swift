/// How a thread pool serving requests learns that one of its threads is about to wait on
/// WorkOS (a refresh, or another thread's refresh of the same token).
///
/// A refresh can take as long as the WorkOS timeout. If every worker waited on one, checks
/// whose tokens are still valid — which need no network — would queue behind them. The pool
/// answers by starting another thread for each one that waits, up to a bound; past the bound
/// the refresh is not attempted (the check answers "unavailable", the cookie is kept).
public protocol BlockingAdmission: Sendable {
    /// The calling thread is about to wait. false: no more threads may wait; do not.
    func enterBlocking() -> Bool
    /// The wait that ``enterBlocking()`` admitted is over.
    func leaveBlocking()
}
