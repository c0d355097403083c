#!/usr/bin/env bash
# Integration tests: start one real stack (MariaDB, worker pools, nginx) on
# free loopback ports under var/test, run every integration program against
# it, stop it. Phase 1 (it_*) runs with nginx rate limits off; phase 2
# (rl_*) restarts nginx with the configured limits on.
# Prints "integration: N passed, N failed" (summed by tests/run.sh).
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# A free loopback TCP port (nothing answers a connect on it).
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		(exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo "$p"; return; }
	done
}

export MG_VAR_DIR=$ROOT/var/test
export MG_HTTP_PORT=$(free_port) MG_HTTPS_PORT=$(free_port)
export MG_TENANT_PORT=$(free_port) MG_DB_PORT=$(free_port)
export MG_RATE_LIMIT=0
export MG_WORKERS_AUTH=${MG_WORKERS_AUTH:-3} MG_WORKERS_WALLET=${MG_WORKERS_WALLET:-4}
export MG_WORKERS_GENERATION=${MG_WORKERS_GENERATION:-4} MG_WORKERS_CATALOG=${MG_WORKERS_CATALOG:-2}

stop() { tools/stack.sh stop >/dev/null 2>&1; }
trap stop EXIT
stop
rm -rf "$MG_VAR_DIR"
if ! tools/stack.sh start > "$ROOT/var/test-start.log" 2>&1; then
	cat "$ROOT/var/test-start.log"
	echo "integration: 0 passed, 1 failed"
	exit 1
fi
set -a
. "$MG_VAR_DIR/env"
set +a
export MG_TEST_BASE="http://127.0.0.1:$MG_HTTP_PORT"
export MG_TEST_HTTPS_BASE="https://127.0.0.1:$MG_HTTPS_PORT"
export MG_TEST_TENANT_BASE="http://127.0.0.1:$MG_TENANT_PORT"
export MG_TEST_ROOT=$ROOT

rc=0
progs=$(ls build/tests/it_* 2>/dev/null)
tests/run.sh "integration" $progs || rc=1

rlprogs=$(ls build/tests/rl_* 2>/dev/null)
if [ -n "$rlprogs" ]; then
	kill -QUIT "$(cat "$MG_VAR_DIR/run/nginx.pid")" 2>/dev/null
	for _ in $(seq 50); do [ -e "$MG_VAR_DIR/run/nginx.pid" ] || break; sleep 0.1; done
	MG_RATE_LIMIT=1 tools/stack.sh start >> "$ROOT/var/test-start.log" 2>&1
	tests/run.sh "rate-limited" $rlprogs || rc=1
fi

echo "--- ledger verify after all integration tests"
if build/bin/mgctl ledger verify; then
	echo "MGTEST 1 0"
else
	echo "MGTEST 0 1"; rc=1
fi
exit $rc
