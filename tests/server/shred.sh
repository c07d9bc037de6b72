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

serve
for who in hcm a d e; do
	eval serial=\$S$(echo "$who" | tr a-z A-Z)
	signed 201 "" "$who registers" POST /v1/certs --key "$T/$who.key" \
		--keyid "$serial" --str chain "$T/$who.chain"
done
COYEU_HOME=$T/keyring
export COYEU_HOME
$C keyring init --trust "$T/root.cert" >/dev/null 2>&1 || bad "keyring init"
$C keyring registry "$URL" >/dev/null 2>&1 || bad "keyring registry"

# The registry's sealing key as an age identity, and its recipient.
$C id age-identity -k "$T/reg.key" -o "$T/reg.age" 2>/dev/null ||
	bad "age identity"
REG_AGE=$(sed -n 's/^# public key: //p' "$T/reg.age")

hex() { od -An -v -tx1 | tr -d ' \n'; }
rand_id() { head -c 16 /dev/urandom | hex; }

# put KIND KEY GROUP TIME FILE: a record into the store, as the registry
# keeps it (docs/exchange.md, "The store").
put() {
	h=$(hex <"$5")
	if [ -n "${DSN:-}" ]; then
		sql "INSERT INTO records(kind, key, grp, time, data) VALUES
		    ('$1', '$2', '$3', $4, decode('$h', 'hex'))" >/dev/null
	else
		sql "INSERT INTO records(kind, key, grp, time, data) VALUES
		    ('$1', '$2', '$3', $4, X'$h')"
	fi || bad "put $1 $2"
}

# register_doc NAME NUMBER LEVEL RECIPIENT…: a TỐI MẬT (or LEVEL) document
# sent by A (vn/hcm/a) to the recipients (file prefixes), as POST
# /v1/documents leaves it: the document, one copy each (N/M), each copy's
# sealed secret (R sealed to the registry's key), the sealed file.  Sets
# NAME_DOC, NAME_COPY_i (copy-ids) and keeps each R in $T/NAME.R<i>.
register_doc() {
	name=$1 number=$2 level=$3
	shift 3
	doc=$(rand_id)
	now=$(date +%s)
	created=$((now - 60))
	m=$#
	head -c 4096 /dev/urandom >"$T/$name.file"
	fsha=$(sha256sum "$T/$name.file" | cut -c1-64)
	put file "$fsha" "$doc" 0 "$T/$name.file"
	i=0 recips=
	for who in "$@"; do
		i=$((i + 1))
		eval serial=\$S$(echo "$who" | tr a-z A-Z)
		wname=$(sed -n 's/^name: //p' "$T/$who.chain" | head -n 1)
		cid=$(rand_id)
		eval "${name}_COPY_$i=$cid"
		recips="$recips${recips:+,}\"$serial\""
		printf '{"copy":"%s/%s","copy_id":"%s","doc_id":"%s","file":"%s","form":"original","index":%s,"made_by":"%s","name":"%s","opens":0,"recipient":"%s","state":"delivered","time":%s,"unit":"vn/hcm/a"}' \
		    "$i" "$m" "$cid" "$doc" "$fsha" "$i" "$SA" "$wname" \
		    "$serial" "$created" >"$T/$name.copy$i"
		put copy "$doc/$cid" "$doc" "$created" "$T/$name.copy$i"
		# The sealed secret: coyeu.v1/release-secret DOC COPY, then R.
		head -c 32 /dev/urandom >"$T/$name.R$i"
		{ printf 'coyeu.v1/release-secret %s %s\n' "$doc" "$cid"
		  cat "$T/$name.R$i"; } >"$T/$name.secret$i"
		$C seal -r "$REG_AGE" -o "$T/$name.sealed$i" "$T/$name.secret$i" ||
		    bad "seal the secret"
		put share "$doc/$cid" "$doc" 0 "$T/$name.sealed$i"
	done
	printf '{"copies":%s,"copies_allowed":0,"copies_made":%s,"compartments":"","created":%s,"doc_id":"%s","index":0,"label":"","label_sha256":"","level":"%s","number":"%s","only_named":false,"protect_until":%s,"recipients":[%s],"sealed_sha256":"%s","sender":"%s","sender_name":"Nguyễn Văn A","state":"live","time":%s,"unit":"vn/hcm/a"}' \
	    "$m" "$m" "$created" "$doc" "$level" "$number" \
	    "$((created + 5 * 365 * 86400))" "$recips" "$fsha" "$SA" "$created" \
	    >"$T/$name.doc"
	put doc "$doc" vn/hcm/a "$created" "$T/$name.doc"
	eval "${name}_DOC=$doc"
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

# release_as WHO DOC COPY-ID: a signed release request (POST /v1/releases)
# with a fresh release entry; the answer in $T/out.
release_as() {
	eval serial=\$S$(echo "$1" | tr a-z A-Z)
	$C log entry --type release -k "$T/$1.key" -o "$T/rel.entry" \
	    actor="$serial" doc-id="$2" copy-id="$3" recipient="$serial" \
	    request-sha256="$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)" \
	    2>"$T/entry.err" || { bad "release entry"; cat "$T/entry.err"; }
	base64 -w0 "$T/rel.entry" >"$T/rel.b64"
}

# ---- recall ----
register_doc q "Số 12/QĐ-UBND" toi-mat d e
expect 1 "only the sender (Nguyễn Văn A) or an authority over unit vn/hcm/a may recall document Số 12/QĐ-UBND" \
	"recall by an unrelated officer is refused" \
	as e $C recall "$q_DOC" --copy "$q_COPY_1" --reason "không có quyền"
grep -qF "registry refused (403 forbidden)" "$T/err" &&
	ok "... with 403" || bad "403: $(cat "$T/err")"
denied_for "$SE" "may recall document Số 12/QĐ-UBND"

expect 0 "recalled copy 2/2 of Số 12/QĐ-UBND (doc-id $q_DOC); entry" \
	"the sender recalls copy 2" \
	as a $C recall "$q_DOC" --copy "$q_COPY_2" --reason "nghi lộ lọt"
expect 1 "copy 2/2 of document Số 12/QĐ-UBND (doc-id $q_DOC) was already recalled on" \
	"a second recall of the copy is refused" \
	as a $C recall "$q_DOC" --copy "$q_COPY_2" --reason "lần nữa"
grep -qF "registry refused (409 conflict)" "$T/err" &&
	ok "... with 409" || bad "409: $(cat "$T/err")"

release_as e "$q_DOC" "$q_COPY_2"
signed 403 "copy 2/2 of document Số 12/QĐ-UBND was recalled on" \
	"a later release of the recalled copy is refused" \
	POST /v1/releases --key "$T/e.key" --keyid "$SE" --str entry "$T/rel.b64"
grep -qF "by Nguyễn Văn A: nghi lộ lọt" "$T/out" &&
	ok "... saying by whom and why" || bad "the reason: $(cat "$T/out")"
n=$(sql "SELECT count(*) FROM records WHERE kind = 'share' AND key = '$q_DOC/$q_COPY_2'")
[ "$n" = 0 ] && ok "the recalled copy's sealed secret is deleted" ||
	bad "share still there ($n)"
n=$(sql "SELECT count(*) FROM records WHERE kind = 'share' AND key = '$q_DOC/$q_COPY_1'")
[ "$n" = 1 ] && ok "the other copy's is kept" || bad "copy 1's share ($n)"

expect 0 "recalled Số 12/QĐ-UBND (doc-id $q_DOC), copy 1/2; entry" \
	"the city authority recalls the rest of the document" \
	as hcm $C recall "$q_DOC" --reason "thu hồi toàn bộ"
release_as d "$q_DOC" "$q_COPY_1"
signed 403 "was recalled on" "a release of copy 1 is refused" \
	POST /v1/releases --key "$T/d.key" --keyid "$SD" --str entry "$T/rel.b64"
expect 1 "was already recalled on" "a second recall of the document: 409" \
	as a $C recall "$q_DOC" --reason "lần nữa"
register_entries | grep -c "^type: recall" | grep -qx 2 &&
	ok "two recall entries in the register" || bad "recall entries"

# ---- destroy, and the crypto-shredding proof ----
register_doc x "Số 7/QĐ-MẬT" toi-mat d e
# The sealed secret of copy 1, as the store holds it, opens with the
# registry's key (and only that) to R.
if [ -n "${DSN:-}" ]; then
	sql "SELECT encode(data, 'hex') FROM records WHERE kind = 'share' AND key = '$x_DOC/$x_COPY_1'"
else
	sql "SELECT hex(data) FROM records WHERE kind = 'share' AND key = '$x_DOC/$x_COPY_1'"
fi | tr -d '\n' | python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read()))' \
	>"$T/share.stored"
cmp -s "$T/share.stored" "$T/x.sealed1" && ok "the sealed secret read from the store" ||
	bad "the stored share"
$C open -i "$T/reg.age" -o "$T/share.plain" "$T/share.stored" 2>"$T/err" ||
	{ bad "open the sealed secret"; cat "$T/err"; }
tail -c 32 "$T/share.plain" >"$T/R"
head -c 29 "$T/share.plain" | grep -qF "coyeu.v1/release-secret" &&
	cmp -s "$T/R" "$T/x.R1" && ok "it opens with the registry's key to R" ||
	bad "R from the store"

# search PATH…: prints the files holding R or the sealed secret.
search() {
	python3 - "$T/R" "$T/share.stored" "$T/x.sealed2" "$@" <<'EOF'
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
n=$(sql "SELECT count(*) FROM records WHERE kind = 'reg.destroyed'")
[ "$n" = 1 ] && ok "one row in the destruction register" || bad "reg.destroyed: $n"
n=$(sql "SELECT count(*) FROM records WHERE (kind = 'share' OR kind = 'file') AND grp = '$x_DOC'")
[ "$n" = 0 ] && ok "the sealed secrets and the file are deleted" ||
	bad "$n shares or files left"
expect 1 "was already destroyed on" "a second destroy: 409" \
	as hcm $C destroy "$x_DOC" --copy "$x_COPY_2" --reason "lần nữa"
release_as d "$x_DOC" "$x_COPY_1"
signed 403 "was destroyed on" "a release of a destroyed copy is refused" \
	POST /v1/releases --key "$T/d.key" --keyid "$SD" --str entry "$T/rel.b64"

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
register_doc y "Số 9/QĐ" mat d e
if as a $C status "$y_DOC" 2>&1 | grep -q "not available in this build"; then
	echo "skipped: --copy N (coyeu status is not built)"
	ycopy=$y_COPY_2
else
	ycopy=2
fi
expect 0 "destroyed (crypto-shred) copy 2/2 of Số 9/QĐ (doc-id $y_DOC); entry" \
	"the holder's authority destroys one copy" \
	as hcm $C destroy "$y_DOC" --copy "$ycopy" --reason "bản hỏng"
n=$(sql "SELECT count(*) FROM records WHERE kind = 'file' AND grp = '$y_DOC'")
[ "$n" = 1 ] && ok "the file copy 1 still needs is kept" || bad "file: $n"

# ---- extend ----
register_doc z "Số 3/QĐ" toi-mat d
expect 1 "only the originating authority (over unit vn/hcm/a) may extend" \
	"extend by the sender, an officer, is refused" \
	as a $C extend "$z_DOC" --until 2040-01-01
denied_for "$SA" "may extend the protection"
expect 0 "extended the protection of Số 3/QĐ (doc-id $z_DOC) until 2040-01-01T00:00:00Z; entry" \
	"the originating authority extends the protection" \
	as hcm $C extend "$z_DOC" --until 2040-01-01
python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["protect_until"])' \
	<<EOF >"$T/pu"
$(sql "SELECT ${DSN:+convert_from(}data${DSN:+, 'UTF8')} FROM records WHERE kind = 'doc' AND key = '$z_DOC'")
EOF
[ "$(cat "$T/pu")" = "$(date -u -d 2040-01-01 +%s)" ] &&
	ok "the document's protect-until is the new one" ||
	bad "protect_until: $(cat "$T/pu")"
expect 1 "is not later than the document's current end, 2040-01-01T00:00:00Z" \
	"an earlier end is refused" as hcm $C extend "$z_DOC" --until 2039-01-01
expect 1 "more than 20 years" "beyond the level's cap is refused" \
	as hcm $C extend "$z_DOC" --until 2090-01-01
grep -qF "registry refused (403 forbidden)" "$T/err" &&
	ok "... with 403" || bad "403: $(cat "$T/err")"
register_entries | grep -c "^type: doc.extend" | grep -qx 1 &&
	ok "one doc.extend entry in the register" || bad "doc.extend entries"

# ---- malformed ----
expect 2 "is not a doc-id" "a document id that is not one" \
	as a $C recall nope --reason x
expect 1 "no document 00000000000000000000000000000000 is registered" \
	"an unknown document: 404" \
	as a $C recall 00000000000000000000000000000000 --reason x

finish
