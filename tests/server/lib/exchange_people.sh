# The people of the copies and registers tests (sourced after
# tests/server/lib/pki.sh): F of unit vn/hcm/b, and a TUYỆT MẬT line —
# authority TM (vn/hcm/t) over TA, TB, TC, cleared TUYỆT MẬT.  serve_all
# starts coyeud, registers everyone, makes a keyring pinning the root
# and the registry; as WHO CMD… runs a command signed by WHO; doc_of
# reads the doc-id coyeu send printed.
SF=$(person f "Đỗ Thị F" vn/hcm/b hcm officer)
STM=$(person tm "Ban Cơ yếu Tuyệt mật" vn/hcm/t root authority \
    --clearance tuyet-mat --not-before 2019-06-01 --days 3000)
STA=$(person ta "Vũ Tuyệt A" vn/hcm/t tm officer --clearance tuyet-mat)
STB=$(person tb "Vũ Tuyệt B" vn/hcm/t tm officer --clearance tuyet-mat)
STC=$(person tc "Vũ Tuyệt C" vn/hcm/t tm officer --clearance tuyet-mat)
for s in "$SF" "$STM" "$STA" "$STB" "$STC"; do
	[ -n "$s" ] || { bad "the exchange's people"; exit 1; }
done

serve_all() {
	serve "$@"
	for who in hcm a d e f tm ta tb tc; do
		eval serial=\$S$(echo "$who" | tr a-z A-Z)
		$SIGN --key "$T/$who.key" --keyid "$serial" --str chain \
		    "$T/$who.chain" POST "$URL/v1/certs" >"$T/out" 2>&1
		[ "$(head -n 1 "$T/out")" = 201 ] ||
		    { bad "$who registers"; cat "$T/out"; }
	done
	COYEU_HOME=$T/keyring
	export COYEU_HOME
	$C keyring init --trust "$T/root.cert" >/dev/null 2>&1 ||
	    bad "keyring init"
	$C keyring registry "$URL" >/dev/null 2>&1 || bad "keyring registry"
}

# as WHO CMD…: CMD signed by WHO's key and chain.
as() {
	who=$1
	shift
	"$@" -k "$T/$who.key" -c "$T/$who.chain"
}

# doc_of FILE: the doc-id in coyeu send's output.
doc_of() {
	sed -n 's/^document \([0-9a-f]\{32\}\)$/\1/p' "$1"
}

# denied_for SERIAL TEXT: the register holds a denied entry for SERIAL
# whose reason holds TEXT.
denied_for() {
	if register_entries | tr '\n' '\t' | sed 's/version: /\n/g' |
	    grep -F "type: denied" | grep -F "$1" | grep -qF -- "$2"; then
		ok "a denied entry records it"
	else
		bad "no denied entry for $1 with '$2'"
	fi
}
