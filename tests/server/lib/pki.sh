# The hierarchy the authorisation tests sign with (sourced by
# tests/server/auth.sh and append.sh), and their helpers:
#   root vn -> authority vn/hcm (serials $SHCM, $SA …) -> registry vn/hcm, officers A, B, D
#   E (vn/hcm/a), C (registered by no one), OLD (expired in 2020);
#   ALIEN under another root.
# serve [config line…] starts coyeud on this registry (tests/server/lib.sh);
# signed STATUS TEXT DESC METHOD PATH [httpsig.py options…] sends one signed
# request and checks the status and that the answer holds TEXT;
# register_entries prints every entry in the register.
. "${SRCDIR:-.}/tests/server/lib.sh"
# The interpreter itself, not a version manager's shim (pyenv's costs
# half a second a run).
PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) ||
    PYTHON=python3
SIGN="$PYTHON ${SRCDIR:-.}/tests/server/lib/httpsig.py"

# person FILE-PREFIX NAME UNIT ISSUER ROLE [cert issue options…]
person() {
	p=$1 name=$2 unit=$3 issuer=$4 role=$5
	shift 5
	$C id new --unprotected -o "$T/$p.key" >/dev/null 2>&1 &&
	$C id request -k "$T/$p.key" --name "$name" --unit "$unit" \
	    -o "$T/$p.req" >/dev/null 2>&1 &&
	$C cert issue -k "$T/$issuer.key" -c "$T/$issuer.chain" --role "$role" \
	    --clearance toi-mat "$@" "$T/$p.req" -o "$T/$p.chain" \
	    >/dev/null 2>"$T/pki.err" || cat "$T/pki.err" >&2
	sed -n 's/^serial: //p' "$T/$p.chain" | head -n 1
}

$C authority init --unprotected -o "$T/root.key" --cert-out "$T/root.cert" \
    --name "Ban Cơ yếu" --unit vn --not-before 2019-01-01 --days 20000 \
    >/dev/null 2>&1 || bad "root"
cp "$T/root.cert" "$T/root.chain"
$C authority init --unprotected -o "$T/alienroot.key" \
    --cert-out "$T/alienroot.chain" --name "Other" --unit vn >/dev/null 2>&1
SHCM=$(person hcm "Ban Cơ yếu TP.HCM" vn/hcm root authority \
    --not-before 2019-06-01 --days 3000)
SREG=$(person reg "Registry HCM" vn/hcm hcm registry)
SA=$(person a "Nguyễn Văn A" vn/hcm/a hcm officer)
SB=$(person b "Trần Thị B" vn/hcm/a hcm officer)
SC=$(person c "Lê Văn C" vn/hcm/a hcm officer)
SD=$(person d "Phạm Văn D" vn/hcm/a hcm officer)
SE=$(person e "Hoàng Văn E" vn/hcm/a hcm officer)
SOLD=$(person old "Cũ" vn/hcm/a hcm officer --not-before 2020-01-01 --days 1)
SALIEN=$(person alien "Người lạ" vn/hcm alienroot officer)
for s in "$SHCM" "$SREG" "$SA" "$SB" "$SC" "$SD" "$SE" "$SOLD" "$SALIEN"; do
	[ -n "$s" ] || { bad "the test hierarchy"; exit 1; }
done

# Lists of the city authority: B revoked, then C as well; one by a
# stranger to the hierarchy.
$C cert revoke -k "$T/hcm.key" -c "$T/hcm.chain" --serial "$SB" \
    --reason key-compromise --crl "$T/hcm.crl" >/dev/null 2>&1
cp "$T/hcm.crl" "$T/hcm-1.crl"
$C cert revoke -k "$T/hcm.key" -c "$T/hcm.chain" --serial "$SC" \
    --reason superseded --crl "$T/hcm.crl" >/dev/null 2>&1
cp "$T/hcm.crl" "$T/hcm-2.crl"
$C cert revoke -k "$T/alienroot.key" -c "$T/alienroot.chain" --serial "$SA" \
    --crl "$T/alien.crl" >/dev/null 2>&1
printf '{"chain": nope' >"$T/notjson"

# entry FILE ACTOR-KEY ACTOR [N] [field=value…]: an item.transition entry
# (N makes it unique) signed by ACTOR-KEY naming ACTOR (a document's
# lifecycle entries go through the documents routes, not /v1/log/entries).
entry() {
	f=$1 k=$2 actor=$3 n=${4:-0}
	shift 3
	[ $# -gt 0 ] && shift
	$C log entry --type item.transition -k "$T/$k.key" -o "$T/$f" \
	    actor="$actor" doc-id=fedcba9876543210fedcba9876543210 \
	    item-id=$(printf %032x "$n") register=incoming from=delivered \
	    to=received "$@" 2>"$T/entry.err" ||
	    { bad "entry $f"; cat "$T/entry.err"; }
}
entry a.entry a "$SA"

# serve [config line…]: init and start coyeud on this registry, on
# SQLite, or in a database of its own on the PostgreSQL cluster
# COYEU_PG_DSN names (tests/with-pg.sh).
serve() {
	if [ -n "${COYEU_PG_DSN:-}" ]; then
		PGDB=auth_$(basename "$T" | tr -dc 'a-zA-Z0-9' | tr A-Z a-z)
		psql "$COYEU_PG_DSN" -qAtc "CREATE DATABASE $PGDB" ||
		    { bad "create the database"; exit 1; }
		DSN="$COYEU_PG_DSN dbname=$PGDB"
		pghost=$(echo "$COYEU_PG_DSN" | sed -n 's/.*host=\([^ ]*\).*/\1/p')
		set -- "$@" "db = postgresql://postgres@/$PGDB?host=$pghost"
	fi
	write_config "$T/c.conf" "$@"
	$D init --config "$T/c.conf" >"$T/init.out" 2>&1 ||
	    { bad "coyeud init"; cat "$T/init.out"; exit 1; }
	start_server "$T/c.conf"
	DB=$T/reg.db
}

signed() {
	want=$1 text=$2 desc=$3 method=$4 path=$5
	shift 5
	$SIGN "$@" "$method" "$URL$path" >"$T/out" 2>"$T/err"
	got=$(head -n 1 "$T/out")
	if [ "$got" != "$want" ]; then
		bad "$desc (status $got, wanted $want)"
		cat "$T/out" "$T/err"
	elif [ -n "$text" ] && ! grep -qF -- "$text" "$T/out"; then
		bad "$desc (no '$text' in the answer)"
		cat "$T/out"
	else
		ok "$desc"
	fi
}

# sql QUERY: runs it on the registry's store, one row a line.
sql() {
	if [ -n "${DSN:-}" ]; then
		psql "$DSN" -qAtc "$1"
	else
		sqlite3 "$DB" "$1"
	fi
}

register_entries() {
	if [ -n "${DSN:-}" ]; then
		sql "SELECT convert_from(data, 'UTF8') FROM entry ORDER BY idx"
	else
		sql "SELECT data FROM entry ORDER BY idx"
	fi
}
