#!/bin/sh
# Sending documents through coyeud (docs/exchange.md): coyeu send → inbox
# → fetch (doc.receive) → status, for 1 and for 20 recipients, with the
# registers' rows and records written in the same commit; and every
# refusal of POST /v1/documents with its status and reason — a recipient
# without the clearance or a compartment (from a patched client that
# skips its own checks), a revoked recipient, an upload by another
# officer than the label's signer, entries that do not match the upload,
# a doc-id used twice, a tampered file — plus someone else's copy (403
# and a denied entry) and lifecycle entries through /v1/log/entries.
# On SQLite, or PostgreSQL with SERVER_STORE=postgres.
. "${SRCDIR:-.}/tests/server/lib.sh"
PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) ||
    PYTHON=python3
SIGN="$PYTHON ${SRCDIR:-.}/tests/server/lib/httpsig.py"
FORGE=${CYD_BUILD:-build}/tests/coyeu_forge
# The root grants compartment x; the registry as make_authority makes it.
$C authority init -o "$T/root.key" --cert-out "$T/root.cert" \
    --name "Ban Cơ yếu" --unit vn --compartments x --unprotected \
    >/dev/null 2>&1 &&
$C id new -o "$T/reg.key" --unprotected >/dev/null 2>&1 &&
$C id request -k "$T/reg.key" --name "Registry HCM" --unit vn/hcm \
    -o "$T/reg.req" >/dev/null 2>&1 &&
$C cert issue -k "$T/root.key" -c "$T/root.cert" --role registry \
    --clearance mat "$T/reg.req" -o "$T/reg.chain" >/dev/null 2>&1 ||
    { bad "the authority"; exit 1; }
COYEU_HOME=$T/keyring
export COYEU_HOME

# officer NAME UNIT CLEARANCE [cert issue options…]: $T/NAME.{key,chain},
# prints the serial.
officer() {
	n=$1 u=$2 l=$3
	shift 3
	$C id new --unprotected -o "$T/$n.key" >/dev/null 2>&1 &&
	$C id request -k "$T/$n.key" --name "Cán bộ $n" --unit "$u" \
	    -o "$T/$n.req" >/dev/null 2>&1 &&
	$C cert issue -k "$T/root.key" -c "$T/root.cert" --role officer \
	    --clearance "$l" "$@" "$T/$n.req" -o "$T/$n.chain" \
	    >/dev/null 2>"$T/pki.err" || { cat "$T/pki.err" >&2; return 1; }
	sed -n 's/^serial: //p' "$T/$n.chain" | head -n 1
}
SA=$(officer a vn/hcm/a toi-mat --compartments x) || bad "officer a"
SF=$(officer f vn/hcm/f toi-mat --compartments x) || bad "officer f"
SLOW=$(officer low vn/hcm/low mat) || bad "officer low"
SNOC=$(officer noc vn/hcm/noc toi-mat) || bad "officer noc"
SREV=$(officer rev vn/hcm/rev toi-mat) || bad "officer rev"
i=1
while [ $i -le 20 ]; do
	eval "S$i=\$(officer r$i vn/hcm/b$i toi-mat --compartments x)" ||
	    bad "officer r$i"
	i=$((i + 1))
done
$C keyring init --trust "$T/root.cert" >/dev/null 2>&1 || bad "keyring init"

write_config "$T/c.conf" "denied_per_minute = 1000" \
    "mat_via_registry = vn/hcm/a"
$D init --config "$T/c.conf" >"$T/init.out" 2>&1 ||
    { bad "coyeud init"; cat "$T/init.out"; exit 1; }
start_server "$T/c.conf"
expect 0 "pinned on first use" "the keyring pins coyeud's key" \
	$C keyring registry "$URL"
for n in a f low noc rev $(i=1; while [ $i -le 20 ]; do echo r$i; i=$((i + 1)); done); do
	$C id register -k "$T/$n.key" -c "$T/$n.chain" >/dev/null 2>"$T/err" ||
	    { bad "id register $n"; cat "$T/err"; }
done
$C id register -k "$T/root.key" -c "$T/root.cert" >/dev/null 2>&1 ||
    bad "id register root"

# as NAME CMD…: coyeu CMD as officer NAME.
as() {
	n=$1
	shift
	"$C" "$@" -k "$T/$n.key" -c "$T/$n.chain"
}
echo "Quyết định mật số 45" >"$T/plain.txt"
count() { sql "SELECT count(*) FROM records WHERE kind = '$1'"; }
# sql QUERY: on the registry's store.
sql() {
	if [ "${SERVER_STORE:-sqlite}" = postgres ]; then
		psql "$STORE_DB" -qAtc "$1"
	else
		sqlite3 "$T/reg.db" "$1"
	fi
}

# text COLUMN: the column's bytes as text, on either store.
text() {
	if [ "${SERVER_STORE:-sqlite}" = postgres ]; then
		echo "convert_from($1, 'UTF8')"
	else
		echo "$1"
	fi
}
# entries_of TYPE: how many entries of TYPE the register holds.
entries_of() {
	sql "SELECT $(text data) FROM entry" | grep -c "^type: $1\$"
}

# ---- with a registry, TỐI MẬT is never sealed offline ----
expect 1 "a TỐI MẬT document goes through the registry: use \`coyeu send\`" \
	"offline sealing of TỐI MẬT refused when a registry is set" \
	as a seal --level toi-mat --doc "Số 44/QĐ-UBND" --compartments x \
	--to "$T/r1.chain" -o "$T/offline.age" "$T/plain.txt"
[ ! -e "$T/offline.age" ] && ok "... and no file" || bad "an offline file"
expect 1 "the MẬT documents of unit vn/hcm/a go through the registry (its policy names vn/hcm/a)" \
	"MẬT offline refused for a unit the registry's policy names" \
	as a seal --level mat --doc "Số 43/QĐ-UBND" --to "$T/low.chain" \
	-o "$T/offline.age" "$T/plain.txt"
[ ! -e "$T/offline.age" ] && ok "... and no file" || bad "an offline file"
expect 0 "sealed MẬT document" "MẬT offline allowed for another unit" \
	as f seal --level mat --doc "Số 43/QĐ-UBND" --to "$T/low.chain" \
	-o "$T/offline.age" "$T/plain.txt"

# ---- one recipient: send, inbox, fetch, status ----
expect 0 "copy 1/1: Cán bộ r1, vn/hcm/b1, serial $S1" "send to one recipient" \
	as a send --level toi-mat --doc "Số 45/QĐ-UBND" --compartments x \
	--to "$T/r1.chain" "$T/plain.txt"
DOC=$(sed -n 's/^document //p' "$T/out")
[ -n "$DOC" ] && ok "... prints the document id" || bad "no doc id: $(cat "$T/out")"
grep -qF "registered: TỐI MẬT Số 45/QĐ-UBND, index " "$T/out" &&
	ok "... and its registration" || bad "registered line"
expect 0 "Số 45/QĐ-UBND" "the recipient's inbox" as r1 inbox
grep "$DOC" "$T/out" | grep -q "B .*vn/hcm/a .*delivered" &&
	ok "... mark B, from vn/hcm/a, delivered" || bad "inbox row: $(cat "$T/out")"
expect 0 '"copy": "1/1"' "inbox --json" as r1 inbox --json
expect 0 "no documents" "the sender's own inbox is empty" as a inbox
expect 0 "receipt acknowledged: index " "the recipient fetches its copy" \
	as r1 fetch "$DOC" -o "$T/got.age"
grep -qF "(integrity ok)" "$T/out" && ok "... integrity ok" || bad "integrity"
grep -qF "fetched copy 1/1 of document Số 45/QĐ-UBND (toi-mat) from vn/hcm/a into $T/got.age" \
	"$T/out" && ok "... says what it wrote" || bad "fetch line: $(cat "$T/out")"
expect 0 "stanza 1: coyeu.v1/release" "the file carries a release stanza" \
	$C inspect "$T/got.age"
expect 0 "received" "inbox shows it received" as r1 inbox
expect 0 "copy 1/1: Cán bộ r1, vn/hcm/b1, serial $S1: received, received " \
	"the sender's status shows it received" as a status "$DOC"
expect 0 '"integrity": "ok"' "status --json" as a status "$DOC" --json
expect 0 "fetched copy 1/1" "fetching again does not acknowledge twice" \
	as r1 fetch "$DOC" -o "$T/got2.age"
grep -q "receipt acknowledged" "$T/out" && bad "acknowledged twice" ||
	ok "... no second doc.receive"
cmp -s "$T/got.age" "$T/got2.age" && ok "... the same bytes" || bad "refetch differs"
[ "$(entries_of doc.receive)" = 1 ] && ok "... one doc.receive in the register" ||
	bad "doc.receive entries: $(entries_of doc.receive)"

# ---- twenty recipients ----
to=
i=1
while [ $i -le 20 ]; do to="$to --to $T/r$i.chain"; i=$((i + 1)); done
# shellcheck disable=SC2086
expect 0 "copy 20/20: Cán bộ r20, vn/hcm/b20, serial $S20" \
	"send to twenty recipients" \
	as a send --level toi-mat --doc "Số 46/QĐ-UBND" --compartments x \
	--copies-allowed 2 $to "$T/plain.txt"
DOC20=$(sed -n 's/^document //p' "$T/out")
[ "$(grep -c '^copy [0-9]*/20: ' "$T/out")" = 20 ] && ok "... twenty copies" ||
	bad "copies: $(cat "$T/out")"
i=1 fails20=0
while [ $i -le 20 ]; do
	as r$i fetch "$DOC20" -o "$T/r$i.age" >"$T/out" 2>&1 &&
	    grep -qF "(integrity ok)" "$T/out" || { fails20=$((fails20 + 1)); cat "$T/out"; }
	i=$((i + 1))
done
[ $fails20 = 0 ] && ok "each of the twenty fetches and acknowledges" ||
	bad "$fails20 fetches failed"
expect 0 "" "the sender's status" as a status "$DOC20"
[ "$(grep -c ': received, received ' "$T/out")" = 20 ] &&
	ok "... twenty copies received" || bad "status: $(cat "$T/out")"
expect 0 "copy 7/20: Cán bộ r7" "... numbered in label order" as a status "$DOC20"

# ---- what the store holds, written with the entries ----
[ "$(entries_of doc.receive)" = 21 ] && [ "$(entries_of copy.issue)" = 21 ] &&
	[ "$(entries_of doc.register)" = 2 ] && ok "the entries in the register" ||
	bad "entries: $(entries_of doc.register) $(entries_of copy.issue) $(entries_of doc.receive)"
[ "$(count doc)" = 2 ] && ok "two doc records" || bad "doc records: $(count doc)"
[ "$(count copy)" = 21 ] && ok "21 copy records" || bad "copy: $(count copy)"
[ "$(count share)" = 21 ] && ok "21 sealed secrets" || bad "share: $(count share)"
[ "$(count file)" = 2 ] && ok "two files" || bad "file: $(count file)"
[ "$(count inbox)" = 21 ] && ok "21 mailbox rows" || bad "inbox: $(count inbox)"
[ "$(count reg.outgoing)" = 2 ] && [ "$(count reg.incoming)" = 21 ] &&
	[ "$(count reg.copies)" = 21 ] && ok "the registers' rows" ||
	bad "register rows: $(count reg.outgoing) $(count reg.incoming) $(count reg.copies)"
[ "$(sql "SELECT grp FROM records WHERE kind = 'reg.incoming' ORDER BY key LIMIT 1")" = vn/hcm/b1 ] &&
	ok "an incoming row is the recipient unit's" || bad "incoming group"
sql "SELECT $(text data) FROM records WHERE kind = 'reg.incoming' ORDER BY key LIMIT 1" |
	grep -q '"received":[0-9]' && ok "... and says when it was received" ||
	bad "incoming received"

# ---- refusals of POST /v1/documents ----
UPLOAD="$PYTHON ${SRCDIR:-.}/tests/server/lib/upload.py"
# post STATUS TEXT DESC NAME BODY: the body POSTed to /v1/documents,
# signed by officer NAME.
post() {
	eval "who=\$S$(echo "$4" | tr a-z A-Z)"
	[ "$4" = a ] && who=$SA
	[ "$4" = f ] && who=$SF
	$SIGN --key "$T/$4.key" --keyid "$who" --raw "$5" POST \
	    "$URL/v1/documents" >"$T/out" 2>"$T/err"
	got=$(head -n 1 "$T/out")
	if [ "$got" != "$1" ]; then
		bad "$3 (status $got, wanted $1)"
		cat "$T/out" "$T/err"
	elif ! grep -qF -- "$2" "$T/out"; then
		bad "$3 (no '$2' in the answer)"
		cat "$T/out"
	else
		ok "$3"
	fi
}
# dry NAME [send options…]: officer A's request for the recipients,
# unsent, into $T/NAME.json.
dry() {
	n=$1
	shift
	as a send --level toi-mat --doc "Số 47/$n" --compartments x \
	    --dry-run "$T/$n.json" "$@" "$T/plain.txt" >"$T/dry.out" 2>&1 ||
	    { bad "dry run $n"; cat "$T/dry.out"; }
	sed -n 's/^document \([0-9a-f]*\):.*/\1/p' "$T/dry.out"
}
denied_of() {
	sql "SELECT $(text data) FROM entry" | grep -c "^officer: $1\$"
}

# A patched client seals to whom its own policy would refuse.
[ -x "$FORGE" ] || bad "no $FORGE (make $FORGE)"
expect 1 "coyeu: registry refused (403 forbidden): recipient Cán bộ low (serial $SLOW) lacks clearance TỐI MẬT (has MẬT)" \
	"a recipient without the clearance (patched client)" \
	"$FORGE" send -k "$T/a.key" -c "$T/a.chain" --level toi-mat \
	--doc "Số 48/QĐ" --compartments x --to "$T/low.chain" "$T/plain.txt"
expect 1 "coyeu: registry refused (403 forbidden): recipient Cán bộ noc (serial $SNOC) lacks compartment x" \
	"a recipient without a compartment (patched client)" \
	"$FORGE" send -k "$T/a.key" -c "$T/a.chain" --level toi-mat \
	--doc "Số 49/QĐ" --compartments x --to "$T/noc.chain" "$T/plain.txt"
expect 1 "lacks clearance TỐI MẬT (has MẬT)" \
	"... which the real client refuses itself" \
	as a send --level toi-mat --doc "Số 48/QĐ" --to "$T/low.chain" "$T/plain.txt"

# Revoked at the registry (the sender's keyring does not know it yet).
expect 0 "1 revocation recorded" "the authority revokes officer rev" \
	$C cert revoke -k "$T/root.key" -c "$T/root.cert" --serial "$SREV" \
	--reason key-compromise --crl "$T/root.crl" --registry "$URL"
expect 1 "coyeu: registry refused (403 forbidden): recipient 1 (serial $SREV): certificate 1 (serial $SREV): revoked by " \
	"a revoked recipient" \
	as a send --level toi-mat --doc "Số 50/QĐ" --to "$T/rev.chain" "$T/plain.txt"

# Another officer uploads the sealer's file and label as its own.
dry owner --to "$T/r1.chain" >/dev/null
$UPLOAD resign "$T/owner.json" "$T/forged.json" "$T/f.key" "$SF" ||
	bad "resign"
post 403 "the label is signed by Cán bộ a (serial $SA), not by the caller $SF: a document is sent by its sealer" \
	"an upload by another officer than the label's signer" f "$T/forged.json"
[ "$(denied_of "$SF")" -ge 1 ] && ok "... a denied entry" || bad "no denied entry"
post 403 "entry 0's actor $SA is not the caller $SF" \
	"the sealer's own entries sent by another officer" f "$T/owner.json"

# Entries that do not say what the upload says.
D2=$(dry two --to "$T/r1.chain" --to "$T/r2.chain")
$UPLOAD drop-last "$T/two.json" "$T/short.json" || bad "drop-last"
post 400 "the label names 2 recipients but the upload has 1 copy.issue entries" \
	"a copy.issue left out" a "$T/short.json"
$UPLOAD label "$T/two.json" "$T/label.json" "$T/a.key" "$SA" || bad "label"
post 400 "entry 0 (doc.register): its label-sha256 is $(printf %064d 0), the upload's is " \
	"a doc.register with another label-sha256" a "$T/label.json"
$UPLOAD tamper "$T/two.json" "$T/tampered.json" || bad "tamper"
post 400 "the upload does not check: the payload differs from what the label's signer signed (payload-digest)" "a tampered file" a "$T/tampered.json"
post 201 "\"doc_id\": \"$D2\"" "the untouched request registers" a "$T/two.json"
post 409 "document $D2 is already registered: a doc-id is used once" \
	"the same doc-id again" a "$T/two.json"
[ "$(sql "SELECT count(*) FROM records WHERE kind = 'doc'")" = 3 ] &&
	ok "refused uploads left no record" || bad "doc records after refusals"
# The nonce is stored in the sending's commit: one request sent 4 times
# at once registers once.
D4=$(dry four --to "$T/r3.chain")
$SIGN --key "$T/a.key" --keyid "$SA" --raw "$T/four.json" --parallel 4 POST \
    "$URL/v1/documents" >"$T/out" 2>"$T/err"
[ "$(grep -c '^201$' "$T/out")" = 1 ] && [ "$(grep -c '^40[19]$' "$T/out")" = 3 ] &&
	ok "one signed sending sent 4 times at once: registered once" ||
	bad "racing sendings: $(tr '\n' ' ' <"$T/out")"
[ "$(sql "SELECT count(*) FROM records WHERE kind = 'copy' AND grp = '$D4'")" = 1 ] &&
	ok "... one copy record" || bad "raced copy records"

# ---- the store's operator alters a file: the recipient sees it ----
expect 0 "copy 1/1: Cán bộ r4" "a document to r4" \
	as a send --level toi-mat --doc "Số 51/QĐ" --to "$T/r4.chain" "$T/plain.txt"
D5=$(sed -n 's/^document //p' "$T/out")
if [ "${SERVER_STORE:-sqlite}" = postgres ]; then
	sql "UPDATE records SET data = set_byte(data, 200, get_byte(data, 200) # 1) WHERE kind = 'file' AND grp = '$D5'"
else
	sql "UPDATE records SET data = substr(data, 1, 200) || x'00' || substr(data, 202) WHERE kind = 'file' AND grp = '$D5'"
fi >/dev/null
expect 1 "does not match what was registered: its SHA-256 is " \
	"fetching an altered file" as r4 fetch "$D5" -o "$T/r4-d5.age"
grep -qF "receipt acknowledged: index " "$T/out" && grep -qF "(integrity mismatch)" "$T/out" &&
	ok "... acknowledged with integrity mismatch" || bad "mismatch receipt: $(cat "$T/out")"
[ ! -e "$T/r4-d5.age" ] && ok "... and not written" || bad "altered file written"
expect 0 "(mismatch)" "the sender sees the mismatch" as a status "$D5"

# ---- someone else's copy ----
as r1 inbox --json >"$T/inbox.json" 2>&1
C1=$($PYTHON -c 'import json,sys; d=[x for x in json.load(open(sys.argv[1]))["documents"] if x["doc_id"]==sys.argv[2]]; print(d[0]["copy_id"])' \
    "$T/inbox.json" "$DOC")
before=$(denied_of "$S2")
$SIGN --key "$T/r2.key" --keyid "$S2" GET "$URL/v1/documents/$DOC/file?copy=$C1" \
    >"$T/out" 2>&1
[ "$(head -n 1 "$T/out")" = 403 ] &&
	grep -qF "copy $C1 of document $DOC is not yours" "$T/out" &&
	ok "fetching another recipient's copy: 403" || bad "other's copy: $(cat "$T/out")"
[ "$(denied_of "$S2")" = $((before + 1)) ] && ok "... and a denied entry" ||
	bad "denied entries of r2: $(denied_of "$S2") (was $before)"
expect 1 "no copy of document $DOC in your inbox" "coyeu fetch of a document not sent to you" \
	as r2 fetch "$DOC"
expect 1 "registry refused (403 forbidden): document $DOC is not yours to see" \
	"status of a document by an outsider" as low status "$DOC"

# ---- a document's entries go through these routes only ----
$C log entry --type doc.receive -k "$T/r1.key" -o "$T/recv" actor="$S1" \
    doc-id="$DOC" copy-id="$C1" integrity=ok 2>/dev/null || bad "doc.receive entry"
expect 1 "registry refused (403 forbidden): entry 0: doc.receive entries are made through the documents routes (docs/exchange.md)" \
	"doc.receive through /v1/log/entries" \
	as r1 log append --registry "$URL" "$T/recv"
$SIGN --key "$T/r2.key" --keyid "$S2" --raw /dev/null POST "$URL/v1/documents/$DOC/receive" \
    >"$T/out" 2>&1
[ "$(head -n 1 "$T/out")" = 400 ] && ok "a receive without a body: 400" ||
	bad "receive body: $(cat "$T/out")"
printf '{"entry": %s}' "$($PYTHON -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' "$T/recv")" >"$T/recv.json"
$SIGN --key "$T/r1.key" --keyid "$S1" --raw "$T/recv.json" POST \
    "$URL/v1/documents/$DOC/receive" >"$T/out" 2>&1
[ "$(head -n 1 "$T/out")" = 409 ] &&
	grep -qF "copy $C1 of document $DOC was received already" "$T/out" &&
	ok "a second receipt: 409" || bad "second receipt: $(cat "$T/out")"

finish
