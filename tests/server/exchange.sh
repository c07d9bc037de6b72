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

write_config "$T/c.conf" "denied_per_minute = 1000"
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
		psql "$(echo "$STORE_DB" | sed 's/^postgresql:/postgresql:/')" -qAtc "$1"
	else
		sqlite3 "$T/reg.db" "$1"
	fi
}

# entries_of TYPE: how many entries of TYPE the register holds.
entries_of() {
	if [ "${SERVER_STORE:-sqlite}" = postgres ]; then
		sql "SELECT convert_from(data, 'UTF8') FROM entry"
	else
		sql "SELECT data FROM entry"
	fi | grep -c "^type: $1\$"
}

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
sql "SELECT data FROM records WHERE kind = 'reg.incoming' ORDER BY key LIMIT 1" |
	grep -q '"received":[0-9]' && ok "... and says when it was received" ||
	bad "incoming received"

finish
