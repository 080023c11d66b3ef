import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Hand-made FastCGI bytes for a unix socket: records with any lengths, including lies, that
/// no well-behaved client (cgi-fcgi, nginx) would send.
enum RawFastCGI {
    static let beginRequest: UInt8 = 1, params: UInt8 = 4, stdin: UInt8 = 5
    static let responder: UInt16 = 1

    /// One record header + content + padding; `declaredLength` may differ from the content.
    static func record(_ type: UInt8, id: UInt16 = 1, content: [UInt8], declaredLength: Int? = nil, padding: UInt8 = 0) -> [UInt8] {
        let length = UInt16(truncatingIfNeeded: declaredLength ?? content.count)
        return [1, type, UInt8(id >> 8), UInt8(id & 0xFF), UInt8(length >> 8), UInt8(length & 0xFF), padding, 0]
            + content + [UInt8](repeating: 0, count: Int(padding))
    }

    static func begin(id: UInt16 = 1, keepConnection: Bool = false) -> [UInt8] {
        record(beginRequest, id: id, content: [UInt8(responder >> 8), UInt8(responder & 0xFF), keepConnection ? 1 : 0, 0, 0, 0, 0, 0])
    }

    /// A FastCGI name-value length: one byte below 128, else four with the top bit set.
    static func length(_ value: UInt32) -> [UInt8] {
        value < 128 ? [UInt8(value)] : [UInt8((value >> 24) | 0x80), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    static func pair(_ name: String, _ value: String) -> [UInt8] {
        length(UInt32(name.utf8.count)) + length(UInt32(value.utf8.count)) + Array(name.utf8) + Array(value.utf8)
    }

    /// A complete, well-formed request with `parameters` and `body`.
    static func request(_ parameters: [(String, String)], body: [UInt8] = []) -> [UInt8] {
        var bytes = begin()
        let encoded = parameters.flatMap { pair($0.0, $0.1) }
        for chunk in stride(from: 0, to: encoded.count, by: 65_535) {
            bytes += record(params, content: Array(encoded[chunk..<min(chunk + 65_535, encoded.count)]))
        }
        bytes += record(params, content: [])
        if !body.isEmpty { bytes += record(stdin, content: body) }
        bytes += record(stdin, content: [])
        return bytes
    }

    /// Connects to `socket`, writes `bytes` (then shuts the writing side), reads until the
    /// server closes or `timeout` passes. Returns the STDOUT records' content as text.
    static func exchange(socket path: String, _ bytes: [UInt8], timeout: TimeInterval = 5) throws -> String {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let path = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: path + [0])
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }  // the server may stop reading a request it refuses
            sent += n
        }
        shutdown(fd, Int32(SHUT_WR))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n <= 0 { break }
            received += buffer[..<n]
        }
        return stdout(of: received)
    }

    /// The content of the STDOUT (type 6) records in `bytes`.
    static func stdout(of bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var at = 0
        while at + 8 <= bytes.count {
            let length = Int(bytes[at + 4]) << 8 | Int(bytes[at + 5])
            let padding = Int(bytes[at + 6])
            let end = min(at + 8 + length, bytes.count)
            if bytes[at + 1] == 6 { out += bytes[(at + 8)..<end] }
            at += 8 + length + padding
        }
        return String(decoding: out, as: UTF8.self)
    }
}
