import AuthKitFuzzTargets
import Foundation
import Testing

/// Every seed of every fuzz target, through the body libFuzzer runs (AuthKitFuzzTargets, the one
/// copy): in each `swift test`, not only when someone runs fuzz/run.sh. A crash, a trap or a
/// broken invariant (the bodies' `precondition`s) fails the run. The seeds are fuzz/corpus/<target>/
/// and those fuzz/shared-seeds.py makes from ../shared/vectors.
@Suite struct FuzzCorpusReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"

    @Test(arguments: FuzzTarget.allCases)
    func everySeedRunsThroughItsTarget(_ target: FuzzTarget) throws {
        let corpus = Self.root.appendingPathComponent("fuzz/corpus/\(target.rawValue)")
        let seeds = Self.files(in: corpus)
        // The corpus is part of the checkout: missing or empty, the replay would prove nothing.
        #expect(!seeds.isEmpty, "no seeds in \(corpus.path)")
        for file in seeds { target.run(Array(try Data(contentsOf: file))) }
        let shared = try Self.sharedSeeds(target)
        for seed in shared { target.run(seed) }
        print("fuzz corpus \(target.rawValue): \(seeds.count) files replayed, \(shared.count) from ../shared/vectors")
    }

    static func files(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().map { directory.appendingPathComponent($0) }
    }

    /// The seeds fuzz/run.sh adds from ../shared/vectors, made by the same script into a
    /// scratch directory (none for targets the script does not seed).
    static func sharedSeeds(_ target: FuzzTarget) throws -> [[UInt8]] {
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let python else {
            #expect(!inCI, "python3 is missing: the shared-vector seeds were not replayed")
            return []
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("authkit-fuzz-seeds-\(target.rawValue)-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("fuzz/shared-seeds.py").path, target.rawValue, scratch.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "fuzz/shared-seeds.py \(target.rawValue) exited \(process.terminationStatus)")
        return try files(in: scratch).map { Array(try Data(contentsOf: $0)) }
    }
}
