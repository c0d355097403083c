#!/usr/bin/env bash
# tools/bench/run.sh (make bench): measure the floors of this machine and the
# gateway's routes against them, in the same run, through the same nginx and
# MariaDB, and write docs/BENCHMARKS.md. See /work/shared/reference/limits.md.
#
# Starts its own stack (rate limits off) under var/bench on its own ports,
# adds the floor locations to its nginx, runs wrk against every floor and
# every row of ROUTES below, measures worker RSS, then stops the stack.
#
# Knobs: BENCH_SECONDS (10) BENCH_THREADS (2) BENCH_CONNS (64)
#   BENCH_WORKERS (4, processes per bare responder) BENCH_VAR_DIR (var/bench)
#   BENCH_HTTP_PORT (9080) BENCH_HTTPS_PORT (9443) BENCH_TENANT_PORT (9201)
#   BENCH_DB_PORT (3317) BENCH_OUT (docs/BENCHMARKS.md) BENCH_KEEP=1 (leave
#   the stack running afterwards) BENCH_LEDGER_ROUNDS (5, rounds of floor +
#   cycles per ledger row).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

# --- Gateway routes measured against a floor ----------------------------------
# name | method | path | auth (key|none) | JSON body (non-GET) | floor | target
#   floor:  return | fcgi | select | write | write_hot  (see FLOORS below)
#   target: minimum ratio route req/s : floor req/s
# Add a row per route worth watching. A non-GET row is sent with its body;
# remember the demo wallet holds $5.00 and rate limits are off here.
ROUTES=(
	"health|GET|/health|none||fcgi|0.9"
	"me|GET|/v1/me|key||select|0.7"
	"me_jwt|GET|/v1/me|jwt||select|0.6"
	"wallet|GET|/v1/wallet|key||select|0.7"
	# Job submission: validate, price, blocklist, circuit check, then one
	# transaction (job INSERT + hold + concurrency cap). Spread over
	# BENCH_JOB_WORKSPACES workspaces (auth "jobkeys": wrk rotates their
	# keys) like the spread write floor. The slow marker keeps the
	# dispatcher's slots asleep instead of rendering.
	"jobs_submit|POST|/v1/images/generate|jobkeys|{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"[[slow:100]] bench\"}|write|0.5"
	# Distinct signed Stripe events (new event id + payment key each), $1
	# credited per request over BENCH_WEBHOOK_WALLETS workspaces: a body
	# "@file" is a wrk script that builds and signs every request itself.
	"stripe_webhook|POST|/api/v1/webhooks/stripe|none|@tools/bench/stripe_webhook.lua|write|0.5"
)

# --- Floors -------------------------------------------------------------------
# name | nginx location body | what | reference floor | ratio seen 2026-11-23
FLOORS=(
	"return|return 200 '{\"ok\":true}\\n';|nginx \`return 200\`|-|-"
	"fcgi|include mg_route_std.conf; fastcgi_pass unix:@RUN@/bench_noop.sock;|bare libfcgi responder|return|≈ 0.11"
	"select|include mg_route_std.conf; fastcgi_pass unix:@RUN@/bench_select.sock;|+ one primary-key SELECT (prepared)|fcgi|≈ 0.5"
	"write|include mg_route_std.conf; fastcgi_pass unix:@RUN@/bench_write.sock;|+ UPDATE balance + INSERT ledger + COMMIT, 1000 rows|fcgi|≈ 0.15–0.2"
	"write_hot|include mg_route_std.conf; fastcgi_pass unix:@RUN@/bench_write_hot.sock;|same on one hot row|write|≈ 0.85"
)

SECONDS_=${BENCH_SECONDS:-10}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNS:-64}
WORKERS=${BENCH_WORKERS:-4}
OUT=${BENCH_OUT:-$ROOT/docs/BENCHMARKS.md}
BF=$ROOT/build/bin/bare_fcgi
WORKER_BIN=${MG_WORKER_BIN:-$ROOT/build/bin/mediagate-worker}
MGCTL_BIN=${MG_MGCTL_BIN:-$ROOT/build/bin/mgctl}

export MG_VAR_DIR=${BENCH_VAR_DIR:-$ROOT/var/bench}
export MG_HTTP_PORT=${BENCH_HTTP_PORT:-9080}
export MG_HTTPS_PORT=${BENCH_HTTPS_PORT:-9443}
export MG_TENANT_PORT=${BENCH_TENANT_PORT:-9201}
export MG_DB_PORT=${BENCH_DB_PORT:-3317}
export MG_RATE_LIMIT=0
# The jobs_submit row and the dispatcher benchmark queue thousands of jobs
# in one workspace: no concurrency cap (0).
export MG_MAX_CONCURRENT_JOBS_PER_WORKSPACE=${MG_MAX_CONCURRENT_JOBS_PER_WORKSPACE:-0}
export MG_BENCH_ROUTES=1	# POST /v1/_bench/reserve-release (ledger rows)
# The per-key daily request quota stays on (its upsert is part of every
# API-key request) but is set out of reach of a benchmark run.
export MG_KEY_DAILY_QUOTA_DEFAULT=${MG_KEY_DAILY_QUOTA_DEFAULT:-1000000000}
RUN=$MG_VAR_DIR/run
BASE=http://127.0.0.1:$MG_HTTP_PORT

die() { echo "bench: $*" >&2; exit 1; }
say() { echo "bench: $*"; }

[[ $SECONDS_ =~ ^[0-9]+$ ]] && [ "$SECONDS_" -gt 0 ] || die "bad BENCH_SECONDS"
[ -x "$BF" ] || die "missing $BF (make build/bin/bare_fcgi)"
command -v wrk >/dev/null || die "wrk not installed (tools/install-deps.sh)"

routes_note=
if [ -x "$WORKER_BIN" ]; then
	unset MG_POOLS
else
	routes_note="not measured: $WORKER_BIN is not built"
	say "$routes_note; measuring the floors only"
	export MG_POOLS=
fi

mkdir -p "$MG_VAR_DIR" "$(dirname "$OUT")"
extra=$MG_VAR_DIR/bench-locations.conf
{
	echo "# benchmark floors (tools/bench/run.sh)"
	for f in "${FLOORS[@]}"; do
		IFS='|' read -r name body _ <<<"$f"
		echo "location = /_floor/$name { ${body//@RUN@/$RUN} }"
	done
} >"$extra"
export MG_NGINX_EXTRA=$extra

cleanup() {
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		say "stack left running under $MG_VAR_DIR (tools/stack.sh stop)"
	else
		tools/stack.sh stop >/dev/null || true
	fi
}
# Webhook bench: a secret made for this run (stripe_webhook.lua signs with it).
export MG_STRIPE_WEBHOOK_SECRETS=${MG_STRIPE_WEBHOOK_SECRETS:-whsec_bench_$(openssl rand -hex 12)}
export MG_BENCH_STRIPE_SECRET=${MG_STRIPE_WEBHOOK_SECRETS##*,}
# A stack left over from an earlier run would keep its old nginx config.
tools/stack.sh stop >/dev/null
trap cleanup EXIT
tools/stack.sh start
# shellcheck disable=SC1091
. "$MG_VAR_DIR/env"

# --- Bare responders (pid files under run/, so stack.sh stop stops them) -------
pwf=$MG_VAR_DIR/secrets/db_bench.password
[ -s "$pwf" ] || (umask 077 && openssl rand -hex 24 >"$pwf")
{
	echo "CREATE DATABASE IF NOT EXISTS mediagate_bench;"
	echo "DROP TABLE IF EXISTS mediagate_bench.bench_ledger, mediagate_bench.bench_wallet;"
	for h in localhost 127.0.0.1; do
		echo "CREATE USER IF NOT EXISTS 'mg_bench'@'$h' IDENTIFIED BY '$(cat "$pwf")';"
		echo "ALTER USER 'mg_bench'@'$h' IDENTIFIED BY '$(cat "$pwf")';"
		echo "GRANT ALL PRIVILEGES ON mediagate_bench.* TO 'mg_bench'@'$h';"
	done
} | mariadb --no-defaults --protocol=socket --socket="$MG_DB_SOCKET" -u"$(id -un)"

bf_start() {
	local name=$1
	shift
	"$BF" --socket "$RUN/bench_$name.sock" --pidfile "$RUN/bench_$name.pid" \
		--workers "$WORKERS" --daemon --db-socket "$MG_DB_SOCKET" \
		--db-name mediagate_bench --db-user mg_bench --db-password-file "$pwf" \
		"$@" 2>>"$MG_LOG_DIR/bench_$name.log" 9>&- ||
		die "bare_fcgi $name failed (see $MG_LOG_DIR/bench_$name.log)"
}
bf_start noop noop
bf_start select select
bf_start write write
bf_start write_hot --hot write

auth_header=
if [ -z "$routes_note" ]; then
	# A fresh demo workspace each run: its key is known to work.
	rm -f "$MG_VAR_DIR/demo.env"
	tools/stack.sh demo >/dev/null
	# shellcheck disable=SC1091
	. "$MG_VAR_DIR/demo.env"
	auth_header="Authorization: Bearer $MG_DEMO_KEY"
	# The jobs_submit row submits from its own workspaces (auth
	# "jobkeys"), each funded for every submit it makes; their backlog is
	# canceled after the routes so the dispatcher benchmark starts from an
	# empty queue.
	JOBS_TENANT=$("$MGCTL_BIN" --json tenant create bench-jobs | jq -r .id)
	JOBS_KEYS=()
	for _ in $(seq "${BENCH_JOB_WORKSPACES:-32}"); do
		ws=$("$MGCTL_BIN" --json workspace create "$JOBS_TENANT" bench-jobs | jq -r .id)
		JOBS_KEYS+=("$("$MGCTL_BIN" --json key create "$ws" --label bench-jobs | jq -r .key)")
		"$MGCTL_BIN" wallet grant "$ws" 10000 --reason bench >/dev/null ||
			die "could not fund a jobs workspace"
	done
	# Workspaces the webhook bench credits, spread like the write floor.
	MG_BENCH_WS_IDS=
	tid=$(build/bin/mgctl --json tenant create bench | jq -er .id)
	for _ in $(seq "${BENCH_WEBHOOK_WALLETS:-32}"); do
		wid=$(build/bin/mgctl --json workspace create "$tid" bench | jq -er .id)
		MG_BENCH_WS_IDS=${MG_BENCH_WS_IDS:+$MG_BENCH_WS_IDS,}$wid
	done
	export MG_BENCH_WS_IDS
fi

# --- OAuth: a person in the demo workspace, a client, and token pairs ----------
# oauth_flow: one authorization code + PKCE flow with curl; prints
# "ACCESS_TOKEN REFRESH_TOKEN".
OAUTH_CLIENT= OAUTH_EMAIL= jwt_header=
OAUTH_REDIRECT=http://127.0.0.1:47613/cb
oauth_flow() {
	local jar=$MG_VAR_DIR/bench_oauth.jar q page csrf loc code
	local v=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk ch=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM
	q="response_type=code&client_id=$OAUTH_CLIENT&redirect_uri=http%3A%2F%2F127.0.0.1%3A47613%2Fcb&code_challenge=$ch&code_challenge_method=S256&scope=generate%20read"
	if [ ! -s "$jar" ]; then
		page=$(curl -s -c "$jar" -b "$jar" "$BASE/v1/oauth/authorize?$q")
		csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' <<<"$page")
		curl -s -c "$jar" -b "$jar" -o /dev/null --data-urlencode "email=$OAUTH_EMAIL" \
			--data-urlencode "password=bench password 1" --data-urlencode "csrf=$csrf" \
			--data-urlencode "return=$q" "$BASE/v1/oauth/login"
	fi
	page=$(curl -s -c "$jar" -b "$jar" "$BASE/v1/oauth/authorize?$q")
	csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' <<<"$page")
	loc=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' \
		--data-urlencode "csrf=$csrf" -d "client_id=$OAUTH_CLIENT" \
		--data-urlencode "redirect_uri=$OAUTH_REDIRECT" -d response_type=code \
		-d "code_challenge=$ch" -d code_challenge_method=S256 -d "scope=generate read" \
		-d "workspace=$MG_DEMO_WORKSPACE_ID" -d decision=allow "$BASE/v1/oauth/consent")
	code=$(sed -n 's/.*[?&]code=\([^&]*\).*/\1/p' <<<"$loc")
	curl -s "$BASE/v1/oauth/token" -d grant_type=authorization_code -d "code=$code" \
		-d "code_verifier=$v" --data-urlencode "redirect_uri=$OAUTH_REDIRECT" \
		-d "client_id=$OAUTH_CLIENT" | jq -r '"\(.access_token) \(.refresh_token)"'
}
if [ -z "$routes_note" ]; then
	OAUTH_EMAIL="bench-$(openssl rand -hex 4)@example.com"
	echo "bench password 1" >"$MG_VAR_DIR/bench_pw"
	"$ROOT/build/bin/mgctl" --json user create --email "$OAUTH_EMAIL" \
		--password-file "$MG_VAR_DIR/bench_pw" --workspace "$MG_DEMO_WORKSPACE_ID" \
		--role member >/dev/null || die "mgctl user create failed"
	OAUTH_CLIENT=$("$ROOT/build/bin/mgctl" --json oauth-client create --name bench \
		--redirect-uri http://127.0.0.1/cb --scopes generate,read | jq -er .id) ||
		die "mgctl oauth-client create failed"
	rm -f "$MG_VAR_DIR/bench_oauth.jar"
	read -r at _ < <(oauth_flow) || die "OAuth code flow failed (no token pair)"
	jwt_header="Authorization: Bearer $at"
fi

# --- wrk ----------------------------------------------------------------------
# to_ms VALUE: wrk latency ("812.00us", "2.41ms", "1.02s") in ms.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0;
		else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000
		printf "%.2f", n }'
}

# bench NAME URL METHOD AUTH BODY: run wrk; sets R_RPS R_P99 R_NON2XX R_ERR.
bench() {
	local name=$1 url=$2 method=$3 auth=$4 body=$5 lua out code
	local args=(-t"$THREADS" -c"$CONNS" -d"${SECONDS_}s" --latency)
	local curl_args=(-s -o /dev/null -w '%{http_code}' -X "$method")
	R_RPS=0 R_P99=- R_NON2XX=- R_ERR=
	if [ "$auth" = key ]; then
		args+=(-H "$auth_header")
		curl_args+=(-H "$auth_header")
	elif [ "$auth" = jobkeys ]; then
		curl_args+=(-H "Authorization: Bearer ${JOBS_KEYS[0]}")
	elif [ "$auth" = jwt ]; then
		args+=(-H "$jwt_header")
		curl_args+=(-H "$jwt_header")
	fi
	if [ "${body:0:1}" = @ ]; then
		# The script makes (and signs) every request; no pre-run probe.
		args+=(-s "$ROOT/${body:1}")
	elif [ "$method" != GET ]; then
		lua=$MG_VAR_DIR/bench_$name.lua
		printf 'wrk.method = "%s"\nwrk.body = [==[%s]==]\nwrk.headers["Content-Type"] = "application/json"\n' \
			"$method" "$body" >"$lua"
		if [ "$auth" = jobkeys ]; then
			# One key per request, round robin over the workspaces.
			{
				printf 'local keys = {'
				printf '"%s",' "${JOBS_KEYS[@]}"
				printf '}\nlocal n = 0\n'
				printf 'request = function()\n  n = n + 1\n'
				printf '  wrk.headers["Authorization"] = "Bearer " .. keys[(n %% #keys) + 1]\n'
				printf '  return wrk.format()\nend\n'
			} >>"$lua"
		fi
		args+=(-s "$lua")
		curl_args+=(-H 'Content-Type: application/json' --data-binary "$body")
	fi
	code=200
	[ "${body:0:1}" = @ ] || code=$(curl "${curl_args[@]}" "$url" || true)
	if [ "${code:0:1}" != 2 ]; then
		R_ERR="HTTP $code before the run"
		say "$name: $R_ERR, skipped"
		return 0
	fi
	say "$name: wrk ${args[*]//Bearer */Bearer ...} $url"
	out=$(wrk "${args[@]}" "$url" 2>&1) || { R_ERR="wrk failed"; return 0; }
	printf '%s\n' "$out" >"$MG_LOG_DIR/wrk_$name.txt"
	R_RPS=$(awk '/^Requests\/sec:/ { printf "%d", $2 }' <<<"$out")
	R_P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
	R_NON2XX=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")
	R_NON2XX=${R_NON2XX:-0}
	say "$name: ${R_RPS} req/s, p99 ${R_P99} ms, non-2xx ${R_NON2XX}"
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A RPS P99 NON2XX ERR
for f in "${FLOORS[@]}"; do
	IFS='|' read -r name _ <<<"$f"
	bench "$name" "$BASE/_floor/$name" GET none ""
	RPS[$name]=$R_RPS P99[$name]=$R_P99 NON2XX[$name]=$R_NON2XX ERR[$name]=$R_ERR
done
declare -A RRPS RP99 RNON2XX RERR AFLOOR
if [ -z "$routes_note" ]; then
	for r in "${ROUTES[@]}"; do
		IFS='|' read -r name method path auth body floor _ <<<"$r"
		# The route's floor again right before it: the ratio compares two
		# runs seconds apart, not the route with the start of the run.
		bench "floor_${floor}_before_$name" "$BASE/_floor/$floor" GET none ""
		AFLOOR[$name]=$R_RPS
		bench "route_$name" "$BASE$path" "$method" "$auth" "$body"
		RRPS[$name]=$R_RPS RP99[$name]=$R_P99 RNON2XX[$name]=$R_NON2XX RERR[$name]=$R_ERR
	done
	# Drop the jobs_submit backlog, and any an earlier run or a manual wrk
	# on this kept database left (a throwaway database: holds stay open),
	# so the dispatcher bench below runs only its own jobs.
	mariadb --no-defaults --protocol=socket --socket="$MG_DB_SOCKET" -u"$(id -un)" \
		"${MG_DB_NAME:-mediagate}" -e "UPDATE jobs SET state = 'canceled',
		cancel_requested = 1, error_code = 'canceled', finished_at = NOW(6)
		WHERE state IN ('queued', 'running')" || true
fi

# --- Dispatcher overhead per job (tools/bench/dispatch.sh) -----------------------
DISPATCH_MD=$MG_VAR_DIR/bench-dispatch.md
: >"$DISPATCH_MD"
if [ -z "$routes_note" ]; then
	BASE=$BASE MG_DEMO_KEY=$MG_DEMO_KEY tools/bench/dispatch.sh >"$DISPATCH_MD" ||
		printf '## Dispatcher (local provider)\n\nNot measured: tools/bench/dispatch.sh failed.\n' >"$DISPATCH_MD"
fi

# --- Ledger: reservation+release cycles ----------------------------------------
# name | what | wallets | floor | target. Each request of POST
# /v1/_bench/reserve-release authenticates, holds 1 micro in one transaction
# (wallet_hold: one INSERT of the hold row; the ledger trigger of migration
# 011 makes the conditional reserve in the same autocommit statement) and
# releases it in another (wallet_settle: one INSERT of the settle row).
# "spread" rotates over 64 funded workspaces (one key each), "hot" uses one
# wallet.
LEDGER_ROWS=(
	"reserve_release_spread|hold + release, 64 wallets|64|write|0.6"
	"reserve_release_hot|hold + release, one hot wallet|1|write_hot|0.6"
)
# ledger_keys N FILE: N fresh funded workspaces; their keys, one a line.
ledger_keys() {
	local n=$1 out=$2 i tid wid key
	: >"$out"
	for i in $(seq "$n"); do
		tid=$(build/bin/mgctl --json tenant create "bench-$i" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
		wid=$(build/bin/mgctl --json workspace create "$tid" "bench-$i" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
		key=$(build/bin/mgctl --json key create "$wid" --label bench | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
		build/bin/mgctl wallet grant "$wid" 1000 --reason bench >/dev/null
		echo "$key" >>"$out"
	done
}
declare -A LRPS LP99 LNON2XX LERR LFLOOR LRATIO LROUNDS LCPU LCPUF LCPUR
ROUNDS=${BENCH_LEDGER_ROUNDS:-5}
# busy: the machine's busy CPU ticks so far (user, nice, system, irq,
# softirq: idle, iowait and the steal of other guests left out).
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat; }
# us_per_req TICKS RPS: machine CPU µs per request of a SECONDS_ run.
us_per_req() {
	awk -v t="$1" -v r="$2" -v s="$SECONDS_" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { if (r > 0) printf "%d", t * 1e6 / hz / (r * s); else printf "-" }'
}
# median N...: the middle value (the lower middle of an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
if [ -z "$routes_note" ]; then
	for r in "${LEDGER_ROWS[@]}"; do
		IFS='|' read -r name _ nw floor _ <<<"$r"
		kf=$MG_VAR_DIR/bench_$name.keys
		ledger_keys "$nw" "$kf"
		lua=$MG_VAR_DIR/bench_$name.lua
		{
			echo "local keys = {"
			sed 's/.*/  "&",/' "$kf"
			echo "}"
			echo 'local i = math.random(#keys)'
			echo 'request = function()'
			echo '  i = i % #keys + 1'
			echo '  return wrk.format("POST", "/v1/_bench/reserve-release", {["Authorization"] = "Bearer " .. keys[i], ["Content-Type"] = "application/json"}, "{}")'
			echo 'end'
		} >"$lua"
		code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $(head -n1 "$kf")" \
			-H 'Content-Type: application/json' --data-binary '{}' "$BASE/v1/_bench/reserve-release" || true)
		LRPS[$name]=0 LP99[$name]=- LNON2XX[$name]=- LERR[$name]=
		if [ "$code" != 200 ]; then
			LERR[$name]="HTTP $code before the run"
			say "$name: ${LERR[$name]}, skipped"
			continue
		fi
		# Rounds of (floor, cycles) back to back: the ratio of each round
		# compares two runs seconds apart, and the median of the rounds
		# is reported (this 2-core VM drifts 10-40 % within a run).
		# The machine CPU per request of each run is recorded too: with
		# other guests' steal it moves less than throughput does.
		rr=() fr=() ratios=() p99s=() fcpu=() ccpu=() cratios=()
		for ((round = 1; round <= ROUNDS; round++)); do
			b0=$(busy)
			bench "floor_${floor}_$round" "$BASE/_floor/$floor" GET none ""
			fcpu+=("$(us_per_req $(($(busy) - b0)) "$R_RPS")")
			fr+=("$R_RPS")
			say "$name (round $round): wrk -s $lua $BASE/v1/_bench/reserve-release"
			b0=$(busy)
			out=$(wrk -t"$THREADS" -c"$CONNS" -d"${SECONDS_}s" --latency -s "$lua" "$BASE/v1/_bench/reserve-release" 2>&1) ||
				{ LERR[$name]="wrk failed"; break; }
			b1=$(busy)
			printf '%s\n' "$out" >"$MG_LOG_DIR/wrk_${name}_$round.txt"
			rr+=("$(awk '/^Requests\/sec:/ { printf "%d", $2 }' <<<"$out")")
			ratios+=("$(ratio "${rr[-1]}" "${fr[-1]}")")
			ccpu+=("$(us_per_req $((b1 - b0)) "${rr[-1]}")")
			cratios+=("$(ratio "${fcpu[-1]}" "${ccpu[-1]}")")
			p99s+=("$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")")
			n2=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")
			LNON2XX[$name]=$(( ${LNON2XX[$name]/-/0} + ${n2:-0} ))
			say "$name (round $round): ${rr[-1]} cycles/s against ${fr[-1]} req/s, ratio ${ratios[-1]};" \
				"machine CPU ${ccpu[-1]} against ${fcpu[-1]} µs/req, ratio ${cratios[-1]}"
		done
		[ -n "${LERR[$name]}" ] && continue
		LRPS[$name]=$(median "${rr[@]}")
		LFLOOR[$name]=$(median "${fr[@]}")
		LRATIO[$name]=$(median "${ratios[@]}")
		LP99[$name]=$(median "${p99s[@]}")
		LROUNDS[$name]=$(IFS=/; echo "${ratios[*]}")
		LCPU[$name]=$(median "${ccpu[@]}")
		LCPUF[$name]=$(median "${fcpu[@]}")
		LCPUR[$name]=$(median "${cratios[@]}")
	done
	# Where a cycle's database time goes: the same work without HTTP
	# (tools/bench/ledger_cost.c), 8 connections like the wallet pool.
	declare -A COST
	for m in floor auth cycle; do
		COST[$m]=$(build/bin/ledger_cost "$MG_DB_SOCKET" "${MG_DB_NAME:-mediagate}" \
			"$(cat "$RUN/mysqld.pid")" "$m" 8 "$SECONDS_" 2>/dev/null) || COST[$m]=
		say "ledger_cost $m: ${COST[$m]:-failed}"
	done
	verify_out=$(build/bin/mgctl ledger verify 2>&1 | tail -n1) || verify_out="FAILED: $verify_out"
fi

# --- OAuth refresh grant: one rotating token chain per connection ----------------
# Refresh tokens are single-use (a reuse kills the family), so each wrk
# connection carries its own chain: one connection per thread, each thread
# starting from its own refresh token and taking the next from every answer.
REF_RPS=- REF_P99=- REF_NON2XX=- REF_ERR=
if [ -z "$routes_note" ]; then
	lua=$MG_VAR_DIR/bench_refresh.lua
	{
		echo "local tokens, n = {}, 0"
		for ((i = 0; i < THREADS * 4; i++)); do
			read -r _ rt < <(oauth_flow) || die "OAuth code flow failed (refresh chain $i)"
			echo "tokens[#tokens + 1] = \"$rt\""
		done
		cat <<LUA
function setup(thread) n = n + 1; thread:set("rt", tokens[n]) end
function request()
	return wrk.format("POST", "/v1/oauth/token",
		{ ["Content-Type"] = "application/x-www-form-urlencoded" },
		"grant_type=refresh_token&client_id=$OAUTH_CLIENT&refresh_token=" .. rt)
end
function response(status, headers, body)
	local t = body:match('"refresh_token":"([^"]+)"')
	if t then rt = t end
end
LUA
	} >"$lua"
	say "oauth_refresh: wrk -t$((THREADS * 4)) -c$((THREADS * 4)) $BASE/v1/oauth/token"
	if out=$(wrk -t$((THREADS * 4)) -c$((THREADS * 4)) -d"${SECONDS_}s" --latency -s "$lua" \
		"$BASE/v1/oauth/token" 2>&1); then
		printf '%s\n' "$out" >"$MG_LOG_DIR/wrk_oauth_refresh.txt"
		REF_RPS=$(awk '/^Requests\/sec:/ { printf "%d", $2 }' <<<"$out")
		REF_P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
		REF_NON2XX=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")
		REF_NON2XX=${REF_NON2XX:-0}
		say "oauth_refresh: $REF_RPS req/s, p99 $REF_P99 ms, non-2xx $REF_NON2XX"
	else
		REF_ERR="wrk failed"
	fi
fi

# --- RSS ----------------------------------------------------------------------
# rss_line LABEL PIDFILE: "| label | processes | total MB | per process MB |"
rss_line() {
	local label=$1 pf=$2 pid pids
	[ -s "$pf" ] || return 0
	pid=$(tr -dc 0-9 <"$pf")
	kill -0 "$pid" 2>/dev/null || return 0
	pids=$(
		echo "$pid"
		ps -o pid= --ppid "$pid" || true
	)
	ps -o rss= -p "$(echo $pids | tr ' ' ,)" | awk -v l="$label" '
		{ n++; kb += $1 }
		END { printf "| %s | %d | %.1f | %.1f |\n", l, n, kb / 1024, kb / 1024 / n }'
}

# --- Report -------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
{
	echo "# Benchmarks"
	echo
	echo "Written by \`make bench\` (tools/bench/run.sh); do not edit by hand."
	echo "Every figure is judged as a ratio to a floor measured in the same run,"
	echo "through the same nginx and MariaDB (see reference/limits.md)."
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(uname -srm), $(nproc) cores ($cpu), $mem; load average before the run: $load0"
	echo "- software: $(nginx -v 2>&1 | sed 's/.*: //'), $(mariadbd --version | awk '{ print $3 }'), wrk $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }')"
	echo "- load: \`wrk -t$THREADS -c$CONNS -d${SECONDS_}s --latency\` on loopback, rate limits off"
	echo "- bare responders: $WORKERS workers each (tools/bench/bare_fcgi.c); MariaDB innodb_flush_log_at_trx_commit=1"
	echo "- command: \`BENCH_SECONDS=$SECONDS_ make bench\`"
	echo
	echo "## Floors"
	echo
	echo "| floor | what | req/s | p99 ms | non-2xx | ratio | to | ratio seen 2026-11-23 |"
	echo "|---|---|---:|---:|---:|---:|---|---|"
	for f in "${FLOORS[@]}"; do
		IFS='|' read -r name _ what ref seen <<<"$f"
		if [ -n "${ERR[$name]}" ]; then
			echo "| $name | $what | ${ERR[$name]} | | | | | $seen |"
			continue
		fi
		r=-
		[ "$ref" != - ] && r=$(ratio "${RPS[$name]}" "${RPS[$ref]}")
		echo "| $name | $what | ${RPS[$name]} | ${P99[$name]} | ${NON2XX[$name]} | $r | $ref | $seen |"
	done
	echo
	echo "## Gateway routes"
	echo
	if [ -n "$routes_note" ]; then
		echo "Routes $routes_note."
	else
		echo "Each route right after its floor (\`floor req/s\`, measured again just before it)."
		echo
		echo "| route | request | req/s | p99 ms | non-2xx | floor | floor req/s | ratio | target | |"
		echo "|---|---|---:|---:|---:|---|---:|---:|---:|---|"
		for r in "${ROUTES[@]}"; do
			IFS='|' read -r name method path auth body floor target <<<"$r"
			if [ -n "${RERR[$name]}" ]; then
				echo "| $name | $method $path | ${RERR[$name]} | | | $floor | | | ≥ $target | not measured |"
				continue
			fi
			r=$(ratio "${RRPS[$name]}" "${AFLOOR[$name]}")
			verdict=$(awk -v r="$r" -v t="$target" -v e="${RNON2XX[$name]}" 'BEGIN {
				if (e != "0") print "errors"; else if (r + 0 >= t + 0) print "meets"; else print "below" }')
			echo "| $name | $method $path | ${RRPS[$name]} | ${RP99[$name]} | ${RNON2XX[$name]} | $floor | ${AFLOOR[$name]} | $r | ≥ $target | $verdict |"
		done
	fi
	echo
	if [ -s "$DISPATCH_MD" ]; then
		cat "$DISPATCH_MD"
		echo
	fi
	echo "## Ledger: reservation + release cycles"
	echo
	if [ -n "$routes_note" ]; then
		echo "Not measured: $routes_note."
	else
		echo "Each request: authenticate, hold 1 micro (one transaction), release it (another);"
		echo "$ROUNDS rounds of (floor, cycles) back to back; medians of the rounds. The verdict"
		echo "is on throughput (cycles/s : floor req/s). \"CPU ratio\" is floor : cycle machine CPU"
		echo "per request (busy ticks of /proc/stat, other guests' steal excluded; wrk included),"
		echo "what the throughput ratio would be on a quiet CPU-bound machine."
		echo "\`mgctl ledger verify\` after the runs: $verify_out"
		echo
		echo "| row | what | cycles/s | p99 ms | non-2xx | floor | floor req/s (adjacent) | ratio | ratio per round | target | | CPU µs/cycle | floor CPU µs/req | CPU ratio |"
		echo "|---|---|---:|---:|---:|---|---:|---:|---|---:|---|---:|---:|---:|"
		for r in "${LEDGER_ROWS[@]}"; do
			IFS='|' read -r name what _ floor target <<<"$r"
			if [ -n "${LERR[$name]}" ]; then
				echo "| $name | $what | ${LERR[$name]} | | | $floor | | | | ≥ $target | not measured | | | |"
				continue
			fi
			r=${LRATIO[$name]}
			verdict=$(awk -v r="$r" -v t="$target" -v e="${LNON2XX[$name]}" 'BEGIN {
				if (e != "0") print "errors"; else if (r + 0 >= t + 0) print "meets"; else print "below" }')
			echo "| $name | $what | ${LRPS[$name]} | ${LP99[$name]} | ${LNON2XX[$name]} | $floor | ${LFLOOR[$name]} | $r | ${LROUNDS[$name]} | ≥ $target | $verdict | ${LCPU[$name]} | ${LCPUF[$name]} | ${LCPUR[$name]} |"
		done
		echo
		echo "Where the time goes: the same database work without HTTP"
		echo "(\`ledger_cost SOCKET DB PID MODE 8 $SECONDS_\`, tools/bench/ledger_cost.c):"
		echo "MariaDB CPU per operation, from /proc/<mariadbd>/stat."
		echo
		echo "| operation | ops/s | MariaDB µs/op | machine µs/op | MariaDB × floor |"
		echo "|---|---:|---:|---:|---:|"
		fdb=$(awk '{ print $3 }' <<<"${COST[floor]:-}")
		for m in floor auth cycle; do
			case $m in
			floor) what="write floor: UPDATE + INSERT + COMMIT" ;;
			auth) what="API-key lookup (every request)" ;;
			cycle) what="hold row + release row, the trigger moving the wallet (two commits)" ;;
			esac
			read -r _ ops db mach <<<"${COST[$m]:-- - - -}"
			echo "| $what | $ops | $db | $mach | $(ratio "$db" "$fdb") |"
		done
	fi
	echo
	echo "## OAuth"
	echo
	if [ -n "$routes_note" ]; then
		echo "Not measured: $routes_note."
	else
		r=$(ratio "${RRPS[me_jwt]:-0}" "${RRPS[me]:-0}")
		verdict=$(awk -v r="$r" 'BEGIN { if (r + 0 >= 0.8) print "meets"; else print "below" }')
		echo "| measure | value | target | |"
		echo "|---|---:|---:|---|"
		echo "| GET /v1/me with a JWT access token : with an API key | $r | ≥ 0.8 | $verdict |"
		echo "| POST /v1/oauth/token refresh grant, $((THREADS * 4)) rotating chains (1 connection each) | ${REF_ERR:-$REF_RPS req/s, p99 $REF_P99 ms, non-2xx $REF_NON2XX} | recorded | |"
	fi
	echo
	echo "## Resident memory after the runs"
	echo
	echo "| process group | processes | RSS MB | per process MB |"
	echo "|---|---:|---:|---:|"
	for m in auth wallet generation catalog; do
		rss_line "pool $m (master + workers)" "$RUN/$m.pid"
	done
	rss_line "dispatcher (master + workers)" "$RUN/dispatch.pid"
	rss_line "bare_fcgi select (master + workers)" "$RUN/bench_select.pid"
	rss_line "mariadbd" "$RUN/mysqld.pid"
	rss_line "nginx (master + worker)" "$RUN/nginx.pid"
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
say "wrote $OUT"
