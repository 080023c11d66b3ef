// swift-tools-version: 6.1
// libFuzzer targets for every parser of outside input. Kept out of the main package: a fuzz
// binary has no main() of its own (libFuzzer's) and is built with -sanitize=fuzzer,address.
// Run with fuzz/run.sh.
import Foundation
import PackageDescription

// A path dependency is known by its directory's name: whatever the checkout is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "authkit-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "authkit-fuzz",
            // The targets' bodies are in the main package (AuthKitFuzzTargets), where the tests replay the corpus.
            dependencies: [.product(name: "AuthKitFuzzTargets", package: root)],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
