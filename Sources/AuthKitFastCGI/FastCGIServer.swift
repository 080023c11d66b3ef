import AuthKitCore
import AuthKitSync
import CFastCGI
import CLinuxEvents
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A FastCGI server over libfcgi: one listening socket, N worker threads and a connection
/// watcher thread, each request handed to `handler` and answered as CGI output.
///
/// nginx opens a new connection for every auth subrequest (no keepalive), so accepting is the
/// common path: workers accept directly (``WorkerIntake``), with no queue between threads when
/// the request is already there. But a worker lets libfcgi read a request only once all of it
/// has arrived; a connection that is idle or half-sent goes to the ``ConnectionWatcher``, which
/// queues it for a worker when its request is complete or closes it at its deadline (issue 20:
/// when libfcgi's blocking accept and read ran on the workers, as many idle connections as
/// workers stalled every check). Open connections are bounded (``ConnectionLimits``).
/// A thread that waits on WorkOS is replaced for the time it waits (``WorkerPool``), so checks
/// that need no refresh never queue behind a slow WorkOS.
public final class FastCGIServer: Sendable {
    /// Answers one request: its parameters (valid only during the call) and body, to CGI output.
    public typealias Handler = @Sendable (_ parameters: FastCGIParameters, _ body: [UInt8]) -> [UInt8]

    private let listenSocket: Int32
    /// Whether this server opened the socket. An inherited one is shared with its holder
    /// (systemd, the supervisor), which hands it to the next process: never shut down.
    private let ownsSocket: Bool
    private let pool: WorkerPool
    private let limits: ConnectionLimits
    private let ready = ReadyConnections()
    private let watcher: ConnectionWatcher
    private let watcherDone = Atomic<Bool>(false)
    private let addresses = WebServerAddresses()
    /// Written once by ``stop()`` and never read: readable from then on, it wakes every worker.
    private let stopSignal: Int32
    private let handler: Handler
    private let logger: Logger
    private let inFlight = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Opens the listening socket (or adopts an inherited one).
    public init(
        address: ListenAddress, pool: WorkerPool, limits: ConnectionLimits = ConnectionLimits(), logger: Logger,
        handler: @escaping Handler
    ) throws(StartError) {
        guard FCGX_Init() == 0 else { throw StartError(description: "libfcgi failed to initialise") }
        switch address {
        case .inherited(let fd):
            listenSocket = fd
            ownsSocket = false
        case .unix(let path):
            ownsSocket = true
            // A stale socket file from a crashed run would make bind fail; nothing else is removed.
            try StaleSocket.remove(at: path)
            listenSocket = FCGX_OpenSocket(address.libfcgiPath, 1024)
            if listenSocket >= 0 { chmod(path, 0o660) }
        case .tcp:
            ownsSocket = true
            listenSocket = FCGX_OpenSocket(address.libfcgiPath, 1024)
        }
        guard listenSocket >= 0 else {
            throw StartError(description: "cannot listen on \(address): \(String(cString: strerror(errno))). Fix: check the address is free and writable")
        }
        do {
            watcher = try ConnectionWatcher(limits: limits, ready: ready, logger: logger)
        } catch {
            throw StartError(description: "\(error.description). Fix: check the open-file limit")
        }
        stopSignal = authkit_eventfd()
        // Workers wait on the listening socket in epoll and accept without blocking: several may
        // wake for one connection, and one that lost it must not sleep in accept(2).
        let flags = fcntl(listenSocket, F_GETFL)
        guard stopSignal >= 0, flags >= 0, fcntl(listenSocket, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw StartError(description: "cannot prepare the listening socket: \(String(cString: strerror(errno))). Fix: check the open-file limit")
        }
        self.limits = limits
        self.pool = pool
        self.handler = handler
        self.logger = logger
    }

    /// Serves until ``stop()``; returns when every worker has finished its request in flight.
    public func run() {
        // Weak: the pool belongs to the server, not the other way round.
        pool.setStarter { [weak self] in self?.startThread(counted: true) }
        for _ in 0..<pool.workers { startThread(counted: false) }
        let started = DetachedThread.start { [self] in
            watcher.run()
            watcherDone.store(true, ordering: .releasing)
        }
        if !started {
            logger.error("cannot start the connection watcher thread")
            stop()
            watcherDone.store(true, ordering: .releasing)
        }
        // Threads come and go (see WorkerPool); wait for the last one after stop().
        while !(stopping.load(ordering: .acquiring) && pool.running == 0 && watcherDone.load(ordering: .acquiring)) {
            usleep(20_000)
        }
    }

    /// Starts a detached worker thread. `counted`: the pool already counted it in.
    private func startThread(counted: Bool) {
        if !counted { pool.threadStarted() }
        let started = DetachedThread.start { [self] in workerLoop() }
        if !started {
            pool.threadStopped()
            logger.error("cannot start a worker thread")
        }
    }

    /// Stops accepting; requests in flight finish. Safe to call from a signal-handling thread.
    public func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        // The stop signal below wakes every worker. A socket of our own is also shut down, so
        // connections are refused at once rather than queued for nobody. An inherited one never
        // is: shutdown(2) acts on the socket, not on this descriptor, and the socket outlives this
        // process (systemd's, or the supervisor's), so every later process would find it
        // refusing connections. (Not FCGX_ShutdownPending either: its flag is process-global and
        // permanent, so no later server in this process could serve.)
        if ownsSocket { shutdown(listenSocket, Int32(SHUT_RDWR)) }
        var one: UInt64 = 1
        _ = write(stopSignal, &one, 8)
        watcher.stop()
        // Connections still queued are closed.
        ready.close()
    }

    deinit { close(stopSignal) }

    public var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }

    private func workerLoop() {
        let request = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)
        defer { request.deallocate() }
        // No listening socket: connections come from the acceptor. libfcgi's own accept is
        // reached only after it rejected a request (and closed its connection), and then fails
        // at once instead of accepting behind the acceptor's back.
        guard FCGX_InitRequest(request, -1, 0) == 0 else {
            logger.error("FCGX_InitRequest failed")
            pool.threadStopped()
            return
        }
        guard let intake = WorkerIntake(
            listenSocket: listenSocket, stop: stopSignal, limits: limits, ready: ready, watcher: watcher, addresses: addresses, logger: logger)
        else {
            logger.error("a worker cannot create its epoll set: \(String(cString: strerror(errno)))")
            pool.threadStopped()
            return
        }
        var retired = false
        var kept: Int32?
        while let descriptor = kept ?? intake.next() {
            kept = nil
            guard Self.accept(request, on: descriptor) else {
                watcher.closed()
                continue
            }
            inFlight.add(1, ordering: .relaxed)
            serve(request)
            // A failed read (the client stopped sending): nothing to linger for either.
            if FCGX_GetError(request.pointee.in) != 0 || Self.inputIsFinished(request) { _ = FCGX_Detach(request) }
            FCGX_Finish_r(request)
            inFlight.subtract(1, ordering: .relaxed)
            // libfcgi kept the connection open (FCGI_KEEP_CONN): its next request is served now
            // if it is there, else the watcher waits for it.
            if request.pointee.ipcFd >= 0 {
                kept = intake.keep(request.pointee.ipcFd)
                request.pointee.ipcFd = -1
            } else {
                watcher.closed()
            }
            if pool.shouldRetire() {
                retired = true
                break
            }
        }
        // A retiring stand-in's kept connection, its next request already there: another worker serves it.
        if let kept { watcher.watch(kept, deadline: ConnectionPeek.now() + UInt64(limits.readTimeoutMilliseconds)) }
        FCGX_Free(request, 1)
        if !retired { pool.threadStopped() }
    }

    /// Lets libfcgi read the request waiting on `descriptor`, as it reads the next request on a
    /// kept connection: `FCGX_Accept_r` first finishes "the current request" (with
    /// `keepConnection` set it leaves the descriptor open) and, with `ipcFd` already open, reads
    /// from it instead of accepting. False when libfcgi rejected the request (it then closed
    /// the connection).
    private static func accept(_ request: UnsafeMutablePointer<FCGX_Request>, on descriptor: Int32) -> Bool {
        request.pointee.ipcFd = descriptor
        request.pointee.keepConnection = 1
        // Detached while libfcgi reads: a request it rejects is closed at once, not with the
        // lingering close (up to 2 s of this worker) meant for connections that were answered.
        _ = FCGX_Detach(request)
        guard FCGX_Accept_r(request) >= 0 else {
            if request.pointee.ipcFd >= 0 {
                close(request.pointee.ipcFd)
                request.pointee.ipcFd = -1
            }
            return false
        }
        _ = FCGX_Attach(request)
        return true
    }

    private func serve(_ request: UnsafeMutablePointer<FCGX_Request>) {
        let parameters = FastCGIParameters(environment: UnsafePointer(request.pointee.envp))
        // An authorizer is sent no FCGI_STDIN (the FastCGI spec's Authorizer gets none, and
        // mod_authnz_fcgi never sends one), whatever CONTENT_LENGTH says: no body to read.
        let declaredLength = Self.isAuthorizer(request) ? 0 : ContentLength.parse(parameters.value("CONTENT_LENGTH")) ?? 0
        let body = readBody(request, declaredLength: declaredLength)
        // A body cut short by a read error or the receive timeout (a request too big for the
        // acceptor to wait for, see ConnectionAcceptor.peekBytes): no answer, the connection closes.
        guard FCGX_GetError(request.pointee.in) == 0 else { return }
        let output = handler(parameters, body)
        output.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                _ = FCGX_PutStr(chars.baseAddress, Int32(chars.count), request.pointee.out)
            }
        }
    }

    private static func isAuthorizer(_ request: UnsafeMutablePointer<FCGX_Request>) -> Bool {
        request.pointee.role == FCGI_AUTHORIZER
    }

    /// Whether the server has sent all it will send on this connection and all of it was read,
    /// so that the connection can be closed at once.
    ///
    /// libfcgi ends every connection with a lingering close (shutdown, then poll and read until
    /// the server closes its end, up to 2 s), so that input still arriving cannot make the
    /// kernel reset the connection and destroy the answer. The worker sleeps through that wait:
    /// a context switch per request, and a worker held while nginx reads the answer (bench/run.sh
    /// row 2b: the C floor does 7–25 % more requests a second without it). With nothing left to arrive
    /// there is nothing to reset, and ``workerLoop()`` detaches the request so that libfcgi
    /// just closes. Anything else (a kept connection, a body bigger than was read, input still
    /// queued) keeps libfcgi's lingering close.
    private static func inputIsFinished(_ request: UnsafeMutablePointer<FCGX_Request>) -> Bool {
        guard request.pointee.keepConnection == 0, request.pointee.ipcFd >= 0 else { return false }
        // A responder's input ends with an empty FCGI_STDIN record (nginx sends it with the
        // parameters): read up to it, skipping what is left of a body.
        if !isAuthorizer(request), let input = request.pointee.in {
            let skipped = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 4096) { scratch -> Int in
                var total = 0
                while total <= 65_536 {
                    let count = FCGX_GetStr(scratch.baseAddress, Int32(scratch.count), input)
                    if count <= 0 { break }
                    total += Int(count)
                }
                return total
            }
            guard skipped <= 65_536, FCGX_HasSeenEOF(input) == EOF, FCGX_GetError(input) == 0 else { return false }
        }
        // And nothing more queued on the socket (0: the server has closed its end already).
        var byte: UInt8 = 0
        let peeked = recv(request.pointee.ipcFd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return peeked == 0 || (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    }

    /// Bodies are small form posts; anything beyond 64 KiB is not read.
    private func readBody(_ request: UnsafeMutablePointer<FCGX_Request>, declaredLength: Int) -> [UInt8] {
        let length = min(max(declaredLength, 0), 65_536)
        guard length > 0 else { return [] }
        var body = [UInt8](repeating: 0, count: length)
        let read = body.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { FCGX_GetStr($0.baseAddress, Int32(length), request.pointee.in) }
        }
        return Array(body.prefix(Int(max(read, 0))))
    }
}
