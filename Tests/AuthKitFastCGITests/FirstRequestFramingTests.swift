import Testing
@testable import AuthKitFastCGI

/// The acceptor's "has the whole first request arrived?" judgement, from record headers alone.
struct FirstRequestFramingTests {
    func judge(_ bytes: [UInt8]) -> FirstRequestFraming {
        bytes.withUnsafeBytes { FirstRequestFraming.judge($0) }
    }

    static func authorizer(padding: Bool = true) -> [UInt8] {
        FastCGITestConnection.record(1, id: 7, [0, 2, 0, 0, 0, 0, 0, 0])
            + FastCGITestConnection.record(4, id: 7, [4, 1, 65, 66, 67, 68, 69])
            + FastCGITestConnection.record(4, id: 7, [])
    }

    @Test func aResponderIsCompleteOnlyWithItsEmptyStdin() {
        let request = FastCGITestConnection.request(method: "POST", uri: "/x", body: Array("hello".utf8))
        #expect(judge(request) == .complete)
        for length in 0..<request.count { #expect(judge(Array(request.prefix(length))) == .incomplete, "prefix \(length)") }
        // Bytes after the request (a pipelined next one) do not matter.
        #expect(judge(request + [1, 1, 0]) == .complete)
    }

    @Test func anAuthorizerIsCompleteAtItsEmptyParams() {
        let request = Self.authorizer()
        #expect(judge(request) == .complete)
        for length in 0..<request.count { #expect(judge(Array(request.prefix(length))) == .incomplete) }
    }

    @Test func recordsLibfcgiSkipsAreSteppedOver() {
        // A management record (GET_VALUES, id 0) and a record for another request id first.
        let skipped = FastCGITestConnection.record(9, id: 0, [0, 0]) + FastCGITestConnection.record(5, id: 3, [1, 2, 3])
        #expect(judge(skipped + Self.authorizer()) == .complete)
    }

    @Test func framingLibfcgiRejectsIsInvalid() {
        var badVersion = Self.authorizer()
        badVersion[0] = 2
        #expect(judge(badVersion) == .invalid)
        #expect(judge(FastCGITestConnection.record(1, id: 1, [0, 9, 0, 0, 0, 0, 0, 0])) == .invalid, "unknown role")
        #expect(judge(FastCGITestConnection.record(1, id: 1, [0, 1, 0, 0])) == .invalid, "short begin body")
        let stdinBeforeParamsEnd = FastCGITestConnection.record(1, id: 1, [0, 1, 0, 0, 0, 0, 0, 0]) + FastCGITestConnection.record(5, id: 1, [])
        #expect(judge(stdinBeforeParamsEnd) == .invalid)
    }

    @Test func theLargestRecordIsWaitedFor() {
        // contentLength 65535 and padding 255, the most a header can say: incomplete until all there.
        let begin = FastCGITestConnection.record(1, id: 1, [0, 2, 0, 0, 0, 0, 0, 0])
        let header: [UInt8] = [1, 4, 0, 1, 0xFF, 0xFF, 0xFF, 0]
        let body = [UInt8](repeating: 0, count: 65_535 + 255)
        #expect(judge(begin + header + body.dropLast()) == .incomplete)
        #expect(judge(begin + header + body + FastCGITestConnection.record(4, id: 1, [])) == .complete)
    }

    @Test func randomInputNeverCrashes() {
        var generator = SystemRandomNumberGenerator()
        let prefix = Self.authorizer()
        for round in 0..<20_000 {
            let count = Int.random(in: 0...300, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Half the rounds start from valid framing, so the judge walks deeper into records.
            if round % 2 == 0 {
                bytes = Array(prefix.prefix(Int.random(in: 0...prefix.count, using: &generator))) + bytes
                if !bytes.isEmpty { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            }
            _ = judge(bytes)
        }
    }
}
