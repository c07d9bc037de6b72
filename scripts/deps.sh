#!/bin/sh
# Installs, with apt-get, the Debian packages that pkg-config or command -v
# cannot find.  Does nothing when everything is present.
set -eu
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

if [ -z "$missing" ]; then
	exit 0
fi
echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: run as root (or install:$missing)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
