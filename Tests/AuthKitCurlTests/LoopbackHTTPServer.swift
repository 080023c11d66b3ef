#if canImport(Glibc)
import AuthKitSync
import Glibc
#endif

/// One request as the loopback server received it.
struct RecordedRequest: Sendable {
    var method: String
    /// The request target as sent: path and query.
    var target: String
    /// Header fields in the order received, names as sent.
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    /// Which accepted connection carried it, counting from 0.
    var connection: Int

    /// Every value of a field, matched case-insensitively.
    func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The first value of a field, matched case-insensitively.
    func header(_ name: String) -> String? { values(name).first }

    /// Position of a field in the header block.
    func index(of name: String) -> Int? {
        headers.firstIndex { $0.name.lowercased() == name.lowercased() }
    }
}

/// How the loopback server answers one request.
struct LoopbackReply: Sendable {
    var status = 200
    /// Fields sent as given; `Content-Length` is added unless present.
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    /// Waits this long before answering (interrupted when the server stops).
    var delayMillis = 0
    /// Closes the connection instead of answering.
    var closeWithoutAnswer = false
    /// Closes the connection after answering (and says `Connection: close`).
    var closeAfterAnswer = false
    /// 1xx responses sent before the final one.
    var informational: [(status: Int, headers: [(name: String, value: String)])] = []

    init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    init(status: Int = 200, headers: [(name: String, value: String)] = [], text: String) {
        self.init(status: status, headers: headers, body: Array(text.utf8))
    }

    /// Drops the connection without a byte of answer.
    static var closeWithoutAnswer: LoopbackReply {
        var reply = LoopbackReply()
        reply.closeWithoutAnswer = true
        return reply
    }
}

/// A small HTTP/1.1 server on 127.0.0.1 for one test: real sockets, a thread per connection,
/// keep-alive, `Content-Length` request bodies. Records every request and counts connections;
/// answers through the test's handler. Call ``stop()`` at the end of the test: it closes the
/// listening socket and every connection, and joins every thread.
final class LoopbackHTTPServer: Sendable {
    typealias Handler = @Sendable (RecordedRequest) -> LoopbackReply

    /// The port the kernel chose.
    let port: Int
    private let listener: Int32
    /// Written once by ``stop()`` and never drained: every `poll` that includes it wakes up.
    private let wake: (read: Int32, write: Int32)
    private let handler: Handler
    private let state = Locked(State())

    private struct State {
        var stopping = false
        var requests: [RecordedRequest] = []
        var connections = 0
        var threads: [JoinableThread] = []
    }

    /// Starts listening on 127.0.0.1, port 0.
    init(handler: @escaping Handler) throws {
        let (fd, port) = try LoopbackSocket.bound()
        guard listen(fd, 128) == 0 else { let error = errno; close(fd); throw LoopbackError.system("listen", error) }
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { let error = errno; close(fd); throw LoopbackError.system("pipe2", error) }
        for pipeFD in pipeFDs { _ = fcntl(pipeFD, F_SETFD, FD_CLOEXEC) }
        self.listener = fd
        self.port = port
        self.wake = (pipeFDs[0], pipeFDs[1])
        self.handler = handler
        let acceptor = JoinableThread { [self] in acceptLoop() }
        state.withLock { $0.threads.append(acceptor) }
    }

    /// `http://127.0.0.1:PORT`
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Requests received so far, in the order they were read.
    var requests: [RecordedRequest] { state.withLock { $0.requests } }

    /// Connections accepted so far.
    var acceptedConnections: Int { state.withLock { $0.connections } }

    /// Closes the listening socket and all connections; returns when every thread has ended.
    func stop() {
        let first = state.withLock { state -> Bool in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return }
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
        // The acceptor is first; once it has ended no thread is added.
        var joined = 0
        while true {
            let next: JoinableThread? = state.withLock { $0.threads.count > joined ? $0.threads[joined] : nil }
            guard let next else { break }
            next.join()
            joined += 1
        }
        close(listener)
        close(wake.read)
        close(wake.write)
    }

    // MARK: - Threads

    private func acceptLoop() {
        while waitReadable(listener) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let started = state.withLock { state -> Bool in
                guard !state.stopping else { return false }
                let index = state.connections
                state.connections += 1
                state.threads.append(JoinableThread { [self] in serve(client, connection: index) })
                return true
            }
            if !started { close(client); return }
        }
    }

    private func serve(_ fd: Int32, connection: Int) {
        defer { close(fd) }
        var buffer: [UInt8] = []
        while let request = readRequest(fd, &buffer, connection: connection) {
            state.withLock { $0.requests.append(request) }
            let reply = handler(request)
            if reply.delayMillis > 0 && sleepUnlessStopped(millis: reply.delayMillis) { return }
            if reply.closeWithoutAnswer { return }
            guard sendAll(fd, encode(reply, for: request)) else { return }
            let clientCloses = request.header("Connection")?.lowercased() == "close"
            if reply.closeAfterAnswer || clientCloses { return }
        }
    }

    // MARK: - HTTP/1.1

    /// Reads one request; nil when the peer closed, the request is malformed, or the server stops.
    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8], connection: Int) -> RecordedRequest? {
        var headEnd: Int?
        while true {
            if let end = Self.find([13, 10, 13, 10], in: buffer) { headEnd = end; break }
            guard receive(fd, into: &buffer) else { return nil }
        }
        guard let headEnd else { return nil }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst().split(separator: " ").map(String.init)
        guard requestLine.count == 3 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            headers.append((String(line[..<colon]), String(value)))
        }
        var request = RecordedRequest(method: requestLine[0], target: requestLine[1], headers: headers, body: [], connection: connection)
        if request.header("Transfer-Encoding") != nil { return nil }  // not supported here
        let length = Int(request.header("Content-Length") ?? "0") ?? 0
        let bodyStart = headEnd + 4
        while buffer.count < bodyStart + length {
            guard receive(fd, into: &buffer) else { return nil }
        }
        request.body = Array(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)
        return request
    }

    private func encode(_ reply: LoopbackReply, for request: RecordedRequest) -> [UInt8] {
        var text = ""
        for interim in reply.informational {
            text += "HTTP/1.1 \(interim.status) \(Self.reason(interim.status))\r\n"
            for field in interim.headers { text += "\(field.name): \(field.value)\r\n" }
            text += "\r\n"
        }
        text += "HTTP/1.1 \(reply.status) \(Self.reason(reply.status))\r\n"
        for field in reply.headers { text += "\(field.name): \(field.value)\r\n" }
        if !reply.headers.contains(where: { $0.name.lowercased() == "content-length" }) {
            text += "Content-Length: \(reply.body.count)\r\n"
        }
        if reply.closeAfterAnswer { text += "Connection: close\r\n" }
        text += "\r\n"
        return Array(text.utf8) + (request.method == "HEAD" ? [] : reply.body)
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 103: "Early Hints"
        case 200: "OK"
        case 302: "Found"
        case 400: "Bad Request"
        case 429: "Too Many Requests"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }

    // MARK: - Sockets

    /// Waits until `fd` is readable; false when the server stops first.
    private func waitReadable(_ fd: Int32) -> Bool {
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
        while true {
            let ready = poll(&fds, 2, -1)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0, fds[1].revents == 0 else { return false }
            return true
        }
    }

    /// Sleeps; true when interrupted because the server stops.
    private func sleepUnlessStopped(millis: Int) -> Bool {
        var fds = [pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
        return poll(&fds, 1, Int32(millis)) > 0
    }

    private func receive(_ fd: Int32, into buffer: inout [UInt8]) -> Bool {
        guard waitReadable(fd) else { return false }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }
}
