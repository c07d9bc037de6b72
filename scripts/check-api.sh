#!/bin/sh
# The library's exported symbols must be exactly the functions that the
# public headers declare with CY_API, and every function a public header
# declares must carry CY_API.  Usage: check-api.sh build/libcoyeu.so
set -eu
so=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# Prototypes start at column 0 in the headers; continuation lines are
# indented and comments start with '/' or ' ', so neither matches.
grep -hE '^[A-Za-z_].*\bcy_[a-z0-9_]+ *\(' include/coyeu/*.h |
	grep -vE '^(typedef|#)' >"$tmp/protos"
if grep -v '^CY_API ' "$tmp/protos" >"$tmp/bare"; then
	echo "api: public functions declared without CY_API:" >&2
	cat "$tmp/bare" >&2
	exit 1
fi
sed -E 's/.*\b(cy_[a-z0-9_]+) *\(.*/\1/' "$tmp/protos" | sort -u >"$tmp/declared"
nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^_' |
	sort -u >"$tmp/exported"
if ! cmp -s "$tmp/declared" "$tmp/exported"; then
	echo "api: exported symbols differ from the public headers" >&2
	echo "  (< declared but not exported, > exported but not declared)" >&2
	diff "$tmp/declared" "$tmp/exported" | grep '^[<>]' >&2
	exit 1
fi
echo "api: $(wc -l <"$tmp/declared") exported symbols = public API"
