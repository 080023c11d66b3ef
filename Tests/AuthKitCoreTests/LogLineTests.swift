import Glibc
import Logging
import Testing
@testable import AuthKitCore

@Suite struct LogLineTests {
    let time: Int64 = 1_785_000_000_123

    @Test func logfmtQuotesOnlyWhatNeedsIt() {
        let line = LogLine.format(.logfmt, timeMillis: time, level: .info, message: "signed in", fields: [
            ("user", "user_01"), ("reason", "a \"quoted\" = thing"), ("empty", ""), ("path", "/a b\nc"), ("bell", "\u{7}"),
        ])
        #expect(line == #"time=2026-07-25T17:20:00.123Z level=info msg="signed in" user=user_01 reason="a \"quoted\" = thing" empty="" path="/a b\nc" bell="\u0007""#)
    }

    @Test func jsonHasTheSameFieldsInOrder() {
        let line = LogLine.format(.json, timeMillis: time, level: .warning, message: "refresh failed", fields: [("user", "u\"1"), ("path", "/x")])
        #expect(line == #"{"time":"2026-07-25T17:20:00.123Z","level":"warning","msg":"refresh failed","user":"u\"1","path":"/x"}"#)
    }

    @Test func secretLookingFieldsAreMasked() {
        for name in ["access_token", "refreshToken", "cookie", "set_cookie", "WORKOS_API_KEY", "password", "client_secret", "authorization"] {
            let line = LogLine.format(.logfmt, timeMillis: time, level: .debug, message: "m", fields: [(name, "s3cr3t-value")])
            #expect(!line.contains("s3cr3t") && line.contains("\(name)=(masked)"), "\(name)")
        }
        #expect(LogLine.format(.logfmt, timeMillis: time, level: .debug, message: "m", fields: [("user", "u")]).hasSuffix("user=u"))
    }

    @Test func timestampsAreUTCWithMilliseconds() {
        #expect(LogLine.timestamp(millis: 0) == "1970-01-01T00:00:00.000Z")
        #expect(LogLine.timestamp(millis: 1_709_251_199_007) == "2024-02-29T23:59:59.007Z")
        #expect(LogLine.timestamp(millis: 1_785_000_000_050) == "2026-07-25T17:20:00.050Z")
    }

    @Test func theHandlerAddsTheRequestAndWritesOneLinePerEvent() throws {
        var pipe: [Int32] = [0, 0]
        #expect(pipe.withUnsafeMutableBufferPointer { Glibc.pipe($0.baseAddress!) } == 0)
        defer { close(pipe[0]) }
        var logger = Logger(label: "t", factory: { _ in LineLogHandler(format: .logfmt, level: .debug, descriptor: pipe[1]) })
        logger[metadataKey: "component"] = "test"
        RequestLogContext.$current.withValue(RequestLogContext(requestId: "abc123", path: "/docs/")) {
            logger.info("check", metadata: ["outcome": "allowed", "access_token": "eyJ.secret"])
        }
        logger.trace("not at this level")
        logger.debug("outside any request")
        close(pipe[1])
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = read(pipe[0], &bytes, bytes.count)
        let lines = String(decoding: bytes[..<max(count, 0)], as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasSuffix("level=info msg=check request_id=abc123 path=/docs/ access_token=(masked) component=test outcome=allowed") == true)
        #expect(lines.last?.hasSuffix("level=debug msg=\"outside any request\" component=test") == true)
    }
}

extension LogLineTests {
    /// The names of a logfmt line's fields, in order (values hold no unquoted spaces here).
    static func keys(_ line: Substring) -> [String] {
        var keys: [String] = []
        var quoted = false, token = ""
        for character in line + " " {
            if character == "\"" { quoted.toggle() }
            if character == " " && !quoted {
                if let equals = token.firstIndex(of: "=") { keys.append(String(token[..<equals])) }
                token = ""
            } else {
                token.append(character)
            }
        }
        return keys
    }

    /// One event, each field once: the check's "requirement failed" used to say `path` twice
    /// (its own metadata and the request's context).
    @Test func noLineRepeatsAField() throws {
        var pipe: [Int32] = [0, 0]
        #expect(pipe.withUnsafeMutableBufferPointer { Glibc.pipe($0.baseAddress!) } == 0)
        defer { close(pipe[0]) }
        let logger = Logger(label: "t", factory: { _ in LineLogHandler(format: .logfmt, level: .debug, descriptor: pipe[1]) })
        let fixture = ServiceFixture(logger: logger)
        let cookie = try fixture.signedInCookie()
        RequestLogContext.$current.withValue(RequestLogContext(requestId: "r1", path: "/admin/")) {
            for parameters in [["AUTHKIT_REQUIRE_ROLE": "owner"], ["AUTHKIT_MAX_AUTH_AGE": "1"], [:]] {
                fixture.clock.advance(seconds: 2)
                _ = fixture.service.handle(AuthRequest(method: "GET", requestURI: "/admin/", headers: ["cookie": "wos-session=\(cookie)", "sec-fetch-mode": "navigate"],
                                                       parameters: parameters.merging(["AUTHKIT_ACTION": "check", "AUTHKIT_SERVED_PATH": "/admin/"]) { a, _ in a }))
            }
            _ = fixture.service.handle(AuthRequest(method: "GET", requestURI: "/admin/", headers: ["sec-fetch-mode": "navigate"],
                                                   parameters: ["AUTHKIT_ACTION": "check", "AUTHKIT_SERVED_PATH": "/admin/"]))
            logger.info("check", metadata: ["path": "/elsewhere", "outcome": "x"])
        }
        close(pipe[1])
        var bytes = [UInt8](repeating: 0, count: 65536)
        let count = read(pipe[0], &bytes, bytes.count)
        let lines = String(decoding: bytes[..<max(count, 0)], as: UTF8.self).split(separator: "\n")
        #expect(lines.contains { $0.contains("msg=\"requirement failed\"") }, "\(lines)")
        for line in lines {
            let keys = Self.keys(line)
            #expect(Set(keys).count == keys.count, "\(line)")
        }
    }
}
