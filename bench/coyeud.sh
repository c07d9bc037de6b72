#!/bin/sh
# make bench, the coyeud part: durable signed appends per second over HTTP
# (bench/load: N officers, keep-alive, each request a signed POST
# /v1/log/entries of fresh entries), latency p50/p99/p99.9, on one store;
# and the HTTP ceiling (wrk on /healthz) in the same run.  Prints "key
# value" lines on stdout for bench/run.sh.
#
#   sh bench/coyeud.sh BUILD_DIR SCRATCH_PARENT STORE
#
# STORE is "sqlite" (a file in the scratch folder), or a PostgreSQL DSN
# (postgres:// or, as tests/with-pg.sh's "$COYEU_PG_DSN", keywords).  Knobs: BENCH_CLIENTS (64),
# BENCH_SECONDS (10), BENCH_EPR (entries per request, 1), BENCH_PREGEN
# (requests signed before the clock starts, 0), BENCH_THREADS (2),
# BENCH_CONF (extra coyeud config lines, ';'-separated),
# BENCH_PERF (1: perf record -g the server during the load, report in
# the scratch folder kept as $BENCH_PERF_OUT, sorted by $BENCH_PERF_SORT,
# dso,sym), BENCH_LOG_OUT (a file to keep coyeud's log in: with
# BENCH_CONF='log_level = debug' it has every batch's size and time).
set -eu

BUILD=${1:-build}
PARENT=${2:-$BUILD}
STORE=${3:-sqlite}
CLIENTS=${BENCH_CLIENTS:-64}
SECONDS_=${BENCH_SECONDS:-10}
EPR=${BENCH_EPR:-1}
PREGEN=${BENCH_PREGEN:-0}
THREADS=${BENCH_THREADS:-2}

die() { echo "bench: $*" >&2; exit 1; }

for b in coyeu coyeud load; do
	[ -x "$BUILD/$b" ] || die "no $BUILD/$b (run make BUILD=$BUILD all $BUILD/load)"
done
command -v wrk >/dev/null || die "wrk is missing (make deps)"
BUILD=$(cd "$BUILD" && pwd)
W=$(mktemp -d "$PARENT/bench-coyeud.XXXXXX")
PID=
cleanup() {
	[ -z "$PID" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || :; }
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
. "$(dirname "$0")/officers.sh"

# Busy CPU seconds of the machine (/proc/stat), and of the server.
busy_seconds() {
	awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" {
		printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz; exit }' /proc/stat
}
# CPU seconds of coyeud and, on PostgreSQL, of the cluster's processes
# (the postmaster and its children): the store's work is the server's.
server_seconds() {
	pids=$PID
	if [ -n "${PGPID:-}" ]; then
		pids="$pids $PGPID $(awk -v p="$PGPID" '{ s = $0; sub(/.*\) /, "", s);
		    split(s, f, " "); if (f[2] == p) print FILENAME }' \
		    /proc/[0-9]*/stat 2>/dev/null | cut -d/ -f3)"
	fi
	for p in $pids; do cat "/proc/$p/stat" 2>/dev/null; done |
	    awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); t += $12 + $13 }
	    END { printf "%.2f", t / hz }'
}

echo "bench: coyeud on ${STORE%% *}: $CLIENTS officers' keys and certificates" >&2
make_pki "$BUILD/coyeu" "$W" "$CLIENTS"

# A free port: the kernel's choice for a socket we close at once.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
case $STORE in
sqlite) DB=sqlite:$W/registry.db ;;
postgres*) DB=$STORE ;;
*) DB=$(pg_url "$STORE") ;;  # a libpq keyword dsn (tests/with-pg.sh)
esac
# The cluster's postmaster, when it is a local one (tests/with-pg.sh).
PGPID=
case $DB in
postgres*host=/*)
	h=$(echo "$DB" | sed -n 's/.*host=\([^&]*\).*/\1/p')
	[ -f "$h/data/postmaster.pid" ] && PGPID=$(head -n 1 "$h/data/postmaster.pid")
	;;
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
EOF
# BENCH_CONF: extra config lines, ';'-separated (e.g. "threads = 256").
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

# The officers register their chains (signed POST /v1/certs), then a short
# warm-up run, then the measured one.
"$BUILD/load" --url "$URL" --keys "$W/keys" --clients "$CLIENTS" --register \
    --seconds 1 --threads "$THREADS" >/dev/null || die "the warm-up load failed"
echo "bench: coyeud on ${STORE%% *}: $CLIENTS clients for $SECONDS_ s" >&2
if [ "${BENCH_PERF:-0}" = 1 ] && command -v perf >/dev/null; then
	perf record -g -o "$W/perf.data" -p "$PID" -- sleep "$SECONDS_" \
	    >/dev/null 2>&1 &
	PERF=$!
fi
b0=$(busy_seconds); s0=$(server_seconds)
"$BUILD/load" --url "$URL" --keys "$W/keys" --clients "$CLIENTS" \
    --seconds "$SECONDS_" --entries-per-request "$EPR" --pregen "$PREGEN" \
    --threads "$THREADS" >"$W/load.out" || die "the load failed"
b1=$(busy_seconds); s1=$(server_seconds)
[ -z "${BENCH_LOG_OUT:-}" ] || cp "$W/coyeud.log" "$BENCH_LOG_OUT"
# The writer's batches: how many, and entries in each on average.
curl -fs "$URL/metrics" | awk '
	/^coyeud_batch_entries_count / { n = $2 } /^coyeud_batch_entries_sum / { s = $2 }
	END { if (n > 0) printf "server_batches %d\nserver_batch_mean %.1f\n", n, s / n }' || :
# What the machine did besides coyeud and the load tool during the run.
awk -v b="$b0 $b1" -v s="$s0 $s1" -v n="$(nproc)" '
	/^seconds / { wall = $2 } /^load_cpu_pct / { load = $2 / 100 }
	/^appends / { appends = $2 }
	END {
		split(b, B, " "); split(s, S, " ")
		server = S[2] - S[1]
		others = (B[2] - B[1]) - server - load * wall
		printf "server_cpu_pct %.0f\n", (wall > 0 ? 100 * server / wall : 0)
		# What an append costs the server, whatever else runs: the
		# ceiling of an idle machine is its cores over this.
		printf "server_cpu_us_per_append %.0f\n", (appends > 0 ? 1e6 * server / appends : 0)
		printf "others_pct %.0f\n", (wall > 0 && others > 0 ? 100 * others / (wall * n) : 0)
	}' "$W/load.out"
if [ -n "${PERF:-}" ]; then
	wait "$PERF" || :
	perf report -i "$W/perf.data" --no-children -g none --sort "${BENCH_PERF_SORT:-dso,sym}" --percent-limit 0.5 --stdio \
	    >"${BENCH_PERF_OUT:-$PARENT/perf-coyeud.txt}" 2>/dev/null || :
	echo "bench: perf report in ${BENCH_PERF_OUT:-$PARENT/perf-coyeud.txt}" >&2
fi
sed 's/^/load_/' "$W/load.out"

# The HTTP ceiling: the same server answering /healthz, no signatures, no
# store.
wrk -t2 -c"$CLIENTS" -d"${SECONDS_}s" "$URL/healthz" >"$W/wrk.out" 2>&1 ||
	die "wrk failed: $(cat "$W/wrk.out")"
awk '/^Requests\/sec:/ { print "healthz_per_s", $2 }' "$W/wrk.out"
