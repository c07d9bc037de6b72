#!/bin/sh
# make bench, the register part: durable signed entries appended per second
# (batches, every signature checked), inclusion proofs per second on a log
# of 1,000,000 entries, bytes stored per entry; as ratios to Tessera's
# published figures.  Prints report lines on stdout.
#
#   sh bench/register.sh [BUILD_DIR [SCRATCH_PARENT]]
#
# Knobs: BENCH_REGISTER_ENTRIES (1000000), BENCH_REGISTER_BATCH (4096).
set -eu

BUILD=${1:-build}
PARENT=${2:-$BUILD}
ENTRIES=${BENCH_REGISTER_ENTRIES:-1000000}
BATCH=${BENCH_REGISTER_BATCH:-4096}
TESSERA=2900      # Tessera on POSIX storage, entries/s (published)
TESSERACT=10000   # TesseraCT on NVMe, entries/s (published)
TARGET_APPEND=20000
TARGET_PROOFS=100000

die() { echo "bench: $*" >&2; exit 1; }

[ -f "$BUILD/libcoyeu.a" ] || die "no $BUILD/libcoyeu.a (run make)"
PKGS="libsodium libcrypto sqlite3 libpq icu-uc"
# shellcheck disable=SC2046
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Iinclude $(pkg-config --cflags $PKGS) \
    -o "$BUILD/bench-register" bench/register.c "$BUILD/libcoyeu.a" \
    $(pkg-config --libs $PKGS) -lpthread || die "cannot build bench/register.c"
W=$(mktemp -d "$PARENT/bench-register.XXXXXX")
trap 'rm -rf "$W"' EXIT
echo "bench: register, $ENTRIES signed entries in batches of $BATCH, in $W" >&2
"$BUILD/bench-register" "$W" "$ENTRIES" "$BATCH" 2 >"$W/out" ||
	die "the register benchmark failed"

awk -v t1="$TESSERA" -v t2="$TESSERACT" -v ta="$TARGET_APPEND" \
    -v tp="$TARGET_PROOFS" '
	{ v[$1] = $2 }
	END {
		a = v["append_per_s"]; p = v["proofs_per_s_2threads"]
		printf "\nregister (SQLite WAL, synchronous=FULL), %d entries of %d bytes, batches of %d, 2 threads\n",
		    v["entries"], v["entry_bytes"], v["batch"]
		printf "durable signed entries/s   %9.0f   %5.1fx Tessera POSIX (~%d/s), %4.1fx TesseraCT (~%d/s)   target >= %d: %s\n",
		    a, a / t1, t1, a / t2, t2, ta, (a >= ta) ? "met" : "MISSED"
		printf "inclusion proofs/s         %9.0f   on %d entries, 2 threads (1 thread: %.0f; with verification: %.0f)   target >= %d: %s\n",
		    p, v["entries"], v["proofs_per_s_1thread"],
		    v["proofs_verified_per_s_2threads"], tp, (p >= tp) ? "met" : "MISSED"
		printf "bytes stored per entry     %9.1f   (the entry itself: %d; tiles with inner nodes: 64)\n",
		    v["stored_bytes_per_entry"], v["entry_bytes"]
		o = v["append_others_pct"] > v["proofs_others_pct"] ? v["append_others_pct"] : v["proofs_others_pct"]
		printf "other processes used %d %% of the machine during the appends, %d %% during the proofs%s\n",
		    v["append_others_pct"], v["proofs_others_pct"],
		    (o > 10) ? " -- WARNING: the register figures are low, run again on an idle machine" : ""
	}' "$W/out"
