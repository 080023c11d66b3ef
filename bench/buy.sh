#!/usr/bin/env bash
# Build or buy (issue 23, items 5 and 6): each hand-written module that a maintained library
# could replace, measured side by side with that library in one process (release build, each
# pair alternating in 9 rounds, medians), plus the library's binary-size cost and the unsafe code
# our module holds. Prints Markdown tables (docs/build-or-buy.md quotes them).
#
# The benchmarks live in their own SwiftPM package, bench/buy/, so the main package gains no
# dependency. Takes ~1.5 minutes once built; the first build compiles BoringSSL (swift-crypto)
# and takes 10+ minutes on 2 cores.
#
# Usage: bench/buy.sh   (from a clean bench/buy/.build, the first table is each library's
#        build cost: every step adds one executable and the packages only it needs)
set -euo pipefail
cd "$(dirname "$0")/buy"
[ -d /opt/swift/usr/bin ] && export PATH=/opt/swift/usr/bin:$PATH
# In this order each build step compiles only what the step's library adds.
products=(buy-baseline buy-core buy-base64 buy-http buy-config buy-crypto buy-jwt)
declare -A adds=([buy-baseline]="AuthKitCore, AuthKitCrypto, swift-log, swift-metrics" [buy-core]="AuthKitFastCGI, bench/core"
    [buy-base64]="swift-extras-base64" [buy-http]="swift-http-types" [buy-config]="swift-configuration, swift-system, swift-collections"
    [buy-crypto]="swift-crypto (BoringSSL, Crypto, CryptoExtras), swift-asn1" [buy-jwt]="jwt-kit, swift-certificates")

swift package resolve >&2
echo "### Release build steps on this machine ($(nproc) cores, shared); a few s: already built"
echo ""
echo "| step | compiles | wall s |"
echo "| --- | --- | ---: |"
for product in "${products[@]}"; do
    start=$(date +%s)
    swift build -c release --product "$product" >&2
    echo "| $product | ${adds[$product]} | $(( $(date +%s) - start )) |"
done
echo ""
bin=$(swift build -c release --show-bin-path)

echo "### Binary size (release, stripped)"
echo ""
echo "| executable | bytes | over AuthKitCore alone |"
echo "| --- | ---: | ---: |"
sizes=$(mktemp -d)
trap 'rm -rf "$sizes"' EXIT
for product in "${products[@]}"; do
    strip -o "$sizes/$product" "$bin/$product"
    size=$(stat -c %s "$sizes/$product")
    [ "$product" = buy-baseline ] && baseline=$size
    echo "| $product | $size | +$(( (size - baseline) / 1024 )) KiB |"
done
echo ""

echo "### Unsafe code in the modules a library could replace (lines)"
echo ""
echo "| module | lines | Unsafe*/withUnsafe*/unsafe | OpaquePointer | @unchecked Sendable |"
echo "| --- | ---: | ---: | ---: | ---: |"
for module in Sources/AuthKitCrypto Sources/AuthKitCore/Encoding/Base64URL.swift Sources/AuthKitCore/Token \
    Sources/AuthKitCore/Config Sources/AuthKitCore/HTTP; do
    files=$(find "../../$module" -name '*.swift')
    # shellcheck disable=SC2086
    echo "| $module | $(cat $files | wc -l) | $(cat $files | grep -c '[Uu]nsafe' || true) | $(cat $files | grep -c 'OpaquePointer' || true) | $(cat $files | grep -c '@unchecked Sendable' || true) |"
done
echo ""

echo "### The check these would sit in (bench/core, same build)"
echo ""
"$bin/buy-core" | sed -n '/^cookie in/p;/^check: /p;/^RS256 verify/p;/^unseal/p'
echo ""
for product in buy-crypto buy-base64 buy-jwt buy-http buy-config; do "$bin/$product"; echo ""; done
