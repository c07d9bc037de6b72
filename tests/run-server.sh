#!/bin/sh
# Runs every server test script tests/server/*.sh against $build/coyeud
# (and $build/coyeu, which makes their authorities), each with an empty
# keyring of its own.
build=$1
COYEU=$(cd "$build" && pwd)/coyeu
COYEUD=$(cd "$build" && pwd)/coyeud
CYD_BUILD=$(cd "$build" && pwd)
SRCDIR=$(pwd)
export COYEU COYEUD SRCDIR CYD_BUILD
pass=0; fail=0; failed=""
# Scripts to run: the arguments after the build folder (names without
# .sh), or every one.
shift
if [ $# -gt 0 ]; then
	scripts=$(for n in "$@"; do echo "tests/server/$n.sh"; done)
else
	scripts=$(ls tests/server/*.sh)
fi
for t in $scripts; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	[ "$name" = lib ] && continue
	home=$(mktemp -d)
	if COYEU_HOME=$home/keyring sh "$t" >"$build/server-$name.log" 2>&1; then
		pass=$((pass + 1)); echo "server${SERVER_STORE:+ ($SERVER_STORE)}: ok   $name"
	else
		fail=$((fail + 1)); failed="$failed $name"
		echo "server${SERVER_STORE:+ ($SERVER_STORE)}: FAIL $name"; tail -n 30 "$build/server-$name.log"
	fi
	rm -rf "$home"
done
[ -z "$failed" ] || echo "failed:$failed"
echo "server${SERVER_STORE:+ ($SERVER_STORE)}: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
