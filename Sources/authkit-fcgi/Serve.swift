import ArgumentParser
import AuthKitCore
import AuthKitGateway
import AuthKitFastCGI
import FoundationEssentials
import Glibc
import Logging

/// `authkit-fcgi serve`: the FastCGI server. (A CGI request never gets here: ``CGIMode``.)
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve FastCGI on a socket.",
        discussion: requiredSettings)

    @OptionGroup var options: ConfigOptions

    @Option(name: .long, help: "unix:/path.sock, 127.0.0.1:9000 or :9000. Default: an inherited socket (systemd LISTEN_FDS, or fd 0 from spawn-fcgi).")
    var listen: String?

    @Option(name: .long, help: "Worker threads, each accepting connections. Default: the CPUs this process may use (affinity, cgroup quota) plus one; threads waiting on WorkOS get stand-ins.")
    var workers: Int?

    @Option(name: .long, help: "Most requests waiting on a WorkOS refresh of their own at once (requests waiting for another request's refresh of the same token: 16 times as many); each gets a stand-in thread so checks needing no refresh keep all the workers. Beyond it a refresh is not attempted (503, cookie kept).")
    var maxWaiting: Int = 64

    @Option(name: .long, help: "Milliseconds a connection may take to deliver a complete request (and a kept connection its next one) before it is closed. Idle and half-sent connections never hold a worker; this bounds how long they are kept.")
    var readTimeoutMs: Int = 5_000

    @Option(name: .long, help: "Most connections open at once. At the bound the connection waiting longest for its request is closed (logged once a minute at most). Default: 1024, or less under a low open-file limit.")
    var maxConnections: Int?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Flag(name: .long, help: "authkit's debug option (as WORKOS_DEBUG=true): log level debug, one line for every check.")
    var debug = false

    @Flag(name: .long, help: "With --listen or systemd's socket: one process, no supervisor. By default a small parent holds the socket, restarts a worker that dies (connections wait in the listen queue meanwhile) and on SIGHUP swaps in a worker that reads the settings again.")
    var noSupervisor = false

    func run() throws {
        CGIMode.refuse("serve")
        let config = ProcessConfig.load(envFile: options.envFile)
        guard let level = Logger.Level(rawValue: logLevel.lowercasedASCII()) else {
            ProcessConfig.fail("--log-level \(logLevel) is not a level. Fix: use trace, debug, info, notice, warning, error or critical")
        }
        let effectiveLevel = (debug || config.debug) ? min(level, .debug) : level
        let logger = Logger.process(format: config.logFormat, level: effectiveLevel)
        // Bounded: each worker is a thread, and a stand-in may join each waiting one.
        if let workers = self.workers, !(1...1024).contains(workers) {
            ProcessConfig.fail("--workers \(workers) is out of range. Fix: use 1 to 1024, or leave it out for the CPUs plus one")
        }
        guard (0...4096).contains(maxWaiting) else {
            ProcessConfig.fail("--max-waiting \(maxWaiting) is out of range. Fix: use 0 to 4096 (default 64)")
        }
        let address: ListenAddress
        // The worker of a supervised serve: the supervisor's socket on fd 3, whatever --listen says.
        let supervisor = SupervisedWorker.supervisor(logger: logger)
        if supervisor != nil {
            address = .inherited(fd: WorkerProcess.socketFD)
        } else if let listen {
            do { address = try ListenAddress(parsing: listen) } catch { ProcessConfig.fail(error.description) }
            if !noSupervisor { Supervisor(address: address, envFile: options.envFile, logger: logger).run() }
        } else if let inherited = Self.inheritedSocket() {
            address = .inherited(fd: inherited)
            // systemd's socket gets the supervisor too: SIGHUP (systemctl reload) then swaps in a
            // worker with the settings read again, and a worker's crash costs no RestartSec.
            // spawn-fcgi's and mod_fcgid's (fd 0) get none: mod_fcgid counts and signals its
            // processes itself.
            if inherited == WorkerProcess.socketFD, !noSupervisor {
                Supervisor(address: address, envFile: options.envFile, logger: logger).run()
            }
        } else {
            ProcessConfig.fail("--listen is not set and no socket was inherited. Fix: pass --listen unix:/run/authkit-fcgi.sock or 127.0.0.1:9000")
        }

        let telemetry = Telemetry(config: config, logger: logger)
        let workers = self.workers ?? WorkerPool.defaultWorkers
        let pool = WorkerPool(workers: workers, maxBlocked: maxWaiting)
        // Refreshes of tokens still valid run here, not in a worker: no check waits on them.
        let backgroundRefresh = BackgroundRefreshPool()
        let application = Application(config: config, logger: logger, metrics: telemetry.metrics, admission: pool,
                                      backgroundRefresh: backgroundRefresh)
        let service = application.service
        telemetry.watch(cache: service.authenticator.cache, jwks: application.jwks, clock: SystemClock())

        let server: FastCGIServer
        // At debug level every check is logged with its user and duration: no shortcuts then.
        let memo = CheckAnswerMemo(service: service, logsEveryCheck: effectiveLevel <= .debug)
        let allowedChecks = telemetry.metrics.allowedChecks
        do {
            guard readTimeoutMs > 0, (maxConnections ?? 1) > 0 else {
                ProcessConfig.fail("--read-timeout-ms and --max-connections must be positive. Fix: e.g. --read-timeout-ms 5000 --max-connections 1024")
            }
            let limits = ConnectionLimits(
                readTimeoutMilliseconds: readTimeoutMs, maxConnections: maxConnections ?? ConnectionLimits.defaultMaxConnections)
            server = try FastCGIServer(address: address, pool: pool, limits: limits, logger: logger) { parameters, body in
                // A check for a session seen before, at a location seen before: the answer as given then.
                let ticket = memo.ticket(for: parameters)
                if let ticket, let remembered = memo.answer(ticket) {
                    allowedChecks.increment()
                    return remembered
                }
                var (request, server) = GatewayRequest.make(parameters: parameters, body: body)
                // The memo hashed the session cookie for its lookup: the check reuses that key.
                if let ticket, !ticket.apiKey { request.sessionCookieKey = ticket.key }
                let response = Gateway.answer(service: service, telemetry: telemetry, request: request, parameters: server)
                let bytes = GatewayResponse.bytes(response)
                if let ticket { memo.remember(ticket, response: response, bytes: bytes) }
                return bytes
            }
        } catch {
            ProcessConfig.fail("\(error)")
        }
        let log = logger
        SignalWatcher.onTerminate {
            log.info("stopping: finishing requests in flight")
            server.stop()
        }
        // After SignalWatcher: the thread must inherit the blocked SIGTERM/SIGINT, or the kernel
        // may hand it the signal and the watcher never sees it (serve would not stop).
        if let hook = application.refreshHook, !hook.startSender() {
            ProcessConfig.fail("the refresh hook's sender thread could not be started. Fix: raise the process's thread limit, or unset AUTHKIT_ON_REFRESH_SUCCESS_URL and AUTHKIT_ON_REFRESH_ERROR_URL")
        }
        var listening = "\(address)"
        if let supervisor {
            SupervisedWorker.stopWhenOrphaned(supervisor: supervisor, logger: logger) { server.stop() }
            listening = "\(listen.map { "\($0) " } ?? "")(fd \(WorkerProcess.socketFD) from supervisor \(supervisor))"
        }
        logger.info("serving", metadata: ["listen": "\(listening)", "workers": "\(workers)", "version": "\(AuthKitVersion.string)"])
        server.run()
        // A refresh WorkOS may have answered already must store its session (the old refresh
        // token is spent); bounded by the WorkOS timeout, so stopping never hangs on them.
        if !backgroundRefresh.stop(waitMillis: Int64(config.httpTotalTimeoutMillis) + 1000) {
            logger.warning("stopped with background refreshes unfinished", metadata: ["pending": "\(backgroundRefresh.pending)"])
        }
        logger.info("stopped")
    }

    /// systemd socket activation (`LISTEN_FDS=1`, fd 3) or spawn-fcgi (a listening socket on fd 0).
    static func inheritedSocket() -> Int32? {
        let environment = ProcessInfo.processInfo.environment
        if environment["LISTEN_FDS"] == "1", environment["LISTEN_PID"].flatMap(Int32.init) == getpid() { return 3 }
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        var acceptsConnections: Int32 = 0
        var acceptLength = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &length) == 0,
           getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &acceptsConnections, &acceptLength) == 0, acceptsConnections == 1 {
            return 0
        }
        return nil
    }
}
