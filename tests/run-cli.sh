#!/bin/sh
# Runs every command-line test script tests/cli/*.sh against $build/coyeu,
# each with an empty keyring of its own so that nobody's real keyring
# (~/.config/coyeu) fills in the options the tests leave out.
build=$1
COYEU=$(cd "$build" && pwd)/coyeu
SRCDIR=$(pwd)
export COYEU SRCDIR
pass=0; fail=0; failed=""
for t in tests/cli/*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	home=$(mktemp -d)
	if COYEU_HOME=$home/keyring sh "$t" >"$build/cli-$name.log" 2>&1; then
		pass=$((pass + 1)); echo "cli: ok   $name"
	else
		fail=$((fail + 1)); failed="$failed $name"
		echo "cli: FAIL $name"; tail -n 30 "$build/cli-$name.log"
	fi
	rm -rf "$home"
done
[ -z "$failed" ] || echo "failed:$failed"
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
