# The hierarchy the authorisation tests sign with (sourced by
# tests/server/auth.sh and append.sh), and their helpers:
#   root vn -> authority vn/hcm (HCM) -> registry vn/hcm, officers A, B, D
#   (vn/hcm/a), C (registered by no one), OLD (expired in 2020);
#   ALIEN under another root.
# serve [key=value…] starts coyeud on this registry (tests/server/lib.sh);
# http STATUS TEXT DESC METHOD PATH [httpsig.py options…] sends one signed
# request and checks the status and that the answer holds TEXT;
# register_entries prints every entry in the register.
. "${SRCDIR:-.}/tests/server/lib.sh"
SIGN="python3 ${SRCDIR:-.}/tests/server/lib/httpsig.py"

# person FILE-PREFIX NAME UNIT ISSUER ROLE [cert issue options…]
person() {
	p=$1 name=$2 unit=$3 issuer=$4 role=$5
	shift 5
	$C id new --unprotected -o "$T/$p.key" >/dev/null 2>&1 &&
	$C id request -k "$T/$p.key" --name "$name" --unit "$unit" \
	    -o "$T/$p.req" >/dev/null 2>&1 &&
	$C cert issue -k "$T/$issuer.key" -c "$T/$issuer.chain" --role "$role" \
	    --clearance toi-mat "$@" "$T/$p.req" -o "$T/$p.chain" \
	    >/dev/null 2>"$T/pki.err" || { cat "$T/pki.err"; bad "issue $p"; }
	sed -n 's/^serial: //p' "$T/$p.chain" | head -n 1
}

$C authority init --unprotected -o "$T/root.key" --cert-out "$T/root.cert" \
    --name "Ban Cơ yếu" --unit vn --not-before 2019-01-01 --days 20000 \
    >/dev/null 2>&1 || bad "root"
cp "$T/root.cert" "$T/root.chain"
$C authority init --unprotected -o "$T/alienroot.key" \
    --cert-out "$T/alienroot.chain" --name "Other" --unit vn >/dev/null 2>&1
HCM=$(person hcm "Ban Cơ yếu TP.HCM" vn/hcm root authority --days 3000)
REG=$(person reg "Registry HCM" vn/hcm hcm registry)
A=$(person a "Nguyễn Văn A" vn/hcm/a hcm officer)
B=$(person b "Trần Thị B" vn/hcm/a hcm officer)
C=$(person c "Lê Văn C" vn/hcm/a hcm officer)
D=$(person d "Phạm Văn D" vn/hcm/a hcm officer)
OLD=$(person old "Cũ" vn/hcm/a hcm officer --not-before 2020-01-01 --days 1)
ALIEN=$(person alien "Người lạ" vn/hcm alienroot officer)
export A B C D HCM REG OLD ALIEN
# Lists of the city authority: B revoked, then C as well; one by a
# stranger to the hierarchy.
$C cert revoke -k "$T/hcm.key" -c "$T/hcm.chain" --serial "$B" \
    --reason key-compromise --crl "$T/hcm.crl" >/dev/null 2>&1
cp "$T/hcm.crl" "$T/hcm-1.crl"
$C cert revoke -k "$T/hcm.key" -c "$T/hcm.chain" --serial "$C" \
    --reason superseded --crl "$T/hcm.crl" >/dev/null 2>&1
cp "$T/hcm.crl" "$T/hcm-2.crl"
$C cert revoke -k "$T/alienroot.key" -c "$T/alienroot.chain" --serial "$A" \
    --crl "$T/alien.crl" >/dev/null 2>&1
printf '{"chain": nope' >"$T/notjson"

serve() {
	cyd_start key="$T/reg.key" chain="$T/reg.chain" trust="$T/root.cert" "$@"
}

http() {
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

register_entries() {
	sqlite3 "$DB" "SELECT data FROM entry ORDER BY idx"
}
