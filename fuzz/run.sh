#!/bin/sh
# Runs each libFuzzer harness for N seconds on its seed corpus, as many at
# once as there are cores (FUZZ_JOBS), so `make check` stays short.
#   sh fuzz/run.sh SECONDS build-fuzz/fuzz_a build-fuzz/fuzz_b …
set -eu
secs=$1; shift
jobs=${FUZZ_JOBS:-$(nproc)}

# One harness: its output goes to build-fuzz/NAME.log, shown on failure.
run_one() {
	f=$1; name=$(basename "$f")
	seeds=fuzz/corpus/${name#fuzz_}
	work=build-fuzz/corpus/$name
	mkdir -p "$work"
	[ -d "$seeds" ] || seeds=""
	# shellcheck disable=SC2086
	if "$f" -max_total_time="$secs" -max_len=65536 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=0 -artifact_prefix=build-fuzz/ \
	    "$work" $seeds >"build-fuzz/$name.log" 2>&1; then
		echo "fuzz: $name ${secs}s: $(grep -E '^(#[0-9]+ *DONE|Done)' \
		    "build-fuzz/$name.log" | tail -n 1)"
	else
		echo "fuzz: $name FAILED"; tail -n 40 "build-fuzz/$name.log"
		return 1
	fi
}

if [ "${1:-}" = --one ]; then
	run_one "$2"
	exit
fi
printf '%s\n' "$@" | xargs -P "$jobs" -n 1 sh "$0" "$secs" --one
