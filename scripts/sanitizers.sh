#!/usr/bin/env bash
# ThreadSanitizer and AddressSanitizer (with LeakSanitizer), each in its own build directory.
#
# Default (the short pass scripts/test.sh runs): builds only the authkit-sanitizer-stress product
# (Tests/SanitizerStress: Locked, RefreshCoordinator, BackgroundRefreshPool, WorkerPool, the
# verified-session and JWKS caches, the refresh path, the check from FastCGI parameters read in
# place, CurlTransport's handle pool, all under many threads) under each sanitizer and runs it.
# Building the whole test product instead also compiles the integration suites: 5 min for TSan
# alone on this machine against about 1 min for this product.
#
# --suites: the unit suites (crypto, core, curl, FastCGI) under each sanitizer instead; several
# minutes per sanitizer, not part of the test command.
#
# Any sanitizer report, or a wrong result, fails the run. Prints the time each step took.
# Usage: scripts/sanitizers.sh [--suites] [address|thread ...]
set -uo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"
suites=0
if [ "${1:-}" = "--suites" ]; then suites=1; shift; fi
sanitizers=("$@")
[ ${#sanitizers[@]} -gt 0 ] || sanitizers=(thread address)
units="AuthKitCryptoTests|AuthKitCoreTests|AuthKitCurlTests|AuthKitFastCGITests"
export LSAN_OPTIONS="suppressions=$(pwd)/scripts/lsan-suppressions.txt:print_suppressions=0"
# halt_on_error: the first race ends the run with exit 66, so nothing can hide it.
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1"
reports='ERROR: (Address|Leak|Thread)Sanitizer|WARNING: ThreadSanitizer|SUMMARY: (Address|Thread|Leak|UndefinedBehavior)Sanitizer'
mkdir -p .build
status=0
for sanitizer in "${sanitizers[@]}"; do
  scratch=.build/sanitize-$sanitizer
  started=$(date +%s)
  if [ $suites = 1 ]; then
    build=(swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch")
  else
    build=(swift build --sanitize="$sanitizer" --product authkit-sanitizer-stress --scratch-path "$scratch")
  fi
  if ! "${build[@]}" >"$scratch.build.log" 2>&1; then
    grep -E 'error:' "$scratch.build.log" | head -20
    echo "$sanitizer: build failed, see $scratch.build.log"; status=1; continue
  fi
  built=$(date +%s)
  if [ $suites = 1 ]; then
    swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" --filter "$units" >"$scratch.run.log" 2>&1
  else
    "$scratch/debug/authkit-sanitizer-stress" >"$scratch.run.log" 2>&1
  fi
  result=$?
  finished=$(date +%s)
  if [ $suites = 1 ]; then
    summary=$(grep -E "Test run with" "$scratch.run.log" | tail -1 | sed 's/^[^T]*//')
  else
    summary=$(grep -E ': ok \(|^FAILED' "$scratch.run.log" | tr '\n' ' ')
  fi
  printf '%-8s build %4d s, run %4d s, exit %d: %s\n' "$sanitizer" $((built - started)) $((finished - built)) "$result" "$summary"
  if grep -qE "$reports" "$scratch.run.log"; then
    # The report itself: what was accessed or raced, and the first frames of each stack.
    grep -E -A24 "$reports" "$scratch.run.log" | head -60
    echo "$sanitizer: the sanitizer reported a problem (whole log: $scratch.run.log)"
    status=1
  elif [ $result -ne 0 ]; then
    tail -20 "$scratch.run.log"
    echo "$sanitizer: exit $result (whole log: $scratch.run.log)"
    status=1
  fi
done
exit $status
