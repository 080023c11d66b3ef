import Foundation

/// Sends every probe to a site once per identity, raw over TCP, and judges the answers by the
/// markers in their bodies: an anonymous body must hold no `SECRET-`, the member's (signed in,
/// not admin) no `SECRET-ADMIN-`. Statuses are counted, never judged (a 5xx is not a leak).
struct DifferentialRun {
    struct Identity: Sendable {
        let name: String
        /// The `wos-session` cookie; nil for nobody signed in.
        let cookie: String?
        /// The marker prefix this identity must never receive.
        let forbidden: String
    }

    struct Leak: Sendable {
        let identity: String
        let status: Int
        let marker: String
        let probe: DifferentialProbe
    }

    struct Result: Sendable {
        var requests = 0
        var statuses: [String: [Int: Int]] = [:]
        var leaks: [Leak] = []
        var leakCount = 0
        var failedExchanges = 0
        var seconds = 0.0
    }

    /// Keeps at most this many leaks in full (all are counted).
    static let keptLeaks = 2_000

    /// With `dump`, one line per exchange is appended there: identity, status, marker found
    /// (`-` for none), HTTP version, `nav` for navigation headers, target (escaped). For looking at the answers behind the counts.
    static func run(_ probes: [DifferentialProbe], port: Int, authority: String, identities: [Identity], concurrency: Int = 8,
                    dump: String? = nil) -> Result {
        let box = ResultBox(dump: dump)
        let started = Date()
        let jobs = probes.count * identities.count
        runConcurrently(count: jobs, concurrency: concurrency) { job in
            let probe = probes[job / identities.count]
            let identity = identities[job % identities.count]
            var headers: [(String, String)] = [("User-Agent", "authkit-differential")]
            if probe.navigation {
                headers += [("Accept", "text/html,application/xhtml+xml"), ("Sec-Fetch-Mode", "navigate"), ("Sec-Fetch-Dest", "document")]
            } else {
                headers.append(("Accept", "*/*"))
            }
            if let cookie = identity.cookie { headers.append(("Cookie", "wos-session=\(cookie)")) }
            let request = RawHTTPClient.request(target: probe.target, http10: probe.http10, host: authority, headers: headers)
            let answer = RawHTTPClient.exchange(port: port, request: request)
            let marker = firstMarker(in: answer.body, prefix: Array(identity.forbidden.utf8))
            let served = firstMarker(in: answer.body, prefix: Array("SECRET-".utf8)) ?? firstMarker(in: answer.body, prefix: Array("PUBLIC-".utf8))
            box.record(identity: identity.name, status: answer.status, failed: answer.bytes.isEmpty,
                       leak: marker.map { Leak(identity: identity.name, status: answer.status, marker: $0, probe: probe) },
                       line: "\(identity.name)\t\(answer.status)\t\(served ?? "-")\t\(probe.http10 ? "1.0" : "1.1")\t\(probe.navigation ? "nav" : "-")\t\(RawHTTPClient.escaped(probe.target))\n")
        }
        var result = box.result
        result.seconds = Date().timeIntervalSince(started)
        return result
    }

    /// The first `prefix` in `body` with the characters that follow it up to a space/`<`/newline
    /// (`SECRET-ADMIN-020`), nil when there is none. Works on bytes: bodies are arbitrary.
    static func firstMarker(in body: ArraySlice<UInt8>, prefix: [UInt8]) -> String? {
        guard let range = body.firstRange(of: prefix) else { return nil }
        var end = range.upperBound
        while end < body.endIndex, end - range.lowerBound < 40, ![32, 10, 60].contains(body[end]) { end += 1 }
        return String(decoding: body[range.lowerBound..<end], as: UTF8.self)
    }

    /// `differential nginx: 10000 targets × 2 identities, 0 leaks, statuses {…}`, then up to
    /// `listed` leaking targets.
    static func report(_ result: Result, site: String, targets: Int, identities: Int, listed: Int = 20) -> String {
        var all: [Int: Int] = [:]
        for counts in result.statuses.values { all.merge(counts, uniquingKeysWith: +) }
        func format(_ counts: [Int: Int]) -> String {
            "{" + counts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
        let fiveHundreds = all.filter { $0.key >= 500 }.values.reduce(0, +)
        let distinct = Set(result.leaks.map { $0.probe.target }).count
        var lines = [
            "differential \(site): \(targets) targets × \(identities) identities, \(result.leakCount) leaks"
                + (result.leakCount > 0 ? " (\(distinct)\(result.leakCount > result.leaks.count ? "+" : "") distinct targets)" : "")
                + ", statuses \(format(all)), 5xx \(fiveHundreds), no answer \(result.failedExchanges), \(String(format: "%.1f", result.seconds)) s"
                + " (\(Int(Double(result.requests) / max(result.seconds, 0.001))) req/s)",
        ]
        for (identity, counts) in result.statuses.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(identity): \(format(counts))")
        }
        if !result.leaks.isEmpty {
            var byFile: [String: Int] = [:]
            for leak in result.leaks { byFile["\(leak.identity) got \(leak.marker) \(DifferentialTree.file(marker: leak.marker)?.path ?? "?")", default: 0] += 1 }
            lines.append("  leaks by identity and file served: " + byFile.sorted { $0.value > $1.value }.map { "\($0.key) ×\($0.value)" }.joined(separator: "; "))
            // Shortest targets first: the easiest to read and to reproduce.
            let shown = result.leaks.sorted { ($0.probe.target.count, $0.identity) < ($1.probe.target.count, $1.identity) }.prefix(listed)
            for leak in shown {
                lines.append("  LEAK \(leak.identity) \(leak.status) \(leak.marker) \(leak.probe.http10 ? "HTTP/1.0" : "HTTP/1.1")"
                             + "\(leak.probe.navigation ? " navigation" : "") target: \(RawHTTPClient.escaped(leak.probe.target))")
            }
        }
        return lines.joined(separator: "\n")
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value = DifferentialRun.Result()
    private let dump: FileHandle?

    init(dump path: String?) {
        if let path, FileManager.default.createFile(atPath: path, contents: nil) { dump = FileHandle(forWritingAtPath: path) } else { dump = nil }
    }

    func record(identity: String, status: Int, failed: Bool, leak: DifferentialRun.Leak?, line: @autoclosure () -> String) {
        lock.lock()
        defer { lock.unlock() }
        dump?.write(Data(line().utf8))
        value.requests += 1
        value.statuses[identity, default: [:]][status, default: 0] += 1
        if failed { value.failedExchanges += 1 }
        if let leak {
            value.leakCount += 1
            if value.leaks.count < DifferentialRun.keptLeaks { value.leaks.append(leak) }
        }
    }

    var result: DifferentialRun.Result {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
