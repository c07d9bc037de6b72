#!/bin/sh
# coyeu id / authority / cert: the four-level chain vn -> vn/hcm ->
# vn/hcm/van-phong-thanh-uy -> an officer, key files, and each chain rule
# passing and failing.
. "${SRCDIR:-.}/tests/cli/lib/expect.sh"
P="--passphrase-file $T/pass"
W="--work-factor 10"
printf 'mật khẩu đúng\n' >"$T/pass"
printf 'sai rồi\n' >"$T/wrong"

# newid NAME FILE-PREFIX UNIT: a protected key and its request
newid() {
	$C id new -o "$T/$2.key" $P $W >/dev/null &&
	$C id request -k "$T/$2.key" $P --name "$1" --unit "$3" -o "$T/$2.req"
}

# ---- the four levels ----
expect 0 "root authority" "authority init" \
	$C authority init -o "$T/root.key" --cert-out "$T/root.cert" \
	--name "Ban Cơ yếu Chính phủ" --unit vn --compartments quoc-phong,ngoai-giao $P $W
[ "$(stat -c %a "$T/root.key")" = 600 ] && ok "root key is 0600" || bad "root key mode"
head -c 22 "$T/root.key" | grep -q "age-encryption.org/v1" &&
	ok "root key is an age file" || bad "root key is not an age file"

newid "Ban Cơ yếu TP.HCM" hcm vn/hcm
expect 0 "issued" "root issues the city authority" \
	$C cert issue -k "$T/root.key" -c "$T/root.cert" $P --role authority \
	--clearance tuyet-mat --compartments quoc-phong "$T/hcm.req" -o "$T/hcm.chain"
newid "Văn phòng Thành ủy" agency vn/hcm/van-phong-thanh-uy
expect 0 "issued" "the city issues the agency" \
	$C cert issue -k "$T/hcm.key" -c "$T/hcm.chain" $P --role authority \
	--clearance toi-mat "$T/agency.req" -o "$T/agency.chain"
newid "Nguyễn Văn A" officer vn/hcm/van-phong-thanh-uy
expect 0 "issued" "the agency issues the officer" \
	$C cert issue -k "$T/agency.key" -c "$T/agency.chain" $P --role officer \
	--clearance toi-mat "$T/officer.req" -o "$T/officer.chain"
[ "$(grep -c '^version: coyeu.v1/cert$' "$T/officer.chain")" = 3 ] &&
	ok "the officer's chain holds 3 certificates" || bad "chain length"

expect 0 "certificate 3 of 3" "show the chain" $C cert show "$T/officer.chain"
grep -qF "TỐI MẬT (toi-mat)" "$T/out" && ok "show names the level TỐI MẬT" ||
	bad "show lacks TỐI MẬT"
grep -qF "may issue:     vn/hcm and below, up to TUYỆT MẬT" "$T/out" &&
	ok "show gives the city's may-issue" || bad "show lacks may-issue"
expect 0 '"type":"chain"' "show --json" $C cert show --json "$T/officer.chain"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["certificates"][0]["name"]=="Nguyễn Văn A"' \
	"$T/out" && ok "show --json parses" || bad "show --json does not parse"
expect 0 "certificate request" "show a request" $C cert show "$T/officer.req"
expect 0 "verified: Nguyễn Văn A (officer, vn/hcm/van-phong-thanh-uy)" \
	"verify the four-level chain" $C cert verify --trust "$T/root.cert" "$T/officer.chain"
expect 0 '"verified":true' "verify --json" \
	$C cert verify --json --trust "$T/root.cert" "$T/officer.chain"
expect 0 "verified: Ban Cơ yếu Chính phủ" "the root verifies as itself" \
	$C cert verify --trust "$T/root.cert" "$T/root.cert"
expect 2 "give --trust" "verify without --trust is a usage error" \
	$C cert verify "$T/officer.chain"
for cmd in "id new" "id request" "authority init" "cert issue" "cert show" \
	"cert verify" "cert revoke"; do
	expect 0 "usage: coyeu $cmd" "$cmd --help" $C $cmd --help
done
expect 0 "verify" "cert --help lists the sub-commands" $C cert --help
expect 2 "unknown command" "an unknown sub-command" $C cert frobnicate

# ---- key files ----
expect 1 "cannot open key $T/officer.key: wrong passphrase" "wrong passphrase" \
	$C id request -k "$T/officer.key" --passphrase-file "$T/wrong" \
	--name X --unit vn -o "$T/x.req"
chmod 644 "$T/officer.key"
expect 1 "readable by others" "a key readable by others is refused" \
	$C id request -k "$T/officer.key" $P --name X --unit vn -o "$T/x.req"
chmod 600 "$T/officer.key"
expect 1 "already exists" "an existing key is never overwritten" \
	$C id new -o "$T/officer.key" $P $W
expect 0 "not protected by a passphrase" "an unprotected key warns" \
	$C id new -o "$T/service.key" --unprotected
[ "$(stat -c %a "$T/service.key")" = 600 ] && ok "unprotected key is 0600" ||
	bad "unprotected key mode"
chmod 604 "$T/service.key"
expect 1 "readable by others" "an unprotected key readable by others is refused" \
	$C id request -k "$T/service.key" --name X --unit vn
chmod 600 "$T/service.key"

# ---- subtree containment ----
newid "Cán bộ X" x vn/hcm/x
expect 0 "issued" "vn/hcm may issue for vn/hcm/x" \
	$C cert issue -k "$T/hcm.key" -c "$T/hcm.chain" $P --role officer \
	--clearance mat "$T/x.req" -o "$T/x.chain"
newid "Cán bộ Hà Nội" hn vn/hn
expect 1 "unit vn/hn is outside the issuer's subtree vn/hcm" \
	"vn/hcm may not issue for vn/hn" \
	$C cert issue -k "$T/hcm.key" -c "$T/hcm.chain" $P --role officer \
	--clearance mat "$T/hn.req" -o "$T/hn.chain"
newid "Cán bộ HCMX" hcmx vn/hcmx
expect 1 "unit vn/hcmx is outside the issuer's subtree vn/hcm" \
	"vn/hcm may not issue for vn/hcmx" \
	$C cert issue -k "$T/hcm.key" -c "$T/hcm.chain" $P --role officer \
	--clearance mat "$T/hcmx.req" -o "$T/hcmx.chain"
expect 1 "may-issue subtree vn is outside the authority's own unit vn/hcm/x" \
	"a sub-authority's subtree stays within its own unit" \
	$C cert issue -k "$T/hcm.key" -c "$T/hcm.chain" $P --role authority \
	--clearance mat --may-issue vn:mat "$T/x.req" -o "$T/bad.chain"

# ---- level ----
expect 0 "issued" "a TỐI MẬT agency grants TỐI MẬT" \
	$C cert issue -k "$T/agency.key" -c "$T/agency.chain" $P --role officer \
	--clearance toi-mat "$T/officer.req" -o "$T/o2.chain"
expect 1 "clearance tuyet-mat is above the issuer's level toi-mat" \
	"a TỐI MẬT agency may not grant TUYỆT MẬT" \
	$C cert issue -k "$T/agency.key" -c "$T/agency.chain" $P --role officer \
	--clearance tuyet-mat "$T/officer.req" -o "$T/bad.chain"
expect 1 "compartment ngoai-giao is not among the issuer's compartments (quoc-phong)" \
	"compartments come from the issuer's" \
	$C cert issue -k "$T/hcm.key" -c "$T/hcm.chain" $P --role officer \
	--clearance mat --compartments ngoai-giao "$T/x.req" -o "$T/bad.chain"
expect 2 "--clearance takes" "an unknown level is a usage error" \
	$C cert issue -k "$T/hcm.key" -c "$T/hcm.chain" $P --role officer \
	--clearance secret "$T/x.req"

# ---- role ----
expect 1 "only authorities issue certificates" "an officer may not issue" \
	$C cert issue -k "$T/officer.key" -c "$T/officer.chain" $P --role officer \
	--clearance mat "$T/x.req" -o "$T/bad.chain"
expect 2 "--may-issue is for --role authority only" "may-issue on an officer" \
	$C cert issue -k "$T/hcm.key" -c "$T/hcm.chain" $P --role officer \
	--clearance mat --may-issue vn/hcm:mat "$T/x.req"

# ---- validity nesting, expiry ----
expect 1 "after the issuer's" "validity past the issuer's is refused" \
	$C cert issue -k "$T/agency.key" -c "$T/agency.chain" $P --role officer \
	--clearance mat --days 4000 "$T/officer.req" -o "$T/bad.chain"
expect 1 "before the issuer's" "validity before the issuer's is refused" \
	$C cert issue -k "$T/agency.key" -c "$T/agency.chain" $P --role officer \
	--clearance mat --not-before 2001-01-01 "$T/officer.req" -o "$T/bad.chain"
expect 1 "expired at" "an expired chain is refused" \
	$C cert verify --trust "$T/root.cert" --at 2099-01-01 "$T/officer.chain"
expect 1 "not yet valid" "a chain before its time is refused" \
	$C cert verify --trust "$T/root.cert" --at 2001-01-01 "$T/officer.chain"
later=$(date -u -d '+100 days' +%Y-%m-%d)
expect 0 "issued" "a certificate starting later" \
	$C cert issue -k "$T/agency.key" -c "$T/agency.chain" $P --role officer \
	--clearance mat --not-before "$later" "$T/officer.req" -o "$T/later.chain"
expect 1 "certificate 1 (serial" "is refused before it starts" \
	$C cert verify --trust "$T/root.cert" "$T/later.chain"
grep -qF "not yet valid" "$T/err" && ok "... as not yet valid" || bad "not yet valid text"
expect 0 "verified" "and accepted once it has started" \
	$C cert verify --trust "$T/root.cert" --at "$later" "$T/later.chain"

# ---- revocation ----
leaf=$(sed -n 's/^serial: //p' "$T/officer.chain" | head -n 1)
other=$(sed -n 's/^serial: //p' "$T/o2.chain" | head -n 1)
city=$(sed -n 's/^serial: //p' "$T/hcm.chain" | head -n 1)
expect 0 "sequence 1" "the agency revokes another officer" \
	$C cert revoke -k "$T/agency.key" -c "$T/agency.chain" $P --serial "$other" \
	--reason superseded --crl "$T/agency.crl"
cp "$T/agency.crl" "$T/agency-1.crl"
expect 0 "verified" "a list that does not name the officer" \
	$C cert verify --trust "$T/root.cert" --crl "$T/agency.crl" "$T/officer.chain"
expect 0 "sequence 2" "the agency revokes the officer" \
	$C cert revoke -k "$T/agency.key" -c "$T/agency.chain" $P --serial "$leaf" \
	--reason key-compromise --crl "$T/agency.crl"
expect 1 "reason: key-compromise" "a revoked leaf is refused" \
	$C cert verify --trust "$T/root.cert" --crl "$T/agency.crl" "$T/officer.chain"
grep -qF "certificate 1 (serial $leaf)" "$T/err" && ok "... naming the leaf" ||
	bad "revoked leaf not named"
expect 1 "revoked" "an older list does not override a newer one" \
	$C cert verify --trust "$T/root.cert" --crl "$T/agency.crl" \
	--crl "$T/agency-1.crl" "$T/officer.chain"
expect 1 "revoked" "... in either order" \
	$C cert verify --trust "$T/root.cert" --crl "$T/agency-1.crl" \
	--crl "$T/agency.crl" "$T/officer.chain"
expect 0 "revocation list of" "show a revocation list" $C cert show "$T/agency.crl"
grep -qF "sequence:  2" "$T/out" && ok "... at sequence 2" || bad "crl sequence"
expect 1 "already revoked" "revoking twice" \
	$C cert revoke -k "$T/agency.key" -c "$T/agency.chain" $P --serial "$leaf" \
	--crl "$T/agency.crl"
expect 1 "the list is from" "another authority's list is not extended" \
	$C cert revoke -k "$T/hcm.key" -c "$T/hcm.chain" $P --serial "$leaf" \
	--crl "$T/agency.crl"
expect 0 "sequence 1" "the root revokes the city authority" \
	$C cert revoke -k "$T/root.key" -c "$T/root.cert" $P --serial "$city" \
	--reason superseded --crl "$T/root.crl"
expect 1 "certificate 3 (serial $city)" "a revoked intermediate cuts off the officer" \
	$C cert verify --trust "$T/root.cert" --crl "$T/root.crl" "$T/officer.chain"
expect 1 "revoked by" "... and the agency" \
	$C cert verify --trust "$T/root.cert" --crl "$T/root.crl" "$T/agency.chain"
sed 's/superseded/unspecified/' "$T/root.crl" >"$T/forged.crl"
expect 1 "signature does not verify" "a tampered revocation list" \
	$C cert verify --trust "$T/root.cert" --crl "$T/forged.crl" "$T/officer.chain"

# ---- wrong key, order, loops ----
expect 1 "the key does not belong to the issuer's certificate" \
	"issuing with another authority's key" \
	$C cert issue -k "$T/hcm.key" -c "$T/agency.chain" $P --role officer \
	--clearance mat "$T/officer.req" -o "$T/bad.chain"
# the leaf with another certificate's signature line
sig2=$(sed -n 's/^signature: //p' "$T/o2.chain" | head -n 1)
awk -v s="$sig2" 'NR == 1, /^signature: / { if (/^signature: /) $0 = "signature: " s } { print }' \
	"$T/officer.chain" >"$T/swapped.chain"
expect 1 "signature does not verify with the key of issuer" "a wrong signature" \
	$C cert verify --trust "$T/root.cert" "$T/swapped.chain"
# certificates as paragraphs: 1 = officer, 2 = agency, 3 = city
awk -v RS= -v ORS='\n\n' 'NR == 1 { a = $0 "\n" } NR == 2 { b = $0 "\n" } NR == 3 { c = $0 "\n" }
	END { printf "%s\n%s\n%s", a, c, b }' "$T/officer.chain" >"$T/order.chain"
expect 1 "wrong order" "certificates out of order" \
	$C cert verify --trust "$T/root.cert" "$T/order.chain"
awk -v RS= 'NR == 1 { a = $0 "\n" } NR == 2 { b = $0 "\n" } NR == 3 { c = $0 "\n" }
	END { printf "%s\n%s\n%s\n%s", a, b, b, c }' "$T/officer.chain" >"$T/loop.chain"
expect 1 "a loop" "a certificate twice is a loop" \
	$C cert verify --trust "$T/root.cert" "$T/loop.chain"
{ cat "$T/hcm.chain"; echo; cat "$T/root.cert"; } >"$T/rootin.chain"
expect 1 "appears again as the trusted root" "the root inside a chain" \
	$C cert verify --trust "$T/root.cert" "$T/rootin.chain"
$C authority init -o "$T/other.key" --cert-out "$T/other.cert" --name "Khác" \
	--unit vn --unprotected >/dev/null 2>&1
expect 1 "the next certificate is the trusted root" "a chain from another root" \
	$C cert verify --trust "$T/other.cert" "$T/officer.chain"

# ---- depth cap: 8 certificates below the root, not 9 ----
prev_key=$T/root.key prev_chain=$T/root.cert unit=vn i=1
while [ $i -le 9 ]; do
	unit=$unit/c
	$C id new -o "$T/d$i.key" --unprotected >/dev/null 2>&1
	$C id request -k "$T/d$i.key" --name "Cấp $i" --unit "$unit" -o "$T/d$i.req"
	$C cert issue -k "$prev_key" -c "$prev_chain" $P --role authority \
		--clearance mat "$T/d$i.req" -o "$T/d$i.chain" >"$T/out" 2>"$T/err"
	rc=$?
	[ $i -le 8 ] && [ $rc -ne 0 ] && { bad "depth $i refused"; cat "$T/err"; }
	prev_key=$T/d$i.key prev_chain=$T/d$i.chain i=$((i + 1))
done
[ $rc -eq 1 ] && grep -qF "depth cap" "$T/err" && ok "a ninth level is refused" ||
	bad "a ninth level was not refused"
expect 0 "verified: Cấp 8" "eight levels below the root verify" \
	$C cert verify --trust "$T/root.cert" "$T/d8.chain"
{ cat "$T/d1.chain"; echo; cat "$T/d8.chain"; } >"$T/deep.chain"
expect 1 "chain longer than 8 certificates" "a chain file of 9 is refused" \
	$C cert verify --trust "$T/root.cert" "$T/deep.chain"

# ---- one encoding per object ----
sed '0,/^role: officer$/s//role: officer\ncolour: blue/' "$T/officer.chain" >"$T/e.chain"
expect 1 "unknown field 'colour'" "an unknown field" \
	$C cert verify --trust "$T/root.cert" "$T/e.chain"
sed '0,/^role: officer$/s//role: officer\nrole: officer/' "$T/officer.chain" >"$T/e.chain"
expect 1 "field 'role' repeated" "a repeated field" \
	$C cert verify --trust "$T/root.cert" "$T/e.chain"
nfd=$(printf 'Nguye\314\202\314\203n V\304\203n A')
sed "s/^name: Nguyễn Văn A$/name: $nfd/" "$T/officer.chain" >"$T/e.chain"
expect 1 "not in Unicode NFC" "a name not in NFC in a certificate" \
	$C cert verify --trust "$T/root.cert" "$T/e.chain"
expect 2 "not in Unicode NFC" "a name not in NFC in a request" \
	$C id request -k "$T/service.key" --name "$nfd" --unit vn
sed 's/$/\r/' "$T/officer.chain" >"$T/e.chain"
expect 1 "carriage return" "CRLF line ends" \
	$C cert verify --trust "$T/root.cert" "$T/e.chain"
{ cat "$T/officer.chain"; echo "junk"; } >"$T/e.chain"
expect 1 "certificate 3: line 15: expected 'key: value'" "trailing data" \
	$C cert verify --trust "$T/root.cert" "$T/e.chain"
{ cat "$T/officer.chain"; echo; } >"$T/e.chain"
expect 1 "trailing blank line" "a trailing blank line" \
	$C cert verify --trust "$T/root.cert" "$T/e.chain"
sed 's/^name: Nguyễn Văn A$/name: Nguyễn Văn B/' "$T/officer.req" >"$T/e.req"
expect 1 "no proof of possession" "an altered request" \
	$C cert issue -k "$T/agency.key" -c "$T/agency.chain" $P --role officer \
	--clearance mat "$T/e.req"

echo "authority: $fails failed"
[ "$fails" -eq 0 ]
