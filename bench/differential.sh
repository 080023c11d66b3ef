#!/usr/bin/env bash
# The differential harness (Tests/IntegrationTests/DifferentialTests.swift) in long mode: by
# default 200,000 generated request targets per server (nginx, Apache with mod_authnz_fcgi),
# each sent raw by nobody and by a signed-in member without the admin role, against the shipped
# snippets. Prints each server's summary line (targets, leaks, statuses, seconds) and the
# elapsed time; the exit status is non-zero when anything leaked.
# Usage: bench/differential.sh [targets, default 200000]
#        AUTHKIT_DIFFERENTIAL_SEED=7 bench/differential.sh: another seed (default 20)
#        AUTHKIT_DIFFERENTIAL_FCGID_TARGETS, AUTHKIT_DIFFERENTIAL_CGI_TARGETS: the smaller runs
#        AUTHKIT_DIFFERENTIAL_DUMP=/tmp/d: every exchange to /tmp/d.<server>.tsv
# Debug build, like the suite: it is the checker's decisions under test, not its speed.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"
scripts/install-packages.sh nginx-light apache2 libapache2-mod-fcgid >&2
targets=${1:-200000}
swift build --build-tests >&2
output=$(mktemp /tmp/authkit-differential.XXXXXX)
trap 'rm -f "$output"' EXIT
start=$(date +%s.%N)
status=0
AUTHKIT_DIFFERENTIAL_TARGETS=$targets swift test --skip-build --filter DifferentialTests >"$output" 2>&1 || status=$?
end=$(date +%s.%N)
# The summary lines, the status breakdown per identity and the leaks listed (not the
# test runner's repetition of them inside the failure message).
grep -E '^(differential |  (anonymous:|member:|leaks |LEAK ))' "$output" || true
grep -E '^(✘|✔) Test run with' "$output" || tail -20 "$output"
awk -v s="$start" -v e="$end" -v n="$targets" 'BEGIN { printf "elapsed: %.1f s for %s targets per server\n", e - s, n }'
exit $status
