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
# (process start, key file, chain checks, the 1 MiB payload), CPU (user +
# system, from wait4) and wall, medians of BENCH_PQ_ROUNDS (5).  Knobs: BENCH_PQ_COUNTS ("1 10 100"),
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

# timed FILE CMD…: appends CMD's wall time and CPU time (user + system of
# the process, from wait4: microseconds, where /usr/bin/time rounds to
# 10 ms), in seconds, to FILE.  CPU time is the figure that other work on
# the machine leaves nearly alone.
timed() {
	f=$1
	shift
	python3 - "$@" >>"$f" 2>"$W/stderr" <<'PY' || die "$* failed: $(cat "$W/stderr")"
import os, subprocess, sys, time
t0 = time.monotonic()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
wall = time.monotonic() - t0
if os.waitstatus_to_exitcode(status) != 0:
    sys.exit(1)
print("%.4f %.4f" % (wall, ru.ru_utime + ru.ru_stime))
PY
}
median() { # FILE COLUMN
	awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '{ v[NR] = $1 }
	    END { if (NR % 2) print v[(NR + 1) / 2];
	          else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# script NAME CMD…: $W/NAME.sh runs CMD (/usr/bin/time runs programs, not
# shell functions; the tiny sh start costs both sides alike).
script() {
	_name=$1
	shift
	{
		printf 'exec'
		for _a in "$@"; do printf " '%s'" "$_a"; done
		printf '\n'
	} >"$W/$_name.sh"
}
# seal_script KIND N OUT [OPTIONS]: $W/seal-KIND.sh, the sealer sealing
# $W/in as TUYỆT MẬT to r1…rN with their KIND (pq or x) chains.
seal_script() {
	_kind=$1 _n=$2 _out=$3
	shift 3
	set -- "$@" --level tuyet-mat --doc "A/$_n" -k "$W/sealer.key" \
	    -c "$W/sealer.$_kind.chain" --trust "$W/root.cert" -o "$_out"
	_j=1
	while [ "$_j" -le "$_n" ]; do
		set -- "$@" --to "$W/r$_j.$_kind.chain"
		_j=$((_j + 1))
	done
	script "seal-$_kind" "$C" seal "$@" "$W/in"
}

{
	echo
	echo "post-quantum (issue 12): a 1 MiB TUYỆT MẬT document, whole commands, medians of $ROUNDS rounds"
	echo "CPU seconds (user + system), wall seconds in brackets; size: the hybrid file's extra bytes"
	printf '%-6s %-20s %-20s %-20s %-20s %9s\n' recip. "seal hybrid" \
	    "seal classical" "open hybrid" "open classical" size
} >"$W/report"
for n in $COUNTS; do
	echo "bench: pq, $n recipient(s)" >&2
	# The last recipient opens, into a file (one pass).
	script open-pq "$C" open -k "$W/r$n.key" --trust "$W/root.cert" \
	    -o "$W/out" "$W/pq.age"
	script open-x "$C" open -k "$W/r$n.key" --trust "$W/root.cert" \
	    -o "$W/out" "$W/x.age"
	for kind in pq x; do
		# shellcheck disable=SC2046 # one option or none
		seal_script "$kind" "$n" "$W/$kind.age" \
		    $([ "$kind" = x ] && echo --allow-classical)
		sh "$W/seal-$kind.sh" 2>"$W/stderr" ||
			die "seal ($kind): $(cat "$W/stderr")"
	done
	grep -aq '^-> mlkem768x25519 ' "$W/pq.age" || die "the hybrid file has no mlkem768x25519 stanza"
	! grep -aq '^-> mlkem768x25519 ' "$W/x.age" || die "the classical file has a hybrid stanza"
	rm -f "$W/t-"*
	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		for t in seal-pq seal-x open-pq open-x; do
			rm -f "$W/out"
			timed "$W/t-$t" sh "$W/$t.sh"
		done
		r=$((r + 1))
	done
	cmp -s "$W/in" "$W/out" || die "the opened document differs"
	{
		printf '%-6d' "$n"
		for t in seal-pq seal-x open-pq open-x; do
			printf ' %-20s' "$(median "$W/t-$t" 2) ($(median "$W/t-$t" 1))"
		done
		printf ' %+7d B\n' $(($(wc -c <"$W/pq.age") - $(wc -c <"$W/x.age")))
		awk -v sp="$(median "$W/t-seal-pq" 2)" -v sx="$(median "$W/t-seal-x" 2)" \
		    -v op="$(median "$W/t-open-pq" 2)" -v ox="$(median "$W/t-open-x" 2)" \
		    -v wsp="$(median "$W/t-seal-pq" 1)" -v wsx="$(median "$W/t-seal-x" 1)" \
		    -v wop="$(median "$W/t-open-pq" 1)" -v wox="$(median "$W/t-open-x" 1)" 'BEGIN {
			printf "       hybrid/classical: seal %.2fx, open %.2fx in CPU (wall: %.2fx, %.2fx)\n",
			    sp / sx, op / ox, wsp / wsx, wop / wox }'
	} >>"$W/report"
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
