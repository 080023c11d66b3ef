#!/usr/bin/env bash
# The unit suites (crypto, core, curl, FastCGI) under AddressSanitizer (with LeakSanitizer) and
# ThreadSanitizer, each in its own build directory. Prints the time each took. Not part of the
# test command: the two builds take several minutes.
# Usage: scripts/sanitizers.sh [address|thread ...]
set -uo pipefail
cd "$(dirname "$0")/.."
sanitizers=("$@")
[ ${#sanitizers[@]} -gt 0 ] || sanitizers=(address thread)
units="AuthKitCryptoTests|AuthKitCoreTests|AuthKitCurlTests|AuthKitFastCGITests"
export LSAN_OPTIONS="suppressions=$(pwd)/scripts/lsan-suppressions.txt:print_suppressions=0"
export TSAN_OPTIONS="halt_on_error=1"
mkdir -p .build
status=0
for sanitizer in "${sanitizers[@]}"; do
  scratch=.build/sanitize-$sanitizer
  started=$(date +%s)
  if ! swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch" >"$scratch.build.log" 2>&1; then
    echo "$sanitizer: build failed, see $scratch.build.log"; status=1; continue
  fi
  built=$(date +%s)
  swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" --filter "$units" >"$scratch.test.log" 2>&1
  result=$?
  finished=$(date +%s)
  summary=$(grep -E "Test run with" "$scratch.test.log" | tail -1 | sed 's/^[^T]*//')
  printf '%-8s build %4d s, tests %4d s, exit %d: %s\n' "$sanitizer" $((built - started)) $((finished - built)) "$result" "$summary"
  grep -E "ERROR: (Address|Leak|Thread)Sanitizer|WARNING: ThreadSanitizer" "$scratch.test.log" | sort | uniq -c | head -5
  [ $result -eq 0 ] || status=1
done
exit $status
