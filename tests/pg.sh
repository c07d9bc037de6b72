#!/bin/sh
# A throwaway PostgreSQL cluster for the tests.
#   sh tests/pg.sh start DIR   initdb in DIR/data, server on a Unix socket
#                              in DIR only (no TCP); prints the libpq dsn
#   sh tests/pg.sh stop DIR    stops it at once and removes DIR
# As root the cluster runs as the `postgres` user (PostgreSQL refuses
# root); otherwise as the caller.  Exit 2: PostgreSQL is not available.
set -eu
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 64; }

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case $cmd in
start)
	if [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_ctl" ]; then
		echo "pg.sh: no PostgreSQL in $PGBIN (apt-get install postgresql-15)" >&2
		exit 2
	fi
	if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
		echo "pg.sh: running as root and there is no postgres user" >&2
		exit 2
	fi
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	chmod 700 "$dir"
	# The server's working folder must be its own (the caller's may be
	# closed to it).
	cd "$dir"
	# --no-sync: initdb's own files only; the server runs with fsync on.
	as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust \
	    --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2; exit 1; }
	as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	    -o "-k $dir -c listen_addresses='' -c fsync=on \
	        -c synchronous_commit=on -c max_connections=50" \
	    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
	echo "host=$dir dbname=postgres user=postgres"
	;;
stop)
	if [ -f "$dir/data/postmaster.pid" ]; then
		(cd "$dir" && as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate \
		    -w stop >/dev/null 2>&1) || true
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: $0 start|stop DIR" >&2; exit 64
	;;
esac
