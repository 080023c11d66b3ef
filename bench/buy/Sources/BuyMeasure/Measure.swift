#if canImport(Glibc)
import Glibc
#endif

/// One row of the comparison: the shipped code's µs per call, the library's, and the median
/// of the per-round ratios (library / ours), so that noise common to a round cancels.
public struct PairResult: Sendable {
    public let name: String
    public let oursMicros: Double
    public let libraryMicros: Double
    public let ratio: Double
}

func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Rounds in each measurement: the machine is shared, so a median over several.
public let rounds = 9

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// Times `ours` and `library` alternately, `iterations` calls each per round (the order swaps
/// every round), after a warm-up.
public func pair(_ name: String, iterations: Int, ours: () -> Void, library: () -> Void) -> PairResult {
    func time(_ body: () -> Void) -> Double {
        let start = monotonicNanos()
        for _ in 0..<iterations { body() }
        return Double(monotonicNanos() - start) / Double(iterations) / 1000
    }
    for _ in 0..<max(iterations / 10, 1) { ours(); library() }
    var a: [Double] = [], b: [Double] = [], r: [Double] = []
    for round in 0..<rounds {
        let (x, y) = round % 2 == 0 ? (time(ours), time(library)) : { let y = time(library); return (time(ours), y) }()
        a.append(x); b.append(y); r.append(y / x)
    }
    return PairResult(name: name, oursMicros: median(a), libraryMicros: median(b), ratio: median(r))
}

/// ``pair(_:iterations:ours:library:)`` for an `async` library call (jwt-kit's verify).
public func pair(_ name: String, iterations: Int, ours: () -> Void, library: () async -> Void) async -> PairResult {
    func time(_ body: () -> Void) -> Double {
        let start = monotonicNanos()
        for _ in 0..<iterations { body() }
        return Double(monotonicNanos() - start) / Double(iterations) / 1000
    }
    func timeAsync(_ body: () async -> Void) async -> Double {
        let start = monotonicNanos()
        for _ in 0..<iterations { await body() }
        return Double(monotonicNanos() - start) / Double(iterations) / 1000
    }
    for _ in 0..<max(iterations / 10, 1) { ours(); await library() }
    var a: [Double] = [], b: [Double] = [], r: [Double] = []
    for round in 0..<rounds {
        let x: Double, y: Double
        if round % 2 == 0 { x = time(ours); y = await timeAsync(library) } else { y = await timeAsync(library); x = time(ours) }
        a.append(x); b.append(y); r.append(y / x)
    }
    return PairResult(name: name, oursMicros: median(a), libraryMicros: median(b), ratio: median(r))
}

@inline(never) public func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }

/// Prints the rows as a Markdown table under `title`.
public func printTable(_ title: String, library: String, _ results: [PairResult]) {
    print("### \(title)")
    print("")
    print("| operation | ours µs | \(library) µs | \(library) / ours |")
    print("| --- | ---: | ---: | ---: |")
    for row in results {
        print("| \(row.name) | \(format(row.oursMicros)) | \(format(row.libraryMicros)) | \(format(row.ratio))x |")
    }
    print("")
}

public func format(_ value: Double) -> String {
    let hundredths = Int((abs(value) * 100).rounded())
    let fraction = hundredths % 100
    return "\(value < 0 ? "-" : "")\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}
