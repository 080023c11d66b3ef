#!/usr/bin/env bash
# Micro-benchmark of the session hot path (release build). Prints µs per operation.
# Usage: bench/core.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product authkit-core-bench >&2
exec "$(swift build -c release --show-bin-path)/authkit-core-bench"
