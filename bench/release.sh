#!/bin/sh
# make bench, the releases part: POST /v1/releases per second over HTTP
# (bench/load --release: N officers, keep-alive, each request a signed
# release entry for the officer's own copy, a fresh request-sha256 each
# time), latency p50/p99/p99.9, on one store.  One document is sent to
# the N officers with coyeu send first, so each holds one copy and
# releases it again and again.  Prints "key value" lines on stdout for
# bench/run.sh.
#
#   sh bench/release.sh BUILD_DIR SCRATCH_PARENT STORE
#
# STORE is "sqlite" or a PostgreSQL DSN, as for bench/coyeud.sh.  Knobs:
# BENCH_CLIENTS (64), BENCH_SECONDS (10), BENCH_PREGEN (requests signed
# before the clock starts; default 400 a client), BENCH_THREADS (2),
# BENCH_HTTP_THREADS (coyeud's epoll pool, 2: a release parks its
# connection while the writer commits, so two threads serve all 64;
# a read handle each, within the test cluster's 50 PostgreSQL
# connections), BENCH_CONF (extra coyeud
# config lines, ';'-separated), BENCH_PERF (1:
# perf record -g the server, report kept as $BENCH_PERF_OUT).
set -eu

BUILD=${1:-build}
PARENT=${2:-$BUILD}
STORE=${3:-sqlite}
CLIENTS=${BENCH_CLIENTS:-64}
SECONDS_=${BENCH_SECONDS:-10}
THREADS=${BENCH_THREADS:-2}
PREGEN=${BENCH_PREGEN:-$((CLIENTS * 400))}

die() { echo "bench: $*" >&2; exit 1; }

for b in coyeu coyeud load; do
	[ -x "$BUILD/$b" ] || die "no $BUILD/$b (run make BUILD=$BUILD all $BUILD/load)"
done
BUILD=$(cd "$BUILD" && pwd)
W=$(mktemp -d "$PARENT/bench-release.XXXXXX")
PID=
cleanup() {
	[ -z "$PID" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || :; }
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
. "$(dirname "$0")/officers.sh"
C=$BUILD/coyeu
COYEU_HOME=$W/keyring
export COYEU_HOME

# Officers 0 … N-1 receive; officer N sends.
echo "bench: releases on ${STORE%% *}: $CLIENTS officers' keys and certificates" >&2
make_pki "$C" "$W" $((CLIENTS + 1))
S=$W/keys/$CLIENTS

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
case $STORE in
sqlite) DB=sqlite:$W/registry.db ;;
postgres*) DB=$STORE ;;
*) DB=$(pg_url "$STORE") ;;
esac
cat >"$W/coyeud.conf" <<EOF
listen = 127.0.0.1:$PORT
db = $DB
key = $W/registry.key
chain = $W/registry.chain
trust = $W/root.cert
log_level = warn
connections_max = 1024
per_ip_max = 1024
threads = ${BENCH_HTTP_THREADS:-2}
EOF
echo "${BENCH_CONF:-}" | tr ';' '\n' >>"$W/coyeud.conf"
"$BUILD/coyeud" init --config "$W/coyeud.conf" >"$W/init.log" 2>&1 ||
	die "coyeud init failed: $(cat "$W/init.log")"
"$BUILD/coyeud" --config "$W/coyeud.conf" 2>"$W/coyeud.log" &
PID=$!
i=0
until curl -fs "$URL/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || die "coyeud did not answer /healthz: $(tail -n 5 "$W/coyeud.log")"
	kill -0 "$PID" 2>/dev/null || die "coyeud exited: $(tail -n 5 "$W/coyeud.log")"
	sleep 0.1
done

# Everyone registers; the sender sends one document to the N officers.
"$BUILD/load" --url "$URL" --keys "$W/keys" --clients $((CLIENTS + 1)) \
    --register --seconds 0 >/dev/null || die "registering the officers failed"
"$C" keyring init --trust "$W/root.cert" >/dev/null 2>&1 || die "keyring init"
"$C" keyring registry "$URL" >/dev/null 2>&1 || die "keyring registry"
head -c 4096 /dev/urandom >"$W/plain"
set --
i=0
while [ "$i" -lt "$CLIENTS" ]; do
	set -- "$@" --to "$W/keys/$i.chain"
	i=$((i + 1))
done
"$C" send -k "$S.key" -c "$S.chain" --level mat --doc 1/BENCH "$@" \
    "$W/plain" >"$W/send.out" 2>&1 || die "coyeu send: $(cat "$W/send.out")"
DOC=$(sed -n 's/^document \([0-9a-f]*\)$/\1/p' "$W/send.out")
# Each officer's copy, from its inbox: the lines of bench/load --release.
i=0
while [ "$i" -lt "$CLIENTS" ]; do
	"$C" inbox --json -k "$W/keys/$i.key" -c "$W/keys/$i.chain" \
	    >"$W/inbox" 2>&1 || die "coyeu inbox: $(cat "$W/inbox")"
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(sys.argv[2], [x["copy_id"] for x in d["documents"] if x["doc_id"] == sys.argv[2]][0])' \
	    "$W/inbox" "$DOC" >>"$W/copies" || die "no copy for officer $i"
	i=$((i + 1))
done
# One real open first: the whole client path works on this registry.
"$C" open -k "$W/keys/0.key" -c "$W/keys/0.chain" -o "$W/opened" "$DOC" \
    >/dev/null 2>&1 && cmp -s "$W/opened" "$W/plain" ||
	die "coyeu open of the benchmark's document failed"

"$BUILD/load" --url "$URL" --keys "$W/keys" --clients "$CLIENTS" \
    --release "$W/copies" --seconds 1 --threads "$THREADS" >/dev/null ||
	die "the warm-up failed"
echo "bench: releases on ${STORE%% *}: $CLIENTS clients for $SECONDS_ s" >&2
if [ "${BENCH_PERF:-0}" = 1 ] && command -v perf >/dev/null; then
	perf record -g -o "$W/perf.data" -p "$PID" -- sleep "$SECONDS_" \
	    >/dev/null 2>&1 &
	PERF=$!
fi
t0=$(awk '{ sub(/.*\) /, ""); split($0, f, " "); printf "%d", f[12] + f[13] }' "/proc/$PID/stat")
"$BUILD/load" --url "$URL" --keys "$W/keys" --clients "$CLIENTS" \
    --release "$W/copies" --seconds "$SECONDS_" --pregen "$PREGEN" \
    --threads "$THREADS" >"$W/load.out" || die "the load failed"
t1=$(awk '{ sub(/.*\) /, ""); split($0, f, " "); printf "%d", f[12] + f[13] }' "/proc/$PID/stat")
awk -v t="$t0 $t1" -v hz="$(getconf CLK_TCK)" '
	/^appends / { n = $2 }
	END { split(t, T, " "); s = (T[2] - T[1]) / hz
		printf "server_cpu_us_per_release %.0f\n", (n > 0 ? 1e6 * s / n : 0) }' \
    "$W/load.out"
curl -fs "$URL/metrics" | awk '
	/^coyeud_batch_entries_count / { n = $2 } /^coyeud_batch_entries_sum / { s = $2 }
	END { if (n > 0) printf "server_batches %d\nserver_batch_mean %.1f\n", n, s / n }' || :
if [ -n "${PERF:-}" ]; then
	wait "$PERF" || :
	perf report -i "$W/perf.data" --no-children -g none --sort dso,sym \
	    --percent-limit 0.5 --stdio \
	    >"${BENCH_PERF_OUT:-$PARENT/perf-release.txt}" 2>/dev/null || :
	echo "bench: perf report in ${BENCH_PERF_OUT:-$PARENT/perf-release.txt}" >&2
fi
sed 's/^/load_/' "$W/load.out"
