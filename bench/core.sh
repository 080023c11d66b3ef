#!/usr/bin/env bash
# Micro-benchmark of the session hot path (release build). Prints µs per operation.
#
# --gate: instead of timing (too noisy on a shared machine to compare small changes), counts the
# instructions of each scenario of authkit-core-bench (path, check, assert) under callgrind,
# only inside its profiled loop, and compares them with bench/core-thresholds.txt. Prints the
# ratio per scenario; exits 1 when one exceeds its committed count by more than its allowance.
# --update-thresholds: measures the same way and writes the counts into that file (keeping
# each scenario's allowance), to commit after a change that is meant to cost more (or less).
# Either takes --debug to count a debug build (the one `swift build --build-tests` made, so no
# extra build) instead of release; the thresholds file says which build its counts are for.
#
# Usage: bench/core.sh
#        bench/core.sh --gate | --update-thresholds [--debug|--release]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"

mode=time
configuration=release
for argument in "$@"; do
  case "$argument" in
    --gate) mode=gate ;;
    --update-thresholds) mode=update ;;
    --debug) configuration=debug ;;
    --release) configuration=release ;;
    *) echo "usage: bench/core.sh [--gate|--update-thresholds] [--debug|--release]" >&2; exit 2 ;;
  esac
done

if [ $mode = time ]; then
  swift build -c release --product authkit-core-bench >&2
  exec "$(swift build -c release --show-bin-path)/authkit-core-bench"
fi

thresholds=bench/core-thresholds.txt
# Loop counts per scenario: enough that one-time costs (first allocations, lazy tables) are
# noise, few enough that valgrind finishes in seconds.
scenarios=(path check assert)
declare -A runs=([path]=200 [check]=200 [assert]=100)

if ! command -v valgrind >/dev/null; then
  if [ "${CI:-}" = true ]; then echo "bench/core.sh --gate: valgrind is not installed" >&2; exit 1; fi
  echo "bench/core.sh --gate: valgrind is not installed; skipped (apt-get install valgrind)" >&2
  exit 0
fi
if [ ! -f $thresholds ] && [ $mode = gate ]; then
  echo "bench/core.sh --gate: $thresholds is missing (bench/core.sh --update-thresholds writes it)" >&2; exit 1
fi
if [ -f $thresholds ]; then
  committed=$(sed -n 's/^# build: *//p' $thresholds)
  if [ $mode = gate ] && [ -n "$committed" ] && [ "$committed" != $configuration ]; then
    echo "bench/core.sh --gate: $thresholds holds counts of a $committed build, not $configuration" >&2; exit 1
  fi
fi

swift build -c $configuration --product authkit-core-bench > .build/core-gate-build.log 2>&1 ||
  { grep -E 'error:' .build/core-gate-build.log | head -20; echo "build failed" >&2; exit 1; }
built="$(swift build -c $configuration --show-bin-path)/authkit-core-bench"
# Callgrind counts from a copy without DWARF: valgrind's reader gives up on some DWARF 5 forms
# the toolchain emits ("unhandled dwarf2 abbrev form code 0x25"); the symbol table it needs for
# --toggle-collect stays.
binary=$(mktemp)
trap 'rm -f "$binary"' EXIT
objcopy --strip-debug "$built" "$binary"

# instructions SCENARIO: instructions per run of the profiled loop's body.
instructions() {
  local out log collected
  out=$(mktemp)
  log=$(mktemp)
  # --toggle-collect: only the loop (setup, key generation and sealing are not counted).
  valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*profiledRuns*' \
    --callgrind-out-file="$out" "$binary" "$1" "${runs[$1]}" >/dev/null 2>"$log" ||
    { cat "$log" >&2; rm -f "$out" "$log"; return 1; }
  collected=$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$log")
  rm -f "$out" "$log"
  [ -n "$collected" ] || { echo "no instruction count from callgrind for $1" >&2; return 1; }
  echo $((collected / runs[$1]))
}

# The committed count and allowance of a scenario, from lines "scenario count allowed-percent".
committed_count() { awk -v s="$1" '$1 == s { print $2 }' $thresholds; }
allowance() { awk -v s="$1" '$1 == s { print $3 }' $thresholds; }

status=0
declare -A measured
printf '%-8s %14s %14s %8s %8s\n' scenario committed measured ratio allowed
for scenario in "${scenarios[@]}"; do
  measured[$scenario]=$(instructions "$scenario")
  limit=$( [ -f $thresholds ] && committed_count "$scenario" || true)
  percent=$( [ -f $thresholds ] && allowance "$scenario" || true)
  percent=${percent:-3}
  if [ -z "$limit" ]; then
    printf '%-8s %14s %14s\n' "$scenario" - "${measured[$scenario]}"
    [ $mode = gate ] && { echo "  $scenario has no committed count in $thresholds" >&2; status=1; }
    continue
  fi
  ratio=$(awk -v m="${measured[$scenario]}" -v c="$limit" 'BEGIN { printf "%.4f", m / c }')
  verdict=ok
  if awk -v r="$ratio" -v p="$percent" 'BEGIN { exit !(r > 1 + p / 100) }'; then verdict=SLOWER; fi
  printf '%-8s %14s %14s %8s %7s%% %s\n' "$scenario" "$limit" "${measured[$scenario]}" "$ratio" "+$percent" "$verdict"
  [ $verdict = ok ] || status=1
done

if [ $mode = update ]; then
  {
    echo "# Instructions per operation of bench/core.sh's scenarios (callgrind, inside the profiled"
    echo "# loop), and how much more each may cost before bench/core.sh --gate fails, in percent."
    echo "# Written by bench/core.sh --update-thresholds; commit it with the change that moved them."
    echo "# build: $configuration"
    for scenario in "${scenarios[@]}"; do
      percent=$( [ -f $thresholds ] && allowance "$scenario" || true)
      echo "$scenario ${measured[$scenario]} ${percent:-3}"
    done
  } > $thresholds.new
  mv $thresholds.new $thresholds
  echo "wrote $thresholds"
  exit 0
fi
[ $status = 0 ] && echo "instruction counts within their thresholds" || echo "bench/core.sh --gate: a scenario costs more than its threshold allows" >&2
exit $status
