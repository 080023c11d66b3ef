import AuthKitFastCGI
import Glibc
import Logging

/// The parent of a `serve --listen` process: holds the listening socket and keeps one worker
/// running on it, so that a worker's crash is not an outage.
///
/// While no worker runs, the kernel keeps the socket's listen queue: connections that arrive
/// wait there for the next worker instead of being refused. The supervisor does no request
/// work at all (it never accepts), so nothing a client sends can crash it. A worker that dies —
/// by a signal, or an exit it was not asked for — is logged and started again at once; one that
/// keeps dying is restarted after a growing wait (``RestartBackoff``). A configuration error
/// (exit 78) is not restarted: the supervisor exits 78 as well, for the service manager to see.
/// SIGTERM and SIGINT are passed on: the worker finishes its requests in flight, and the
/// supervisor exits with its status. SIGHUP starts a new worker and stops the old one
/// gracefully (the settings are read again); settings that would not load are refused first,
/// and the running worker goes on with the old ones.
///
/// The socket is `serve --listen`'s, or systemd's (fd 3, kept open by authkit-fcgi.socket).
struct Supervisor {
    let address: ListenAddress
    /// `--env-file`, read again (with the environment) before a SIGHUP swaps workers.
    let envFile: String?
    let logger: Logger

    /// Never returns: the process exits when the supervision ends.
    func run() -> Never {
        // Before any thread exists, so that every thread has them blocked and only the loop
        // below receives them.
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&signals, signal) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        // An inherited SIGCHLD "ignore" would reap the workers before waitpid could see them.
        signal(SIGCHLD, SIG_DFL)

        var listenFD: Int32
        do { listenFD = try ListeningSocket.open(address) } catch { ProcessConfig.fail(error.description) }
        // Kept off fd 3, where each worker gets its copy (a dup2 onto itself would keep close-on-exec).
        if listenFD <= WorkerProcess.socketFD {
            let moved = fcntl(listenFD, F_DUPFD_CLOEXEC, WorkerProcess.socketFD + 1)
            guard moved >= 0 else { ProcessConfig.fail("cannot move the listening socket off fd \(listenFD): \(String(cString: strerror(errno)))") }
            close(listenFD)
            listenFD = moved
        }
        logger.info("supervising", metadata: ["listen": "\(address)", "pid": "\(getpid())"])
        var loop = Loop(listenFD: listenFD, envFile: envFile, logger: logger)
        loop.start()
        while true {
            loop.waitForEvent(signals)
        }
    }

    /// The supervision state: the current worker, old ones finishing, restarts.
    private struct Loop {
        let listenFD: Int32
        let envFile: String?
        let logger: Logger
        var worker: pid_t?
        /// Workers told to stop (SIGHUP) that are finishing their requests.
        var retiring: Set<pid_t> = []
        var restarts = 0
        var backoff = RestartBackoff()
        /// When the next start is due, while backing off (monotonic seconds).
        var restartAt: Double?
        var stopping = false
        var finalStatus: Int32 = 0

        init(listenFD: Int32, envFile: String?, logger: Logger) {
            self.listenFD = listenFD
            self.envFile = envFile
            self.logger = logger
        }

        mutating func start() {
            restartAt = nil
            switch WorkerProcess.spawn(listenFD: listenFD) {
            case .success(let pid):
                worker = pid
                if restarts == 0 { logger.info("worker started", metadata: ["pid": "\(pid)"]) }
            case .failure(let error):
                worker = nil
                restarts += 1
                let delay = backoff.delay(afterCrashAt: Self.now())
                logger.error("cannot start a worker: \(error); trying again in \(max(delay, 0.5)) s (restart \(restarts))")
                restartAt = Self.now() + max(delay, 0.5)
            }
        }

        /// Waits (at most a second, or until a restart is due) for a signal, then acts on it
        /// and on every worker that has ended.
        mutating func waitForEvent(_ signals: sigset_t) {
            var set = signals
            let wait = restartAt.map { max(0, min(1, $0 - Self.now())) } ?? 1
            var timeout = timespec(tv_sec: Int(wait), tv_nsec: Int((wait - wait.rounded(.down)) * 1e9))
            let received = sigtimedwait(&set, nil, &timeout)
            switch received {
            case SIGTERM, SIGINT:
                if !stopping { logger.info("stopping: the worker finishes its requests in flight") }
                stopping = true
                restartAt = nil
                for pid in [worker].compactMap({ $0 }) + retiring { kill(pid, received) }
            case SIGHUP where !stopping:
                // A new worker would exit 78 on these, and that stops the service: keep the old one.
                let problems = ProcessConfig.problems(envFile: envFile)
                if !problems.isEmpty {
                    logger.error("SIGHUP: the settings do not load; the running worker keeps the previous ones. Fix: \(problems.joined(separator: "; ")) (authkit-fcgi check-config), then reload again")
                } else if let old = worker {
                    logger.info("SIGHUP: starting a new worker; the old one finishes its requests", metadata: ["pid": "\(old)"])
                    kill(old, SIGTERM)
                    retiring.insert(old)
                    worker = nil
                    start()
                }
            default:
                break
            }
            reap()
            if stopping, worker == nil, retiring.isEmpty {
                logger.info("supervisor stopped", metadata: ["status": "\(finalStatus)"])
                exit(finalStatus)
            }
            if !stopping, worker == nil, let due = restartAt, Self.now() >= due { start() }
        }

        /// Collects every worker that has ended.
        private mutating func reap() {
            while true {
                var status: Int32 = 0
                let pid = waitpid(-1, &status, WNOHANG)
                guard pid > 0 else { return }
                let ending = WorkerProcess.Ending(status: status)
                if retiring.remove(pid) != nil {
                    logger.info("previous worker \(pid) \(ending)")
                } else if pid == worker {
                    worker = nil
                    ended(pid, ending)
                }
            }
        }

        private mutating func ended(_ pid: pid_t, _ ending: WorkerProcess.Ending) {
            if stopping {
                finalStatus = ending.exitStatus
                return
            }
            if ending == .exited(ProcessConfig.exitCode) {
                logger.critical("worker \(pid) \(ending) (configuration error): not restarting it. Fix: the settings (authkit-fcgi check-config), then start the service again")
                stopping = true
                finalStatus = ProcessConfig.exitCode
                for old in retiring { kill(old, SIGTERM) }
                return
            }
            restarts += 1
            let delay = backoff.delay(afterCrashAt: Self.now())
            // Exit 0 unasked is restarted too: the supervisor's job is a worker on the socket.
            if delay == 0 {
                logger.error("worker \(pid) \(ending); restarting it (restart \(restarts))")
                start()
            } else {
                logger.error("worker \(pid) \(ending); it died \(backoff.recentCrashes) times in \(Int(RestartBackoff.window)) s: waiting \(delay) s before restarting it (restart \(restarts))")
                restartAt = Self.now() + delay
            }
        }

        static func now() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_MONOTONIC, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
    }
}
