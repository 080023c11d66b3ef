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
