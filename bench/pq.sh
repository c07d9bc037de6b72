#!/bin/sh
# make bench, the post-quantum part (issue 12): sealing and opening a 1 MiB
# TUYỆT MẬT document to 1, 10 and 100 recipients, hybrid (mlkem768x25519
# stanzas, the default) against classical (X25519, --allow-classical), as
# ratios; and certificate-chain verification with and without the hybrid
# sealing key (bench/certs.c).  Prints report lines on stdout.
#
#   sh bench/pq.sh [BUILD_DIR [SCRATCH_PARENT]]
#
# The same officers' keys serve both sides: each has a post-quantum
# certificate (seal-pq-key, proven by cert challenge / id prove / cert
# issue --pq-proof) and a classical one (issued without the proof).  The
# opener is the last recipient of the list; times are whole commands
# (process start, key file, chain checks, the 1 MiB payload), medians of
# BENCH_PQ_ROUNDS (5).  Knobs: BENCH_PQ_COUNTS ("1 10 100"),
# BENCH_PQ_SECONDS (2, per chain in the verification part).
set -eu

BUILD=${1:-build}
PARENT=${2:-$BUILD}
COUNTS=${BENCH_PQ_COUNTS:-1 10 100}
ROUNDS=${BENCH_PQ_ROUNDS:-5}
VERIFY_SECONDS=${BENCH_PQ_SECONDS:-2}
SIZE=1048576

die() { echo "bench: $*" >&2; exit 1; }

case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
C=$BUILD/coyeu
[ -x "$C" ] && [ -f "$BUILD/libcoyeu.a" ] || die "no $C or $BUILD/libcoyeu.a (run make)"
PKGS="libsodium libcrypto sqlite3 libpq icu-uc icu-i18n"
# shellcheck disable=SC2046
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Iinclude $(pkg-config --cflags $PKGS) \
    -o "$BUILD/bench-certs" bench/certs.c "$BUILD/libcoyeu.a" \
    $(pkg-config --libs $PKGS) -lpthread || die "cannot build bench/certs.c"
W=$(mktemp -d "$PARENT/bench-pq.XXXXXX")
trap 'rm -rf "$W"' EXIT
max=0
for n in $COUNTS; do [ "$n" -le "$max" ] || max=$n; done

# --- the authority and $max officers, each certified twice ---
echo "bench: pq, an authority and $max officers (hybrid keys) in $W" >&2
"$C" authority init -o "$W/root.key" --cert-out "$W/root.cert" --name Root \
    --unit vn --unprotected >/dev/null 2>&1 || die "authority init"
AUTH="-k $W/root.key -c $W/root.cert"
# certify NAME: NAME.key; NAME.pq.chain (with seal-pq-key, through
# tests/cli/lib/pqofficer.sh: request, challenge, proof, issue) and
# NAME.x.chain (the same request issued without the proof: no
# seal-pq-key), both cleared to TUYỆT MẬT.
# shellcheck disable=SC2034 # read by pqofficer.sh
PQ_COYEU=$C
. "$(dirname "$0")/../tests/cli/lib/pqofficer.sh"
certify() {
	k=$W/$1
	pq_officer "$k.key" "$1" vn/a "$W/root.key" "$W/root.cert" \
	    "$k.pq.chain" || die "certifying $1 (post-quantum)"
	# shellcheck disable=SC2086
	"$C" cert issue $AUTH --role officer --clearance tuyet-mat \
	    -o "$k.x.chain" "$k.pq.chain.req" >/dev/null 2>&1 ||
		die "certifying $1 (classical)"
	! grep -q '^seal-pq-key:' "$k.x.chain" ||
		die "$1's classical certificate has a seal-pq-key"
}
certify sealer
i=1
while [ "$i" -le "$max" ]; do
	certify "r$i"
	i=$((i + 1))
done
head -c "$SIZE" /dev/urandom >"$W/in"

# timed FILE CMD…: appends CMD's wall time in seconds to FILE.
timed() {
	f=$1
	shift
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>"$W/stderr" || die "$* failed: $(cat "$W/stderr")"
	t1=$(date +%s.%N)
	echo "$t0 $t1" | awk '{ printf "%.4f\n", $2 - $1 }' >>"$f"
}
median() {
	sort -n "$1" | awk '{ v[NR] = $1 }
	    END { if (NR % 2) print v[(NR + 1) / 2];
	          else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# seal KIND N OUT [OPTIONS]: the sealer seals $W/in as TUYỆT MẬT to r1…rN
# with their KIND (pq or x) chains.
seal() {
	_kind=$1 _n=$2 _out=$3
	shift 3
	set -- "$@" --level tuyet-mat --doc "A/$_n" -k "$W/sealer.key" \
	    -c "$W/sealer.$_kind.chain" --trust "$W/root.cert" -o "$_out"
	_j=1
	while [ "$_j" -le "$_n" ]; do
		set -- "$@" --to "$W/r$_j.$_kind.chain"
		_j=$((_j + 1))
	done
	rm -f "$_out"
	"$C" seal "$@" "$W/in"
}
open_as() { # N FILE: the last recipient opens FILE
	rm -f "$W/out"
	"$C" open -k "$W/r$1.key" --trust "$W/root.cert" -o "$W/out" "$2"
}

{
	echo
	echo "post-quantum (issue 12): a 1 MiB TUYỆT MẬT document, whole commands, medians of $ROUNDS rounds"
	printf '%-6s %12s %12s %7s %12s %12s %7s %15s\n' recip. "seal hybrid" \
	    classical ratio "open hybrid" classical ratio "size hyb-cl."
} >"$W/report"
for n in $COUNTS; do
	echo "bench: pq, $n recipient(s)" >&2
	seal pq "$n" "$W/pq.age" 2>"$W/stderr" || die "seal hybrid: $(cat "$W/stderr")"
	seal x "$n" "$W/x.age" --allow-classical 2>"$W/stderr" ||
		die "seal classical: $(cat "$W/stderr")"
	grep -aq '^-> mlkem768x25519 ' "$W/pq.age" || die "the hybrid file has no mlkem768x25519 stanza"
	! grep -aq '^-> mlkem768x25519 ' "$W/x.age" || die "the classical file has a hybrid stanza"
	rm -f "$W/t-"*
	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		timed "$W/t-seal-pq" seal pq "$n" "$W/pq2.age"
		timed "$W/t-seal-x" seal x "$n" "$W/x2.age" --allow-classical
		timed "$W/t-open-pq" open_as "$n" "$W/pq.age"
		timed "$W/t-open-x" open_as "$n" "$W/x.age"
		r=$((r + 1))
	done
	cmp -s "$W/in" "$W/out" || die "the opened document differs"
	hp=$(($(wc -c <"$W/pq.age") - $(wc -c <"$W/x.age")))
	awk -v n="$n" -v sp="$(median "$W/t-seal-pq")" -v sx="$(median "$W/t-seal-x")" \
	    -v op="$(median "$W/t-open-pq")" -v ox="$(median "$W/t-open-x")" \
	    -v hp="$hp" 'BEGIN {
		printf "%-6d %10.3f s %10.3f s %6.2fx %10.3f s %10.3f s %6.2fx %+12d B\n",
		    n, sp, sx, sp / sx, op, ox, op / ox, hp }' >>"$W/report"
done

# --- chain verification, with and without seal-pq-key ---
echo "bench: pq, chain verification (${VERIFY_SECONDS} s per chain)" >&2
"$BUILD/bench-certs" "$W/root.cert" "$VERIFY_SECONDS" "$W/r1.pq.chain" \
    "$W/r1.x.chain" >"$W/certs" || die "bench/certs failed"
awk '
	NR == 1 { pb = $2; pv = $3 }
	NR == 2 { xb = $2; xv = $3 }
	END {
		printf "chain verification (parse + verify against the root, one officer under the root): with seal-pq-key %.0f/s (%d bytes), without %.0f/s (%d bytes): %.2fx the time\n",
		    pv, pb, xv, xb, xv / pv
	}' "$W/certs" >>"$W/report"
# Whole commands are short: other work on the machine shows in every one.
awk -v c="$(nproc)" '{ printf "load average at the end: %s on %d cores%s\n", $1, c,
    ($1 > c ? " -- WARNING: a busy machine, the times are high (the ratios less so: the two sides alternate)" : "") }' \
    /proc/loadavg >>"$W/report"
cat "$W/report"
