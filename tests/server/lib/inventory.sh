# The inventory's HTTP tests (tests/server/inventory.sh, stocktake.sh),
# sourced: a hierarchy under root vn -> authority vn/hcm (HCM) -> the
# registry and the officers each test makes with `person`, coyeud on
# either store, and helpers that sign entries and requests:
#   person NAME UNIT LEVEL [ROLE]   keys and chain $T/NAME.*, registered;
#                                   sets S_NAME to its serial
#   entry NAME TYPE field=value…    $T/entry: an entry signed by NAME
#   body [JSON-members]             $T/body.json: {"entry": <$T/entry>, …}
#   call NAME METHOD PATH [BODY]    a signed request: $STATUS, $T/answer
#   check DESC CODE TEXT NAME METHOD PATH [BODY]   call, then the status and
#                                   that the answer holds TEXT
#   field JQ                        jq -r JQ on the last answer
#   new_id                          32 random lowercase hex digits
. "${SRCDIR:-.}/tests/server/lib.sh"
PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) ||
    PYTHON=python3
SIGN="$PYTHON ${SRCDIR:-.}/tests/server/lib/httpsig.py"
TODAY=$(date -u +%F)

$C authority init --unprotected -o "$T/root.key" --cert-out "$T/root.cert" \
    --name "Ban Cơ yếu" --unit vn >/dev/null 2>&1 || { bad "root"; exit 1; }
cp "$T/root.cert" "$T/root.chain"

# person NAME UNIT LEVEL [ROLE [ISSUER]]
person() {
	p=$1 unit=$2 level=$3 role=${4:-officer} issuer=${5:-hcm}
	$C id new --unprotected -o "$T/$p.key" >/dev/null 2>&1 &&
	$C id request -k "$T/$p.key" --name "Cán bộ $p" --unit "$unit" \
	    -o "$T/$p.req" >/dev/null 2>&1 &&
	$C cert issue -k "$T/$issuer.key" -c "$T/$issuer.chain" --role "$role" \
	    --clearance "$level" "$T/$p.req" -o "$T/$p.chain" \
	    >/dev/null 2>"$T/pki.err" || { cat "$T/pki.err" >&2; bad "person $p"; }
	eval "S_$p=\$(sed -n 's/^serial: //p' \"\$T/\$p.chain\" | head -n 1)"
}
person hcm vn/hcm tuyet-mat authority root
person reg vn/hcm mat registry

write_config "$T/c.conf" "denied_per_minute = 1000"
$D init --config "$T/c.conf" >"$T/init.out" 2>&1 ||
    { bad "coyeud init"; cat "$T/init.out"; exit 1; }
start_server "$T/c.conf"

# register NAME…: each posts its own chain.
register() {
	for n in "$@"; do
		eval "s=\$S_$n"
		$SIGN --key "$T/$n.key" --keyid "$s" --str chain "$T/$n.chain" \
		    POST "$URL/v1/certs" >"$T/reg.out" 2>&1
		head -n 1 "$T/reg.out" | grep -q '^20[01]$' ||
		    { bad "register $n"; cat "$T/reg.out"; }
	done
}
register hcm

new_id() {
	od -An -tx1 -N16 /dev/urandom | tr -d ' \n'
}

entry() {
	n=$1 type=$2
	shift 2
	eval "s=\$S_$n"
	$C log entry --type "$type" -k "$T/$n.key" -o "$T/entry" actor="$s" \
	    "$@" 2>"$T/entry.err" || { bad "entry $type by $n"; cat "$T/entry.err"; }
}

body() {
	$PYTHON -c 'import base64, json, sys
b = {"entry": base64.b64encode(open(sys.argv[1], "rb").read()).decode()}
if len(sys.argv) > 2: b.update(json.loads(sys.argv[2]))
print(json.dumps(b))' "$T/entry" "$@" >"$T/body.json"
}

call() {
	n=$1 m=$2 p=$3
	eval "s=\$S_$n"
	if [ $# -ge 4 ]; then
		$SIGN --key "$T/$n.key" --keyid "$s" --raw "$4" "$m" "$URL$p" \
		    >"$T/out" 2>"$T/err"
	else
		$SIGN --key "$T/$n.key" --keyid "$s" "$m" "$URL$p" >"$T/out" \
		    2>"$T/err"
	fi
	STATUS=$(head -n 1 "$T/out")
	tail -n +2 "$T/out" >"$T/answer"
}

check() {
	desc=$1 code=$2 text=$3
	shift 3
	call "$@"
	if [ "$STATUS" != "$code" ]; then
		bad "$desc (status $STATUS, wanted $code)"
		cat "$T/answer" "$T/err"
	elif [ -n "$text" ] && ! grep -qF -- "$text" "$T/answer"; then
		bad "$desc (no '$text' in the answer)"
		cat "$T/answer"
	else
		ok "$desc"
	fi
}

field() {
	jq -r "$1" "$T/answer"
}

# sql QUERY: on the registry's store.
sql() {
	if [ "${SERVER_STORE:-sqlite}" = postgres ]; then
		psql "$STORE_DB" -qAtc "$1"
	else
		sqlite3 "$T/reg.db" "$1"
	fi
}

# add NAME TYPE SERIAL LEVEL UNIT [field=value…]: item.add by NAME; ID is
# the new item's id (201 expected).
add() {
	n=$1 type=$2 serial=$3 level=$4 unit=$5
	shift 5
	ID=$(new_id)
	entry "$n" item.add item-id="$ID" item-type="$type" serial="$serial" \
	    maker="Viettel" model="M-1" level="$level" unit="$unit" \
	    received="$TODAY" "$@"
	body
	call "$n" POST /v1/items "$T/body.json"
	[ "$STATUS" = 201 ] || { bad "add $type $serial (status $STATUS)"; cat "$T/answer"; }
}

# change NAME ID ACTION FROM TO [field=value…]: $T/body.json for
# POST /v1/items/ID/changes; $T/change the entry (for its SHA-256).
change() {
	n=$1 id=$2 action=$3 from=$4 to=$5
	shift 5
	entry "$n" item.change item-id="$id" action="$action" from="$from" \
	    to="$to" "$@"
	cp "$T/entry" "$T/change"
	body
}

# confirm NAME ID ROLE DECISION [SHA]: $T/body.json for
# POST /v1/items/ID/confirm naming $T/change's SHA-256.
confirm() {
	sha=${5:-$(sha256sum "$T/change" | cut -d' ' -f1)}
	entry "$1" item.confirm item-id="$2" change-sha256="$sha" role="$3" \
	    decision="$4"
	body
}

# entries_of TYPE: how many entries of TYPE the register holds.
entries_of() {
	if [ "${SERVER_STORE:-sqlite}" = postgres ]; then
		sql "SELECT convert_from(data, 'UTF8') FROM entry"
	else
		sql "SELECT data FROM entry"
	fi | grep -c "^type: $1\$"
}
