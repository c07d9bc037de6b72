#!/bin/sh
# What opening a classified document checks (issue 8, items 4, 6, 8, 9 and
# the recipient stanzas): each check below tries the attack and must see it
# refused (or, where the design says so, flagged).
#
# Forgeries reuse the byte editors in tests/cli/lib/ (tamper.py,
# forge.py: a recipient holding the file key); a lying sealer is played by
# relabel.py, which re-signs the label with the sealer's own key.
# shellcheck disable=SC2086
set -u
. "${SRCDIR:-.}/tests/cli/lib/common.sh"

PY=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import cryptography' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || { echo "FAIL: python3-cryptography is needed"; exit 1; }

# The byte editors shared with classified.sh.
for f in tamper.py forge.py agekey.py; do
	cp "$SRCDIR/tests/cli/lib/$f" "$T/" || exit 1
done
cat >"$T/relabel.py" <<'EOF'
# relabel.py AGEIDENTITY SIGNKEYTEXT IN OUT FIELD=VALUE...: the label of IN
# with each FIELD's line(s) replaced (recipient=a,b for several; signer=@F
# for the base64 of file F), signed again with the key in SIGNKEYTEXT.
import base64, re, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from forge import parse, file_key, label, set_label, header, bech32_bytes, b64e

ident, keytext, src, dst = sys.argv[1:5]
line = [l for l in open(ident).read().split()
        if l.startswith("AGE-SECRET-KEY-1")][0]
sk = X25519PrivateKey.from_private_bytes(bech32_bytes(line))
st, _, pl = parse(open(src, "rb").read())
fk = file_key(sk, st)
text = label(fk, st).decode()
for arg in sys.argv[5:]:
    field, value = arg.split("=", 1)
    if value.startswith("@"):
        value = b64e(open(value[1:], "rb").read()).decode()
    new = "".join("%s: %s\n" % (field, v) for v in value.split(","))
    text, n = re.subn("(?m)(^%s: .*\n)+" % field, lambda m: new, text, 1)
    assert n == 1, field
body = text[:text.index("signature: ")].encode()
seed = re.search(r"(?m)^sign: (\S+)", open(keytext).read()).group(1)
sign = Ed25519PrivateKey.from_private_bytes(
    base64.b64decode(seed + "=" * (-len(seed) % 4)))
set_label(fk, st, body + b"signature: " + b64e(sign.sign(body)) + b"\n")
open(dst, "wb").write(header(fk, st) + pl)
EOF

cd "$T" || exit 1
echo pw >pw
PW="--passphrase-file pw"
C=$COYEU
export COYEU_HOME="$T/nokeyring"
SINCE=2024-01-01T00:00:00Z

# ---- set-up: root vn, authorities vn/hcm and vn/hcm/so-tu-phap ----
quiet() { "$@" >/dev/null 2>"$T/setup.err" || { echo "FAIL: set-up: $*:"; cat "$T/setup.err"; exit 1; }; }
quiet $C authority init -o root.key --cert-out root.cert --name "Chính phủ" \
    --unit vn --compartments x --not-before $SINCE --days 7300 $PW --work-factor 10
cp root.cert root.chain
new_key() {
	quiet $C id new -o "$1.key" $PW --work-factor 10
	quiet $C id request -k "$1.key" --name "$1" --unit "$2" -o "$1.req" $PW
}
# issue NAME ISSUER ROLE LEVEL [options]: NAME.chain
issue() {
	n=$1 by=$2 role=$3 lv=$4
	shift 4
	quiet $C cert issue -k "$by.key" -c "$by.chain" --role "$role" \
	    --clearance "$lv" "$@" $PW -o "$n.chain" "${REQ:-$n}.req"
}
serial() { $C cert show --json "$1.chain" | "$PY" -c \
    'import json,sys; print(json.load(sys.stdin)["certificates"][0]["serial"])'; }
new_key city vn/hcm
issue city root authority tuyet-mat --compartments x --not-before $SINCE --days 3650
new_key tuphap vn/hcm/so-tu-phap
issue tuphap city authority tuyet-mat --not-before $SINCE --days 3000
for n in sealer thief; do new_key $n vn/hcm/so-noi-vu; issue $n city officer toi-mat; done
new_key expired vn/hcm/so-noi-vu
issue expired city officer toi-mat --not-before 2024-06-01T00:00:00Z --days 30
for n in r1 r2 mat revoked; do new_key $n vn/hcm/so-tu-phap; done
issue r1 tuphap officer toi-mat
issue r2 tuphap officer toi-mat
issue mat tuphap officer mat
issue revoked tuphap officer toi-mat
REQ=r1 issue r1low tuphap officer mat   # r1's key, certified again lower
quiet $C id age-identity $PW -k r1.key -o r1.agekey
$C open $PW sealer.key >sealer.keytext 2>/dev/null || { echo "FAIL: sealer.keytext"; exit 1; }
$C open $PW expired.key >expired.keytext 2>/dev/null || { echo "FAIL: expired.keytext"; exit 1; }
echo "tài liệu mật" >doc.txt
SEAL="$C seal $PW -k sealer.key -c sealer.chain --trust root.cert --level toi-mat --doc 7/UBND"
OPEN="$C open $PW --trust root.cert"
quiet $SEAL --to r1.chain --to r2.chain -o doc.age doc.txt
quiet $SEAL --to r1.chain --to revoked.chain -o torevoked.age doc.txt
quiet $C seal $PW -k thief.key -c thief.chain --trust root.cert --level toi-mat \
    --doc 8/UBND --to r1.chain -o thief.age doc.txt
sleep 1   # revocations below take effect after those documents were sealed
quiet $C cert revoke -k tuphap.key -c tuphap.chain --serial "$(serial revoked)" \
    --reason key-compromise --crl tuphap.crl $PW
quiet $C cert revoke -k city.key -c city.chain --serial "$(serial thief)" \
    --reason key-compromise --since $SINCE --crl city.crl $PW
# A list by so-tu-phap naming the sealer, whom it did not certify.
quiet $C cert revoke -k tuphap.key -c tuphap.chain --serial "$(serial sealer)" \
    --reason left-unit --crl stray.crl $PW
cp tuphap.crl unrelated.crl
relabel() { "$PY" relabel.py r1.agekey "$@" || { echo "FAIL: relabel.py $*"; exit 1; }; }
# refused DESC WORDS CMD...: exit 1, WORDS in the error, nothing released.
refused() {
	rd=$1 rw=$2
	shift 2
	rm -f out.txt
	if expect_status 1 "$rd" "$@" -o out.txt; then
		stderr_has "$rd" "$rw"
		if [ -e out.txt ]; then bad "$rd: output released"; else ok; fi
	fi
}

# ---- item 4: time ----
# A month ahead: inside the sealer's certificate, which verifies then.
FUT=$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)
relabel sealer.keytext doc.age future.age created=$FUT \
    protect-until=2040-01-01T00:00:00Z
refused "a label created a month in the future" \
    "creation time $FUT is in the future" $OPEN -k r1.key future.age
# The sealed created time, kept; protect-until set 21 years after it.
CREATED=$($OPEN -k r1.key doc.age 2>&1 >/dev/null | sed -n 's/^  created: *//p')
YEAR=${CREATED%%-*}
relabel sealer.keytext doc.age longer.age \
    protect-until=$((YEAR + 21))${CREATED#"$YEAR"}
refused "protect-until beyond 20 years for TỐI MẬT" \
    "protect-until is more than 20 years after the creation time" \
    $OPEN -k r1.key longer.age
relabel expired.keytext doc.age backdated.age signer=@expired.chain \
    created=2024-06-15T00:00:00Z protect-until=2030-01-01T00:00:00Z
expect_status 0 "a back-dated document by an expired sealer opens" \
    $OPEN -k r1.key -o o1.txt backdated.age &&
    stderr_has "it carries a warning" "warning: the sealer's certificate expired on 2024-07-01T00:00:00Z; the creation time 2024-06-15T00:00:00Z is only the sealer's claim \(no register attests it\)"
expect_status 0 "a fresh document opens" $OPEN -k r1.key -o o2.txt doc.age &&
    if grep -q "expired" "$T/stderr"; then bad "a fresh document warns"; else ok; fi
rm -f o1.txt o2.txt

# ---- item 6: open -i ----
echo "lệnh giả" >forged.txt
"$PY" forge.py reseal r1.agekey doc.age resealed.age forged.txt ||
	{ echo "FAIL: forge.py reseal"; exit 1; }
refused "open -i of a classified document" "open it with -k KEY" \
    $C open -i r1.agekey doc.age
refused "open -i of a re-sealed forgery" "a classified document" \
    $C open -i r1.agekey resealed.age
expect_status 0 "open -i --no-verify opens it" $C open -i r1.agekey --no-verify resealed.age &&
    stderr_has "with the warning" "^coyeu: warning: classified document opened as plain age: label, sealer and content NOT verified; use -k$"
expect_status 2 "--no-verify with -k" $OPEN -k r1.key --no-verify doc.age

# ---- item 8: the reader's own certificate ----
refused "a reader revoked for key-compromise (-c)" "reader: certificate 1" \
    $OPEN -k revoked.key -c revoked.chain --crl tuphap.crl torevoked.age
stderr_has "revoked, by its issuer" "revoked by $(serial tuphap)"
# Policy order (docs/policy.md): not named (rule 14) before the level (16).
refused "a reader whose certificate lacks the level, so never named" \
    "reader r1 \(serial $(serial r1low)\) is not a named recipient of the document" \
    $OPEN -k r1.key -c r1low.chain doc.age
refused "a chain that does not certify the key" \
    "the key is not the one certified in the reader's chain" \
    $OPEN -k r1.key -c r2.chain doc.age
expect_status 0 "the reader's chain checked" $OPEN -k r1.key -c r1.chain -o o.txt doc.age &&
    stderr_has "and said so" "reader: +r1 \(serial $(serial r1)\), clearance checked"
rm -f o.txt
expect_status 0 "no chain known" $OPEN -k r1.key -o o.txt doc.age &&
    stderr_has "says the reader was not checked" "reader: +not checked"
rm -f o.txt
K="$T/kr"
mkdir -m 700 "$K" "$K/crl"
cp revoked.key "$K/key"; cp revoked.chain "$K/chain"; cp root.cert "$K/root.cert"
cp tuphap.crl "$K/crl/tuphap.crl"
COYEU_HOME=$K refused "a revoked reader, from its keyring" \
    "reader: certificate 1" $C open $PW torevoked.age

# ---- item 9: --crl adds to the keyring's lists ----
cp r1.key "$K/key"; cp r1.chain "$K/chain"; cp city.crl "$K/crl/city.crl"
COYEU_HOME=$K refused "a compromised sealer, with an unrelated --crl" \
    "reason: key-compromise" $C open $PW --crl unrelated.crl thief.age
COYEU_HOME=$K expect_status 1 "cert verify with an unrelated --crl" \
    $C cert verify --crl unrelated.crl thief.chain &&
    stderr_has "cert verify: the keyring's list counts" "key-compromise"
COYEU_HOME=$K refused "seal to a revoked recipient with an unrelated --crl" \
    "--to revoked.chain: " $SEAL --crl city.crl --to revoked.chain doc.txt
COYEU_HOME=$K expect_status 0 "--no-keyring-crls: only the lists given" \
    $C open $PW --no-keyring-crls --crl unrelated.crl -o o.txt thief.age
rm -f o.txt

# ---- recipient serials and stanzas ----
relabel sealer.keytext doc.age extra.age \
    "recipient=$(serial r1),$(serial r2),$(serial mat)"
refused "a label naming a recipient without a stanza" \
    "the label names 3 recipients but the header holds 2 recipient stanzas" \
    $OPEN -k r1.key extra.age
relabel sealer.keytext doc.age swapped.age "recipient=$(serial mat),$(serial r2)"
refused "a stanza for an officer the label does not name (reader known)" \
    "reader r1 \(serial $(serial r1)\) is not a named recipient of the document" \
    $OPEN -k r1.key -c r1.chain swapped.age
# ---- the revocation note reads only authorities above the sealer ----
expect_status 0 "a stray list does not stop the document" \
    $OPEN -k r1.key --crl stray.crl -o o.txt doc.age &&
    if grep -q "note:" "$T/stderr"; then
	    bad "a stray list makes a note: $(grep note: "$T/stderr")"
    else ok; fi
rm -f o.txt

finish
