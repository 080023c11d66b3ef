// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "authkit-fcgi",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "authkit-fcgi", targets: ["authkit-fcgi"]),
        .executable(name: "authkit-emulator", targets: ["authkit-emulator"]),
        .library(name: "AuthKitCore", targets: ["AuthKitCore"]),
        .library(name: "AuthKitFastCGI", targets: ["AuthKitFastCGI"]),
        .library(name: "AuthKitGateway", targets: ["AuthKitGateway"]),
        // For fuzz/Package.swift: the fuzz targets' bodies, which the tests replay too.
        .library(name: "AuthKitFuzzTargets", targets: ["AuthKitFuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Counters and histograms (swift-metrics), exported as Prometheus text (swift-prometheus).
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The emulator only; never linked into authkit-fcgi.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // C libraries from Debian: libfcgi-dev, libssl-dev (OpenSSL 3), libcurl4-openssl-dev.
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // Debian's hiredis.pc adds -D_FILE_OFFSET_BITS=64 to its cflags; SwiftPM drops -D flags
        // from pkg-config and says "prohibited flag(s)" (twice). Harmless: off_t is already 64
        // bits on the 64-bit targets we build for, and hiredis's API takes no off_t.
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        /// epoll and eventfd from the C library, for the FastCGI acceptor.
        .systemLibrary(name: "CLinuxEvents"),

        /// `Locked<Value>` (the one lock primitive: a pthread mutex and condition that ThreadSanitizer
        /// can see), the semaphore, detached threads and the file lock.
        .target(name: "AuthKitSync"),
        /// Thin Swift wrappers over OpenSSL: the only place that calls libcrypto.
        .target(name: "AuthKitCrypto", dependencies: ["COpenSSL", "AuthKitSync"]),
        /// Sessions, tokens, WorkOS protocol and configuration; no FastCGI, no environment, no stdout.
        .target(
            name: "AuthKitCore",
            dependencies: [
                "AuthKitCrypto", "AuthKitSync", .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        /// The HTTPS transport to WorkOS, over libcurl.
        .target(name: "AuthKitCurl", dependencies: ["AuthKitCore", "AuthKitSync", "CCurl"]),
        /// Refresh coordination across hosts through Redis (hiredis from Debian).
        .target(name: "AuthKitRedis", dependencies: ["AuthKitCore", "AuthKitCrypto", "AuthKitSync", "CHiredis"]),
        /// The FastCGI side: libfcgi accept loop, epoll connection watching, the worker pool.
        .target(
            name: "AuthKitFastCGI",
            dependencies: ["AuthKitCore", "AuthKitSync", "CFastCGI", "CLinuxEvents", .product(name: "Logging", package: "swift-log")]
        ),
        /// One request from server parameters to a rendered answer: request parsing, routing, the
        /// renderers per server (nginx, Apache authorizer, browser, CGI), the CGI guard, the
        /// cache-dir stores and the metrics endpoint. Everything the executable does per request.
        .target(
            name: "AuthKitGateway",
            dependencies: [
                "AuthKitCore", "AuthKitCrypto", "AuthKitFastCGI", "AuthKitSync",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        /// What each fuzz target feeds its parsers: run by fuzz/ under libFuzzer and by
        /// AuthKitFastCGITests over fuzz/corpus/.
        .target(name: "AuthKitFuzzTargets", dependencies: ["AuthKitCore", "AuthKitFastCGI", "AuthKitGateway"]),
        /// The command line and the wiring: settings, processes, signals, supervision.
        .executableTarget(
            name: "authkit-fcgi",
            dependencies: [
                "AuthKitCore", "AuthKitCurl", "AuthKitFastCGI", "AuthKitGateway", "AuthKitRedis", "AuthKitSync", "CFastCGI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        /// A local WorkOS stand-in for tests, the demo and users' CI. Independent of AuthKitCore on
        /// purpose, so tests of the core against it are not the core agreeing with itself.
        .executableTarget(
            name: "authkit-emulator",
            dependencies: [
                "AuthKitCrypto", "AuthKitSync",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        /// Micro-benchmark of the session hot path (run by bench/core.sh, release build).
        .executableTarget(
            name: "authkit-core-bench",
            dependencies: ["AuthKitCore", "AuthKitCrypto", "AuthKitFastCGI", "AuthKitGateway", .product(name: "Logging", package: "swift-log")],
            path: "bench/core"
        ),
        /// The concurrent parts under many threads, for ThreadSanitizer and AddressSanitizer
        /// (run by scripts/sanitizers.sh, which builds only this product under each sanitizer).
        .executableTarget(
            name: "authkit-sanitizer-stress",
            dependencies: [
                "AuthKitCore", "AuthKitCrypto", "AuthKitCurl", "AuthKitFastCGI", "AuthKitGateway", "AuthKitSync",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SanitizerStress"
        ),

        .testTarget(name: "AuthKitSyncTests", dependencies: ["AuthKitSync"]),
        .testTarget(name: "AuthKitCryptoTests", dependencies: ["AuthKitCrypto"]),
        .testTarget(name: "AuthKitCoreTests", dependencies: [
            "AuthKitCore", "AuthKitCrypto", "AuthKitSync", .product(name: "MetricsTestKit", package: "swift-metrics"),
        ]),
        .testTarget(name: "AuthKitCurlTests", dependencies: ["AuthKitCurl", "AuthKitCore", "AuthKitSync"]),
        .testTarget(name: "AuthKitFastCGITests", dependencies: ["AuthKitFastCGI", "AuthKitGateway", "AuthKitCore", "AuthKitSync", "AuthKitFuzzTargets"]),
        .testTarget(name: "AuthKitGatewayTests", dependencies: [
            "AuthKitGateway", "AuthKitFastCGI", "AuthKitCore", "AuthKitSync", .product(name: "Logging", package: "swift-log"),
        ]),
        /// Tests that start real processes (the emulator, later nginx and Apache) on loopback.
        .testTarget(name: "IntegrationTests", dependencies: ["AuthKitCore", "AuthKitCurl", "AuthKitCrypto", "AuthKitRedis", "AuthKitSync"]),
    ],
    swiftLanguageModes: [.v6]
)
