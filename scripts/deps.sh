#!/bin/sh
# Installs, with apt-get, the Debian packages that pkg-config or command -v
# cannot find, then the test-only npm packages (tests/interop/package.json,
# at the versions its lock file pins) into BUILD/node.  Does nothing when
# everything is present.
#
#   sh scripts/deps.sh [BUILD]
set -eu
BUILD=${1:-build}
missing=""
need_pc() { pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need_file() { [ -e "$1" ] || missing="$missing $2"; }
# Debian's own python3 (tests fall back to it when another comes first).
need_py() { /usr/bin/python3 -c "import $1" 2>/dev/null || missing="$missing $2"; }

need_cmd pkg-config pkg-config
need_cmd cc gcc
need_cmd make make
need_pc libsodium libsodium-dev
need_pc libcrypto libssl-dev
need_pc sqlite3 libsqlite3-dev
need_pc libpq libpq-dev
need_pc libmicrohttpd libmicrohttpd-dev
need_pc jansson libjansson-dev
need_pc libcurl libcurl4-openssl-dev
need_cmd curl curl
need_cmd wrk wrk
# A throwaway PostgreSQL cluster for the tests (initdb, pg_ctl).
need_file /usr/lib/postgresql/15/bin/pg_ctl postgresql
need_pc icu-uc libicu-dev
need_pc icu-i18n libicu-dev
need_pc cmocka libcmocka-dev
need_pc zlib zlib1g-dev
need_cmd clang clang
need_file /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev
need_cmd age age
need_cmd gpg gnupg
need_cmd openssl openssl
need_cmd sqlite3 sqlite3
need_cmd python3 python3
need_file /usr/bin/time time
need_py cryptography python3-cryptography
# typage (npm age-encryption), the age authors' TypeScript age: the tests
# open coyeu's files with it (tests/cli/typage.sh).
need_cmd node nodejs
need_cmd npm npm

install_debian() {
	[ -n "$missing" ] || return 0
	echo "deps: installing$missing"
	if [ "$(id -u)" != 0 ]; then
		echo "deps: run as root (or install:$missing)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# npm ci of tests/interop into BUILD/node, again only when the lock file
# changed.  A failure fails CI (the typage test would fail there anyway);
# elsewhere it warns, and the typage test says it is skipped.
install_npm() {
	src=tests/interop dir=$BUILD/node
	if cmp -s "$src/package-lock.json" "$dir/installed.lock" &&
	    [ -f "$dir/node_modules/age-encryption/package.json" ]; then
		return 0
	fi
	echo "deps: npm ci of $src into $dir (test-only: age-encryption)"
	mkdir -p "$dir"
	rm -f "$dir/installed.lock"
	cp "$src/package.json" "$src/package-lock.json" "$dir/"
	if npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error; then
		cp "$src/package-lock.json" "$dir/installed.lock"
		return 0
	fi
	if [ "${CI:-}" = true ]; then
		echo "deps: npm ci failed: the typage tests need it" >&2
		exit 1
	fi
	echo "deps: WARNING: npm ci failed; tests/cli/typage.sh will be SKIPPED" >&2
}

install_debian
install_npm
