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
		p=$((20000 + RANDOM % 12000))	# below the ephemeral range (32768+)
		(exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo "$p"; return; }
	done
}

export MG_VAR_DIR=$ROOT/var/test
export MG_HTTP_PORT=$(free_port) MG_HTTPS_PORT=$(free_port)
export MG_TENANT_PORT=$(free_port) MG_DB_PORT=$(free_port)
export MG_RATE_LIMIT=0
export MG_WORKERS_AUTH=${MG_WORKERS_AUTH:-3} MG_WORKERS_WALLET=${MG_WORKERS_WALLET:-4}
export MG_WORKERS_GENERATION=${MG_WORKERS_GENERATION:-4} MG_WORKERS_CATALOG=${MG_WORKERS_CATALOG:-2}

FAKE_PIDS=""
stop() {
	tools/stack.sh stop >/dev/null 2>&1
	[ -n "$FAKE_PIDS" ] && kill $FAKE_PIDS 2>/dev/null
}
trap stop EXIT
stop
rm -rf "$MG_VAR_DIR"
mkdir -p "$MG_VAR_DIR/log"

# Local fakes of the services we cannot reach (tests/fakes/*.js), started
# before the stack so the workers see their URLs. Each prints
# {"ready":true,"port":N[,"http_port":M]} once listening.
start_fake() {
	local name=$1 out=$MG_VAR_DIR/log/fake-$1.out line
	node "tests/fakes/$name.js" --port 0 > "$out" 2> "$MG_VAR_DIR/log/fake-$name.err" &
	FAKE_PIDS="$FAKE_PIDS $!"
	for _ in $(seq 100); do
		line=$(grep -m1 '"ready"' "$out" 2>/dev/null) && break
		sleep 0.05
	done
	[ -n "$line" ] || { echo "fake $name did not start"; cat "$MG_VAR_DIR/log/fake-$name.err"; return 1; }
	FAKE_PORT=$(printf '%s' "$line" | sed -n 's/.*"port":\([0-9]*\).*/\1/p')
	FAKE_HTTP_PORT=$(printf '%s' "$line" | sed -n 's/.*"http_port":\([0-9]*\).*/\1/p')
}
if command -v node >/dev/null && [ -d tests/fakes ] && [ -d tests/node_modules ]; then
	start_fake stripe && export MG_FAKE_STRIPE_URL=http://127.0.0.1:$FAKE_PORT \
		MG_STRIPE_API_BASE=http://127.0.0.1:$FAKE_PORT MG_STRIPE_SECRET_KEY=sk_test_mediagate \
		MG_STRIPE_WEBHOOK_SECRETS=whsec_test_old,whsec_test_current
	start_fake coinbase && export MG_FAKE_COINBASE_URL=http://127.0.0.1:$FAKE_PORT \
		MG_COINBASE_API_BASE=http://127.0.0.1:$FAKE_PORT MG_COINBASE_API_KEY=cc_test_key \
		MG_COINBASE_WEBHOOK_SECRET=cc_shared_secret
	start_fake x402 && export MG_FAKE_X402_URL=http://127.0.0.1:$FAKE_PORT \
		MG_X402_FACILITATOR_URL=http://127.0.0.1:$FAKE_PORT \
		MG_X402_PAY_TO=0x1111111111111111111111111111111111111111
	start_fake smtp && export MG_SMTP_URL=smtp://127.0.0.1:$FAKE_PORT \
		MG_FAKE_SMTP_URL=http://127.0.0.1:$FAKE_HTTP_PORT MG_SMTP_FROM=noreply@mediagate.test
	start_fake google && export MG_FAKE_GOOGLE_URL=http://127.0.0.1:$FAKE_PORT \
		MG_GOOGLE_JWKS_URL=http://127.0.0.1:$FAKE_PORT/oauth2/v3/certs \
		MG_GOOGLE_CLIENT_ID=mediagate-test.apps.googleusercontent.com
	start_fake fal && export MG_FAKE_FAL_URL=http://127.0.0.1:$FAKE_PORT \
		MG_FAL_BASE_URL=http://127.0.0.1:$FAKE_PORT MG_FAL_KEY=fal_test_key
	start_fake replicate && export MG_FAKE_REPLICATE_URL=http://127.0.0.1:$FAKE_PORT \
		MG_REPLICATE_BASE_URL=http://127.0.0.1:$FAKE_PORT MG_REPLICATE_TOKEN=r8_test_token
	start_fake elevenlabs && export MG_FAKE_ELEVENLABS_URL=http://127.0.0.1:$FAKE_PORT \
		MG_ELEVENLABS_BASE_URL=http://127.0.0.1:$FAKE_PORT MG_ELEVENLABS_KEY=el_test_key
fi
# Fast expiries for tests; secrets made for this run only.
export MG_OTP_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export MG_BILLING_KEY_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export MG_ALLOW_PRIVATE_CALLBACKS=1
# Dispatcher (it_dispatch): [[provider:NAME]] prompts run on NAME's fake,
# short leases (kill -9 recovery), fast callback retries, short provider
# timeouts (timeout tests).
export MG_DISPATCH_TEST_MARKERS=1 MG_JOB_LEASE_S=5 MG_CALLBACK_RETRY_BASE_S=1
export MG_PROV_TIMEOUT_S=4
# Jobs (it_jobs): a test blocklist, and a concurrency cap above the 20 jobs
# of the concurrent-submit test.
export MG_PROMPT_BLOCKLIST=$ROOT/tests/integration/prompt_blocklist.txt
export MG_MAX_CONCURRENT_JOBS_PER_WORKSPACE=${MG_MAX_CONCURRENT_JOBS_PER_WORKSPACE:-25}
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

# Node tests (real independent clients: oauth4webapi, jose, playwright,
# stripe, coinbase-commerce-node) against the same stack.
if [ -n "$(ls tests/node/*.test.js tests/fakes/*.test.js 2>/dev/null)" ] && [ -d tests/node_modules ]; then
	echo "=== node --test tests/node"
	nout=$(node --test --test-reporter=tap $(ls tests/node/*.test.js tests/fakes/*.test.js 2>/dev/null) 2>&1); nrc=$?
	printf '%s\n' "$nout"
	np=$(printf '%s\n' "$nout" | sed -n 's/^# pass \([0-9]*\)$/\1/p' | tail -n1)
	nf=$(printf '%s\n' "$nout" | sed -n 's/^# fail \([0-9]*\)$/\1/p' | tail -n1)
	[ -z "$np" ] && np=0
	[ -z "$nf" ] && nf=1
	[ "$nrc" -ne 0 ] && [ "$nf" -eq 0 ] && nf=1
	echo "MGTEST $np $nf"
	[ "$nf" -eq 0 ] || rc=1
fi

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
