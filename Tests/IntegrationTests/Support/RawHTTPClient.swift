import Foundation

/// A minimal HTTP client that writes a request exactly as given, byte for byte, and reads the
/// answer until the server closes: no URL parsing, no normalisation, no escaping. For sending an
/// attacker's request targets (`GET /a/%2e%2e/b HTTP/1.1`, raw `#`, invalid UTF-8, …).
///
///     let answer = RawHTTPClient.exchange(port: 8080, request: Array("GET / HTTP/1.0\r\n\r\n".utf8))
///     answer.status   // 200; 0 when no status line came back
enum RawHTTPClient {
    struct Answer: Sendable {
        /// The status code of the status line, 0 when there was none (no answer, HTTP/0.9).
        let status: Int
        /// Everything the server sent.
        let bytes: [UInt8]
        /// The bytes after the header block (all of `bytes` when there was no header block).
        var body: ArraySlice<UInt8> {
            guard let end = bytes.firstRange(of: [13, 10, 13, 10]) else { return bytes[...] }
            return bytes[end.upperBound...]
        }
    }

    /// `GET <target> HTTP/<version>` with `Host`, `Connection: close` and `headers`, as bytes.
    static func request(target: [UInt8], http10: Bool, host: String, headers: [(String, String)]) -> [UInt8] {
        var bytes = Array("GET ".utf8) + target + Array((http10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n").utf8)
        bytes += Array("Host: \(host)\r\n".utf8)
        for (name, value) in headers { bytes += Array("\(name): \(value)\r\n".utf8) }
        bytes += Array("Connection: close\r\n\r\n".utf8)
        return bytes
    }

    /// Connects to 127.0.0.1:`port`, writes `request`, reads until the peer closes or `timeout`.
    static func exchange(port: Int, request: [UInt8], timeout: TimeInterval = 10) -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return Answer(status: 0, bytes: []) }
        defer { close(fd) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return Answer(status: 0, bytes: []) }
        var sent = 0
        request.withUnsafeBytes { raw in
            while sent < raw.count {
                let n = send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 { break }
                sent += n
            }
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n <= 0 { break }
            received += buffer[..<n]
        }
        return Answer(status: statusCode(received), bytes: received)
    }

    /// The three digits after `HTTP/1.x ` at the very start, else 0.
    static func statusCode(_ bytes: [UInt8]) -> Int {
        guard bytes.count >= 12, bytes.starts(with: Array("HTTP/".utf8)), let space = bytes.prefix(16).firstIndex(of: 32),
              space + 3 < bytes.count else { return 0 }
        var code = 0
        for byte in bytes[(space + 1)...(space + 3)] {
            guard (48...57).contains(byte) else { return 0 }
            code = code * 10 + Int(byte - 48)
        }
        return code
    }

    /// Bytes as a readable one-line string: printable ASCII as is, everything else `\xNN`.
    static func escaped<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var text = ""
        for byte in bytes {
            if byte >= 0x20 && byte < 0x7f && byte != 0x5c { text.unicodeScalars.append(Unicode.Scalar(byte)) } else { text += String(format: "\\x%02X", byte) }
        }
        return text
    }
}

/// Runs `count` jobs on `concurrency` threads (blocking socket I/O), each job by index.
func runConcurrently(count: Int, concurrency: Int, _ job: @escaping @Sendable (Int) -> Void) {
    let next = IndexCounter()
    let group = DispatchGroup()
    for _ in 0..<max(1, concurrency) {
        group.enter()
        Thread {
            while let index = next.take(below: count) { job(index) }
            group.leave()
        }.start()
    }
    group.wait()
}

private final class IndexCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < count else { return nil }
        value += 1
        return value - 1
    }
}
