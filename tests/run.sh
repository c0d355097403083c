#!/usr/bin/env bash
# Run test programs, sum their "MGTEST <passed> <failed>" lines and end with
# the closing line "N passed, N failed". A program that crashes or prints no
# MGTEST line counts as one failure. Usage: tests/run.sh LABEL PROGRAM...
set -u
label=$1; shift
passed=0; failed=0
for t in "$@"; do
	echo "=== $t"
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out"
	line=$(printf '%s\n' "$out" | grep '^MGTEST ' | tail -n 1)
	if [ -z "$line" ]; then
		echo "!!! $t printed no result (exit $rc)"; failed=$((failed + 1)); continue
	fi
	set -- $line
	passed=$((passed + $2)); failed=$((failed + $3))
	[ "$rc" -ne 0 ] && [ "$3" -eq 0 ] && { echo "!!! $t exit $rc"; failed=$((failed + 1)); }
done
echo "$label: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
