import AuthKitCore
import CFastCGI
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A FastCGI server over libfcgi: one listening socket, N worker threads each blocked in
/// `FCGX_Accept_r`, each request handed to `handler` and answered as CGI output.
///
/// nginx opens a new connection for every auth subrequest (no keepalive), so accepting is the
/// common path: workers accept directly, with no queue between threads.
public final class FastCGIServer: Sendable {
    public typealias Handler = @Sendable (_ parameters: [String: String], _ body: [UInt8]) -> [UInt8]

    private let listenSocket: Int32
    private let workers: Int
    private let handler: Handler
    private let logger: Logger
    private let inFlight = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Opens the listening socket (or adopts an inherited one).
    public init(address: ListenAddress, workers: Int, logger: Logger, handler: @escaping Handler) throws(StartError) {
        guard FCGX_Init() == 0 else { throw StartError(description: "libfcgi failed to initialise") }
        switch address {
        case .inherited(let fd):
            listenSocket = fd
        case .unix(let path):
            // A stale socket file from a crashed run would make bind fail.
            unlink(path)
            listenSocket = FCGX_OpenSocket(address.libfcgiPath, 1024)
            if listenSocket >= 0 { chmod(path, 0o660) }
        case .tcp:
            listenSocket = FCGX_OpenSocket(address.libfcgiPath, 1024)
        }
        guard listenSocket >= 0 else {
            throw StartError(description: "cannot listen on \(address): \(String(cString: strerror(errno))). Fix: check the address is free and writable")
        }
        self.workers = max(1, workers)
        self.handler = handler
        self.logger = logger
    }

    /// Serves until ``stop()``; returns when every worker has finished its request in flight.
    public func run() {
        var threads: [pthread_t] = []
        for index in 0..<workers {
            var thread = pthread_t()
            let box = Unmanaged.passRetained(WorkerContext(server: self, index: index))
            let result = pthread_create(&thread, nil, { raw in
                let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
                context.server.workerLoop(index: context.index)
                return nil
            }, box.toOpaque())
            if result == 0 { threads.append(thread) } else { box.release() }
        }
        for thread in threads { pthread_join(thread, nil) }
    }

    /// Stops accepting; requests in flight finish. Safe to call from a signal-handling thread.
    public func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        FCGX_ShutdownPending()
        // Wakes every thread blocked in accept(2) on this socket.
        shutdown(listenSocket, Int32(SHUT_RDWR))
    }

    public var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }

    private final class WorkerContext: @unchecked Sendable {
        let server: FastCGIServer
        let index: Int
        init(server: FastCGIServer, index: Int) {
            self.server = server
            self.index = index
        }
    }

    private func workerLoop(index: Int) {
        let request = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)
        defer { request.deallocate() }
        guard FCGX_InitRequest(request, listenSocket, 0) == 0 else {
            logger.error("worker \(index): FCGX_InitRequest failed")
            return
        }
        while !stopping.load(ordering: .acquiring) {
            guard FCGX_Accept_r(request) >= 0 else { break }
            inFlight.add(1, ordering: .relaxed)
            serve(request)
            FCGX_Finish_r(request)
            inFlight.subtract(1, ordering: .relaxed)
        }
        FCGX_Free(request, 1)
    }

    private func serve(_ request: UnsafeMutablePointer<FCGX_Request>) {
        var parameters: [String: String] = [:]
        if var entry = request.pointee.envp {
            while let pointer = entry.pointee {
                let text = String(cString: pointer)
                if let equals = text.firstIndex(of: "=") {
                    parameters[String(text[..<equals])] = String(text[text.index(after: equals)...])
                }
                entry += 1
            }
        }
        let body = readBody(request, declaredLength: parameters["CONTENT_LENGTH"].flatMap { Int($0) } ?? 0)
        let output = handler(parameters, body)
        output.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                _ = FCGX_PutStr(chars.baseAddress, Int32(chars.count), request.pointee.out)
            }
        }
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
