#!/bin/sh
# Runs CMD... with a throwaway PostgreSQL cluster: COYEU_PG_DSN names it,
# and it is stopped and removed however CMD ends.  Without PostgreSQL,
# CMD runs without COYEU_PG_DSN (its PostgreSQL tests skip), or, when
# CI=true, this fails.
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/coyeu-pg.XXXXXX") || exit 1
cleanup() { sh "$here/pg.sh" stop "$dir"; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
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
"$@"
