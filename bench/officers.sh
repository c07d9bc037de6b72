# Sourced by bench/coyeud.sh and tests/server/reliability.sh: a root, a
# registry and N officers made with the command line, as an authority would.
#
#   make_pki COYEU DIR N
#
# DIR/root.key, DIR/root.cert, DIR/registry.key, DIR/registry.chain, and
# DIR/keys/<i>.key, DIR/keys/<i>.chain for i = 0 … N-1 (officers of unit
# vn/a, cleared to mat; unprotected keys, as bench/load reads them); and
# pg_url, below.

make_pki() {
	_coyeu=$1 _dir=$2 _n=$3
	mkdir -p "$_dir/keys"
	"$_coyeu" authority init -o "$_dir/root.key" --cert-out "$_dir/root.cert" \
	    --name Root --unit vn --unprotected >/dev/null 2>&1
	_issue() { # KEY CHAIN NAME UNIT ROLE LEVEL
		"$_coyeu" id new --unprotected -o "$1" >/dev/null 2>&1
		"$_coyeu" id request -k "$1" --name "$3" --unit "$4" -o "$1.req"
		"$_coyeu" cert issue -k "$_dir/root.key" -c "$_dir/root.cert" \
		    --role "$5" --clearance "$6" -o "$2" "$1.req" >/dev/null 2>&1
		rm -f "$1.req"
	}
	_issue "$_dir/registry.key" "$_dir/registry.chain" Registry vn registry \
	    tuyet-mat
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		_issue "$_dir/keys/$_i.key" "$_dir/keys/$_i.chain" "Officer $_i" \
		    vn/a officer mat
		_i=$((_i + 1))
	done
}

# pg_url DSN [DBNAME]: a libpq keyword dsn ("host=DIR dbname=D user=U", as
# tests/with-pg.sh gives COYEU_PG_DSN) as the postgresql:// URL coyeud's
# db = takes, optionally naming another database.
pg_url() {
	_h=$(echo "$1" | sed -n 's/.*host=\([^ ]*\).*/\1/p')
	_u=$(echo "$1" | sed -n 's/.*user=\([^ ]*\).*/\1/p')
	_d=${2:-$(echo "$1" | sed -n 's/.*dbname=\([^ ]*\).*/\1/p')}
	echo "postgresql:///${_d:-postgres}?host=$_h&user=${_u:-postgres}"
}
