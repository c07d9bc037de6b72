#!/bin/sh
# Runs each libFuzzer harness for N seconds on its seed corpus.
set -eu
secs=$1; shift
for f in "$@"; do
	name=$(basename "$f")
	seeds=fuzz/corpus/${name#fuzz_}
	work=build-fuzz/corpus/$name
	mkdir -p "$work"
	[ -d "$seeds" ] || seeds=""
	echo "fuzz: $name for ${secs}s"
	"$f" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=0 -artifact_prefix=build-fuzz/ "$work" $seeds \
	    >"build-fuzz/$name.log" 2>&1 || { tail -n 40 "build-fuzz/$name.log"; exit 1; }
	grep -E '^(#[0-9]+ *DONE|Done)' "build-fuzz/$name.log" | tail -n 1 || true
done
