#!/bin/sh
# make bench: coyeu against its peers, as ratios measured in the same run.
#
#   sh bench/run.sh build/coyeu
#
# Each section is a function that appends rows to the report; later
# sections (classified seal/open, the register) add a function and a line
# in main().  Knobs: BENCH_SIZE_MIB (1024), BENCH_ROUNDS (5),
# BENCH_DIR (scratch folder's parent: by default next to the binary, so on
# the project's disk), BENCH_ONLY=coyeud (that section alone; its knobs are
# in bench/coyeud.sh; BENCH_ONLY=release, BENCH_ONLY=inventory likewise).
set -eu

COYEU=${1:-build/coyeu}
SIZE_MIB=${BENCH_SIZE_MIB:-1024}
ROUNDS=${BENCH_ROUNDS:-5}
SPEED_SECONDS=3
# Targets from the issue, checked and printed with the figures.
TARGET_RATIO=2.5
TARGET_LIMIT_PCT=80
TARGET_RSS_MIB=64

die() { echo "bench: $*" >&2; exit 1; }

[ -x "$COYEU" ] || die "no coyeu binary at $COYEU (run make)"
for c in age age-keygen openssl /usr/bin/time; do
	command -v "$c" >/dev/null || die "$c is missing (make deps)"
done
case $COYEU in /*) ;; *) COYEU=$(pwd)/$COYEU ;; esac
W=$(mktemp -d "${BENCH_DIR:-$(dirname "$COYEU")}/bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
trap 'exit 130' INT TERM
CORES=$(nproc)
BYTES=$((SIZE_MIB * 1024 * 1024))
REPORT="$W/report"
: >"$REPORT"

# Busy CPU time of the whole machine so far, in seconds (/proc/stat).
busy_seconds() {
	awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" {
		printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz; exit }' /proc/stat
}

# timed NAME CMD…: runs CMD (stdout to /dev/null), appends to $W/NAME
# "seconds rss_kib cpu_seconds machine_busy_seconds".
timed() {
	name=$1; shift
	b0=$(busy_seconds)
	t0=$(date +%s.%N)
	/usr/bin/time -f '%M %U %S' -o "$W/rss" "$@" >/dev/null 2>"$W/stderr" ||
		die "$name failed: $* ($(cat "$W/stderr"))"
	t1=$(date +%s.%N)
	b1=$(busy_seconds)
	echo "$t0 $t1 $(tail -n 1 "$W/rss") $b0 $b1" |
		awk '{ printf "%.4f %d %.2f %.2f\n", $2 - $1, $3, $4 + $5, $7 - $6 }' \
		>>"$W/$name"
	echo "$name" >>"$W/timed-names"
}

median() { # column 1 of file
	sort -n "$1" | awk '{ v[NR] = $1 }
	    END { if (NR % 2) print v[(NR + 1) / 2];
	          else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
peak_rss_mib() { awk 'm < $2 { m = $2 } END { printf "%.1f", m / 1024 }' "$1"; }

# The ceiling: every core running OpenSSL's ChaCha20-Poly1305 on 64 KiB
# blocks, in bytes per second.
measure_limit() {
	per_core=$(openssl speed -mr -seconds "$SPEED_SECONDS" -bytes 65536 \
	    -evp chacha20-poly1305 2>/dev/null |
	    awk -F: '/^\+F:/ { print $4 }' | tail -n 1)
	[ -n "$per_core" ] || die "cannot read openssl speed's output"
	LIMIT=$(awk -v p="$per_core" -v c="$CORES" 'BEGIN { printf "%.0f", p * c }')
	PER_CORE=$per_core
}

# row LABEL COYEU_FILE PEER_FILE: one line of the age table.
row() {
	c=$(median "$W/$2"); a=$(median "$W/$3"); rss=$(peak_rss_mib "$W/$2")
	awk -v l="$1" -v c="$c" -v a="$a" -v b="$BYTES" -v lim="$LIMIT" \
	    -v rss="$rss" -v tr="$TARGET_RATIO" -v tl="$TARGET_LIMIT_PCT" \
	    -v tm="$TARGET_RSS_MIB" 'BEGIN {
		r = a / c; mibs = b / c / 1048576; pct = 100 * (b / c) / lim
		ok = (r >= tr && pct >= tl && rss <= tm) ? "met" : "MISSED"
		printf "%-6s %9.3f s %9.3f s %9.2fx %12.0f %8.1f %% %9.1f MiB   %s\n",
		    l, c, a, r, mibs, pct, rss, ok }' >>"$REPORT"
}

# --- section: plain age seal and open, coyeu against age ---
bench_age() {
	age-keygen -o "$W/id" 2>/dev/null
	r=$(age-keygen -y "$W/id")
	echo "bench: writing $SIZE_MIB MiB of random input in $W"
	head -c "$BYTES" /dev/urandom >"$W/in"
	# One sealed copy from each tool, for the open rounds; each tool then
	# opens the other's copy (so the run also proves they agree).
	"$COYEU" seal -r "$r" -o "$W/coyeu.age" "$W/in" || die "coyeu seal"
	age -e -r "$r" -o "$W/age.age" "$W/in" || die "age -e"
	cat "$W/in" "$W/coyeu.age" "$W/age.age" >/dev/null  # into the page cache
	i=1
	while [ "$i" -le "$ROUNDS" ]; do
		echo "bench: round $i of $ROUNDS"
		timed coyeu-seal "$COYEU" seal -r "$r" "$W/in"
		timed age-seal age -e -r "$r" "$W/in"
		timed coyeu-open "$COYEU" open -i "$W/id" "$W/age.age"
		timed age-open age -d -i "$W/id" "$W/coyeu.age"
		i=$((i + 1))
	done
	{
		echo
		echo "age v1, $SIZE_MIB MiB, medians of $ROUNDS alternating rounds, output /dev/null"
		printf '%-6s %11s %11s %10s %12s %10s %13s   %s\n' "" coyeu age \
		    age/coyeu "coyeu MiB/s" "of limit" "coyeu RSS" \
		    "targets (>=${TARGET_RATIO}x, >=${TARGET_LIMIT_PCT}%, <=${TARGET_RSS_MIB} MiB)"
	} >>"$REPORT"
	row seal coyeu-seal age-seal
	row open coyeu-open age-open
	awk -v p="$PER_CORE" -v c="$CORES" -v l="$LIMIT" 'BEGIN {
		printf "limit: %d cores x %.0f MiB/s (openssl speed -evp chacha20-poly1305, 64 KiB blocks) = %.0f MiB/s\n",
		    c, p / 1048576, l / 1048576 }' >>"$REPORT"
	rm -f "$W/in" "$W/coyeu.age" "$W/age.age"
}

# --- section: classified documents (issue 4), against plain seal/open ---
# Sealing a classified document also hashes every stored chunk (the payload
# digest), so its ceiling is every core doing ChaCha20-Poly1305 and SHA-256
# over each byte: cores / (1/chacha + 1/sha256).  Output goes to tmpfs, which
# can seek (a classified seal writes its label back) and costs no disk.
pki() {
	P="--passphrase-file $W/pass"
	printf 'bench\n' >"$W/pass"
	"$COYEU" authority init -o "$W/root.key" --cert-out "$W/root.cert" \
	    --name Root --unit vn $P --work-factor 10 >/dev/null
	for who in sealer reader; do
		"$COYEU" id new -o "$W/$who.key" $P --work-factor 10 >/dev/null 2>&1
		"$COYEU" id request -k "$W/$who.key" --name "$who" --unit vn/a \
		    -o "$W/$who.req" $P
		"$COYEU" cert issue -k "$W/root.key" -c "$W/root.cert" $P \
		    --role officer --clearance toi-mat "$W/$who.req" \
		    -o "$W/$who.chain" >/dev/null
	done
	"$COYEU" id age-identity -k "$W/reader.key" $P -o "$W/reader.age" 2>/dev/null
}

bench_classified() {
	sha=$(openssl speed -mr -seconds "$SPEED_SECONDS" -bytes 65536 -evp sha256 \
	    2>/dev/null | awk -F: '/^\+F:/ { print $4 }' | tail -n 1)
	[ -n "$sha" ] || die "cannot read openssl speed's sha256 output"
	CLIMIT=$(awk -v a="$PER_CORE" -v s="$sha" -v c="$CORES" \
	    'BEGIN { printf "%.0f", c / (1 / a + 1 / s) }')
	pki
	S=/dev/shm/coyeu-bench.$$
	mkdir -p "$S"
	echo "bench: writing $SIZE_MIB MiB of random input in $S (tmpfs)"
	head -c "$BYTES" /dev/urandom >"$S/in"
	r=$(sed -n 's/^# public key: //p' "$W/reader.age")
	set -- --level toi-mat --doc B/1 -k "$W/sealer.key" -c "$W/sealer.chain" \
	    --trust "$W/root.cert" --to "$W/reader.chain" --passphrase-file "$W/pass"
	"$COYEU" seal "$@" -o "$S/doc.age" "$S/in" 2>/dev/null || die "classified seal"
	"$COYEU" seal -r "$r" -o "$S/plain.age" "$S/in" || die "plain seal"
	i=1
	while [ "$i" -le "$ROUNDS" ]; do
		echo "bench: classified round $i of $ROUNDS"
		rm -f "$S/out"
		timed doc-seal "$COYEU" seal "$@" -o "$S/out" "$S/in"
		rm -f "$S/out"
		timed plain-seal "$COYEU" seal -r "$r" -o "$S/out" "$S/in"
		# To a file (tmpfs), as an officer opens a document: one pass,
		# released by the rename after verification.  (To a device or
		# pipe, a classified open makes a verifying pass first.)
		rm -f "$S/out"
		timed doc-open "$COYEU" open -k "$W/reader.key" --trust "$W/root.cert" \
		    --passphrase-file "$W/pass" -o "$S/out" "$S/doc.age"
		rm -f "$S/out"
		timed plain-open "$COYEU" open -i "$W/reader.age" -o "$S/out" \
		    "$S/plain.age"
		# To a device: a hashing pass checks the signed digest, then
		# the decrypting pass writes.
		timed doc-open-dev "$COYEU" open -k "$W/reader.key" \
		    --trust "$W/root.cert" --passphrase-file "$W/pass" \
		    -o /dev/null "$S/doc.age"
		i=$((i + 1))
	done
	rm -rf "$S"
	{
		echo
		echo "classified (TỐI MẬT, one recipient), $SIZE_MIB MiB, medians of $ROUNDS rounds, output to a tmpfs file"
		printf '%-6s %11s %11s %12s %12s %10s %13s   %s\n' "" classified \
		    plain "plain/class." "class. MiB/s" "of limit" "RSS" \
		    "target (>=${TARGET_LIMIT_PCT}% of limit)"
	} >>"$REPORT"
	for op in seal open; do
		c=$(median "$W/doc-$op"); p=$(median "$W/plain-$op")
		rss=$(peak_rss_mib "$W/doc-$op")
		awk -v l="$op" -v c="$c" -v p="$p" -v b="$BYTES" -v lim="$CLIMIT" \
		    -v rss="$rss" -v tl="$TARGET_LIMIT_PCT" 'BEGIN {
			pct = 100 * (b / c) / lim
			printf "%-6s %9.3f s %9.3f s %11.2fx %12.0f %8.1f %% %9.1f MiB   %s\n",
			    l, c, p, p / c, b / c / 1048576, pct, rss,
			    (pct >= tl) ? "met" : "MISSED" }' >>"$REPORT"
	done
	awk -v d="$(median "$W/doc-open-dev")" -v f="$(median "$W/doc-open")" 'BEGIN {
		printf "open to /dev/null (hashing pass, then the decrypting pass): %.3f s, %.2fx the time of one pass to a file\n", d, d / f }' >>"$REPORT"
	awk -v a="$PER_CORE" -v s="$sha" -v c="$CORES" -v l="$CLIMIT" 'BEGIN {
		printf "limit: %d cores / (1/%.0f + 1/%.0f MiB/s) (openssl speed: chacha20-poly1305, sha256, 64 KiB) = %.0f MiB/s\n",
		    c, a / 1048576, s / 1048576, l / 1048576 }' >>"$REPORT"
}

# --- section: the register (issue 5), against Tessera's published figures ---
bench_register() {
	sh "$(dirname "$0")/register.sh" "$(dirname "$COYEU")" "$W" >>"$REPORT" ||
		die "register benchmark"
}

# --- section: coyeud (issue 10), against its two ceilings ---
# Durable signed appends over HTTP (bench/load, bench/coyeud.sh) on SQLite
# and on PostgreSQL (tests/with-pg.sh), as ratios to the HTTP ceiling (wrk
# on /healthz, same server, same run) and to the register's in-process
# append figure (bench/register.c: the register section's result when it
# ran, else a shorter run of it).
TARGET_APPENDS=10000
TARGET_P99_MS=20
bench_coyeud() {
	B=$(dirname "$COYEU")
	H=$(dirname "$0")
	[ -x "$B/coyeud" ] && [ -x "$B/load" ] ||
		die "no $B/coyeud or $B/load (make all $B/load)"
	reg=$(awk '/^durable signed entries\/s/ { print $4 }' "$REPORT")
	if [ -z "$reg" ]; then
		reg=$(BENCH_REGISTER_ENTRIES=200000 sh "$H/register.sh" "$B" "$W" |
		    awk '/^durable signed entries\/s/ { print $4 }')
	fi
	sh "$H/coyeud.sh" "$B" "$W" sqlite >"$W/coyeud-sqlite" ||
		die "coyeud benchmark (SQLite)"
	: >"$W/coyeud-postgres"
	if [ -f "$H/../tests/with-pg.sh" ]; then
		# shellcheck disable=SC2016
		sh "$H/../tests/with-pg.sh" sh -c \
		    'sh "$1/coyeud.sh" "$2" "$3" "$COYEU_PG_DSN"' _ "$H" "$B" "$W" \
		    >"$W/coyeud-postgres" ||
			echo "bench: the PostgreSQL run failed" >&2
	fi
	{
		echo
		echo "coyeud: signed POST /v1/log/entries over HTTP/1.1 keep-alive, ${BENCH_CLIENTS:-64} officers, ${BENCH_EPR:-1} entry a request, ${BENCH_SECONDS:-10} s"
		printf '%-9s %10s %8s %8s %9s %9s %10s %9s   %s\n' store appends/s \
		    "p50 ms" "p99 ms" "p99.9 ms" "errors" "of HTTP" "of reg." \
		    "target (>=${TARGET_APPENDS}/s, p99 <${TARGET_P99_MS} ms)"
	} >>"$REPORT"
	for s in sqlite postgres; do
		[ -s "$W/coyeud-$s" ] || continue
		awk -v s="$s" -v reg="$reg" -v ta="$TARGET_APPENDS" -v n="$CORES" \
		    -v tp="$TARGET_P99_MS" '
			{ v[$1] = $2 }
			/^load_status_/ && $1 != "load_status_200" { err += $2 }
			/^load_reason_/ { r = r "\n          " substr($1, 13) ": " substr($0, length($1) + 2) }
			END {
				a = v["load_appends_per_s"]; p99 = v["load_p99_ms"]
				h = v["healthz_per_s"]
				printf "%-9s %10.0f %8.2f %8.2f %9.2f %9d %9.1f%% %8.1f%%   %s%s\n",
				    s, a, v["load_p50_ms"], p99, v["load_p999_ms"], err,
				    (h > 0 ? 100 * v["load_requests_per_s"] / h : 0),
				    (reg > 0 ? 100 * a / reg : 0),
				    (a >= ta && p99 < tp) ? "met" : "MISSED", r
				c = v["server_cpu_us_per_append"]
				printf "          server CPU per append: %.0f us (all %d cores for coyeud: %.0f appends/s at most)\n",
				    c, n, (c > 0 ? n * 1e6 / c : 0)
				printf "          HTTP ceiling (wrk -t2 -c%d /healthz): %.0f requests/s; CPU: coyeud%s %d%%, load tool %d%% of a core (%d requests signed before the clock), other processes %d%% of the machine%s\n",
				    v["load_clients"], h,
				    (s == "postgres" ? " with PostgreSQL" : ""), v["server_cpu_pct"],
				    v["load_load_cpu_pct"], v["load_pregenerated"],
				    v["others_pct"], (v["others_pct"] > 10 ? " -- WARNING: unreliable, run again on an idle machine" : "")
			}' "$W/coyeud-$s" >>"$REPORT"
	done
	echo "register ceiling (bench/register.c, in-process, batches of 4096): ${reg:-?} entries/s" >>"$REPORT"
}

# --- section: releases (issue 11) ---
# POST /v1/releases per second (bench/release.sh: 64 recipients of one
# document, each releasing its copy again and again) on SQLite and on
# PostgreSQL, against the target and against the plain appends of the
# coyeud section (same machine, same run): a release is an append plus
# its checks, records and R resealed.
TARGET_RELEASES=5000
OPENTDF_REWRAPS=290   # OpenTDF's KAS rewrap, the figure issue 11 cites
bench_release() {
	B=$(dirname "$COYEU")
	H=$(dirname "$0")
	sh "$H/release.sh" "$B" "$W" sqlite >"$W/release-sqlite" ||
		die "release benchmark (SQLite)"
	: >"$W/release-postgres"
	if [ -f "$H/../tests/with-pg.sh" ]; then
		# shellcheck disable=SC2016
		sh "$H/../tests/with-pg.sh" sh -c \
		    'sh "$1/release.sh" "$2" "$3" "$COYEU_PG_DSN"' _ "$H" "$B" "$W" \
		    >"$W/release-postgres" ||
			echo "bench: the PostgreSQL release run failed" >&2
	fi
	{
		echo
		echo "releases: signed POST /v1/releases over HTTP/1.1 keep-alive, ${BENCH_CLIENTS:-64} recipients each releasing its own copy, ${BENCH_SECONDS:-10} s"
		printf '%-9s %10s %8s %8s %9s %9s %10s %9s   %s\n' store releases/s \
		    "p50 ms" "p99 ms" "p99.9 ms" "errors" "of appends" "xOpenTDF" \
		    "target (>=${TARGET_RELEASES}/s, p99 <${TARGET_P99_MS} ms)"
	} >>"$REPORT"
	for s in sqlite postgres; do
		[ -s "$W/release-$s" ] || continue
		# The coyeud section's appends, when it ran.
		app=$(awk '/^load_appends_per_s / { print $2 }' "$W/coyeud-$s" \
		    2>/dev/null || :)
		awk -v s="$s" -v app="${app:-0}" -v tr="$TARGET_RELEASES" \
		    -v tp="$TARGET_P99_MS" -v o="$OPENTDF_REWRAPS" '
			{ v[$1] = $2 }
			/^load_status_/ && $1 != "load_status_200" { err += $2 }
			/^load_reason_/ { r = r "\n          " substr($1, 13) ": " substr($0, length($1) + 2) }
			END {
				a = v["load_appends_per_s"]; p99 = v["load_p99_ms"]
				printf "%-9s %10.0f %8.2f %8.2f %9.2f %9d %10s %8.1fx   %s%s\n",
				    s, a, v["load_p50_ms"], p99, v["load_p999_ms"], err,
				    (app > 0 ? sprintf("%.1f%%", 100 * a / app) : "-"), a / o,
				    (a >= tr && p99 < tp) ? "met" : "MISSED", r
				printf "          server CPU per release: %.0f us; batches of %.1f entries on average\n",
				    v["server_cpu_us_per_release"], v["server_batch_mean"]
			}' "$W/release-$s" >>"$REPORT"
	done
}

# --- section: the inventory (issue 13) ---
# 100,000 items and 1,000,000 transitions (bench/inventory.sh): a unit's
# list and the city's summary, signed over HTTP, on SQLite and PostgreSQL,
# against the target; beside them the floor any signed request pays.
TARGET_INVENTORY_MS=100
bench_inventory() {
	B=$(dirname "$COYEU")
	H=$(dirname "$0")
	sh "$H/inventory.sh" "$B" "$W" sqlite >"$W/inventory-sqlite" ||
		die "inventory benchmark (SQLite)"
	: >"$W/inventory-postgres"
	if [ -f "$H/../tests/with-pg.sh" ]; then
		# shellcheck disable=SC2016
		sh "$H/../tests/with-pg.sh" sh -c \
		    'sh "$1/inventory.sh" "$2" "$3" "$COYEU_PG_DSN"' _ "$H" "$B" "$W" \
		    >"$W/inventory-postgres" ||
			echo "bench: the PostgreSQL inventory run failed" >&2
	fi
	{
		echo
		echo "inventory: ${BENCH_ITEMS:-100000} items, ${BENCH_UNITS:-200} units, $((${BENCH_ITEMS:-100000} * ${BENCH_TRANSITIONS:-10})) transitions; coyeud's time per signed GET (median / worst of ${BENCH_ROUNDS:-11})"
		printf '%-9s %-34s %10s %10s %8s   %s\n' store route "p50 ms" "max ms" \
		    count "target (<${TARGET_INVENTORY_MS} ms)"
	} >>"$REPORT"
	for s in sqlite postgres; do
		[ -s "$W/inventory-$s" ] || continue
		awk -v s="$s" -v t="$TARGET_INVENTORY_MS" '{ v[$1] = $2 }
		    END {
			split("unit_list city_summary city_list signed_get", n, " ")
			split("a unit'"'"'s list (GET /v1/items)|the city'"'"'s summary (report)|the city'"'"'s list, first page|any signed GET (the floor)", d, "|")
			for (i = 1; i <= 4; i++)
				printf "%-9s %-34s %10.2f %10.2f %8d   %s\n", s, d[i],
				    v[n[i] "_ms_p50"], v[n[i] "_ms_max"], v[n[i] "_count"],
				    i > 2 ? "" : (v[n[i] "_ms_p50"] < t ? "met" : "MISSED")
			printf "          filled in %d s\n", v["fill_seconds"]
		    }' "$W/inventory-$s" >>"$REPORT"
	done
}

# Other work on the machine skews every figure: measure how much CPU went
# to other processes while the timed commands ran, and say so.
foreign_note() {
	sort -u "$W/timed-names" | while read -r n; do cat "$W/$n"; done |
	    awk -v c="$CORES" '{ wall += $1; own += $3; busy += $4 }
	    END {
		share = wall > 0 ? 100 * (busy - own) / (wall * c) : 0
		if (share < 0) share = 0
		printf "other processes used %.0f %% of the machine during the timed runs", share
		if (share > 10) printf " -- WARNING: the figures are unreliable, run again on an idle machine"
		printf "\n" }' >>"$REPORT"
}

main() {
	# BENCH_ONLY=coyeud: that section alone (it runs a short register
	# benchmark for its ceiling).
	if [ "${BENCH_ONLY:-}" = coyeud ]; then
		bench_coyeud
		cat "$REPORT"
		return
	fi
	# BENCH_ONLY=inventory: the inventory section alone.
	if [ "${BENCH_ONLY:-}" = inventory ]; then
		bench_inventory
		cat "$REPORT"
		return
	fi
	# BENCH_ONLY=release: the releases section alone.
	if [ "${BENCH_ONLY:-}" = release ]; then
		bench_release
		cat "$REPORT"
		return
	fi
	echo "bench: $(uname -m), $CORES cores, $("$COYEU" --version 2>/dev/null || echo coyeu), $(age --version | sed 's/^/age /')"
	measure_limit
	bench_age
	bench_classified
	bench_register
	bench_coyeud
	bench_release
	bench_inventory
	foreign_note
	cat "$REPORT"
}

main
