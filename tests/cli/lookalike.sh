#!/bin/sh
# Look-alike text and revocation lists that go back on themselves (issue 8):
# names and document numbers with bidirectional overrides, invisible
# characters or words mixing scripts are refused where they are typed and
# where a record is made, flagged where one is shown; a revocation list
# that drops a serial, or jumps its sequence by a billion, is refused.
# The hostile authority re-signs its lists with openssl (its key file is
# unprotected here so the test can read the Ed25519 seed).
# shellcheck disable=SC2086
. "${SRCDIR:-.}/tests/cli/lib/expect.sh"
P="--passphrase-file $T/pass"
W="--work-factor 10"
printf 'mật khẩu\n' >"$T/pass"
RLO=$(printf '\342\200\256')        # U+202E RIGHT-TO-LEFT OVERRIDE
ZWSP=$(printf '\342\200\213')       # U+200B ZERO WIDTH SPACE
CYR_E=$(printf '\320\265')          # U+0435 CYRILLIC SMALL LETTER IE
NFD=$(printf 'Nguye\314\202\314\203n V\304\203n A')

serial() { sed -n 's/^serial: //p' "$1" | head -n 1; }

# resign IN OUT KEY: IN with its signature line replaced by an Ed25519
# signature of KEY (an unprotected coyeu key file) over what precedes it.
resign() {
	sed '/^signature: /,$d' "$1" >"$T/body"
	seed=$(sed -n 's/^sign: //p' "$3")
	{ printf '\060\056\002\001\000\060\005\006\003\053\145\160\004\042\004\040'
	  printf '%s=' "$seed" | base64 -d; } >"$T/seed.der"
	openssl pkey -inform DER -in "$T/seed.der" -out "$T/seed.pem" 2>/dev/null
	openssl pkeyutl -sign -rawin -inkey "$T/seed.pem" -in "$T/body" \
	    -out "$T/sig.bin" || return 1
	{ cat "$T/body"; printf 'signature: %s\n' \
	    "$(base64 -w0 "$T/sig.bin" | tr -d '=')"; } >"$2"
	rm -f "$T/seed.der" "$T/seed.pem"
}

# ---- a root and an officer ----
expect 0 "" "root authority" $C authority init -o "$T/root.key" \
	--cert-out "$T/root.cert" --name "Ban Cơ yếu Chính phủ" --unit vn \
	--unprotected
$C id new -o "$T/an.key" $P $W >/dev/null 2>&1

# ---- refused characters, where they are typed: exit 2, naming the field ----
expect 2 "coyeu: --name: contains U+202E RIGHT-TO-LEFT OVERRIDE (bidirectional control); remove it" \
	"id request: a right-to-left override in --name" \
	$C id request -k "$T/an.key" $P --name "Nguy${RLO}ễn Văn An" --unit vn
expect 2 "--name: contains U+200B ZERO WIDTH SPACE (invisible format character)" \
	"id request: a zero-width space in --name" \
	$C id request -k "$T/an.key" $P --name "Nguyễn${ZWSP} Văn An" --unit vn
expect 2 "--name: contains U+202E RIGHT-TO-LEFT OVERRIDE" \
	"authority init: a right-to-left override in --name" \
	$C authority init -o "$T/r2.key" --cert-out "$T/r2.cert" \
	--name "Ban${RLO} Cơ yếu" --unit vn --unprotected
[ ! -e "$T/r2.key" ] && ok "no key file left behind" || bad "r2.key written"
expect 2 "--name: the word \"Nguy${CYR_E}n\" mixes scripts, as look-alike text does: U+0435 CYRILLIC SMALL LETTER IE (Cyrillic) after Latin letters; if it is really spelled so, give --allow-mixed-script" \
	"id request: a word mixing Latin and Cyrillic" \
	$C id request -k "$T/an.key" $P --name "Nguy${CYR_E}n Văn An" --unit vn
expect 0 "" "id request: Ivan Иванов (each word one script) is fine" \
	$C id request -k "$T/an.key" $P --name "Ivan Иванов" --unit vn
expect 2 "--name: text is not in Unicode NFC (composed) form" "id request: NFD is still refused, for not being NFC" \
	$C id request -k "$T/an.key" $P --name "$NFD" --unit vn
expect 0 "" "id request: Vietnamese with every kind of diacritic" \
	$C id request -k "$T/an.key" $P --unit vn -o "$T/an.req" \
	--name "Nguyễn Văn Ấn Đặng Hưởng Thị Ỷ"

# ---- cert issue: a mixed-script name from a request ----
expect 0 "" "id request --allow-mixed-script writes the request" \
	$C id request -k "$T/an.key" $P --name "Nguy${CYR_E}n Văn An" \
	--unit vn --allow-mixed-script -o "$T/mixed.req"
expect 1 "cert issue: refused: name in $T/mixed.req: the word \"Nguy${CYR_E}n\" mixes scripts" \
	"cert issue refuses a mixed-script name" \
	$C cert issue -k "$T/root.key" -c "$T/root.cert" --role officer \
	--clearance toi-mat "$T/mixed.req" -o "$T/mixed.chain"
[ ! -e "$T/mixed.chain" ] && ok "no chain written" || bad "mixed.chain written"
expect 0 "" "cert issue --allow-mixed-script certifies it" \
	$C cert issue -k "$T/root.key" -c "$T/root.cert" --role officer \
	--clearance toi-mat --allow-mixed-script "$T/mixed.req" -o "$T/mixed.chain"
expect 0 "coyeu: warning: certificate 1 (serial $(serial "$T/mixed.chain")): name: the word \"Nguy${CYR_E}n\" mixes scripts" \
	"cert verify warns about the mixed-script name" \
	$C cert verify --trust "$T/root.cert" "$T/mixed.chain"
expect 0 "warning: certificate 1" "cert show warns too" \
	$C cert show "$T/mixed.chain"
expect 0 "" "a plain Vietnamese name is issued" \
	$C cert issue -k "$T/root.key" -c "$T/root.cert" --role officer \
	--clearance toi-mat "$T/an.req" -o "$T/an.chain"
expect 0 "verified: Nguyễn Văn Ấn Đặng Hưởng Thị Ỷ" "and verifies" \
	$C cert verify --trust "$T/root.cert" "$T/an.chain"
grep -q "warning" "$T/err" && bad "a warning for a plain name" ||
	ok "no warning for a plain name"

# A request edited to carry U+202E: refused on parsing, whatever its
# signature.
sed "s/^name: Nguyễn/name: Nguy${RLO}ễn/" "$T/an.req" >"$T/rlo.req"
expect 1 "line 2: name: contains U+202E RIGHT-TO-LEFT OVERRIDE (bidirectional control)" \
	"cert issue refuses a request carrying U+202E" \
	$C cert issue -k "$T/root.key" -c "$T/root.cert" --role officer \
	--clearance toi-mat "$T/rlo.req" -o "$T/rlo.chain"
# A certificate the root signed with U+202E in it (a hostile issuer).
sed "s/^name: Nguyễn/name: Nguy${RLO}ễn/" "$T/an.chain" >"$T/rlo.tmp"
resign "$T/rlo.tmp" "$T/rlo.chain" "$T/root.key" || bad "resign failed"
expect 1 "name: contains U+202E RIGHT-TO-LEFT OVERRIDE" \
	"cert verify refuses a signed certificate carrying U+202E" \
	$C cert verify --trust "$T/root.cert" "$T/rlo.chain"

# ---- seal --doc ----
printf 'nội dung\n' >"$T/doc.txt"
SEAL="seal --level toi-mat -k $T/an.key -c $T/an.chain --trust $T/root.cert --to $T/an.chain $P"
expect 2 "coyeu: --doc: contains U+202E RIGHT-TO-LEFT OVERRIDE (bidirectional control); remove it" \
	"seal: a right-to-left override in --doc" \
	$C $SEAL --doc "12/QĐ-${RLO}UBND" -o "$T/x.age" "$T/doc.txt"
expect 2 "--doc: contains U+FEFF ZERO WIDTH NO-BREAK SPACE" \
	"seal: a zero-width no-break space in --doc" \
	$C $SEAL --doc "$(printf '12/Q\304\220\357\273\277-UBND')" -o "$T/x.age" "$T/doc.txt"
expect 2 "--doc: the word \"UBN$(printf '\316\224')\" mixes scripts" \
	"seal: a Greek Delta in a Latin word of --doc" \
	$C $SEAL --doc "12/QĐ-UBN$(printf '\316\224')" -o "$T/x.age" "$T/doc.txt"
[ ! -e "$T/x.age" ] && ok "nothing sealed" || bad "x.age written"
expect 0 "" "seal --allow-mixed-script takes it" \
	$C $SEAL --allow-mixed-script --doc "12/QĐ-UBN$(printf '\316\224')" \
	-o "$T/x.age" "$T/doc.txt"
expect 0 "coyeu: warning: document number: the word \"UBN$(printf '\316\224')\" mixes scripts" \
	"open warns about the document number" \
	$C open -k "$T/an.key" $P --trust "$T/root.cert" -o "$T/x.txt" "$T/x.age"
expect 0 "" "a plain document number seals" \
	$C $SEAL --doc "Số 12/QĐ-UBND" -o "$T/y.age" "$T/doc.txt"

# ---- revocation lists: permanent, and no leaps ----
X=$(serial "$T/mixed.chain")
Y=$(serial "$T/an.chain")
Z=00000000000000000000000000000001
$C keyring init --trust "$T/root.cert" >/dev/null 2>&1 || bad "keyring init"
$C cert revoke -k "$T/root.key" -c "$T/root.cert" --serial "$X" \
	--reason key-compromise --crl "$T/r.crl" >/dev/null 2>&1
expect 0 "added as the revocation list" "keyring add: the first list" \
	$C keyring add "$T/r.crl"
# a fresh list: sequence 2 without X
$C cert revoke -k "$T/root.key" -c "$T/root.cert" --serial "$Z" \
	--crl "$T/fresh.crl" >/dev/null 2>&1
$C cert revoke -k "$T/root.key" -c "$T/root.cert" --serial "$Y" \
	--reason superseded --crl "$T/fresh.crl" >/dev/null 2>&1
grep -q "^sequence: 2$" "$T/fresh.crl" && ok "the fresh list is sequence 2" ||
	bad "fresh list: $(cat "$T/fresh.crl")"
expect 1 "refused: sequence 2 of $(serial "$T/root.cert") drops $X, which sequence 1 revokes (key-compromise)" \
	"keyring add refuses a list that drops a serial" \
	$C keyring add "$T/fresh.crl"
expect 1 "revoked" "the officer stays revoked" \
	$C cert verify "$T/mixed.chain"
for order in "fresh r" "r fresh"; do
	set -- $order
	expect 1 "drops $X" "cert verify with both lists fails closed ($order)" \
		$C cert verify --trust "$T/root.cert" --crl "$T/$1.crl" \
		--crl "$T/$2.crl" "$T/mixed.chain"
done
sed "s/^revoked: $X key-compromise /revoked: $X superseded /;
	s/^sequence: 1$/sequence: 2/" "$T/r.crl" >"$T/weak.tmp"
resign "$T/weak.tmp" "$T/weak.crl" "$T/root.key" || bad "resign failed"
expect 1 "weakens the revocation of $X" \
	"keyring add refuses a list that turns key-compromise into superseded" \
	$C keyring add "$T/weak.crl"
# a jump by a billion
sed 's/^sequence: 1$/sequence: 1000000001/' "$T/r.crl" >"$T/jump.tmp"
resign "$T/jump.tmp" "$T/jump.crl" "$T/root.key" || bad "resign failed"
expect 1 "jumps 1000000000 past sequence 1" \
	"keyring add refuses a jump of a billion" $C keyring add "$T/jump.crl"
grep -qF "add it with --force" "$T/err" && ok "and says how to take it" ||
	bad "no --force hint: $(cat "$T/err")"
# a jump of exactly the limit is taken; one more is not
sed 's/^sequence: 1$/sequence: 10001/' "$T/r.crl" >"$T/edge.tmp"
resign "$T/edge.tmp" "$T/edge.crl" "$T/root.key" || bad "resign failed"
sed 's/^sequence: 1$/sequence: 10002/' "$T/r.crl" >"$T/over.tmp"
resign "$T/over.tmp" "$T/over.crl" "$T/root.key" || bad "resign failed"
expect 1 "jumps 10001 past sequence 1" "a jump of 10001 is refused" \
	$C keyring add "$T/over.crl"
expect 0 "sequence 1000000001" "keyring add --force takes the jump" \
	$C keyring add --force "$T/jump.crl"
expect 1 "older (sequence 10001)" "after which the edge list is older" \
	$C keyring add "$T/edge.crl"

[ "$fails" -eq 0 ] && echo "lookalike: all checks passed"
exit "$fails"
