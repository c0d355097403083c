#!/usr/bin/env bash
# make test: unit suites, then integration (real stack), then node tests.
# Ends with one line "N passed, N failed" summing everything.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
mkdir -p var
log=var/test-all.log
: > "$log"

tests/run.sh unit build/tests/test_* 2>&1 | tee -a "$log"
tests/it.sh 2>&1 | tee -a "$log"

passed=0; failed=0
while read -r _ p f; do
	passed=$((passed + p)); failed=$((failed + f))
done < <(grep -E '^MGTEST [0-9]+ [0-9]+$' "$log")
# Programs that printed no result count as failures (tests/run.sh marks them).
missing=$(grep -c '^!!! ' "$log")
failed=$((failed + missing))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
