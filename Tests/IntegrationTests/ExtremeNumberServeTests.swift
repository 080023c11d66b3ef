import Foundation
import Testing

/// A real `authkit-fcgi serve` sent extreme and malformed numbers in everything a request
/// carries: the sign-in loop guard cookie, CONTENT_LENGTH, FastCGI record and name-value
/// lengths, and (behind real nginx) Content-Length. After each one the process must still run
/// and answer (issue 26 item 2: one request used to end the process and every request in flight).
@Suite(.serialized) struct ExtremeNumberServeTests {
    static let now = Int64(Date().timeIntervalSince1970)

    /// Loop-guard cookie values that overflowed the guard's arithmetic, and their relatives.
    static let loopCookies: [String] = [
        "9223372036854775807.\(now)", "0.-9223372036854775808", "9223372036854775806.\(now)", "9223372036854775808.\(now)",
        "18446744073709551615.\(now)", "-9223372036854775808.\(now)", "0.9223372036854775807", "1.-1", "+1.\(now)", "-0.\(now)",
        "\(String(repeating: "9", count: 400)).\(now)", "1.\(String(repeating: "9", count: 400))", "١.\(now)", "1e400.\(now)",
        "00000000000000000000000000000001.\(now)", "1\u{301}.\(now)", "%2B1.\(now)", "9223372036854775807%2E\(now)", ".", "",
    ]

    static let navigation = ["HTTP_ACCEPT": "text/html", "HTTP_SEC_FETCH_MODE": "navigate", "HTTP_SEC_FETCH_DEST": "document"]

    /// The process is running and answers a health check.
    func expectAlive(_ server: ServeProcess, after what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(server.process.isRunning, "authkit-fcgi exited after \(what)", sourceLocation: sourceLocation)
        guard server.process.isRunning else { return }
        let health = try? fastCGIRequest(socket: server.socket, parameters: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/auth/health"])
        #expect(health?.hasPrefix("Status: 200 OK\r\n") == true, "no health answer after \(what)", sourceLocation: sourceLocation)
    }

    @Test func extremeLoopGuardCookiesOnSignInAndSignUp() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try ServeProcess(environment: ServeTests.environment, directory: directory, workers: 2)
        for path in ["/auth/sign-in", "/auth/sign-up"] {
            for cookie in Self.loopCookies {
                var parameters = Self.navigation
                parameters["REQUEST_METHOD"] = "GET"
                parameters["REQUEST_URI"] = path
                parameters["HTTP_COOKIE"] = "wos-auth-attempts=\(cookie)"
                let answer = try? fastCGIRequest(socket: server.socket, parameters: parameters)
                let status = answer.map { String($0.prefix(11)) } ?? "(none)"
                #expect(status == "Status: 302" || status == "Status: 429", "\(path) with \(cookie): \(status)")
                expectAlive(server, after: "\(path) with wos-auth-attempts=\(cookie)")
                guard server.process.isRunning else { _ = server.stop(); return }
            }
        }
        let (status, _) = server.stop()
        #expect(status == 0)
    }

    @Test func extremeContentLengthsAndRecordLengths() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try ServeProcess(environment: ServeTests.environment, directory: directory, workers: 2)
        let signOut = [("REQUEST_METHOD", "POST"), ("REQUEST_URI", "/auth/sign-out"), ("CONTENT_TYPE", "application/x-www-form-urlencoded"),
                       ("HTTP_ACCEPT", "text/html"), ("HTTP_SEC_FETCH_MODE", "navigate")]
        let body = Array("return_to=%2F".utf8)
        for length in ["99999999999999999999", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-1", "-0", "+5",
                       "1e400", "١٣", " 13", "13 ", "0x0d", "18446744073709551615", String(repeating: "9", count: 400), "65537", "4294967296"] {
            // Through cgi-fcgi: a real client, the CONTENT_LENGTH parameter as given.
            let answer = try? fastCGIRequest(socket: server.socket, parameters: Dictionary(uniqueKeysWithValues: signOut + [("CONTENT_LENGTH", length)]),
                                             body: String(decoding: body, as: UTF8.self))
            #expect(answer?.hasPrefix("Status: ") == true, "CONTENT_LENGTH \(length)")
            expectAlive(server, after: "CONTENT_LENGTH=\(length) (cgi-fcgi)")
            // Raw: the same parameter with the body in one STDIN record.
            _ = try? RawFastCGI.exchange(socket: server.socket, RawFastCGI.request(signOut + [("CONTENT_LENGTH", length)], body: body))
            expectAlive(server, after: "CONTENT_LENGTH=\(length) (raw)")
        }

        // Records whose lengths lie, and name-value lengths past the record's end.
        let health = RawFastCGI.pair("REQUEST_METHOD", "GET") + RawFastCGI.pair("REQUEST_URI", "/auth/health")
        let lies: [(String, [UInt8])] = [
            ("a name length of 2^31-1", RawFastCGI.begin() + RawFastCGI.record(RawFastCGI.params, content: RawFastCGI.length(0x7FFF_FFFF) + [1, 65])),
            ("a value length of 2^31-1", RawFastCGI.begin() + RawFastCGI.record(RawFastCGI.params, content: [1] + RawFastCGI.length(0x7FFF_FFFF) + [65])),
            ("both lengths 2^31-1", RawFastCGI.begin() + RawFastCGI.record(RawFastCGI.params, content: RawFastCGI.length(0x7FFF_FFFF) + RawFastCGI.length(0x7FFF_FFFF))),
            ("a truncated 4-byte length", RawFastCGI.begin() + RawFastCGI.record(RawFastCGI.params, content: [0x80, 0xFF])),
            ("a PARAMS record claiming 65535 bytes", RawFastCGI.begin() + RawFastCGI.record(RawFastCGI.params, content: health, declaredLength: 65_535)),
            ("padding 255 and nothing after", RawFastCGI.begin() + Array(RawFastCGI.record(RawFastCGI.params, content: health, padding: 255).dropLast(200))),
            ("a STDIN record claiming 65535 bytes",
             RawFastCGI.begin() + RawFastCGI.record(RawFastCGI.params, content: health + RawFastCGI.pair("CONTENT_LENGTH", "65535"))
                + RawFastCGI.record(RawFastCGI.params, content: []) + RawFastCGI.record(RawFastCGI.stdin, content: body, declaredLength: 65_535)),
            ("request id 65535", RawFastCGI.begin(id: 65_535) + RawFastCGI.record(RawFastCGI.params, id: 65_535, content: health)
                + RawFastCGI.record(RawFastCGI.params, id: 65_535, content: [])),
            ("a BEGIN_REQUEST of length 0", RawFastCGI.record(RawFastCGI.beginRequest, content: [])),
            ("role 65535", RawFastCGI.record(RawFastCGI.beginRequest, content: [0xFF, 0xFF, 0, 0, 0, 0, 0, 0])),
            ("record version 255", [255] + RawFastCGI.begin().dropFirst()),
            ("record type 255", RawFastCGI.begin() + RawFastCGI.record(255, content: [1, 2, 3])),
            ("a lone header byte", [1]),
            ("60000 empty PARAMS pairs", RawFastCGI.begin() + RawFastCGI.record(RawFastCGI.params, content: [UInt8](repeating: 0, count: 60_000))),
        ]
        for (what, bytes) in lies {
            _ = try? RawFastCGI.exchange(socket: server.socket, bytes, timeout: 3)
            expectAlive(server, after: what)
        }
        // And a well-formed raw request still gets its answer.
        let answer = try RawFastCGI.exchange(socket: server.socket, RawFastCGI.request([("REQUEST_METHOD", "GET"), ("REQUEST_URI", "/auth/health")]))
        #expect(answer.hasPrefix("Status: 200 OK\r\n"))
        let (status, _) = server.stop()
        #expect(status == 0)
    }

    @Test(.enabled(if: NginxSite.available || IdentityAssertionTests.inCI, "needs nginx")) func extremeNumbersBehindNginx() throws {
        let site = try NginxSite()
        defer { _ = site.stop() }
        func alive(_ what: String) {
            #expect(site.authkit.isRunning, "authkit-fcgi exited after \(what)")
            let health = try? HTTPExchange.send(port: site.port, "GET /auth/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(health?.hasPrefix("HTTP/1.1 200") == true, "no health answer after \(what)")
        }
        for path in ["/auth/sign-in", "/auth/sign-up"] {
            for cookie in Self.loopCookies {
                let answer = try? HTTPExchange.send(port: site.port, """
                    GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document\r\n\
                    Cookie: wos-auth-attempts=\(cookie)\r\nConnection: close\r\n\r\n
                    """)
                let status = answer.map { String($0.prefix(12)) } ?? "(none)"
                #expect(status == "HTTP/1.1 302" || status == "HTTP/1.1 429", "\(path) with \(cookie): \(status)")
                alive("\(path) with wos-auth-attempts=\(cookie) through nginx")
                guard site.authkit.isRunning else { return }
            }
        }
        for length in ["99999999999999999999", "9223372036854775807", "-1", "+5", "18446744073709551616", "13, 13"] {
            _ = try? HTTPExchange.send(port: site.port, """
                POST /auth/sign-out HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                Content-Length: \(length)\r\nConnection: close\r\n\r\nreturn_to=%2F
                """)
            alive("Content-Length: \(length) through nginx")
        }
    }
}

/// One raw HTTP/1.1 exchange over loopback TCP: the request bytes as given, the answer until close.
enum HTTPExchange {
    static func send(port: Int, _ request: String, timeout: Int = 5) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, bytes.count, Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n <= 0 { break }
            received += buffer[..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }
}
