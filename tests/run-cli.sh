#!/bin/sh
# Runs every command-line test script tests/cli/*.sh against $build/coyeu,
# each with an empty keyring of its own so that nobody's real keyring
# (~/.config/coyeu) fills in the options the tests leave out.  A script
# that exits 77 was skipped (a test tool is missing outside CI): counted and
# shown with its reason, never as passed; under CI=true it fails.
build=$1
COYEU=$(cd "$build" && pwd)/coyeu
SRCDIR=$(pwd)
export COYEU SRCDIR
pass=0; fail=0; skip=0; failed=""
for t in tests/cli/*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	home=$(mktemp -d)
	st=0
	COYEU_HOME=$home/keyring sh "$t" >"$build/cli-$name.log" 2>&1 || st=$?
	if [ "$st" -eq 0 ]; then
		pass=$((pass + 1)); echo "cli: ok   $name"
	elif [ "$st" -eq 77 ] && [ "${CI:-}" != true ]; then
		skip=$((skip + 1))
		echo "cli: SKIP $name: $(tail -n 1 "$build/cli-$name.log")"
	else
		fail=$((fail + 1)); failed="$failed $name"
		echo "cli: FAIL $name"; tail -n 30 "$build/cli-$name.log"
	fi
	rm -rf "$home"
done
[ -z "$failed" ] || echo "failed:$failed"
if [ "$skip" -eq 0 ]; then
	echo "cli: $pass passed, $fail failed"
else
	echo "cli: $pass passed, $fail failed, $skip skipped"
fi
[ "$fail" -eq 0 ]
