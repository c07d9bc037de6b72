# Shared by the server tests (sourced): a scratch folder $T, ok/bad/expect
# (tests/cli/lib/expect.sh), a small authority made with the CLI (root ->
# registry), a config, `coyeud init`, and a coyeud on a free 127.0.0.1
# port that is stopped on every way out.  COYEU and COYEUD name the
# programs.
. "${SRCDIR:-.}/tests/cli/lib/expect.sh"
C=$COYEU
D=$COYEUD
SERVER_PID=
trap 'stop_server_quietly; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

stop_server_quietly() {
	[ -n "$SERVER_PID" ] || return 0
	kill -TERM "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
}

# make_authority: $T/root.{key,cert}, and the registry's key and --role
# registry chain $T/reg.{key,chain} in unit vn/hcm.
make_authority() {
	$C authority init -o "$T/root.key" --cert-out "$T/root.cert" \
	    --name "Ban Cơ yếu" --unit vn --unprotected >/dev/null 2>&1 &&
	$C id new -o "$T/reg.key" --unprotected >/dev/null 2>&1 &&
	$C id request -k "$T/reg.key" --name "Registry HCM" --unit vn/hcm \
	    -o "$T/reg.req" >/dev/null 2>&1 &&
	$C cert issue -k "$T/root.key" -c "$T/root.cert" --role registry \
	    --clearance mat "$T/reg.req" -o "$T/reg.chain" >/dev/null 2>&1 ||
	    { bad "make the authority"; exit 1; }
}

# The store the tests' coyeud uses: SQLite ($T/reg.db), or with
# SERVER_STORE=postgres and COYEU_PG_DSN (tests/with-pg.sh) a new database
# of the throwaway cluster, one per test script.
STORE_DB=sqlite:$T/reg.db
if [ "${SERVER_STORE:-sqlite}" = postgres ]; then
	[ -n "${COYEU_PG_DSN:-}" ] || { echo "SERVER_STORE=postgres needs COYEU_PG_DSN"; exit 1; }
	pgdb=coyeu_$(basename "$T" | tr -c 'a-zA-Z0-9\n' _ | tr A-Z a-z)
	psql "$COYEU_PG_DSN" -qc "CREATE DATABASE $pgdb" >/dev/null ||
	    { echo "cannot create database $pgdb"; exit 1; }
	pgh=$(echo "$COYEU_PG_DSN" | sed -n 's/.*host=\([^ ]*\).*/\1/p')
	STORE_DB="postgresql:///$pgdb?host=$pgh&user=postgres"
fi
# Tests that read the store with the CLI (an SQLite file) call this.
sqlite_only() {
	if [ "${SERVER_STORE:-sqlite}" != sqlite ]; then
		echo "skipped: needs the SQLite store"
		exit 0
	fi
}

# write_config FILE [LINE...]: a config on $STORE_DB listening on a free
# port (the kernel's: listen = 127.0.0.1:0), then the extra lines.
write_config() {
	f=$1
	shift
	{
		echo "# test config"
		echo "listen = 127.0.0.1:0"
		echo "db = $STORE_DB"
		echo "key = $T/reg.key"
		echo "chain = $T/reg.chain"
		echo "trust = $T/root.cert"
		echo "log_level = info"
		for l in "$@"; do echo "$l"; done
	} >"$f"
}

# start_server CONFIG: runs coyeud in the background (log $T/server.log),
# waits for it to listen and answer /healthz; sets URL and SERVER_PID.
start_server() {
	: >"$T/server.log"
	$D --config "$1" 2>>"$T/server.log" &
	SERVER_PID=$!
	i=0
	URL=
	while [ $i -lt 100 ]; do
		addr=$(sed -n 's/.*"msg":"listening","listen":"\([^"]*\)".*/\1/p' \
		    "$T/server.log" | head -n 1)
		if [ -n "$addr" ]; then
			URL=http://$addr
			curl -fs "$URL/healthz" >/dev/null 2>&1 && return 0
		fi
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	bad "coyeud did not start"
	cat "$T/server.log"
	exit 1
}

# start_named NAME CONFIG: start_server, its log kept as $T/NAME.log (the
# server keeps writing to the renamed file), NAME_URL and NAME_PID set.
start_named() {
	start_server "$2"
	mv "$T/server.log" "$T/$1.log"
	eval "$1_URL=\$URL $1_PID=\$SERVER_PID"
	SERVER_PID=
}
# stop_named NAME: SIGTERM, and wait for it.
stop_named() {
	eval "pid=\${$1_PID:-}"
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	eval "$1_PID="
}

# stop_server: SIGTERM; the exit status into $SERVER_RC.
stop_server() {
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID"
	SERVER_RC=$?
	SERVER_PID=
}

# http METHOD PATH [curl args...]: the status into $STATUS, the body into
# $T/body, the headers into $T/headers.
http() {
	m=$1 p=$2
	shift 2
	STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' \
	    -X "$m" "$@" "$URL$p")
}

# expect_http DESC CODE TEXT METHOD PATH [curl args...]: status CODE and,
# when TEXT is not empty, the body holds TEXT.
expect_http() {
	desc=$1 code=$2 text=$3
	shift 3
	http "$@"
	if [ "$STATUS" != "$code" ]; then
		bad "$desc (status $STATUS, wanted $code)"
		cat "$T/body"
	elif [ -n "$text" ] && ! grep -qF -- "$text" "$T/body"; then
		bad "$desc (no '$text' in the body)"
		cat "$T/body"
	else
		ok "$desc"
	fi
}

finish() {
	if [ $fails -ne 0 ]; then
		echo "$fails failed"
		exit 1
	fi
	echo "all passed"
}
