#!/usr/bin/env bash
# tools/stack.sh: start, stop and inspect the local mediagate stack.
#
#   tools/stack.sh start    MariaDB (private datadir) + 4 worker pools + nginx
#   tools/stack.sh stop     stop exactly what start started, wait, clean up
#   tools/stack.sh restart  stop + start (after rebuilding the binaries)
#   tools/stack.sh status   what runs (exit 0 when everything runs, else 3)
#   tools/stack.sh env      print the export lines the binaries/tests need
#   tools/stack.sh demo     create (once) a demo tenant/workspace/key/$5 grant
#                           and print base URL, key and a curl line
#
# Everything lives under $MG_VAR_DIR (default $PWD/var):
#   mysql/  datadir         run/    sockets + pid files (mysqld, nginx, pools)
#   log/    logs            nginx/  rendered nginx config, tls/, logs/, tmp/
#   secrets/ DB passwords, link_secret (mode 600)     outputs/  generated files
#   env     export file (sourced by tests)            demo.env  demo ids + key
#
# Knobs (environment wins over config/mediagate.conf, see that file):
#   MG_VAR_DIR MG_HTTP_PORT MG_HTTPS_PORT MG_TENANT_PORT MG_DB_PORT
#   MG_RATE_LIMIT (0 = no limit_req at all) MG_WORKERS_<MODULE> ...
#   MG_WORKER_BIN, MG_MGCTL_BIN  binaries (default build/bin/...)
#   MG_POOLS        pools to start (default "auth wallet generation catalog");
#                   empty = MariaDB + nginx only (no pools, no migrate, no
#                   worker locations), used by the benchmark floors
#   MG_NGINX_EXTRA  file of extra location blocks for the main server
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODULES_ALL="auth wallet generation catalog"
DB_ROLES="admin auth wallet generation catalog dispatch"

die() { echo "stack: $*" >&2; exit 1; }
say() { echo "stack: $*"; }

# cfg KEY DEFAULT: env MG_<KEY>, else config file "key = value", else DEFAULT.
CONFIG_FILE=${MG_CONFIG:-$ROOT/config/mediagate.conf}
cfg() {
	local key=$1 def=$2 env v
	env="MG_${key^^}"
	if [ -n "${!env+x}" ]; then
		printf '%s' "${!env}"
		return
	fi
	if [ -r "$CONFIG_FILE" ]; then
		v=$(sed -n "s/^[[:space:]]*$key[[:space:]]*=[[:space:]]*\\(.*[^[:space:]]\\)[[:space:]]*\$/\\1/p" \
			"$CONFIG_FILE" | tail -n 1)
		if [ -n "$v" ]; then
			printf '%s' "$v"
			return
		fi
	fi
	printf '%s' "$def"
}

# --- Settings ---------------------------------------------------------------
VAR=$(cfg var_dir "$PWD/var")
case $VAR in /*) ;; *) VAR=$PWD/$VAR ;; esac
RUN=$VAR/run
LOG=$VAR/log
SECRETS=$VAR/secrets
NGX=$VAR/nginx
HTTP_PORT=$(cfg http_port 8080)
HTTPS_PORT=$(cfg https_port 8443)
TENANT_PORT=$(cfg tenant_port 8201)
DB_PORT=$(cfg db_port 3307)
DB_HOST=$(cfg db_host 127.0.0.1)
DB_NAME=$(cfg db_name mediagate)
DB_SOCKET=$RUN/mysqld.sock
RATE_LIMIT=$(cfg rate_limit 1)
WORKER_BIN=${MG_WORKER_BIN:-$ROOT/build/bin/mediagate-worker}
MGCTL_BIN=${MG_MGCTL_BIN:-$ROOT/build/bin/mgctl}
POOLS=${MG_POOLS-$MODULES_ALL}

for p in "$HTTP_PORT" "$HTTPS_PORT" "$TENANT_PORT" "$DB_PORT"; do
	[[ $p =~ ^[0-9]{1,5}$ ]] && [ "$p" -gt 0 ] && [ "$p" -lt 65536 ] ||
		die "bad port '$p'"
done
[ ${#DB_SOCKET} -lt 100 ] || die "socket path too long (<100): $DB_SOCKET"

db_user() { cfg "db_user_$1" "mg_$1"; }
pw_file() { echo "$SECRETS/db_$1.password"; }

# mysql client as the server's root (unix_socket auth over the private socket).
db_root() {
	mariadb --no-defaults --protocol=socket --socket="$DB_SOCKET" -u"$(id -un)" "$@"
}

# --- Process helpers ----------------------------------------------------------
# alive PIDFILE NAME: true when the pid file names a live process whose
# command line contains NAME (guards against pid reuse after an unclean stop).
alive() {
	local pf=$1 name=$2 pid
	[ -s "$pf" ] || return 1
	pid=$(head -n 1 "$pf" | tr -dc 0-9)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$name"
}

pid_of() { head -n 1 "$1" | tr -dc 0-9; }

# stop_pid PIDFILE NAME SIGNAL TIMEOUT [LABEL]: signal the process, wait for
# it to exit (SIGKILL after TIMEOUT seconds), remove the pid file.
stop_pid() {
	local pf=$1 name=$2 sig=$3 timeout=$4 label=${5:-$2} pid i
	if ! alive "$pf" "$name"; then
		rm -f "$pf"
		return 0
	fi
	pid=$(pid_of "$pf")
	kill -s "$sig" "$pid" 2>/dev/null || true
	for ((i = 0; i < timeout * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "$label (pid $pid) did not stop in ${timeout}s, killing"
		kill -KILL "$pid" 2>/dev/null || true
		sleep 0.2
	fi
	rm -f "$pf"
	say "stopped $label (pid $pid)"
}

# rand_secret FILE: create FILE once with a random hex secret, mode 600.
rand_secret() {
	[ -s "$1" ] && return 0
	(umask 077 && openssl rand -hex 24 >"$1.tmp" && mv "$1.tmp" "$1")
}

# --- env ------------------------------------------------------------------------
# Every MG_ variable the binaries and tests need, as export lines.
env_lines() {
	local m r M R
	cat <<EOF
export MG_CONFIG='$CONFIG_FILE'
export MG_VAR_DIR='$VAR'
export MG_RUN_DIR='$RUN'
export MG_LOG_DIR='$LOG'
export MG_OUTPUTS_DIR='$VAR/outputs'
export MG_SECRETS_DIR='$SECRETS'
export MG_HTTP_PORT='$HTTP_PORT'
export MG_HTTPS_PORT='$HTTPS_PORT'
export MG_TENANT_PORT='$TENANT_PORT'
export MG_BASE_URL='http://127.0.0.1:$HTTP_PORT'
export MG_HTTPS_URL='https://127.0.0.1:$HTTPS_PORT'
export MG_TENANT_URL='http://127.0.0.1:$TENANT_PORT'
export MG_TLS_CERT='$NGX/tls/localhost.crt'
export MG_RATE_LIMIT='$RATE_LIMIT'
export MG_DB_SOCKET='$DB_SOCKET'
export MG_DB_HOST='$DB_HOST'
export MG_DB_PORT='$DB_PORT'
export MG_DB_NAME='$DB_NAME'
export MG_LINK_SECRET_FILE='$SECRETS/link_secret'
export MG_OAUTH_KEYS_DIR='$VAR/keys'
export MG_OAUTH_ISSUER='$(cfg oauth_issuer "$(cfg public_base_url "http://127.0.0.1:$HTTP_PORT")")'
EOF
	for r in $DB_ROLES; do
		R=${r^^}
		echo "export MG_DB_USER_$R='$(db_user "$r")'"
		echo "export MG_DB_PASSWORD_${R}_FILE='$(pw_file "$r")'"
	done
	for m in $MODULES_ALL; do
		M=${m^^}
		echo "export MG_WORKERS_$M='$(cfg "workers_$m" 4)'"
	done
}

# --- MariaDB ----------------------------------------------------------------------
db_start() {
	local i
	if alive "$RUN/mysqld.pid" mariadbd; then
		say "mariadbd already running (pid $(pid_of "$RUN/mysqld.pid"))"
		return 0
	fi
	rm -f "$RUN/mysqld.pid" "$DB_SOCKET" "$DB_SOCKET.lock"
	if [ ! -d "$VAR/mysql/mysql" ]; then
		say "initialising MariaDB datadir $VAR/mysql"
		rm -rf "$VAR/mysql"
		mariadb-install-db --no-defaults --user="$(id -un)" \
			--datadir="$VAR/mysql" --auth-root-authentication-method=socket \
			--skip-test-db >"$LOG/mysql-install.log" 2>&1 ||
			{ cat "$LOG/mysql-install.log" >&2; die "mariadb-install-db failed"; }
		openssl rand -hex 8 >"$VAR/mysql/.mg_instance"
	fi
	say "starting mariadbd on $DB_SOCKET and 127.0.0.1:$DB_PORT"
	setsid mariadbd --no-defaults --user="$(id -un)" \
		--datadir="$VAR/mysql" --socket="$DB_SOCKET" \
		--pid-file="$RUN/mysqld.pid" --log-error="$LOG/mysqld.log" \
		--bind-address=127.0.0.1 --port="$DB_PORT" --skip-name-resolve \
		--tmpdir="$VAR/tmp" \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
		--innodb-buffer-pool-size=256M --innodb-log-file-size=128M \
		--innodb-flush-log-at-trx-commit=1 --max-connections=400 \
		--max-allowed-packet=64M --default-time-zone=+00:00 \
		</dev/null >>"$LOG/mysqld.log" 2>&1 9>&- &
	for ((i = 0; i < 300; i++)); do
		if mariadb-admin --no-defaults --protocol=socket --socket="$DB_SOCKET" \
			-u"$(id -un)" ping >/dev/null 2>&1; then
			alive "$RUN/mysqld.pid" mariadbd && return 0
		fi
		kill -0 $! 2>/dev/null || {
			tail -n 20 "$LOG/mysqld.log" >&2
			die "mariadbd exited during start-up (see $LOG/mysqld.log)"
		}
		sleep 0.1
	done
	die "mariadbd did not answer within 30s (see $LOG/mysqld.log)"
}

# Database, per-role users (localhost + 127.0.0.1), passwords synced with the
# secret files. Only mg_admin gets privileges here; the other roles get theirs
# from db/grants.sql through `mgctl migrate`.
db_users() {
	local r u pw sql
	sql="CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
	for r in $DB_ROLES; do
		rand_secret "$(pw_file "$r")"
		u=$(db_user "$r")
		pw=$(head -n 1 "$(pw_file "$r")")
		for h in localhost 127.0.0.1; do
			sql+="CREATE USER IF NOT EXISTS '$u'@'$h' IDENTIFIED BY '$pw';"
			sql+="ALTER USER '$u'@'$h' IDENTIFIED BY '$pw';"
			[ "$r" = admin ] &&
				sql+="GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$u'@'$h' WITH GRANT OPTION;"
		done
	done
	printf '%s\n' "$sql" | db_root || die "creating database/users failed"
}

# --- Worker pools -------------------------------------------------------------------
need_bin() {
	[ -x "$1" ] || die "missing binary $1 (build it with 'make all', or set $2)"
}

pools_start() {
	local m M n
	[ -n "$POOLS" ] || return 0
	for m in $POOLS; do
		if alive "$RUN/$m.pid" mediagate; then
			say "pool $m already running (pid $(pid_of "$RUN/$m.pid"))"
			continue
		fi
		rm -f "$RUN/$m.pid" "$RUN/$m.sock"
		M=${m^^}
		n=$(cfg "workers_$m" 4)
		say "starting pool $m ($n workers) on $RUN/$m.sock"
		(cd "$ROOT" && env "MG_WORKERS_$M=$n" "$WORKER_BIN" --module "$m" --daemon \
			</dev/null >>"$LOG/$m.log" 2>&1 9>&-) ||
			die "pool $m failed to start (see $LOG/$m.log)"
		[ -S "$RUN/$m.sock" ] || die "pool $m: no socket $RUN/$m.sock after start"
		wait_for_file "$RUN/$m.pid" || die "pool $m: no pid file $RUN/$m.pid"
	done
}

# --- Dispatcher (mediagate-dispatch) ------------------------------------------------
# Runs jobs end to end; started after the pools, stopped before them.
# MG_DISPATCH=0 leaves it out (e.g. benchmark floors).
DISPATCH_BIN=${MG_DISPATCH_BIN:-$ROOT/build/bin/mediagate-dispatch}
dispatch_start() {
	[ -n "$POOLS" ] && [ "${MG_DISPATCH:-1}" != 0 ] || return 0
	if alive "$RUN/dispatch.pid" mediagate-dispatch; then
		say "dispatcher already running (pid $(pid_of "$RUN/dispatch.pid"))"
		return 0
	fi
	need_bin "$DISPATCH_BIN" MG_DISPATCH_BIN
	rm -f "$RUN/dispatch.pid"
	say "starting dispatcher ($(cfg dispatch_slots 4) slots)"
	(cd "$ROOT" && "$DISPATCH_BIN" --daemon </dev/null >>"$LOG/dispatch.log" 2>&1 9>&-) ||
		die "dispatcher failed to start (see $LOG/dispatch.log)"
	wait_for_file "$RUN/dispatch.pid" || die "dispatcher: no pid file $RUN/dispatch.pid"
}
dispatch_stop() {
	stop_pid "$RUN/dispatch.pid" mediagate-dispatch TERM 30 dispatcher
}

# port_free PORT: true when nothing accepts connections on 127.0.0.1:PORT.
port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_for_file() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# --- nginx ------------------------------------------------------------------------------
# render SRC DST: copy a template, replacing every @NAME@ placeholder.
render() {
	local retry_std retry_gen rl_key user_line secret
	rl_key='$binary_remote_addr'
	[ "$RATE_LIMIT" = 0 ] && rl_key='""'
	retry_std=$(ceil_div 60 "$(cfg rate_limit_write 300)")
	retry_gen=$(ceil_div 60 "$(cfg rate_limit_generation 10)")
	user_line=''
	[ "$(id -u)" = 0 ] && user_line='user root;	# workers must reach the pools'"'"' sockets'
	secret=$(head -n 1 "$SECRETS/link_secret")
	sed -e "s|@USER_LINE@|$user_line|g" \
		-e "s|@RUN_DIR@|$RUN|g" -e "s|@VAR_DIR@|$VAR|g" -e "s|@NGINX_DIR@|$NGX|g" \
		-e "s|@HTTP_PORT@|$HTTP_PORT|g" -e "s|@HTTPS_PORT@|$HTTPS_PORT|g" \
		-e "s|@TENANT_PORT@|$TENANT_PORT|g" \
		-e "s|@RL_KEY@|$rl_key|g" \
		-e "s|@RL_READ@|$(cfg rate_limit_read 2000)|g" \
		-e "s|@RL_WRITE@|$(cfg rate_limit_write 300)|g" \
		-e "s|@RL_GEN@|$(cfg rate_limit_generation 10)|g" \
		-e "s|@RL_READ_BURST@|$(cfg rate_limit_read_burst 100)|g" \
		-e "s|@RL_WRITE_BURST@|$(cfg rate_limit_write_burst 30)|g" \
		-e "s|@RL_GEN_BURST@|$(cfg rate_limit_generation_burst 5)|g" \
		-e "s|@RETRY_STD@|$retry_std|g" -e "s|@RETRY_GEN@|$retry_gen|g" \
		-e "s|@BODY_MAX@|$(cfg body_max 1m)|g" \
		-e "s|@UPLOAD_BODY_MAX@|$(cfg upload_body_max 100m)|g" \
		-e "s|@LINK_SECRET@|$secret|g" \
		"$1" >"$2.tmp"
	if grep -q '@[A-Z_]*@' "$2.tmp"; then
		die "unrendered placeholder in $2: $(grep -o '@[A-Z_]*@' "$2.tmp" | head -n 1)"
	fi
	mv "$2.tmp" "$2"
}

ceil_div() { echo $((($1 + $2 - 1) / $2)); }

nginx_render() {
	local c
	mkdir -p "$NGX/logs" "$NGX/tmp" "$NGX/tls"
	umask 077
	render "$ROOT/nginx/mediagate.conf.in" "$NGX/nginx.conf"
	render "$ROOT/nginx/mg_files.conf.in" "$NGX/mg_files.conf"
	umask 022
	for c in std gen upload upload_gen; do
		render "$ROOT/nginx/mg_route_$c.conf.in" "$NGX/mg_route_$c.conf"
	done
	cp "$ROOT/nginx/mg_fastcgi.conf" "$ROOT/nginx/mg_errors_std.conf" \
		"$ROOT/nginx/mg_errors_tenant.conf" "$NGX/"
	if [ -n "${MG_NGINX_EXTRA:-}" ]; then
		cp "$MG_NGINX_EXTRA" "$NGX/extra.conf"
	else
		echo "# extra locations (MG_NGINX_EXTRA): none" >"$NGX/extra.conf"
	fi
	if [ -n "$POOLS" ]; then
		"$WORKER_BIN" --nginx-locations >"$NGX/locations.conf.tmp" ||
			die "'$WORKER_BIN --nginx-locations' failed"
		mv "$NGX/locations.conf.tmp" "$NGX/locations.conf"
	else
		echo "# no worker pools (MG_POOLS empty): no routes" >"$NGX/locations.conf"
	fi
	if [ ! -s "$NGX/tls/localhost.crt" ]; then
		say "creating self-signed certificate for localhost"
		openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost \
			-addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
			-keyout "$NGX/tls/localhost.key" -out "$NGX/tls/localhost.crt" \
			>"$LOG/openssl.log" 2>&1 || die "openssl failed (see $LOG/openssl.log)"
		chmod 600 "$NGX/tls/localhost.key"
	fi
}

nginx_start() {
	if alive "$RUN/nginx.pid" nginx; then
		say "nginx already running (pid $(pid_of "$RUN/nginx.pid"))"
		return 0
	fi
	rm -f "$RUN/nginx.pid"
	nginx_render
	nginx -q -t -p "$NGX" -c nginx.conf -e "$NGX/logs/error.log" ||
		die "nginx config test failed ($NGX/nginx.conf)"
	say "starting nginx on 127.0.0.1:$HTTP_PORT (https $HTTPS_PORT, tenant $TENANT_PORT)"
	nginx -p "$NGX" -c nginx.conf -e "$NGX/logs/error.log" 9>&- ||
		die "nginx failed to start (see $NGX/logs/error.log)"
	wait_for_file "$RUN/nginx.pid" || die "nginx wrote no pid file"
}

# --- OAuth signing keys ----------------------------------------------------------------
# The ES256 key ring ($VAR/keys, MG_OAUTH_KEYS_DIR): create the first key
# when there is none (rotate later with `mgctl signing-key rotate`).
oauth_key_ensure() {
	[ -n "$POOLS" ] || return 0
	mkdir -p "$VAR/keys"
	chmod 700 "$VAR/keys"
	if ! ls "$VAR/keys"/*.pem >/dev/null 2>&1; then
		say "creating the first OAuth signing key in $VAR/keys"
		(cd "$ROOT" && "$MGCTL_BIN" signing-key rotate) >>"$LOG/migrate.log" 2>&1 ||
			die "mgctl signing-key rotate failed (see $LOG/migrate.log)"
	fi
}

# --- Commands ---------------------------------------------------------------------------
print_info() {
	cat <<EOF
mediagate stack running under $VAR
  API (studio/prepaid/credits)  http://127.0.0.1:$HTTP_PORT   https://127.0.0.1:$HTTPS_PORT
  tenant dialect                http://127.0.0.1:$TENANT_PORT
  MariaDB                       $DB_SOCKET  (127.0.0.1:$DB_PORT, database $DB_NAME)
  logs                          $LOG  $NGX/logs
  environment                   . $VAR/env   (or: tools/stack.sh env)
EOF
}

cmd_start() {
	local m
	mkdir -p "$RUN" "$LOG" "$SECRETS" "$VAR/outputs" "$VAR/tmp"
	chmod 700 "$SECRETS"
	exec 9>"$RUN/stack.lock"
	flock 9
	if [ -n "$POOLS" ]; then
		need_bin "$WORKER_BIN" MG_WORKER_BIN
		need_bin "$MGCTL_BIN" MG_MGCTL_BIN
	fi
	for m in $POOLS; do
		case " $MODULES_ALL " in *" $m "*) ;; *) die "unknown pool '$m'" ;; esac
	done
	# Fail before starting anything when a port is taken by someone else.
	if ! alive "$RUN/mysqld.pid" mariadbd; then
		port_free "$DB_PORT" || die "port $DB_PORT is in use by another process (set MG_DB_PORT)"
	fi
	if ! alive "$RUN/nginx.pid" nginx; then
		for p in "$HTTP_PORT" "$HTTPS_PORT" "$TENANT_PORT"; do
			port_free "$p" ||
				die "port $p is in use by another process (set MG_HTTP_PORT/MG_HTTPS_PORT/MG_TENANT_PORT)"
		done
	fi
	rand_secret "$SECRETS/link_secret"
	db_start
	db_users
	env_lines >"$VAR/env.tmp" && mv "$VAR/env.tmp" "$VAR/env"
	# shellcheck disable=SC1091
	. "$VAR/env"
	if [ -n "$POOLS" ]; then
		say "migrating database"
		(cd "$ROOT" && "$MGCTL_BIN" migrate) >>"$LOG/migrate.log" 2>&1 ||
			{ tail -n 20 "$LOG/migrate.log" >&2; die "mgctl migrate failed (see $LOG/migrate.log)"; }
		# The shipped catalog becomes the first version when none is active
		# (never overrides a version an operator loaded).
		catalogs=$(cd "$ROOT" && "$MGCTL_BIN" catalog list 2>>"$LOG/migrate.log") ||
			die "mgctl catalog list failed (see $LOG/migrate.log)"
		if ! grep -q '^\* ' <<<"$catalogs"; then
			say "loading config/catalog/catalog-v1.json (no active catalog version)"
			(cd "$ROOT" && "$MGCTL_BIN" catalog load config/catalog/catalog-v1.json) >>"$LOG/migrate.log" 2>&1 ||
				{ tail -n 5 "$LOG/migrate.log" >&2; die "mgctl catalog load failed (see $LOG/migrate.log)"; }
		fi
	fi
	oauth_key_ensure
	pools_start
	dispatch_start
	nginx_start
	print_info
}

cmd_stop() {
	local m
	[ -d "$RUN" ] || { say "nothing to stop under $VAR"; return 0; }
	exec 9>"$RUN/stack.lock"
	flock 9
	stop_pid "$RUN/nginx.pid" nginx QUIT 15
	dispatch_stop
	for m in $MODULES_ALL; do
		stop_pid "$RUN/$m.pid" mediagate TERM 30 "pool $m"
		rm -f "$RUN/$m.sock"
	done
	# Anything else started under run/ (e.g. the benchmark's bare responders).
	for pf in "$RUN"/bench_*.pid; do
		[ -e "$pf" ] || continue
		stop_pid "$pf" bare_fcgi TERM 10 "$(basename "$pf" .pid)"
	done
	rm -f "$RUN"/bench_*.sock
	stop_pid "$RUN/mysqld.pid" mariadbd TERM 60
	rm -f "$DB_SOCKET" "$DB_SOCKET.lock"
	say "stack under $VAR stopped"
}

cmd_status() {
	local m ok=0
	show() {
		if alive "$1" "$2"; then
			printf '  %-16s running (pid %s)\n' "$3" "$(pid_of "$1")"
		else
			printf '  %-16s stopped\n' "$3"
			ok=3
		fi
	}
	echo "mediagate stack under $VAR"
	show "$RUN/mysqld.pid" mariadbd mariadbd
	for m in $POOLS; do
		show "$RUN/$m.pid" mediagate "pool $m"
	done
	[ -n "$POOLS" ] && show "$RUN/dispatch.pid" mediagate-dispatch dispatcher
	show "$RUN/nginx.pid" nginx nginx
	return $ok
}

# Demo tenant/workspace/key with a $5 grant, created once per database
# (remembered in $VAR/demo.env together with the datadir's instance id).
cmd_demo() {
	local inst tid wid kjson kid key
	[ -f "$VAR/env" ] || die "stack not started (no $VAR/env)"
	# shellcheck disable=SC1091
	. "$VAR/env"
	need_bin "$MGCTL_BIN" MG_MGCTL_BIN
	inst=$(cat "$VAR/mysql/.mg_instance" 2>/dev/null || echo none)
	if [ -f "$VAR/demo.env" ]; then
		# shellcheck disable=SC1091
		. "$VAR/demo.env"
	fi
	if [ "${MG_DEMO_INSTANCE:-}" != "$inst" ] || [ -z "${MG_DEMO_KEY:-}" ]; then
		say "creating demo tenant, workspace, key and \$5.00 grant"
		cd "$ROOT"
		tid=$("$MGCTL_BIN" --json tenant create demo | jq -er .id) ||
			die "mgctl tenant create failed"
		wid=$("$MGCTL_BIN" --json workspace create "$tid" demo | jq -er .id) ||
			die "mgctl workspace create failed"
		kjson=$("$MGCTL_BIN" --json key create "$wid" --scopes generate,read,admin \
			--label demo) || die "mgctl key create failed"
		kid=$(jq -er .id <<<"$kjson") && key=$(jq -er .key <<<"$kjson") ||
			die "mgctl key create: unexpected output"
		"$MGCTL_BIN" --json wallet grant "$wid" 5.00 --reason trial >/dev/null ||
			die "mgctl wallet grant failed"
		(umask 077 && cat >"$VAR/demo.env" <<EOF
MG_DEMO_INSTANCE='$inst'
MG_DEMO_TENANT_ID='$tid'
MG_DEMO_WORKSPACE_ID='$wid'
MG_DEMO_KEY_ID='$kid'
MG_DEMO_KEY='$key'
EOF
		)
		# shellcheck disable=SC1091
		. "$VAR/demo.env"
	fi
	cat <<EOF

  base URL   $MG_BASE_URL
  demo key   $MG_DEMO_KEY   (workspace $MG_DEMO_WORKSPACE_ID)
  try        curl -s -H 'Authorization: Bearer $MG_DEMO_KEY' $MG_BASE_URL/v1/wallet
  stop       make stop
EOF
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
restart) cmd_stop && cmd_start ;;
status) cmd_status ;;
env) env_lines ;;
demo) cmd_demo ;;
*) echo "usage: $0 start|stop|restart|status|env|demo" >&2; exit 2 ;;
esac
