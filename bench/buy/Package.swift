// swift-tools-version: 6.2
// Build-or-buy micro-benchmarks (issue 23 items 5 and 6): each hand-written module of the main
// package side by side with the maintained library that could replace it, one executable per
// library so that each one's build time and binary size can be read off on its own. A separate
// package on purpose: the main package gains no dependency. Run with bench/buy.sh.
import PackageDescription

let package = Package(
    name: "authkit-buy-bench",
    platforms: [.macOS(.v15)],
    dependencies: [
        // The module under test, exactly as shipped.
        .package(name: "authkit-fcgi", path: "../.."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/swift-extras/swift-extras-base64", from: "1.2.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
    ],
    targets: [
        /// Side-by-side timing: both candidates in each round, median of the rounds.
        .target(name: "BuyMeasure"),
        /// bench/core (a link to it), so that one run also measures the check the libraries would sit in.
        .executableTarget(name: "buy-core", dependencies: [
            .product(name: "AuthKitCore", package: "authkit-fcgi"), .product(name: "AuthKitFastCGI", package: "authkit-fcgi"),
            .product(name: "AuthKitGateway", package: "authkit-fcgi"), .product(name: "Logging", package: "swift-log"),
        ]),
        /// AuthKitCore alone: the size every other executable is compared with.
        .executableTarget(name: "buy-baseline", dependencies: [.product(name: "AuthKitCore", package: "authkit-fcgi")]),
        .executableTarget(name: "buy-crypto", dependencies: [
            "BuyMeasure", .product(name: "AuthKitCore", package: "authkit-fcgi"),
            .product(name: "Crypto", package: "swift-crypto"), .product(name: "CryptoExtras", package: "swift-crypto"),
        ]),
        .executableTarget(name: "buy-base64", dependencies: [
            "BuyMeasure", .product(name: "AuthKitCore", package: "authkit-fcgi"),
            .product(name: "ExtrasBase64", package: "swift-extras-base64"),
        ]),
        .executableTarget(name: "buy-jwt", dependencies: [
            "BuyMeasure", .product(name: "AuthKitCore", package: "authkit-fcgi"), .product(name: "JWTKit", package: "jwt-kit"),
        ]),
        .executableTarget(name: "buy-http", dependencies: [
            "BuyMeasure", .product(name: "AuthKitCore", package: "authkit-fcgi"),
            .product(name: "AuthKitFastCGI", package: "authkit-fcgi"), .product(name: "AuthKitGateway", package: "authkit-fcgi"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
        .executableTarget(name: "buy-config", dependencies: [
            .product(name: "AuthKitCore", package: "authkit-fcgi"), .product(name: "Configuration", package: "swift-configuration"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
