#!/bin/sh
# coyeud under failure, while officers append (bench/load: signed POST
# /v1/log/entries from several clients, every acknowledged index and entry
# hash written down):
#   1. kill -9 of coyeud during the load, on SQLite and on PostgreSQL:
#      after a restart every acknowledged entry is at its index (GET
#      /tile/entries; 100 receipts from GET /v1/log/proof verified against
#      the registry's key), `coyeu log audit` passes (on either store), and every
#      checkpoint served before the kill is consistent with the new one
#      (GET /v1/log/consistency, `coyeu log verify-consistency`);
#   2. PostgreSQL stopped (pg_ctl stop -m fast) and started under load:
#      503 while it is down, nothing acknowledged lost, service resumes;
#   3. disk full (SQLite on a small tmpfs, filled): 503 with a reason that
#      says so, nothing acknowledged lost, appends resume once space
#      returns.
# PostgreSQL parts run under tests/with-pg.sh (skipped without PostgreSQL,
# failing when CI=true); the tmpfs part needs root (skipped otherwise,
# failing when CI=true).
#
#   sh tests/server/reliability.sh [BUILD_DIR]     (COYEU, COYEUD, LOAD override)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# The PostgreSQL parts need a cluster: run the whole test inside one.
if [ -z "${COYEU_PG_DSN:-}" ] && [ -z "${RELIABILITY_PG_TRIED:-}" ] &&
    [ -f "$top/tests/with-pg.sh" ]; then
	RELIABILITY_PG_TRIED=1 exec sh "$top/tests/with-pg.sh" sh "$0" "$@"
fi

BUILD=${1:-${BUILD:-build}}
COYEU=${COYEU:-$BUILD/coyeu}
COYEUD=${COYEUD:-$(dirname "$COYEU")/coyeud}
LOAD=${LOAD:-$(dirname "$COYEUD")/load}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
CLIENTS=6

fail() { echo "reliability: FAIL $*" >&2; exit 1; }
START=$(date +%s)
note() { echo "reliability: [$(($(date +%s) - START)) s] $*"; }
skip_or_fail() {
	if [ "${CI:-}" = true ]; then fail "$* (required when CI=true)"; fi
	note "SKIP $*"
}

for b in "$COYEU" "$COYEUD" "$LOAD"; do
	[ -x "$b" ] || fail "no $b (make all $BUILD/load)"
done
for c in curl jq python3; do
	command -v "$c" >/dev/null || fail "$c is missing (make deps)"
done
T=$(mktemp -d "${TMPDIR:-/tmp}/coyeu-reliability.XXXXXX")
PID=
SAMPLER=
MOUNTED=
cleanup() {
	[ -z "$SAMPLER" ] || kill "$SAMPLER" 2>/dev/null || :
	[ -z "$PID" ] || kill -9 "$PID" 2>/dev/null || :
	[ -z "$MOUNTED" ] || umount "$MOUNTED" 2>/dev/null || :
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
. "$top/bench/officers.sh"
make_pki "$COYEU" "$T/pki" "$CLIENTS"

# --- the server ---

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# configure NAME DB: a config in $T/NAME, coyeud init; sets CONF, URL.
configure() {
	mkdir -p "$T/$1"
	port=$(free_port)
	URL=http://127.0.0.1:$port
	CONF=$T/$1/coyeud.conf
	cat >"$CONF" <<EOF
listen = 127.0.0.1:$port
db = $2
key = $T/pki/registry.key
chain = $T/pki/registry.chain
trust = $T/pki/root.cert
log_level = warn
EOF
	"$COYEUD" init --config "$CONF" >"$T/$1/init.log" 2>&1 ||
		fail "coyeud init ($2): $(cat "$T/$1/init.log")"
	LOG=$T/$1/coyeud.log
}

start() {
	"$COYEUD" --config "$CONF" 2>>"$LOG" &
	PID=$!
	i=0
	until curl -fs "$URL/healthz" >/dev/null 2>&1; do
		i=$((i + 1))
		kill -0 "$PID" 2>/dev/null ||
			fail "coyeud exited: $(tail -n 5 "$LOG")"
		[ "$i" -lt 100 ] || fail "coyeud did not answer /healthz"
		sleep 0.05
	done
}

stop() {
	kill "$PID" 2>/dev/null || :
	wait "$PID" 2>/dev/null || :
	PID=
}

crash() {
	kill -9 "$PID"
	wait "$PID" 2>/dev/null || :
	PID=
}

# load NAME RUN SECONDS [ARG…]: the load tool; the entries it saw
# acknowledged in $T/NAME/RUN.acks, its report in $T/NAME/RUN.out.
load() {
	name=$1 run=$2 s=$3
	shift 3
	"$LOAD" --url "$URL" --keys "$T/pki/keys" --clients "$CLIENTS" \
	    --threads 2 --seconds "$s" --acks "$T/$name/$run.acks" "$@" \
	    >"$T/$name/$run.out"
}
# field NAME RUN KEY: a value of a load's report (0 when absent).
field() {
	awk -v k="$3" '$1 == k { v = $2 } END { print v + 0 }' "$T/$1/$2.out"
}
reason() { sed -n 's/^reason_503 //p' "$T/$1/$2.out"; }

# Every checkpoint the server serves, kept by size, until stopped.
sample_checkpoints() {
	mkdir -p "$T/$1/cps"
	(
		while :; do
			if curl -fs "$URL/checkpoint" -o "$T/$1/cp.tmp" 2>/dev/null; then
				n=$(sed -n 2p "$T/$1/cp.tmp")
				mv "$T/$1/cp.tmp" "$T/$1/cps/$n"
			fi
			sleep 0.1
		done
	) &
	SAMPLER=$!
}
stop_sampling() {
	kill "$SAMPLER" 2>/dev/null || :
	wait "$SAMPLER" 2>/dev/null || :
	SAMPLER=
}

# Every acknowledged entry at its index.
check_acks() {
	cat "$T/$1"/*.acks >"$T/$1/acks"
	[ -s "$T/$1/acks" ] || fail "$1: no entry was acknowledged"
	"$LOAD" --url "$URL" --check "$T/$1/acks" >"$T/$1/check" 2>&1 ||
		fail "$1: acknowledged entries lost: $(cat "$T/$1/check")"
	note "$1: $(cat "$T/$1/check")"
}

# Every sampled checkpoint consistent with the current one, each checked
# with `coyeu log verify-consistency` against the registry's key.
check_consistency() {
	vkey=$(curl -fs "$URL/v1/registry" | jq -er .verifier_key) ||
		fail "$1: GET /v1/registry gives no verifier_key"
	n=0
	for cp in "$T/$1"/cps/*; do
		old=$(basename "$cp")
		[ "$old" -gt 0 ] || continue
		curl -fs "$URL/v1/log/consistency?old=$old" -o "$T/$1/cons.json" ||
			fail "$1: GET /v1/log/consistency?old=$old failed"
		jq -r '.proof[]' "$T/$1/cons.json" >"$T/$1/proof"
		jq -r .checkpoint "$T/$1/cons.json" | sed '$d' >"$T/$1/new.cp"
		# jq adds a newline after the note's own final one
		"$COYEU" log verify-consistency --verifier-key "$vkey" "$cp" \
		    "$T/$1/new.cp" "$T/$1/proof" >"$T/$1/verify.out" 2>&1 ||
			fail "$1: checkpoint $old is not consistent with the new one: $(cat "$T/$1/verify.out")"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || fail "$1: no checkpoint was sampled before the kill"
	note "$1: $n checkpoints from before the kill are consistent with size $(jq .new "$T/$1/cons.json")"
}

# --- 1. kill -9 during appends ---
kill9() {
	name=$1
	configure "$name" "$2"
	start
	load "$name" setup 0 --register
	sample_checkpoints "$name"
	# The load runs 3 s; coyeud dies under it after 1 s and is back
	# shortly after, so the load's clients also resume on the new
	# process.
	load "$name" crash 3 &
	lpid=$!
	sleep 1
	stop_sampling
	crash
	start
	wait "$lpid" || fail "$name: the load tool failed"
	[ "$(field "$name" crash status_conn)" -gt 0 ] ||
		note "$name: (no request was cut by the kill)"
	[ "$(field "$name" crash status_200)" -gt 0 ] ||
		fail "$name: no append succeeded: $(cat "$T/$name/crash.out")"
	check_acks "$name"
	check_consistency "$name"
	stop
}

kill9 sqlite-kill "sqlite:$T/sqlite-kill.db"
"$COYEU" log audit "$T/sqlite-kill.db" >"$T/sqlite-kill/audit" 2>&1 ||
	fail "sqlite-kill: coyeu log audit: $(cat "$T/sqlite-kill/audit")"
note "sqlite-kill: coyeu log audit passed"

# --- PostgreSQL ---

# A database of its own for a part, as a libpq URL.
pg_database() {
	psql "$COYEU_PG_DSN" -q -c "CREATE DATABASE \"$1\"" >/dev/null ||
		fail "cannot create database $1"
	pg_url "$COYEU_PG_DSN" "$1"
}
pg_ctl_() {
	host=$(echo "$COYEU_PG_DSN" | sed -n 's/.*host=\([^ ]*\).*/\1/p')
	if [ "$(id -u)" = 0 ]; then
		(cd "$host" && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$host/data" "$@")
	else
		(cd "$host" && "$PGBIN/pg_ctl" -D "$host/data" "$@")
	fi
}

if [ -z "${COYEU_PG_DSN:-}" ]; then
	skip_or_fail "the PostgreSQL parts: no cluster (tests/with-pg.sh)"
else
	pgkill=$(pg_database reliability_kill)
	kill9 pg-kill "$pgkill"
	"$COYEU" log audit "$pgkill" >"$T/pg-kill/audit" 2>&1 ||
		fail "pg-kill: coyeu log audit: $(cat "$T/pg-kill/audit")"
	note "pg-kill: coyeu log audit passed (on PostgreSQL: $(head -n 1 "$T/pg-kill/audit"))"

	# --- 2. PostgreSQL stopped and started under load ---
	name=pg-stop
	configure "$name" "$(pg_database reliability_stop)"
	start
	load "$name" setup 0 --register
	load "$name" down 8 &
	lpid=$!
	sleep 0.7
	pg_ctl_ -m fast -w stop >/dev/null || fail "pg_ctl stop"
	# Down longer than the writer retries a commit (5 s): the requests
	# waiting on it, and every new one, must get 503, not hang.
	sleep 3
	hz=$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")
	[ "$hz" = 503 ] || fail "$name: /healthz answered $hz with PostgreSQL down"
	note "$name: /healthz says 503 while PostgreSQL is down"
	sleep 3
	host=$(echo "$COYEU_PG_DSN" | sed -n 's/.*host=\([^ ]*\).*/\1/p')
	pg_ctl_ -l "$host/server.log" -w -o "-k $host -c listen_addresses='' \
	    -c fsync=on -c synchronous_commit=on -c max_connections=50" \
	    start >/dev/null || fail "pg_ctl start"
	wait "$lpid" || fail "$name: the load tool failed"
	[ "$(field "$name" down status_503)" -gt 0 ] ||
		fail "$name: no 503 while PostgreSQL was down: $(cat "$T/$name/down.out")"
	reason "$name" down | grep -q '"error": *"unavailable"' ||
		fail "$name: the 503 is not an 'unavailable' refusal: $(reason "$name" down)"
	note "$name: while PostgreSQL was down: $(field "$name" down status_503) x 503, $(reason "$name" down)"
	kill -0 "$PID" 2>/dev/null || fail "$name: coyeud exited when PostgreSQL stopped"
	# Service resumes by itself: a load after the restart meets no error.
	load "$name" after 1
	[ "$(field "$name" after status_200)" -gt 0 ] &&
	    [ "$(field "$name" after status_503)" -eq 0 ] &&
	    [ "$(field "$name" after status_conn)" -eq 0 ] ||
		fail "$name: appends did not resume: $(cat "$T/$name/after.out")"
	check_acks "$name"
	stop
fi

# --- 3. disk full: SQLite on a small tmpfs ---
name=disk-full
mkdir -p "$T/$name/fs"
if [ "$(id -u)" != 0 ]; then
	skip_or_fail "disk full: mounting a tmpfs needs root"
elif ! mount -t tmpfs -o size=64m tmpfs "$T/$name/fs" 2>"$T/$name/mount.err"; then
	skip_or_fail "disk full: cannot mount a tmpfs: $(cat "$T/$name/mount.err")"
else
	MOUNTED=$T/$name/fs
	configure "$name" "sqlite:$T/$name/fs/registry.db"
	start
	load "$name" setup 0 --register
	load "$name" before 1
	[ "$(field "$name" before status_200)" -gt 0 ] ||
		fail "$name: no append before the disk filled: $(cat "$T/$name/before.out")"
	# Fill what is left; the WAL must grow for the next commits.
	dd if=/dev/zero of="$T/$name/fs/filler" bs=64k 2>/dev/null || :
	load "$name" full 1
	[ "$(field "$name" full status_503)" -gt 0 ] ||
		fail "$name: no 503 on a full disk: $(cat "$T/$name/full.out")"
	reason "$name" full | grep -qi 'full\|space' ||
		fail "$name: the 503's reason does not say the disk is full: $(reason "$name" full)"
	note "$name: $(field "$name" full status_503) x 503, $(reason "$name" full)"
	kill -0 "$PID" 2>/dev/null || fail "$name: coyeud exited on a full disk"
	rm -f "$T/$name/fs/filler"
	load "$name" after 1
	[ "$(field "$name" after status_200)" -gt 0 ] &&
	    [ "$(field "$name" after status_503)" -eq 0 ] ||
		fail "$name: appends did not resume with space back: $(cat "$T/$name/after.out")"
	check_acks "$name"
	stop
	"$COYEU" log audit "$T/$name/fs/registry.db" >"$T/$name/audit" 2>&1 ||
		fail "$name: coyeu log audit: $(cat "$T/$name/audit")"
	note "$name: coyeu log audit passed"
fi
note "ok"
