#!/usr/bin/env bash
# tools/bench/dispatch.sh: dispatcher overhead per job with the local
# provider, against a running stack (called by tools/bench/run.sh, which
# appends the Markdown section this prints to docs/BENCHMARKS.md).
#
# Submits BENCH_DISPATCH_JOBS (200) tiny studio image jobs (256x256,
# fal-ai/flux/schnell on the local renderer) as fast as the API takes them,
# waits until the dispatcher has finished every one, and reads the
# dispatcher's per-job log lines ("run_us" = the provider attempt in its
# child, fork to result; "total_us" = load + run + settle transaction).
#
# Needs: BASE (http://127.0.0.1:PORT), MG_DEMO_KEY (a funded studio key),
# MG_LOG_DIR, and the stack's dispatcher (dispatch_slots workers).
set -euo pipefail

N=${BENCH_DISPATCH_JOBS:-200}
: "${BASE:?}" "${MG_DEMO_KEY:?}" "${MG_LOG_DIR:?}"
LOGF=$MG_LOG_DIR/dispatch.log
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
SLOTS=${MG_DISPATCH_SLOTS:-4}
body='{"model":"fal-ai/flux/schnell","prompt":"bench tile","resolution":"256x256"}'

say() { echo "bench-dispatch: $*" >&2; }
now_ms() { date +%s%3N; }

# Queue every job with the dispatcher stopped, then time the dispatcher
# alone from its start to the last job settled.
RUN=${MG_RUN_DIR:?}
DISPATCH_BIN=${MG_DISPATCH_BIN:-build/bin/mediagate-dispatch}
if [ -s "$RUN/dispatch.pid" ]; then
	pid=$(tr -dc 0-9 <"$RUN/dispatch.pid")
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
fi
submit() {
	local r code
	for _ in $(seq 200); do
		r=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $MG_DEMO_KEY" \
			-H 'Content-Type: application/json' -d "$body" "$BASE/v1/images/generate")
		code=${r##*$'\n'}
		[ "$code" = 429 ] && { sleep 0.05; continue; }
		[ "${code:0:1}" = 2 ] || { echo "submit answered $code" >&2; return 1; }
		jq -r .job_id <<<"${r%$'\n'*}"
		return 0
	done
	return 1
}
export -f submit
export body BASE MG_DEMO_KEY
t_q0=$(now_ms)
seq "$N" | xargs -P 8 -I{} bash -c submit >"$TMP/ids" || { say "submits failed"; exit 1; }
t_sub=$(now_ms)
[ "$(wc -l <"$TMP/ids")" -eq "$N" ] || { say "only $(wc -l <"$TMP/ids") submits accepted"; exit 1; }
say "$N jobs queued in $((t_sub - t_q0)) ms; starting the dispatcher"
t0=$(now_ms)
"$DISPATCH_BIN" --daemon </dev/null >>"$LOGF" 2>&1
for _ in $(seq 1200); do
	grep -F -f "$TMP/ids" "$LOGF" | grep -E '"msg":"job [^ ]+ (succeeded|failed|canceled) ' \
		>"$TMP/done" || true
	[ "$(wc -l <"$TMP/done")" -ge "$N" ] && break
	sleep 0.1
done
t1=$(now_ms)
done_n=$(wc -l <"$TMP/done")
[ "$done_n" -ge "$N" ] || { say "only $done_n of $N jobs finished"; exit 1; }
ok=$(grep -c ' succeeded ' "$TMP/done" || true)
# Per-job figures from the log lines.
read -r run_ms total_ms over_ms <<<"$(sed -n 's/.*run_us=\([0-9]*\) total_us=\([0-9]*\).*/\1 \2/p' "$TMP/done" |
	awk '{ r += $1; t += $2; n++ } END { printf "%.2f %.2f %.2f", r / n / 1000, t / n / 1000, (t - r) / n / 1000 }')"
wall=$((t1 - t0))
sub_ms=$((t_sub - t_q0))
awk -v n="$N" -v ok="$ok" -v wall="$wall" -v sub_ms="$sub_ms" -v slots="$SLOTS" \
	-v run="$run_ms" -v total="$total_ms" -v over="$over_ms" 'BEGIN {
	per_slot = wall * slots / n
	printf "## Dispatcher (local provider)\n\n"
	printf "`tools/bench/dispatch.sh`: %d tiny studio image jobs (256x256, local renderer) submitted through nginx, %d dispatcher slots.\n\n", n, slots
	printf "| measure | value |\n|---|---:|\n"
	printf "| jobs succeeded | %d / %d |\n", ok, n
	printf "| queueing the jobs through the API (8 parallel curl, dispatcher stopped) | %d ms |\n", sub_ms
	printf "| dispatcher wall time, start to last job settled | %d ms |\n", wall
	printf "| throughput | %.1f jobs/s |\n", n * 1000 / wall
	printf "| provider attempt per job (fork + render + result, run_us) | %.2f ms |\n", run
	printf "| dispatcher work per job around it (load + settle tx, total_us - run_us) | %.2f ms |\n", over
	printf "| wall time x slots / jobs - attempt (claim, start-up and idle time included) | %.2f ms |\n", per_slot - run
}'
