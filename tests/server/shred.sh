#!/bin/sh
# Recall, destroy and extend through coyeud (docs/exchange.md, "Recall,
# destroy, extend"): who may (the sender, the authority over the
# originating unit or the copy's holder) and who may not (403 and a denied
# entry), the states (a later release refused with "recalled on … by …:
# reason", a second recall or destroy 409), the destruction register's row,
# and the crypto-shredding proof: the sealed secret taken from the store
# opens with the registry's key to R; after destroy neither R nor the
# sealed secret is anywhere in the store's files (SQLite: the database and
# its -wal and -shm; PostgreSQL: every file of the data directory, after
# the documented vacuum).
. "${SRCDIR:-.}/tests/server/lib/pki.sh"

# The district's authority (vn/hcm/b, under the city's) and its officer F:
# the holder's authority of F's copies, not above the originating unit.
SHB=$(person hb "Ban Cơ yếu Quận B" vn/hcm/b hcm authority)
SF=$(person f "Đỗ Thị F" vn/hcm/b hb officer)
[ -n "$SHB" ] && [ -n "$SF" ] || bad "the district's hierarchy"
serve
for who in hcm hb a d e f; do
	eval serial=\$S$(echo "$who" | tr a-z A-Z)
	signed 201 "" "$who registers" POST /v1/certs --key "$T/$who.key" \
		--keyid "$serial" --str chain "$T/$who.chain"
done
COYEU_HOME=$T/keyring
export COYEU_HOME
$C keyring init --trust "$T/root.cert" >/dev/null 2>&1 || bad "keyring init"
$C keyring registry "$URL" >/dev/null 2>&1 || bad "keyring registry"

# The registry's sealing key as an age identity, and its recipient.
$C id age-identity --classical -k "$T/reg.key" -o "$T/reg.age" 2>/dev/null ||
	bad "age identity"
REG_AGE=$(sed -n 's/^# public key: //p' "$T/reg.age")

printf 'Quyết định mật số 12\n' >"$T/plain.txt"

# send_doc NAME NUMBER LEVEL RECIPIENT…: A (vn/hcm/a) sends plain.txt to
# the recipients (file prefixes) with coyeu send ($SEND_OPTS added); sets
# NAME_DOC and NAME_COPY_i, the copy-id of copy i/M.
SEND_OPTS=
send_doc() {
	name=$1 number=$2 level=$3
	shift 3
	to=
	for who in "$@"; do to="$to --to $T/$who.chain"; done
	# shellcheck disable=SC2086
	$C send -k "$T/a.key" -c "$T/a.chain" --level "$level" --doc "$number" \
	    $to $SEND_OPTS "$T/plain.txt" >"$T/$name.send" 2>"$T/err" ||
	    { bad "send $name"; cat "$T/err" "$T/$name.send"; }
	doc=$(grep -o '[0-9a-f]\{32\}' "$T/$name.send" | head -n 1)
	eval "${name}_DOC=$doc"
	$SIGN --key "$T/a.key" --keyid "$SA" GET "$URL/v1/documents/$doc" \
	    >"$T/$name.status" 2>&1
	i=1
	for cid in $(sed 1d "$T/$name.status" | python3 -c 'import json, sys
copies = json.load(sys.stdin)["copies"]
for c in sorted(copies, key=lambda c: int(c["copy"].split("/")[0])):
    print(c["copy_id"])'); do
		eval "${name}_COPY_$i=$cid"
		i=$((i + 1))
	done
	[ $i -gt $# ] || bad "send $name: $((i - 1)) copies, wanted $#"
}

# share_of DOC COPY-ID OUT: the copy's sealed secret as the store holds it
# (what the database's operator can read).
share_of() {
	if [ -n "${DSN:-}" ]; then
		sql "SELECT encode(data, 'hex') FROM records WHERE kind = 'share' AND key = '$1/$2'"
	else
		sql "SELECT hex(data) FROM records WHERE kind = 'share' AND key = '$1/$2'"
	fi | tr -d '\n' | python3 -c 'import sys
sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read()))' >"$3"
	[ -s "$3" ] || bad "no sealed secret for copy $2 of $1 in the store"
}

# as WHO CMD…: a coyeu command signed by WHO's key and chain.
as() {
	who=$1
	shift
	"$@" -k "$T/$who.key" -c "$T/$who.chain"
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

# open_as WHO DOC OUT: coyeu open DOC as WHO, through a release.
open_as() {
	$C open -k "$T/$1.key" -c "$T/$1.chain" -o "$3" "$2"
}

# ---- recall ----
send_doc q "Số 12/QĐ-UBND" toi-mat d e
expect 0 "" "E opens its copy (a release)" open_as e "$q_DOC" "$T/q.e"
cmp -s "$T/q.e" "$T/plain.txt" && ok "... the plaintext" || bad "q plaintext"
expect 1 "only the sender (Nguyễn Văn A) or an authority over unit vn/hcm/a may recall document Số 12/QĐ-UBND" \
	"recall by an unrelated officer is refused" \
	as e $C recall "$q_DOC" --copy 1 --reason "không có quyền"
grep -qF "registry refused (403 forbidden)" "$T/err" &&
	ok "... with 403" || bad "403: $(cat "$T/err")"
denied_for "$SE" "may recall document Số 12/QĐ-UBND"

expect 0 "recalled copy 2/2 of Số 12/QĐ-UBND (doc-id $q_DOC); entry" \
	"the sender recalls copy 2 (named by its number)" \
	as a $C recall "$q_DOC" --copy 2 --reason "nghi lộ lọt"
expect 1 "copy 2/2 of document Số 12/QĐ-UBND (doc-id $q_DOC) was already recalled on" \
	"a second recall of the copy is refused" \
	as a $C recall "$q_DOC" --copy "$q_COPY_2" --reason "lần nữa"
grep -qF "registry refused (409 conflict)" "$T/err" &&
	ok "... with 409" || bad "409: $(cat "$T/err")"

expect 1 "registry refused (403 forbidden): copy 2/2 of document Số 12/QĐ-UBND was recalled on " \
	"a later release of the recalled copy is refused" \
	open_as e "$q_DOC" "$T/q.e2"
grep -qF "by Nguyễn Văn A: nghi lộ lọt" "$T/err" &&
	ok "... saying by whom and why" || bad "the reason: $(cat "$T/err")"
[ ! -e "$T/q.e2" ] && ok "... and nothing is decrypted" || bad "output appeared"
n=$(sql "SELECT count(*) FROM records WHERE kind = 'share' AND key = '$q_DOC/$q_COPY_2'")
[ "$n" = 0 ] && ok "the recalled copy's sealed secret is deleted" ||
	bad "share still there ($n)"
expect 0 "" "D still opens copy 1" open_as d "$q_DOC" "$T/q.d"

expect 0 "recalled Số 12/QĐ-UBND (doc-id $q_DOC), copy 1/2; entry" \
	"the city authority recalls the rest of the document" \
	as hcm $C recall "$q_DOC" --reason "thu hồi toàn bộ"
expect 1 "registry refused (403 forbidden): document Số 12/QĐ-UBND was recalled on " \
	"then D's release is refused" \
	open_as d "$q_DOC" "$T/q.d2"
expect 1 "was already recalled on" "a second recall of the document: 409" \
	as a $C recall "$q_DOC" --reason "lần nữa"
register_entries | grep -c "^type: recall" | grep -qx 2 &&
	ok "two recall entries in the register" || bad "recall entries"

# Four recalls of one copy at once: one wins, the others find it
# recalled (409), before or inside the commit; one entry.
send_doc race "Số 13/QĐ" mat d e
pids=
for i in 1 2 3 4; do
	as a $C recall "$race_DOC" --copy "$race_COPY_1" --reason "cùng lúc $i" \
	    >"$T/race.$i.out" 2>"$T/race.$i.err" &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
won=$(cat "$T"/race.*.out | grep -c "^recalled copy 1/2")
lost=$(cat "$T"/race.*.err | grep -c "(409 conflict): copy 1/2 of document Số 13/QĐ (doc-id $race_DOC) was already recalled on")
[ "$won" = 1 ] && [ "$lost" = 3 ] &&
	ok "concurrent recalls of one copy: one recalls it, three get 409" ||
	{ bad "race: $won won, $lost refused"; cat "$T"/race.*.err; }
register_entries | grep -c "^copy-id: $race_COPY_1" | grep -qx 2 &&
	ok "... one recall entry (beside the copy.issue)" ||
	bad "race entries: $(register_entries | grep -c "^copy-id: $race_COPY_1")"

# ---- destroy, and the crypto-shredding proof ----
send_doc x "Số 7/QĐ-MẬT" toi-mat d e
# The sealed secrets as the store holds them; copy 1's opens with the
# registry's key to R, the last 32 bytes of its payload.
share_of "$x_DOC" "$x_COPY_1" "$T/share1"
share_of "$x_DOC" "$x_COPY_2" "$T/share2"
$C open -i "$T/reg.age" -o "$T/share.plain" "$T/share1" 2>"$T/err" ||
	{ bad "open the sealed secret"; cat "$T/err"; }
tail -c 32 "$T/share.plain" >"$T/R"
head -n 1 "$T/share.plain" | grep -qx "coyeu.v1/release-secret $x_DOC $x_COPY_1" &&
	[ "$(wc -c <"$T/R")" = 32 ] &&
	ok "the stored sealed secret opens with the registry's key to R" ||
	bad "R from the store"
expect 0 "" "D opens its copy before the destroy" open_as d "$x_DOC" "$T/x.d"
expect 0 "" "D keeps the sealed file (coyeu fetch)" \
	as d $C fetch -o "$T/x.cy" "$x_DOC"

# search PATH…: prints the files holding R or the sealed secret.
search() {
	python3 - "$T/R" "$T/share1" "$T/share2" "$@" <<'EOF'
import os, sys
needles = [open(p, "rb").read() for p in sys.argv[1:4]]
for top in sys.argv[4:]:
    paths = [top] if os.path.isfile(top) else [
        os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs]
    for p in paths:
        try:
            data = open(p, "rb").read()
        except OSError:
            continue
        for i, n in enumerate(needles):
            if n in data:
                print(p, ["R", "sealed secret 1", "sealed secret 2"][i])
EOF
}
# The search's control: before destroy it finds the sealed secret.
if [ -z "${DSN:-}" ]; then
	search "$DB" "$DB-wal" "$DB-shm" >"$T/found"
else
	pgdata=$(echo "$COYEU_PG_DSN" | sed -n 's/.*host=\([^ ]*\).*/\1/p')/data
	psql "$COYEU_PG_DSN" -qAtc "CHECKPOINT"
	search "$pgdata" >"$T/found"
fi
grep -q "sealed secret 1" "$T/found" &&
	ok "before destroy the store's files hold the sealed secret" ||
	bad "the search finds nothing even before destroy"

expect 1 "only the authority of the copy's holder" \
	"destroy by an officer who is not the sender is refused" \
	as e $C destroy "$x_DOC" --copy "$x_COPY_1" --reason "không có quyền"
denied_for "$SE" "may destroy copy 1/2"
expect 0 "destroyed (crypto-shred) Số 7/QĐ-MẬT (doc-id $x_DOC), copies 1/2, 2/2; entry" \
	"the originating authority destroys the document" \
	as hcm $C destroy "$x_DOC" --reason "hết giá trị sử dụng"
register_entries | tr '\n' '\t' | sed 's/version: /\n/g' | grep -F "type: destroy" |
	grep -F "doc-id: $x_DOC" | grep -qF "method: crypto-shred" &&
	ok "the register holds the destroy entry, method crypto-shred" ||
	bad "no destroy entry"
n=$(sql "SELECT count(*) FROM records WHERE kind = 'reg.destroyed' AND grp = 'vn/hcm/a'")
[ "$n" = 1 ] && ok "one row in the destruction register" || bad "reg.destroyed: $n"
n=$(sql "SELECT count(*) FROM records WHERE (kind = 'share' OR kind = 'file') AND grp = '$x_DOC'")
[ "$n" = 0 ] && ok "the sealed secrets and the file are deleted" ||
	bad "$n shares or files left"
expect 1 "was already destroyed on" "a second destroy: 409" \
	as hcm $C destroy "$x_DOC" --copy "$x_COPY_2" --reason "lần nữa"
expect 1 "registry refused (404 not-found)" \
	"opening a destroyed copy is refused (its file is gone too)" \
	open_as d "$x_DOC" "$T/x.d2"
[ ! -e "$T/x.d2" ] && ok "... and nothing is decrypted" || bad "output appeared"
expect 1 "registry refused (403 forbidden): document Số 7/QĐ-MẬT was destroyed on " \
	"the file D kept does not open: its release is refused" \
	open_as d "$T/x.cy" "$T/x.d3"
grep -qF "by Ban Cơ yếu TP.HCM: hết giá trị sử dụng" "$T/err" &&
	ok "... saying by whom and why" || bad "the reason: $(cat "$T/err")"

if [ -z "${DSN:-}" ]; then
	search "$DB" "$DB-wal" "$DB-shm" >"$T/found"
	[ ! -s "$T/found" ] &&
		ok "neither R nor a sealed secret is in the database, its -wal or -shm" ||
		{ bad "after destroy the store still holds:"; cat "$T/found"; }
else
	# The documented vacuum (docs/store.md): coyeud's scrub ran VACUUM
	# FULL; the checkpoint after a WAL switch, with recycling off,
	# removes the WAL segments that logged the insert.
	psql "$COYEU_PG_DSN" -qAtc "ALTER SYSTEM SET wal_recycle = off" &&
	psql "$COYEU_PG_DSN" -qAtc "SELECT pg_reload_conf()" >/dev/null &&
	psql "$COYEU_PG_DSN" -qAtc "SELECT pg_switch_wal()" >/dev/null &&
	psql "$COYEU_PG_DSN" -qAtc "CHECKPOINT" &&
	psql "$COYEU_PG_DSN" -qAtc "SELECT pg_switch_wal()" >/dev/null &&
	psql "$COYEU_PG_DSN" -qAtc "CHECKPOINT" || bad "the WAL step"
	search "$pgdata" >"$T/found"
	[ ! -s "$T/found" ] &&
		ok "no file of the PostgreSQL data directory holds R or a sealed secret" ||
		{ bad "after destroy the data directory still holds:"; cat "$T/found"; }
fi

# One copy destroyed by the authority over its holder; the copy named by
# its number (resolved through GET /v1/documents/DOC).
send_doc y "Số 9/QĐ" mat d e
expect 0 "destroyed (crypto-shred) copy 2/2 of Số 9/QĐ (doc-id $y_DOC); entry" \
	"the holder's authority destroys one copy" \
	as hcm $C destroy "$y_DOC" --copy 2/2 --reason "bản hỏng"
n=$(sql "SELECT count(*) FROM records WHERE kind = 'file' AND grp = '$y_DOC'")
[ "$n" = 1 ] && ok "the file copy 1 still needs is kept" || bad "file: $n"

# The holder's authority: the district's destroys F's copy, and only it.
send_doc h "Số 21/QĐ" mat d f
expect 1 "only the sender (Nguyễn Văn A) or an authority over unit vn/hcm/a may recall" \
	"the holder's authority may not recall" \
	as hb $C recall "$h_DOC" --copy "$h_COPY_2" --reason "không"
expect 1 "only the authority of the copy's holder (over unit vn/hcm/a)" \
	"nor destroy another unit's copy" \
	as hb $C destroy "$h_DOC" --copy "$h_COPY_1" --reason "không"
expect 1 "only the sender (Nguyễn Văn A) or an authority over unit vn/hcm/a may destroy document" \
	"nor the whole document" as hb $C destroy "$h_DOC" --reason "không"
expect 0 "destroyed (crypto-shred) copy 2/2 of Số 21/QĐ (doc-id $h_DOC); entry" \
	"the holder's authority destroys its officer's copy" \
	as hb $C destroy "$h_DOC" --copy "$h_COPY_2" --reason "bản lưu hết hạn"
n=$(sql "SELECT count(*) FROM records WHERE kind = 'reg.destroyed' AND grp = 'vn/hcm/b'")
[ "$n" = 1 ] && ok "the destruction record is the district's" ||
	bad "reg.destroyed of vn/hcm/b: $n"
expect 0 "" "D still opens copy 1" open_as d "$h_DOC" "$T/h.d"

# ---- extend ----
# Protected until 2030: extended to 2040, not beyond 20 years.
SEND_OPTS="--protect-until 2030-01-01"
send_doc z "Số 3/QĐ" toi-mat d
SEND_OPTS=
expect 1 "only the originating authority (over unit vn/hcm/a) may extend" \
	"extend by the sender, an officer, is refused" \
	as a $C extend "$z_DOC" --until 2040-01-01
denied_for "$SA" "may extend the protection"
expect 0 "extended the protection of Số 3/QĐ (doc-id $z_DOC) until 2040-01-01T00:00:00Z; entry" \
	"the originating authority extends the protection" \
	as hcm $C extend "$z_DOC" --until 2040-01-01
as a $C status --json "$z_DOC" >"$T/z.status" 2>&1 || bad "status"
python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["document"]["protect_until"])' \
	"$T/z.status" >"$T/pu"
[ "$(cat "$T/pu")" = "$(date -u -d 2040-01-01 +%s)" ] &&
	ok "coyeu status shows the new protect-until" ||
	bad "protect_until: $(cat "$T/pu")"
expect 1 "is not later than the document's current end, 2040-01-01T00:00:00Z" \
	"an earlier end is refused" as hcm $C extend "$z_DOC" --until 2039-01-01
expect 1 "more than 20 years" "beyond the level's cap is refused" \
	as hcm $C extend "$z_DOC" --until 2090-01-01
grep -qF "registry refused (403 forbidden)" "$T/err" &&
	ok "... with 403" || bad "403: $(cat "$T/err")"
register_entries | grep -c "^type: doc.extend" | grep -qx 1 &&
	ok "one doc.extend entry in the register" || bad "doc.extend entries"

# ---- the entry and the request, by hand ----
send_doc r "Số 5/QĐ" toi-mat d
# lc_entry FILE KEY TYPE field=value…: an entry signed by KEY's owner.
lc_entry() {
	f=$1 k=$2 type=$3
	shift 3
	eval serial=\$S$(echo "$k" | tr a-z A-Z)
	$C log entry --type "$type" -k "$T/$k.key" -o "$T/$f" actor="$serial" \
	    "$@" 2>"$T/entry.err" || { bad "entry $f"; cat "$T/entry.err"; }
	base64 -w0 "$T/$f" >"$T/$f.b64"
}
lc_entry wrongtype a destroy doc-id="$r_DOC" method=crypto-shred reason=x
signed 400 "the entry is a destroy entry; this route takes a recall entry" \
	"a destroy entry posted to recall" POST "/v1/documents/$r_DOC/recall" \
	--key "$T/a.key" --keyid "$SA" --str entry "$T/wrongtype.b64"
lc_entry otherdoc a recall doc-id="$q_DOC" reason=x
signed 400 "the entry names document $q_DOC, the path $r_DOC" \
	"an entry for another document" POST "/v1/documents/$r_DOC/recall" \
	--key "$T/a.key" --keyid "$SA" --str entry "$T/otherdoc.b64"
lc_entry old a recall doc-id="$r_DOC" reason=x \
	time="$(date -u -d '-400 seconds' +%Y-%m-%dT%H:%M:%SZ)"
signed 400 "from the registry's clock (at most 300 s)" \
	"an entry signed 400 s ago" POST "/v1/documents/$r_DOC/recall" \
	--key "$T/a.key" --keyid "$SA" --str entry "$T/old.b64"
lc_entry physical hcm destroy doc-id="$r_DOC" method=physical reason=x
signed 400 "this registry destroys by crypto-shredding" \
	"a physical destroy through the registry" POST "/v1/documents/$r_DOC/destroy" \
	--key "$T/hcm.key" --keyid "$SHCM" --str entry "$T/physical.b64"
lc_entry byA a recall doc-id="$r_DOC" reason="của A"
signed 403 "the entry's actor $SA is not the caller $SE" \
	"A's entry posted by E" POST "/v1/documents/$r_DOC/recall" \
	--key "$T/e.key" --keyid "$SE" --str entry "$T/byA.b64"
NONCE=lifecyclenonce0123456789
signed 200 '"copies": ["1/1"]' "A's own entry, signed by hand" \
	POST "/v1/documents/$r_DOC/recall" --key "$T/a.key" --keyid "$SA" \
	--str entry "$T/byA.b64" --nonce $NONCE
n=$(sql "SELECT count(*) FROM records WHERE kind = 'nonce' AND key LIKE '%$NONCE%'")
[ "$n" = 1 ] && ok "the request's nonce is stored with the recall" ||
	bad "nonce records: $n"
signed 401 "nonce already used" "the same request replayed" \
	POST "/v1/documents/$r_DOC/recall" --key "$T/a.key" --keyid "$SA" \
	--str entry "$T/byA.b64" --nonce $NONCE

# ---- malformed ----
expect 2 "DOC is a document id" "a document id that is not one" \
	as a $C recall nope --reason x
expect 1 "no document 00000000000000000000000000000000 is registered" \
	"an unknown document: 404" \
	as a $C recall 00000000000000000000000000000000 --reason x

# Under ASan, a leak makes this exit non-zero.
stop_server
[ "$SERVER_RC" = 0 ] && ok "coyeud stops: exit 0" ||
	{ bad "coyeud exit $SERVER_RC"; tail -n 40 "$T/server.log"; }
finish
