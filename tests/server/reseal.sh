#!/bin/sh
# Re-sealing a registry-held document through coyeud (docs/exchange.md,
# "Re-sealing"): A sends a classical TỐI MẬT document to D and E; both are
# re-keyed (a hybrid key, a new certificate with seal-pq-key, registered);
# D reseals its copy's file.  The registry checks the resealed file and its
# record without a key, replaces the file, each copy's R (the old ones
# deleted: the classical copies can no longer be released), moves the
# copies to the new certificates and records doc.reseal.  E then fetches
# and opens the post-quantum copy with its new chain; the old chain gets
# nothing.  Refused: a non-holder (403, a denied entry), a second reseal,
# a body whose entry does not match the file.
. "${SRCDIR:-.}/tests/server/lib/pki.sh"
. "${SRCDIR:-.}/tests/server/lib/exchange_people.sh"
. "${SRCDIR:-.}/tests/cli/lib/pqofficer.sh"

serve_all

printf 'Quyết định số 9 về lưu trữ\n' >"$T/qd.txt"
expect 0 "post-quantum: no" "A sends a classical TỐI MẬT decision to D and E" \
	as a $C send --level toi-mat --doc "Số 9/QĐ-VP" --to "$T/d.chain" \
	--to "$T/e.chain" --classical "$T/qd.txt"
DOC=$(doc_of "$T/out")
[ -n "$DOC" ] || { bad "no doc-id"; finish; }
expect 0 "fetched copy" "D fetches its copy" \
	as d $C fetch "$DOC" -o "$T/d.age"
cp "$T/d.age" "$T/classical.age"

# share_hex DOC COPY-ID: a copy's sealed secret as the store holds it.
share_hex() {
	if [ -n "${DSN:-}" ]; then
		sql "SELECT encode(data, 'hex') FROM records WHERE kind = 'share' AND key = '$1/$2'"
	else
		sql "SELECT hex(data) FROM records WHERE kind = 'share' AND key = '$1/$2'"
	fi
}
COPIES=$(sql "SELECT key FROM records WHERE kind = 'share' AND key LIKE '$DOC/%'" |
    sed 's,.*/,,')
[ "$(echo "$COPIES" | wc -l)" = 2 ] && ok "two copies, two shares" ||
	bad "shares: $COPIES"
for c in $COPIES; do share_hex "$DOC" "$c" >"$T/share.$c.before"; done

# ---- re-keying D and E: new certificates with seal-pq-key, registered ----
for who in d e; do
	pq_officer "$T/$who.key" "$(sed -n 's/^name: //p' "$T/$who.chain" |
	    head -n 1)" vn/hcm/a "$T/hcm.key" "$T/hcm.chain" "$T/$who.pq.chain" \
	    --role officer --clearance toi-mat && ok "$who re-keyed" ||
	    bad "re-key $who"
	serial=$(sed -n 's/^serial: //p' "$T/$who.pq.chain" | head -n 1)
	$SIGN --key "$T/$who.key" --keyid "$serial" --str chain \
	    "$T/$who.pq.chain" POST "$URL/v1/certs" >"$T/out" 2>&1
	[ "$(head -n 1 "$T/out")" = 201 ] && ok "$who's new certificate registered" ||
	    { bad "$who registers its new certificate"; cat "$T/out"; }
done
SD2=$(sed -n 's/^serial: //p' "$T/d.pq.chain" | head -n 1)
SE2=$(sed -n 's/^serial: //p' "$T/e.pq.chain" | head -n 1)
RS="-r $T/d.chain -r $T/e.chain -r $T/d.pq.chain -r $T/e.pq.chain"

# ---- a non-holder ----
expect 1 "" "F, who holds no copy, cannot reseal" \
	as f $C reseal $RS -o "$T/f.age" "$T/d.age"
[ ! -e "$T/f.age" ] && ok "... and nothing is written" || bad "f.age written"

# ---- the reseal ----
expect 0 "doc.reseal of document $DOC recorded at index" \
	"D reseals the file through the registry" \
	as d $C reseal $RS -o "$T/d.pq.age" "$T/d.age"
grep -q "doc.reseal of document $DOC recorded at index [0-9]* (receipt verified)" \
    "$T/err" && ok "... its receipt verified" ||
	bad "no verified receipt: $(cat "$T/err")"
grep -aq '^-> coyeu.v1/release-pq ' "$T/d.pq.age" &&
    ! grep -aq '^-> coyeu.v1/release ' "$T/d.pq.age" &&
    ok "... the new file holds release-pq stanzas only" ||
	bad "stanzas of the resealed file"
register_entries | grep -q "^type: doc.reseal$" &&
	ok "the register holds doc.reseal" || bad "no doc.reseal entry"
for c in $COPIES; do
	share_hex "$DOC" "$c" >"$T/share.$c.after"
	[ -s "$T/share.$c.after" ] &&
	    ! cmp -s "$T/share.$c.before" "$T/share.$c.after" &&
	    ok "copy $c's R replaced" || bad "copy $c's share"
done
signed 200 "\"recipient\": \"$SE2\"" "E's copy is held by E's new certificate" \
	GET "/v1/documents/$DOC" --key "$T/e.key" --keyid "$SE2"

# ---- E, re-keyed, fetches and opens the post-quantum copy ----
expect 0 "fetched copy" "E fetches the resealed copy" \
	$C fetch "$DOC" -o "$T/e.age" -k "$T/e.key" -c "$T/e.pq.chain"
cmp -s "$T/e.age" "$T/d.pq.age" && ok "... the file D uploaded" ||
	bad "E's copy differs from the upload"
expect 0 "" "E opens it with its new chain (a release)" \
	$C open "$T/e.age" -o "$T/e.txt" -k "$T/e.key" -c "$T/e.pq.chain"
cmp -s "$T/qd.txt" "$T/e.txt" && ok "... and reads the decision" ||
	bad "E's plaintext differs"
# Under its old certificate the copy is no longer E's.
expect 1 "" "E's old certificate gets no release" \
	$C open "$T/classical.age" -o "$T/old.txt" -k "$T/e.key" -c "$T/e.chain"
[ ! -e "$T/old.txt" ] && ok "... and nothing is written" || bad "old.txt"

# ---- a second reseal, a mismatched body ----
expect 1 "post-quantum already" "the resealed file is not resealed again" \
	$C reseal $RS -k "$T/d.key" -c "$T/d.pq.chain" -o "$T/again.age" \
	"$T/d.pq.age"
printf '{}' >"$T/empty.json"
signed 400 "" "an empty body is refused" \
	POST "/v1/documents/$DOC/reseal" --key "$T/d.key" --keyid "$SD2" \
	--raw "$T/empty.json"

finish
