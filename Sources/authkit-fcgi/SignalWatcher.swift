import FoundationEssentials
import AuthKitSync
import Glibc

/// Turns SIGTERM and SIGINT into a call on an ordinary thread, so the handler may take locks.
enum SignalWatcher {
    /// Blocks the signals in the calling (main) thread — threads created later inherit the
    /// mask — and starts a thread that waits for them.
    static func onTerminate(_ action: @escaping @Sendable () -> Void) {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let watched = signals
        DetachedThread.start {
            var set = watched
            var received: Int32 = 0
            sigwait(&set, &received)
            action()
        }
    }
}
