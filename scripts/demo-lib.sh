# Shared by the demo parts (sourced): $D is the part's folder.

say() { printf '\n== %s\n' "$*"; }
indent() { sed 's/^/   /'; }

# shown COMMAND...: runs the command, shows what it printed, indented, and
# stops the part if it failed (a pipe into indent would hide that).
shown() {
	if "$@" >"$D/shown" 2>&1; then
		indent <"$D/shown"
	else
		indent <"$D/shown"
		echo "   ERROR: $1 ${2:-} ${3:-} failed" >&2
		exit 1
	fi
}

# refused DESCRIPTION COMMAND...: the command must fail, releasing nothing
# on standard output; shows why.
refused() {
	what=$1
	shift
	if "$@" >"$D/out" 2>"$D/err"; then
		echo "   ERROR: $what was accepted" >&2
		exit 1
	fi
	printf '   refused, as it must be: %s\n' \
	    "$(head -n 1 "$D/err" | sed 's/^coyeu: //')"
	[ ! -s "$D/out" ] || { echo "   ERROR: $what released output" >&2; exit 1; }
}

# certify NAME FILE UNIT ISSUER ROLE LEVEL [OPTIONS]: FILE's keys (under
# the demo passphrase $P, work factor $W), its request, and ISSUER's
# certificate for it.
certify() {
	name=$1 file=$2 unit=$3 issuer=$4 role=$5 level=$6
	shift 6
	$C id new -o "$D/$file.key" $P $W >/dev/null
	$C id request -k "$D/$file.key" $P --name "$name" --unit "$unit" \
		-o "$D/$file.req"
	$C cert issue -k "$D/$issuer.key" -c "$D/$issuer.chain" $P \
		--role "$role" --clearance "$level" "$@" "$D/$file.req" \
		-o "$D/$file.chain" | indent
}

# The parts that run coyeud ($CYD) keep its files in $R.
stop() { # PID: SIGTERM, then wait: coyeud drains and exits 0
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
config() { # NAME [LINE...]: a config on a SQLite file, any free port
	n=$1
	shift
	{
		echo "listen = 127.0.0.1:0"
		echo "db = sqlite:$R/$n.db"
		echo "key = $R/$n.key"
		echo "chain = $R/$n.chain"
		echo "trust = $D/root.cert"
		for l in "$@"; do echo "$l"; done
	} >"$R/$n.conf"
}
serve() { # NAME: starts coyeud, waits for /healthz, sets URL and PID
	"$CYD" --config "$R/$1.conf" 2>"$R/$1.log" &
	PID=$!
	i=0
	while [ $i -lt 100 ]; do
		a=$(sed -n 's/.*"msg":"listening","listen":"\([^"]*\)".*/\1/p' \
		    "$R/$1.log" | head -n 1)
		if [ -n "$a" ] && curl -fs "http://$a/healthz" >/dev/null 2>&1; then
			URL=http://$a
			return 0
		fi
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "   ERROR: coyeud $1 did not start:" >&2
	cat "$R/$1.log" >&2
	exit 1
}
