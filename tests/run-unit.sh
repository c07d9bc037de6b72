#!/bin/sh
# Runs every cmocka test binary; prints one "N passed, N failed" line.
build=$1; shift
pass=0; fail=0; failed=""
for t in "$@"; do
	if "$t" >"$t.log" 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); failed="$failed $(basename "$t")"
		cat "$t.log"
	fi
	grep -E '^\[  (PASSED|FAILED|  SKIP) ' "$t.log" | sed "s|^|$(basename "$t"): |"
done
[ -z "$failed" ] || echo "failed:$failed"
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
