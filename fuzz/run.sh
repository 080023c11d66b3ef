#!/usr/bin/env bash
# Runs every libFuzzer target for a given time (default 60 s each) and prints executions and
# findings per target. Seeds come from fuzz/corpus/<target>/ and ../shared/vectors (copied to a
# working corpus: the repository's seeds are not changed); findings are kept in .build/fuzz-findings/<target>/.
# Usage: fuzz/run.sh [seconds per target] [target ...]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}; shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sealed-cookie cookie-header jwt jwks query fastcgi-params numbers)
scratch=$(cd .. && pwd)/.build/fuzz
swift build -c release --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address >&2
binary="$scratch/release/authkit-fuzz"
findings=$(cd .. && pwd)/.build/fuzz-findings
printf '%-16s %12s %10s %9s\n' target executions "exec/s" findings
for target in "${targets[@]}"; do
  work=$(mktemp -d)
  cp -r "corpus/$target/." "$work/"
  python3 shared-seeds.py "$target" "$work"
  mkdir -p "$findings/$target"
  log="$findings/$target/last-run.log"
  marker="$findings/$target/.started"
  : >"$marker"   # findings newer than this are this run's
  set +e
  LSAN_OPTIONS="suppressions=$(pwd)/lsan-suppressions.txt:print_suppressions=0" AUTHKIT_FUZZ_TARGET=$target "$binary" "$work" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$findings/$target/" -print_final_stats=1 >"$log" 2>&1
  status=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  found=$(find "$findings/$target" -newer "$marker" \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  printf '%-16s %12s %10s %9s\n' "$target" "${runs:-?}" "${rate:-?}" "$found"
  [ $status -eq 0 ] || echo "  $target exited $status: see $log" >&2
  rm -rf "$work"
done
