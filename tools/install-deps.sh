#!/usr/bin/env bash
# tools/install-deps.sh: install everything mediagate needs on Debian 12.
#
# - installs /usr/sbin/policy-rc.d (exit 101) so that installing nginx or
#   mariadb-server never starts Debian's system services (the stack runs its
#   own MariaDB and nginx under var/, see tools/stack.sh);
# - apt-get update + apt-get install of the package list below, skipped when
#   every package is already installed (so `make run` twice is fast);
# - stops Debian's own mariadb/nginx if they run anyway (system pid files
#   only: stacks started by tools/stack.sh are never touched);
# - npm ci in tests/ when tests/package-lock.json exists (skipped when
#   tests/node_modules is newer than the lock file; MG_DEPS_FORCE=1 forces).
# Run as root (or via sudo) when something is missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

PKGS=(build-essential pkg-config libfcgi-dev libmariadb-dev mariadb-server
	mariadb-client nginx-light libjson-c-dev libjwt-dev libcurl4-openssl-dev
	libpcre2-dev libcunit1-dev libsodium-dev libssl-dev openssl wrk curl
	libgd-dev espeak-ng ffmpeg jq nodejs npm chromium ca-certificates procps)

say() { echo "install-deps: $*"; }
die() { echo "install-deps: $*" >&2; exit 1; }

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q ' installed$'
}

# A nodejs that bundles npm (e.g. NodeSource's, which Conflicts: npm) already
# satisfies "nodejs npm"; asking apt for Debian's npm would replace it.
node_ok() { command -v node >/dev/null && command -v npm >/dev/null; }

want=()
missing=()
for p in "${PKGS[@]}"; do
	case $p in
	nodejs | npm) node_ok && continue ;;
	esac
	want+=("$p")
	installed "$p" || missing+=("$p")
done

stop_system_services() {
	local pf name pid
	for pf in /run/mysqld/mysqld.pid:mariadbd /run/nginx.pid:nginx; do
		name=${pf#*:}
		pf=${pf%:*}
		[ -s "$pf" ] || continue
		pid=$(tr -dc 0-9 <"$pf")
		[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || continue
		tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$name" || continue
		say "stopping Debian's system $name (pid $pid)"
		kill "$pid" || true
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	done
}

if [ ${#missing[@]} -eq 0 ]; then
	say "all ${#want[@]} packages already installed"
else
	SUDO=
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null ||
			die "missing packages (${missing[*]}); run as root"
		SUDO="sudo -E"
	fi
	if [ ! -f /usr/sbin/policy-rc.d ] || ! grep -qx 'exit 101' /usr/sbin/policy-rc.d; then
		say "installing /usr/sbin/policy-rc.d (no service starts during apt)"
		printf '#!/bin/sh\n# installed by mediagate tools/install-deps.sh\nexit 101\n' |
			$SUDO tee /usr/sbin/policy-rc.d >/dev/null
		$SUDO chmod 755 /usr/sbin/policy-rc.d
	fi
	say "missing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update
	$SUDO apt-get install -y --no-install-recommends "${want[@]}"
fi
if [ "$(id -u)" = 0 ]; then
	stop_system_services
fi

if [ -f "$ROOT/tests/package-lock.json" ]; then
	if [ "${MG_DEPS_FORCE:-0}" != 1 ] &&
		[ "$ROOT/tests/node_modules/.package-lock.json" -nt "$ROOT/tests/package-lock.json" ]; then
		say "tests/node_modules up to date"
	else
		say "npm ci in tests/"
		# Browsers come from Debian (chromium), never from a download.
		(cd "$ROOT/tests" && PUPPETEER_SKIP_DOWNLOAD=1 \
			PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 \
			PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
	fi
fi
