import AuthKitFastCGI
import AuthKitSync
import FoundationEssentials
import Glibc
import Logging

/// The worker side of a supervised `serve` (``Supervisor``): the listening socket on fd 3.
enum SupervisedWorker {
    /// The supervisor's pid, when this process is its worker: the marker names fd 3 and this
    /// process's parent, and fd 3 is a listening socket. The marker is removed either way.
    /// A marker naming another process (stray, or copied into an environment by hand) is
    /// ignored with a warning: only the real parent could have put the socket there.
    static func supervisor(logger: Logger) -> pid_t? {
        let environment = ProcessInfo.processInfo.environment
        guard let fd = environment[WorkerProcess.fdVariable] else { return nil }
        let named = environment[WorkerProcess.pidVariable].flatMap { pid_t($0) }
        unsetenv(WorkerProcess.fdVariable)
        unsetenv(WorkerProcess.pidVariable)
        guard fd == String(WorkerProcess.socketFD), let named, named == getppid() else {
            logger.warning("ignoring \(WorkerProcess.fdVariable): this process was not started by an authkit-fcgi supervisor")
            return nil
        }
        guard ListeningSocket.isListening(WorkerProcess.socketFD) else {
            ProcessConfig.fail("fd \(WorkerProcess.socketFD) from the supervisor (pid \(named)) is not a listening socket. Fix: report this; serve --no-supervisor runs without one")
        }
        return named
    }

    /// Calls `stop` once the supervisor is gone (this process re-parented): no worker outlives
    /// it holding a socket that a new service instance could not bind.
    static func stopWhenOrphaned(supervisor: pid_t, logger: Logger, _ stop: @escaping @Sendable () -> Void) {
        _ = DetachedThread.start {
            while getppid() == supervisor { usleep(500_000) }
            logger.warning("the supervisor \(supervisor) is gone: stopping")
            stop()
        }
    }
}
