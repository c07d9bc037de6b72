#!/bin/sh
# Runs CMD... with a throwaway PostgreSQL cluster: COYEU_PG_DSN names it,
# and it is stopped and removed however CMD ends, or this script is
# stopped (INT, TERM, HUP: passed on to CMD first).  Without PostgreSQL,
# CMD runs without COYEU_PG_DSN (its PostgreSQL tests skip), or, when
# CI=true, this fails.
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/coyeu-pg.XXXXXX") || exit 1
child=
cleanup() { sh "$here/pg.sh" stop "$dir"; }
stop() {
	[ -z "$child" ] || kill -TERM "$child" 2>/dev/null
	exit 130
}
trap cleanup EXIT
trap stop INT TERM HUP
if dsn=$(sh "$here/pg.sh" start "$dir"); then
	COYEU_PG_DSN=$dsn
	export COYEU_PG_DSN
elif [ "${CI:-}" = true ]; then
	echo "with-pg: no PostgreSQL cluster (required in CI)" >&2
	exit 1
else
	echo "with-pg: no PostgreSQL cluster: its tests are skipped" >&2
	unset COYEU_PG_DSN
fi
# In the background so that a signal runs the trap at once (a shell
# waiting for a foreground command defers it); stdin passed on through
# fd 3 (a background command's own is /dev/null).
exec 3<&0
"$@" <&3 3<&- &
child=$!
wait "$child"
rc=$?
child=
exit "$rc"
