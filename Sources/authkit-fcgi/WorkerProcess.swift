import FoundationEssentials
import Glibc

/// Starting the worker of a supervised `serve`, and saying how it ended.
///
/// The worker is this same executable started afresh (`posix_spawn` of `/proc/self/exe`), not a
/// `fork()` of a process whose other threads may hold locks; `/proc/self/exe` is the running
/// image even when a package upgrade has replaced the file, so parent and worker never differ.
enum WorkerProcess {
    /// The fd the worker finds the listening socket on (systemd's first one, too).
    static let socketFD: Int32 = 3
    /// The marker a worker recognises its supervisor by (``SupervisedWorker``).
    static let fdVariable = "AUTHKIT_SUPERVISED_FD"
    static let pidVariable = "AUTHKIT_SUPERVISOR_PID"

    /// Starts a worker with the listening socket `listenFD` as fd 3, the same arguments, the same
    /// environment plus the marker, no signals blocked. Returns its pid, or the `errno` text.
    static func spawn(listenFD: Int32) -> Result<pid_t, SpawnError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the copy. (listenFD is never 3 itself: see Supervisor.)
        posix_spawn_file_actions_adddup2(&actions, listenFD, socketFD)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The supervisor blocks the signals it waits for; the worker starts with none blocked
        // and default handlers, as a process started by a shell would.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        // Systemd's variables describe this process's fds, not the worker's: left out.
        let inherited = ProcessInfo.processInfo.environment.filter {
            !["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", fdVariable, pidVariable].contains($0.key)
        }
        let environment = inherited.map { "\($0.key)=\($0.value)" }
            + ["\(fdVariable)=\(socketFD)", "\(pidVariable)=\(getpid())"]
        var argv = CommandLine.arguments.map { strdup($0) } + [nil]
        var envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/proc/self/exe", &actions, &attributes, &argv, &envp)
        guard result == 0 else { return .failure(SpawnError(code: result)) }
        return .success(pid)
    }

    struct SpawnError: Error, CustomStringConvertible {
        let code: Int32
        var description: String { String(cString: strerror(code)) }
    }

    /// How a worker ended, from `waitpid`'s status.
    enum Ending: Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        init(status: Int32) {
            // WIFEXITED / WEXITSTATUS / WTERMSIG: C macros Swift does not import.
            let signal = status & 0x7f
            self = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
        }

        /// The status the supervisor exits with when this worker was its last: the worker's own,
        /// or 128 + the signal, as a shell reports it.
        var exitStatus: Int32 {
            switch self {
            case .exited(let code): code
            case .signalled(let signal): 128 + signal
            }
        }

        var description: String {
            switch self {
            case .exited(let code): "exited with status \(code)"
            case .signalled(let signal): "killed by signal \(signal) (\(Self.name(signal)))"
            }
        }

        static func name(_ signal: Int32) -> String {
            switch signal {
            case SIGSEGV: "SIGSEGV"
            case SIGABRT: "SIGABRT"
            case SIGBUS: "SIGBUS"
            case SIGILL: "SIGILL"
            case SIGTRAP: "SIGTRAP"
            case SIGFPE: "SIGFPE"
            case SIGKILL: "SIGKILL"
            case SIGTERM: "SIGTERM"
            case SIGINT: "SIGINT"
            case SIGHUP: "SIGHUP"
            case SIGPIPE: "SIGPIPE"
            case SIGSYS: "SIGSYS"
            case SIGXCPU: "SIGXCPU"
            default: "signal \(signal)"
            }
        }
    }
}
