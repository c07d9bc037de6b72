#!/bin/sh
# Releases (docs/exchange.md, "POST /v1/releases"): coyeu send, then
# coyeu open through the registry, for one and for 20 recipients; the
# refusals, each with its exact text (and the `denied` entry); the client
# refusing an answer whose receipt does not verify (no plaintext file);
# neither the store nor the recipient's key alone opens a copy; a kill
# between the commit and the answer leaves the release in the register
# once and the client's retry gets the same index; a failed commit
# releases nothing (503).
. "${SRCDIR:-.}/tests/server/lib/pki.sh"

serve
$C keyring init --trust "$T/root.cert" >/dev/null 2>&1 || bad "keyring init"
$C keyring registry "$URL" >/dev/null 2>&1 || bad "keyring registry"
VK=$(sed -n 's/^pin [^ ]* //p' "$COYEU_HOME/registry")
for p in a d e hcm; do
	$C id register -k "$T/$p.key" -c "$T/$p.chain" >/dev/null 2>"$T/err" ||
	    { bad "id register $p"; cat "$T/err"; }
done
printf 'Kế hoạch bảo vệ\n' >"$T/plain.txt"

# send NAME DOC-NUMBER [send options…]: A sends plain.txt; DOC_ID set.
send() {
	name=$1 number=$2
	shift 2
	$C send -k "$T/a.key" -c "$T/a.chain" --level mat --doc "$number" \
	    "$@" "$T/plain.txt" >"$T/$name.send" 2>"$T/err" ||
	    { bad "send $name"; cat "$T/err" "$T/$name.send"; }
	DOC_ID=$(grep -o '[0-9a-f]\{32\}' "$T/$name.send" | head -n 1)
	[ -n "$DOC_ID" ] || bad "send $name: no document id"
}
# fetch_file WHO DOC-ID OUT: the sealed file as the registry's store
# holds it (what its operator can read), and COPY_ID, WHO's copy (inbox).
fetch_file() {
	who=$1 doc=$2 out=$3
	$SIGN --key "$T/$who.key" --keyid "$(serial_of "$who")" GET \
	    "$URL/v1/inbox" >"$T/inbox" 2>&1
	COPY_ID=$($PYTHON -c 'import json,sys
d = json.loads(open(sys.argv[1]).read().split("\n", 1)[1])
print([x["copy_id"] for x in d["documents"] if x["doc_id"] == sys.argv[2]][0])' \
	    "$T/inbox" "$doc") || bad "no copy of $doc in the inbox of $who"
	if [ -n "${DSN:-}" ]; then
		sql "SELECT encode(data, 'base64') FROM records WHERE kind = 'file' AND grp = '$doc'" |
		    base64 -d >"$out"
	else
		sqlite3 "$DB" "SELECT writefile('$out', data) FROM records WHERE kind = 'file' AND grp = '$doc'" >/dev/null
	fi
	[ -s "$out" ] || bad "the sealed file of $doc is not in the store"
}
serial_of() { sed -n 's/^serial: //p' "$T/$1.chain" | head -n 1; }
# open_as WHO [open args…]: coyeu open as officer WHO.
open_as() {
	who=$1
	shift
	$C open -k "$T/$who.key" -c "$T/$who.chain" "$@"
}
# restart [FAULT]: coyeud again (on a new port, pinned in the keyring),
# with COYEUD_FAULT=FAULT when given.
restart() {
	if [ -n "${1:-}" ]; then COYEUD_FAULT=$1; export COYEUD_FAULT; fi
	start_server "$T/c.conf"
	unset COYEUD_FAULT
	$C keyring registry "$URL" >/dev/null 2>&1 || bad "pin $URL"
}
# release_count DOC-ID: release entries for the document in the register.
release_count() {
	register_entries | grep -A5 '^type: release$' | grep -c "^doc-id: $1$"
}
# doc_patch DOC-ID JSON: merges JSON into the document's record, as a
# change made by another route would (or an operator editing the store).
doc_patch() {
	if [ -n "${DSN:-}" ]; then
		sql "UPDATE records SET data = convert_to((convert_from(data, 'UTF8')::jsonb || '$2'::jsonb)::text, 'UTF8') WHERE kind = 'doc' AND key = '$1'"
	else
		sql "UPDATE records SET data = CAST(json_patch(CAST(data AS TEXT), '$2') AS BLOB) WHERE kind = 'doc' AND key = '$1'"
	fi || bad "patch the record of $1"
}
doc_state() {
	if [ -n "${DSN:-}" ]; then
		sql "SELECT convert_from(data, 'UTF8')::jsonb->>'state' FROM records WHERE kind = 'doc' AND key = '$1'"
	else
		sql "SELECT json_extract(CAST(data AS TEXT), '\$.state') FROM records WHERE kind = 'doc' AND key = '$1'"
	fi
}
# release_body FILE ENTRY: {"entry": base64 of ENTRY}.
release_body() {
	printf '{"entry": "%s"}' "$(base64 -w0 "$2")" >"$1"
}
# release_entry FILE KEY ACTOR DOC COPY RECIPIENT: a signed release entry.
release_entry() {
	$C log entry --type release -k "$T/$2.key" -o "$T/$1" actor="$3" \
	    doc-id="$4" copy-id="$5" recipient="$6" \
	    request-sha256=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64) \
	    2>"$T/entry.err" || { bad "release entry $1"; cat "$T/entry.err"; }
}

# --- one recipient: the round trip ---
send one 1/BM-RT --to "$T/d.chain"
ONE=$DOC_ID
expect 0 "" "D opens its copy by the document's id" \
	open_as d -o "$T/one.out" "$ONE"
cmp -s "$T/one.out" "$T/plain.txt" && ok "the plaintext is the sent one" ||
	bad "plaintext differs"
grep -q "release of copy [0-9a-f]* recorded in the register at index" \
	"$T/err" && ok "the release's index is reported" ||
	bad "no release line: $(cat "$T/err")"
fetch_file d "$ONE" "$T/one.cy"
ONE_COPY=$COPY_ID
expect 0 "" "D opens the fetched file" open_as d -o "$T/one2.out" "$T/one.cy"
cmp -s "$T/one2.out" "$T/plain.txt" && ok "same plaintext" || bad "differs"
[ "$(release_count "$ONE")" = 2 ] && ok "two releases in the register" ||
	bad "releases: $(release_count "$ONE")"
expect 0 ", opened 2 times" "the sender's coyeu status shows 2 opens" \
	$C status -k "$T/a.key" -c "$T/a.chain" "$ONE"

# --- 20 recipients, each opens its own copy ---
TO=
i=0
while [ $i -lt 20 ]; do
	person "r$i" "Người nhận $i" vn/hcm/a hcm officer >/dev/null
	$C id register -k "$T/r$i.key" -c "$T/r$i.chain" >/dev/null 2>&1 ||
	    bad "register r$i"
	TO="$TO --to $T/r$i.chain"
	i=$((i + 1))
done
# shellcheck disable=SC2086
send twenty 2/BM-RT $TO
TWENTY=$DOC_ID
i=0
n=0
while [ $i -lt 20 ]; do
	open_as "r$i" -o "$T/r$i.out" "$TWENTY" 2>"$T/err" &&
	    cmp -s "$T/r$i.out" "$T/plain.txt" && n=$((n + 1)) ||
	    { echo "r$i:"; cat "$T/err"; }
	i=$((i + 1))
done
[ $n = 20 ] && ok "each of 20 recipients opens its copy" ||
	bad "$n of 20 opened"
[ "$(release_count "$TWENTY")" = 20 ] && ok "20 releases in the register" ||
	bad "releases: $(release_count "$TWENTY")"

# --- post-quantum copies (coyeu.v1/release-pq, docs/exchange.md) ---
. "${SRCDIR:-.}/tests/cli/lib/pqofficer.sh"
# pq_person NAME: an officer of vn/hcm/a whose certificate carries its
# hybrid key (tests/cli/lib/pqofficer.sh), registered.
pq_person() {
	pq_officer "$T/$1.key" "Cán bộ $1" vn/hcm/a "$T/hcm.key" \
	    "$T/hcm.chain" "$T/$1.chain" --role officer --clearance toi-mat &&
	$C id register -k "$T/$1.key" -c "$T/$1.chain" >/dev/null 2>&1 ||
	    bad "post-quantum officer $1"
}
pq_person pq1
pq_person pq2
# stanza_types FILE: the sorted recipient stanza types of a sealed file.
stanza_types() {
	grep -a '^-> ' "$1" | grep -av 'coyeu.v1/label' | cut -d' ' -f2 | sort -u
}
send pq 12/PQ-TM --level toi-mat --to "$T/pq1.chain" --to "$T/pq2.chain"
PQ=$DOC_ID
grep -qxF "post-quantum: yes (mlkem768x25519)" "$T/pq.send" &&
    ok "a TỐI MẬT send to post-quantum officers is post-quantum" ||
    bad "send pq: $(cat "$T/pq.send")"
fetch_file pq1 "$PQ" "$T/pq.cy"
[ "$(stanza_types "$T/pq.cy")" = coyeu.v1/release-pq ] &&
    ok "... its copies are coyeu.v1/release-pq stanzas" ||
    bad "stanzas of the post-quantum send: $(stanza_types "$T/pq.cy")"
for who in pq1 pq2; do
	open_as $who -o "$T/$who.out" "$PQ" >"$T/out" 2>&1 &&
	    cmp -s "$T/plain.txt" "$T/$who.out" &&
	    grep -qF "post-quantum:   yes (mlkem768x25519)" "$T/out" &&
	    ok "$who opens its post-quantum copy through the registry" ||
	    bad "$who: $(cat "$T/out")"
done
# The X25519 secret alone does not open a release-pq copy: a key file
# without its hybrid line is refused by name.
grep -v '^seal-pq' "$T/pq1.key" >"$T/pq1-x.key"
chmod 600 "$T/pq1-x.key"
if $C open -k "$T/pq1-x.key" -c "$T/pq1.chain" -o "$T/pqx.out" "$PQ" \
    >"$T/out" 2>&1; then
	bad "the classical half of pq1's key opened its post-quantum copy"
elif grep -qF "the officer's key (its copy is post-quantum: coyeu.v1/release-pq)" "$T/out"; then
	ok "the classical half of the key opens no post-quantum copy"
else
	bad "the classical half of the key: $(cat "$T/out")"
fi
[ ! -e "$T/pqx.out" ] && ok "... no output" || bad "output appeared"
[ "$(release_count "$PQ")" = 2 ] &&
    ok "... and asks for no release" ||
    bad "releases of $PQ: $(release_count "$PQ")"
# A send to a post-quantum and a classical officer: classical copies.
send mixed 13/PQ-MIX --level toi-mat --to "$T/pq1.chain" --to "$T/d.chain"
grep -qF "post-quantum: no (recipient Phạm Văn D (serial $SD) has no post-quantum sealing key)" \
    "$T/mixed.send" && ok "a mixed send is classical, saying why" ||
    bad "send mixed: $(cat "$T/mixed.send")"
fetch_file d "$DOC_ID" "$T/mixed.cy"
[ "$(stanza_types "$T/mixed.cy")" = coyeu.v1/release ] &&
    ok "... coyeu.v1/release stanzas" ||
    bad "stanzas of the mixed send: $(stanza_types "$T/mixed.cy")"
open_as pq1 -o "$T/mix.out" "$DOC_ID" >"$T/out" 2>&1 &&
    cmp -s "$T/plain.txt" "$T/mix.out" && ok "pq1 opens its classical copy" ||
    bad "pq1 mixed: $(cat "$T/out")"

# --- refusals ---
expect 1 "coyeu: open: the registry at $URL lists no copy of document $ONE for $SE" \
	"an officer who is not a recipient has no copy to ask for" \
	open_as e -o "$T/e.out" "$ONE"
[ ! -e "$T/e.out" ] && ok "no output" || bad "output appeared"
# E asks for D's copy with its own entry.
release_entry e-other.entry e "$SE" "$ONE" "$ONE_COPY" "$SE"
release_body "$T/e-other.body" "$T/e-other.entry"
signed 403 "copy $ONE_COPY of document $ONE is not yours" \
	"a release of another's copy" POST /v1/releases --key "$T/e.key" \
	--keyid "$SE" --raw "$T/e-other.body"
register_entries | grep -A8 '^type: denied$' | grep -q "^officer: $SE$" &&
	ok "a denied entry names E" || bad "no denied entry for E"
# An entry naming D, signed by E's key.
release_entry forged.entry e "$SD" "$ONE" "$ONE_COPY" "$SD"
release_body "$T/forged.body" "$T/forged.entry"
signed 403 "the release entry's actor-key is not the signing key of certificate $SD" \
	"a release entry signed by another key" POST /v1/releases \
	--key "$T/d.key" --keyid "$SD" --raw "$T/forged.body"
# D's own entry naming another recipient.
release_entry other-rcpt.entry d "$SD" "$ONE" "$ONE_COPY" "$SE"
release_body "$T/other-rcpt.body" "$T/other-rcpt.entry"
signed 403 "the release entry names recipient $SE, not the caller $SD" \
	"a release naming another recipient" POST /v1/releases \
	--key "$T/d.key" --keyid "$SD" --raw "$T/other-rcpt.body"
# A replayed request: the same nonce twice.
release_entry d3.entry d "$SD" "$ONE" "$ONE_COPY" "$SD"
release_body "$T/d3.body" "$T/d3.entry"
signed 200 '"secret"' "D's own release, raw" POST /v1/releases \
	--key "$T/d.key" --keyid "$SD" --raw "$T/d3.body" --nonce replayreplay0001
release_entry d4.entry d "$SD" "$ONE" "$ONE_COPY" "$SD"
release_body "$T/d4.body" "$T/d4.entry"
signed 401 "nonce already used" "the same nonce again" POST /v1/releases \
	--key "$T/d.key" --keyid "$SD" --raw "$T/d4.body" --nonce replayreplay0001
# The release entry for a copy of another document.
send other 3/BM-RT --to "$T/e.chain"
OTHER=$DOC_ID
release_entry wrongdoc.entry d "$SD" "$OTHER" "$ONE_COPY" "$SD"
release_body "$T/wrongdoc.body" "$T/wrongdoc.entry"
signed 404 "document $OTHER has no copy $ONE_COPY" \
	"a release naming a copy of another document" POST /v1/releases \
	--key "$T/d.key" --keyid "$SD" --raw "$T/wrongdoc.body"
# A stale entry (the register's clock is the judge).
$C log entry --type release -k "$T/d.key" -o "$T/old.entry" actor="$SD" \
	doc-id="$ONE" copy-id="$ONE_COPY" recipient="$SD" \
	time=2020-01-01T00:00:00Z \
	request-sha256=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64) \
	2>/dev/null
release_body "$T/old.body" "$T/old.entry"
signed 400 "from the registry's clock (at most 300 s)" \
	"a release entry from 2020" POST /v1/releases --key "$T/d.key" \
	--keyid "$SD" --raw "$T/old.body"

# Compartments the recipient lacks (the document's record says so: a
# certificate never changes, so this is the policy over the record).
send comp 4/BM-RT --to "$T/d.chain"
COMP=$DOC_ID
doc_patch "$COMP" '{"compartments": "hat-nhan"}'
expect 1 "registry refused (403 forbidden): requester Phạm Văn D (serial $SD) lacks compartment hat-nhan" \
	"a missing compartment is refused" open_as d -o "$T/comp.out" "$COMP"
[ ! -e "$T/comp.out" ] && ok "no output" || bad "output appeared"

# Declassification: protection over (the record's protect-until moved
# into the past), the release appends the registry's declassify entry in
# the same commit and the document is declassified from then on.
send dec 8/BM-RT --to "$T/d.chain"
DEC=$DOC_ID
doc_patch "$DEC" '{"protect_until": 1000000000}'
expect 0 "" "a release after protect-until" open_as d -o "$T/dec.out" "$DEC"
register_entries | grep -B2 -A6 '^type: declassify$' >"$T/declassify"
grep -q "^doc-id: $DEC$" "$T/declassify" && grep -q "^actor: $SREG$" \
    "$T/declassify" && grep -q '^from: mat$' "$T/declassify" &&
    grep -q '^to: none$' "$T/declassify" &&
    ok "the registry's declassify entry (mat to none)" ||
    bad "declassify entry: $(cat "$T/declassify")"
[ "$(doc_state "$DEC")" = declassified ] &&
    ok "the document is declassified" || bad "state not declassified"
expect 0 "" "and released again, once declassified" \
	open_as d -o "$T/dec2.out" "$DEC"
[ "$(register_entries | grep -A4 '^type: declassify$' | grep -c "^doc-id: $DEC$")" = 1 ] &&
    ok "declassified once" || bad "declassify entries repeated"

# Revoked since sending; clearance lowered since sending (the old
# certificate revoked as superseded, a new one at MẬT).
person x "Đỗ Văn X" vn/hcm/a hcm officer >/dev/null
$C id register -k "$T/x.key" -c "$T/x.chain" >/dev/null 2>&1
SX=$(serial_of x)
$C send -k "$T/a.key" -c "$T/a.chain" --level toi-mat --doc 5/BM-RT \
	--to "$T/x.chain" --to "$T/d.chain" "$T/plain.txt" >"$T/x.send" \
	2>"$T/err" || { bad "send toi-mat"; cat "$T/err"; }
XDOC=$(grep -o '[0-9a-f]\{32\}' "$T/x.send" | head -n 1)
$C cert revoke -k "$T/hcm.key" -c "$T/hcm.chain" --serial "$SX" \
	--reason superseded --crl "$T/hcm-x.crl" --registry "$URL" \
	>/dev/null 2>"$T/err" || { bad "revoke X"; cat "$T/err"; }
expect 1 "registry refused (403 forbidden): certificate 1 (serial $SX): revoked by " \
	"a recipient revoked since sending is refused" \
	open_as x -o "$T/x.out" "$XDOC"
[ ! -e "$T/x.out" ] && ok "no output" || bad "output appeared"
$C id request -k "$T/x.key" --name "Đỗ Văn X" --unit vn/hcm/a \
	-o "$T/x2.req" >/dev/null 2>&1
$C cert issue -k "$T/hcm.key" -c "$T/hcm.chain" --role officer \
	--clearance mat "$T/x2.req" -o "$T/x2.chain" >/dev/null 2>&1
$C id register -k "$T/x.key" -c "$T/x2.chain" >/dev/null 2>&1 ||
	bad "register x2"
SX2=$(serial_of x2)
expect 1 "lists no copy of document $XDOC for $SX2" \
	"the new certificate at a lower clearance holds no copy" \
	$C open -k "$T/x.key" -c "$T/x2.chain" -o "$T/x2.out" "$XDOC"
fetch_file d "$XDOC" "$T/x.cy"
XCOPY=$COPY_ID
release_entry x2.entry x "$SX2" "$XDOC" "$XCOPY" "$SX2"
release_body "$T/x2.body" "$T/x2.entry"
signed 403 "copy $XCOPY of document $XDOC is not yours" \
	"the new certificate asks for a copy of the old" POST /v1/releases \
	--key "$T/x.key" --keyid "$SX2" --raw "$T/x2.body"

# Recalled, destroyed: with coyeu recall and coyeu destroy.
send rec 6/BM-RT --to "$T/d.chain"
REC=$DOC_ID
$C recall -k "$T/a.key" -c "$T/a.chain" --reason "gửi nhầm" "$REC" \
    >/dev/null 2>"$T/err" || { bad "recall"; cat "$T/err"; }
expect 1 "registry refused (403 forbidden): document 6/BM-RT was recalled on " "a recalled document" \
	open_as d -o "$T/rec.out" "$REC"
grep -q "by Nguyễn Văn A: gửi nhầm" "$T/err" &&
	ok "the recall's author and reason" || bad "recall text: $(cat "$T/err")"
[ ! -e "$T/rec.out" ] && ok "no output" || bad "output appeared"
send des 7/BM-RT --to "$T/d.chain"
DES=$DOC_ID
# The copy as it was fetched before the destruction: the registry still
# refuses its release.
fetch_file d "$DES" "$T/des.cy"
$C destroy -k "$T/hcm.key" -c "$T/hcm.chain" --reason "hết hạn" \
    "$DES" >/dev/null 2>"$T/err" || { bad "destroy"; cat "$T/err"; }
expect 1 "registry refused (403 forbidden): document 7/BM-RT was destroyed on " \
	"a destroyed document, from the copy fetched before" \
	open_as d -o "$T/des.out" "$T/des.cy"
grep -q "by Ban Cơ yếu TP.HCM: hết hạn" "$T/err" &&
	ok "the destruction's author and reason" ||
	bad "destroy text: $(cat "$T/err")"
[ ! -e "$T/des.out" ] && ok "no output" || bad "output appeared"

# --- the client's own checks ---
# A receipt that does not verify: a wrong verifier key pinned.
cp "$COYEU_HOME/registry" "$T/registry.good"
# E's key as a verifier key of the register's origin: its signatures
# do not verify, whatever the registry answers.
WRONG=$($PYTHON -c 'import base64, hashlib, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
seed = [base64.b64decode(l[6:].strip() + "==") for l in open(sys.argv[1])
        if l.startswith("sign: ")][0]
pub = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
    Encoding.Raw, PublicFormat.Raw)
origin = sys.argv[2]
kid = hashlib.sha256(origin.encode() + b"\n\x01" + pub).digest()[:4]
print("%s+%s+%s" % (origin, kid.hex(), base64.b64encode(b"\x01" + pub).decode()))' \
    "$T/e.key" "${VK%%+*}")
if [ -n "$WRONG" ]; then
	sed "s|^pin \([^ ]*\) .*|pin \1 $WRONG|" "$T/registry.good" \
	    >"$COYEU_HOME/registry"
	expect 1 "coyeu: open: nothing is decrypted" \
		"a receipt under another key: refused" \
		open_as d -o "$T/wrongkey.out" "$ONE"
	grep -q "the registry's receipt for entry [0-9]* does not verify: checkpoint: note is not signed by a known key" \
	    "$T/err" && ok "the receipt's failure is named" ||
	    bad "receipt text: $(cat "$T/err")"
	[ ! -e "$T/wrongkey.out" ] && ok "no plaintext file" ||
	    bad "plaintext appeared"
	cp "$T/registry.good" "$COYEU_HOME/registry"
else
	bad "no other verifier key to pin"
fi

# The registry's database and the recipient's key, but no release: the
# recipient's age identity opens no release stanza.
$C id age-identity -k "$T/d.key" -o "$T/d.age" >/dev/null 2>&1 ||
	$C id age-identity -k "$T/d.key" >"$T/d.age" 2>/dev/null
expect 1 "no identity matched any of the recipients" \
	"the recipient's key alone does not open its copy" \
	$C open -i "$T/d.age" --no-verify -o "$T/noR.out" "$T/one.cy"
[ ! -s "$T/noR.out" ] && ok "no plaintext" || bad "plaintext without R"
# Key and R, but a tampered file: one byte of the payload flipped.
cp "$T/one.cy" "$T/tampered.cy"
size=$(wc -c <"$T/tampered.cy")
printf '\001' | dd of="$T/tampered.cy" bs=1 seek=$((size - 20)) conv=notrunc \
	2>/dev/null
expect 1 "chunk 0 failed authentication" "a tampered file is refused" \
	open_as d -o "$T/tampered.out" "$T/tampered.cy"
[ ! -e "$T/tampered.out" ] && ok "no output" || bad "output appeared"

# --- fail closed, and the retry ---
stop_server
release_entry kill.entry d "$SD" "$ONE" "$ONE_COPY" "$SD"
release_body "$T/kill.body" "$T/kill.entry"
before=$(release_count "$ONE")
restart release-after-commit
$SIGN --key "$T/d.key" --keyid "$SD" --raw "$T/kill.body" POST \
	"$URL/v1/releases" >"$T/out" 2>&1
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=
grep -q '"secret"' "$T/out" && bad "an answer came: $(cat "$T/out")" ||
	ok "killed between the commit and the answer: no answer"
restart
[ "$(release_count "$ONE")" = $((before + 1)) ] &&
	ok "after the restart the release is in the register once" ||
	bad "releases: $before then $(release_count "$ONE")"
if [ -z "${DSN:-}" ]; then
	expect 0 "" "coyeu log audit: the register holds no entry twice" \
		$C log audit --verifier-key "$VK" "$DB"
fi
signed 200 '"secret"' "the retry of the same entry is answered" \
	POST /v1/releases --key "$T/d.key" --keyid "$SD" --raw "$T/kill.body"
[ "$(release_count "$ONE")" = $((before + 1)) ] &&
	ok "the retry appends nothing" ||
	bad "releases: $(release_count "$ONE")"
idx=$(sed -n 's/.*"index": \([0-9]*\).*/\1/p' "$T/out" | head -n 1)
signed 200 "\"index\": $idx" "the retry again: the same index" \
	POST /v1/releases --key "$T/d.key" --keyid "$SD" --raw "$T/kill.body"

# The client's own retry: coyeud dies after the commit, comes back on
# the same address, and coyeu open sends the very same entry again.
stop_server
sed "s|^listen = .*|listen = ${URL#http://}|" "$T/c.conf" >"$T/fixed.conf"
before=$(release_count "$ONE")
COYEUD_FAULT=release-after-commit
export COYEUD_FAULT
start_server "$T/fixed.conf"
unset COYEUD_FAULT
dying=$SERVER_PID
open_as d -o "$T/retry.out" "$ONE" >"$T/retry.log" 2>&1 &
client=$!
wait "$dying" 2>/dev/null
SERVER_PID=
start_server "$T/fixed.conf"
wait "$client" && ok "coyeu open gets its answer on the retry" ||
	bad "open after the retry: $(cat "$T/retry.log")"
grep -q "no answer; sending the same release entry again" "$T/retry.log" &&
	ok "it said it sent the same entry again" ||
	bad "retry text: $(cat "$T/retry.log")"
cmp -s "$T/retry.out" "$T/plain.txt" && ok "the plaintext" || bad "differs"
[ "$(release_count "$ONE")" = $((before + 1)) ] &&
	ok "the retried release is in the register once" ||
	bad "releases: $before then $(release_count "$ONE")"

stop_server
restart commit-fail
before=$(release_count "$ONE")
expect 1 "registry refused (503 unavailable): the release was not recorded, nothing is released" \
	"a failed commit releases nothing" open_as d -o "$T/fail.out" "$ONE"
[ ! -e "$T/fail.out" ] && ok "no output" || bad "output appeared"
[ "$(release_count "$ONE")" = "$before" ] && ok "and nothing is appended" ||
	bad "releases: $before then $(release_count "$ONE")"
stop_server
[ "$SERVER_RC" = 0 ] && ok "coyeud exits 0 (no leak under ASan)" ||
	bad "coyeud exited $SERVER_RC: $(tail -n 20 "$T/server.log")"

# --- an epoll pool: a release parks its connection while the writer
# commits (docs/coyeud.md, "threads"); the same answers, the same
# refusals ---
{ cat "$T/c.conf"; echo "threads = 2"; } >"$T/pool.conf"
start_server "$T/pool.conf"
$C keyring registry "$URL" >/dev/null 2>&1 || bad "pin $URL"
before=$(release_count "$TWENTY")
i=0
pids=
while [ $i -lt 20 ]; do
	open_as "r$i" -o "$T/p$i.out" "$TWENTY" 2>"$T/p$i.err" &
	pids="$pids $!"
	i=$((i + 1))
done
# shellcheck disable=SC2086
wait $pids
i=0
n=0
while [ $i -lt 20 ]; do
	cmp -s "$T/p$i.out" "$T/plain.txt" && n=$((n + 1)) ||
	    { echo "r$i:"; cat "$T/p$i.err"; }
	i=$((i + 1))
done
[ $n = 20 ] && ok "2 threads: 20 recipients open at once, each its copy" ||
	bad "$n of 20 opened"
[ "$(release_count "$TWENTY")" = $((before + 20)) ] &&
	ok "20 more releases in the register" ||
	bad "releases: $before then $(release_count "$TWENTY")"
before=$(release_count "$ONE")
signed 200 "\"index\": $idx" "2 threads: the retry of a recorded entry gets its index" \
	POST /v1/releases --key "$T/d.key" --keyid "$SD" --raw "$T/kill.body"
[ "$(release_count "$ONE")" = "$before" ] && ok "and appends nothing" ||
	bad "releases: $before then $(release_count "$ONE")"
signed 403 "copy $ONE_COPY of document $ONE is not yours" \
	"2 threads: another's copy is refused before parking" \
	POST /v1/releases --key "$T/e.key" --keyid "$SE" --raw "$T/e-other.body"
release_entry d5.entry d "$SD" "$ONE" "$ONE_COPY" "$SD"
release_body "$T/d5.body" "$T/d5.entry"
signed 200 '"secret"' "2 threads: D's own release, raw" POST /v1/releases \
	--key "$T/d.key" --keyid "$SD" --raw "$T/d5.body" --nonce replaypool000001
release_entry d6.entry d "$SD" "$ONE" "$ONE_COPY" "$SD"
release_body "$T/d6.body" "$T/d6.entry"
signed 401 "nonce already used" "2 threads: the same nonce again" \
	POST /v1/releases --key "$T/d.key" --keyid "$SD" --raw "$T/d6.body" \
	--nonce replaypool000001
before=$(release_count "$ONE")
stop_server
COYEUD_FAULT=commit-fail
export COYEUD_FAULT
start_server "$T/pool.conf"
unset COYEUD_FAULT
$C keyring registry "$URL" >/dev/null 2>&1 || bad "pin $URL"
expect 1 "registry refused (503 unavailable): the release was not recorded, nothing is released" \
	"2 threads: a failed commit releases nothing" open_as d -o "$T/pfail.out" "$ONE"
[ ! -e "$T/pfail.out" ] && ok "no output" || bad "output appeared"
[ "$(release_count "$ONE")" = "$before" ] && ok "and nothing is appended" ||
	bad "releases: $before then $(release_count "$ONE")"
stop_server
[ "$SERVER_RC" = 0 ] && ok "coyeud with a pool exits 0 (no leak under ASan)" ||
	bad "coyeud exited $SERVER_RC: $(tail -n 20 "$T/server.log")"

# PostgreSQL stopped under coyeud: the real store error, 503, nothing
# released.  The cluster is tests/pg.sh's (host= its folder).
pg_cluster() {
	dir=$(echo "$COYEU_PG_DSN" | sed -n 's/.*host=\([^ ]*\).*/\1/p')
	bin=${PGBIN:-/usr/lib/postgresql/15/bin}
	if [ "$(id -u)" = 0 ]; then run="runuser -u postgres --"; else run=; fi
	case $1 in
	stop) (cd "$dir" && $run "$bin/pg_ctl" -D "$dir/data" -m immediate -w \
	    stop) ;;
	start) (cd "$dir" && $run "$bin/pg_ctl" -D "$dir/data" \
	    -l "$dir/server.log" -w -o "-k $dir -c listen_addresses='' \
	    -c fsync=on -c synchronous_commit=on -c max_connections=50" start) ;;
	esac >/dev/null 2>&1
}
if [ -n "${DSN:-}" ]; then
	restart
	pg_cluster stop || bad "stop the cluster"
	expect 1 "registry refused (503 unavailable)" \
		"with PostgreSQL stopped a release gets 503" \
		open_as d -o "$T/pgdown.out" "$T/one.cy"
	[ ! -e "$T/pgdown.out" ] && ok "no output" || bad "output appeared"
	pg_cluster start || bad "start the cluster again"
	stop_server_quietly
fi
finish
