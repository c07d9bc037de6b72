#!/bin/sh
# make bench, the inventory part: a registry's store filled with
# BENCH_ITEMS items (100000) over BENCH_UNITS units (200) with
# BENCH_TRANSITIONS entries of history each (10: a million in all) by
# bench/inventory_fill (the registry's own record code), then coyeud
# answering, signed, over HTTP: one unit's list (GET /v1/items, an officer
# of the unit), the city's summary (GET /v1/inventory/report?kind=summary,
# the city's authority) and the first page of the city's list.  Each
# route is asked BENCH_ROUNDS times (11); the times are coyeud's own
# (its request log's "ms": parse, signature, chain, store, answer), the
# median and the worst.  Prints "key value" lines for bench/run.sh.
#
#   sh bench/inventory.sh BUILD_DIR SCRATCH_PARENT STORE
#
# STORE is "sqlite" or a PostgreSQL DSN, as for bench/coyeud.sh.
set -eu

BUILD=${1:-build}
PARENT=${2:-$BUILD}
STORE=${3:-sqlite}
ITEMS=${BENCH_ITEMS:-100000}
UNITS=${BENCH_UNITS:-200}
TRANSITIONS=${BENCH_TRANSITIONS:-10}
ROUNDS=${BENCH_ROUNDS:-11}
H=$(cd "$(dirname "$0")" && pwd)

die() { echo "bench: $*" >&2; exit 1; }

for b in coyeu coyeud inventory_fill; do
	[ -x "$BUILD/$b" ] || die "no $BUILD/$b (run make BUILD=$BUILD all $BUILD/inventory_fill)"
done
BUILD=$(cd "$BUILD" && pwd)
W=$(mktemp -d "$PARENT/bench-inventory.XXXXXX")
PID=
cleanup() {
	[ -z "$PID" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || :; }
	[ -z "${BENCH_KEEP:-}" ] || cp "$W/coyeud.log" "$BENCH_KEEP"
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
. "$H/officers.sh"
C=$BUILD/coyeu
SIGN="python3 $H/../tests/server/lib/httpsig.py"

# root vn -> the city's authority vn/hcm -> the registry, an officer of
# unit vn/hcm/u0007.
issue() { # NAME UNIT ROLE ISSUER
	"$C" id new --unprotected -o "$W/$1.key" >/dev/null 2>&1
	"$C" id request -k "$W/$1.key" --name "$1" --unit "$2" -o "$W/$1.req" \
	    >/dev/null 2>&1
	"$C" cert issue -k "$W/$4.key" -c "$W/$4.chain" --role "$3" \
	    --clearance tuyet-mat -o "$W/$1.chain" "$W/$1.req" >/dev/null 2>&1 ||
		die "cert issue $1"
	sed -n 's/^serial: //p' "$W/$1.chain" | head -n 1
}
"$C" authority init -o "$W/root.key" --cert-out "$W/root.chain" --name Root \
    --unit vn --unprotected >/dev/null 2>&1 || die "authority init"
SHCM=$(issue hcm vn/hcm authority root)
issue registry vn/hcm registry hcm >/dev/null
SA=$(issue a vn/hcm/u0007 officer hcm)

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
case $STORE in
sqlite) DB=sqlite:$W/registry.db ;;
postgres*) DB=$STORE ;;
*) DB=$(pg_url "$STORE") ;;
esac
cat >"$W/coyeud.conf" <<CONF
listen = 127.0.0.1:$PORT
db = $DB
key = $W/registry.key
chain = $W/registry.chain
trust = $W/root.chain
log_level = info
CONF
"$BUILD/coyeud" init --config "$W/coyeud.conf" >"$W/init.log" 2>&1 ||
	die "coyeud init failed: $(cat "$W/init.log")"
echo "bench: inventory on ${STORE%% *}: $ITEMS items, $UNITS units, $((ITEMS * TRANSITIONS)) transitions" >&2
t0=$(date +%s)
# Issued items are held by an officer of no unit timed here.
"$BUILD/inventory_fill" "$DB" "$ITEMS" "$UNITS" "$TRANSITIONS" \
    c0ffeec0ffeec0ffeec0ffeec0ffee00 \
    >"$W/fill.out" || die "inventory_fill failed"
echo "fill_seconds $(($(date +%s) - t0))"
cat "$W/fill.out"
"$BUILD/coyeud" --config "$W/coyeud.conf" 2>"$W/coyeud.log" &
PID=$!
i=0
until curl -fs "$URL/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || die "coyeud did not answer /healthz: $(tail -n 5 "$W/coyeud.log")"
	sleep 0.1
done
for n in hcm a; do
	eval "s=\$S$(echo $n | tr a-z A-Z)"
	$SIGN --key "$W/$n.key" --keyid "$s" --str chain "$W/$n.chain" \
	    POST "$URL/v1/certs" >"$W/reg.out" 2>&1
	head -n 1 "$W/reg.out" | grep -q '^20[01]$' || die "register $n: $(cat "$W/reg.out")"
done

# timed NAME WHO PATH CHECK: ROUNDS signed GETs; "NAME_ms_p50", "_max", and
# the answer's CHECK (a jq expression: what it counted).
timed() {
	name=$1 who=$2 path=$3 check=$4
	eval "s=\$S$(echo "$who" | tr a-z A-Z)"
	: >"$W/$name.ms"
	r=0
	while [ "$r" -lt "$ROUNDS" ]; do
		mark=$(wc -l <"$W/coyeud.log")
		$SIGN --key "$W/$who.key" --keyid "$s" GET "$URL$path" >"$W/answer" 2>&1
		[ "$(head -n 1 "$W/answer")" = 200 ] || die "$path: $(head -c 300 "$W/answer")"
		# The request's line, written once the answer is sent.
		sleep 0.05
		tail -n +"$((mark + 1))" "$W/coyeud.log" |
		    sed -n 's/.*"msg":"request".*"path":"\([^"]*\)".*"ms":\([0-9.e+-]*\).*/\1 \2/p' |
		    awk -v p="$path" '$1 == p { print $2 }' | tail -n 1 >>"$W/$name.ms"
		r=$((r + 1))
	done
	sort -n "$W/$name.ms" | awk -v n="$name" '{ v[NR] = $1 }
	    END { printf "%s_ms_p50 %.2f\n%s_ms_max %.2f\n", n, v[int((NR + 1) / 2)], n, v[NR] }'
	echo "${name}_count $(tail -n +2 "$W/answer" | jq -r "$check")"
}
timed unit_list a "/v1/items?unit=vn/hcm/u0007" '.items | length'
timed city_summary hcm "/v1/inventory/report?kind=summary&unit=vn/hcm" '.total'
timed city_list hcm "/v1/items?unit=vn/hcm" '.items | length'
# The floor every signed request pays (signature, chain, the nonce made
# durable): a signed GET that reads next to nothing.
timed signed_get a "/v1/revocations" '.crls | length'
