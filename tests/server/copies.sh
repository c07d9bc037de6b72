#!/bin/sh
# Numbered copies through coyeud (docs/exchange.md, "Numbered copies"):
# a copy within the authorised count, which its new recipient opens; the
# count's end (coyeu copy and the registry refuse copy N beyond M); an
# only-named-recipient document; TUYỆT MẬT without the two-person rule's
# approvals; a copier who holds no copy (403 and a denied entry); an
# excerpt (trich-sao) holds only its lines.
. "${SRCDIR:-.}/tests/server/lib/pki.sh"
. "${SRCDIR:-.}/tests/server/lib/exchange_people.sh"

serve_all

# copy_body FILE WHO SERIAL DOC COPY RECIPIENT: a copy's request body
# whose copy.issue (by WHO) is well formed and the rest placeholders: for
# the registry's refusals that come before it reads the file.
copy_body() {
	$C log entry --type copy.issue -k "$T/$2.key" -o "$T/ci.entry" \
	    actor="$3" doc-id="$4" copy-id=00112233445566778899aabbccddeeff \
	    copy="$5" form=sao-y recipient="$6" 2>"$T/entry.err" ||
	    { bad "copy.issue entry"; cat "$T/entry.err"; }
	python3 -c 'import json, sys
print(json.dumps({"file": "AAAA", "label": "AAAA",
    "entries": [open(sys.argv[1]).read()],
    "secrets": [{"copy_id": "00112233445566778899aabbccddeeff",
                 "sealed": "AAAA"}]}))' "$T/ci.entry" >"$1"
}

printf 'Quyết định số 1\ndòng 2\ndòng 3\ndòng 4\n' >"$T/qd.txt"
expect 0 "document " "A sends a TỐI MẬT decision to D and E, one copy allowed" \
	as a $C send --level toi-mat --doc "Số 1/QĐ-VP" --to "$T/d.chain" \
	--to "$T/e.chain" --copies-allowed 1 "$T/qd.txt"
DOC=$(doc_of "$T/out")

# ---- a copy within the count ----
expect 0 "copy 3/3 (sao-y) for Đỗ Thị F" "D makes copy 3/3 for F" \
	as d $C copy "$DOC" --form sao-y --to "$T/f.chain"
grep -qF "(receipt verified)" "$T/out" && ok "... its receipt verified" ||
	bad "receipt: $(cat "$T/out")"
expect 0 "" "F opens the copy through a release" \
	as f $C open "$DOC" -o "$T/f.txt"
cmp -s "$T/qd.txt" "$T/f.txt" && ok "... and reads the decision" ||
	bad "F's copy differs"
grep -q "copy: *3/3 sao-y" "$T/err" && ok "... labelled copy: 3/3 sao-y" ||
	bad "label: $(cat "$T/err")"

# ---- an excerpt ----
expect 0 "document " "A sends another decision to E, one copy allowed" \
	as a $C send --level toi-mat --doc "Số 4/QĐ-VP" --to "$T/e.chain" \
	--copies-allowed 1 "$T/qd.txt"
DOC4=$(doc_of "$T/out")
expect 2 "--form trich-sao is an excerpt: say which lines with --excerpt A-B" \
	"trich-sao needs --excerpt" \
	as e $C copy "$DOC4" --form trich-sao --to "$T/f.chain"
expect 2 "--excerpt: '3-2' is not a range of lines A-B (1 <= A <= B)" \
	"a reversed range is refused" \
	as e $C copy "$DOC4" --form trich-sao --excerpt 3-2 --to "$T/f.chain"
expect 1 "--excerpt 7-9: the document has 4 lines" \
	"a range past the end is refused" \
	as e $C copy "$DOC4" --form trich-sao --excerpt 7-9 --to "$T/f.chain"
expect 0 "copy 2/2 (trich-sao) for Đỗ Thị F" "E makes an excerpt, lines 2-3" \
	as e $C copy "$DOC4" --form trich-sao --excerpt 2-3 --to "$T/f.chain"
expect 0 "" "F opens the excerpt" as f $C open "$DOC4" -o "$T/f4.txt"
printf 'dòng 2\ndòng 3\n' >"$T/want4.txt"
cmp -s "$T/want4.txt" "$T/f4.txt" && ok "... which holds lines 2 and 3 only" ||
	bad "excerpt: $(cat "$T/f4.txt")"

# ---- over the count ----
OVER="copy 4 would exceed the 3 copies authorised for document Số 1/QĐ-VP (2 originals and 1 further copy)"
expect 1 "$OVER" "a fourth copy is refused by coyeu copy" \
	as e $C copy "$DOC" --form sao-luc --to "$T/f.chain"
printf '{}' >"$T/empty.json"
signed 403 "$OVER" "... and by the registry" \
	POST "/v1/documents/$DOC/copies" --key "$T/e.key" --keyid "$SE" \
	--raw "$T/empty.json"
denied_for "$SE" "copy 4 would exceed"

# ---- only-named-recipient ----
expect 0 "document " "A sends an only-named-recipient document" \
	as a $C send --level toi-mat --doc "Số 2/QĐ-VP" --to "$T/d.chain" \
	--copies-allowed 2 --only-named-recipient "$T/qd.txt"
DOC2=$(doc_of "$T/out")
NAMED="the document is for its named recipients only (only-named-recipient): it may not be copied"
releases_before=$(register_entries | grep -c "^type: release$")
expect 1 "copy refused: $NAMED" "coyeu copy refuses a copy of it" \
	as d $C copy "$DOC2" --form sao-y --to "$T/f.chain"
[ "$(register_entries | grep -c "^type: release$")" = "$releases_before" ] &&
	ok "... before releasing D's own copy (no opening recorded)" ||
	bad "a release was recorded for a refused copy"
copy_body "$T/named.json" d "$SD" "$DOC2" 2/3 "$SF"
signed 403 "$NAMED" "... and so does the registry" \
	POST "/v1/documents/$DOC2/copies" --key "$T/d.key" --keyid "$SD" \
	--raw "$T/named.json"
denied_for "$SD" "named recipients only"

copy_body "$T/stale.json" d "$SD" "$DOC2" 3/3 "$SF"
signed 409 "the copy.issue entry numbers the copy 3/3, and the next copy of document Số 2/QĐ-VP is 2/3" \
	"a copy numbered other than the next is refused" \
	POST "/v1/documents/$DOC2/copies" --key "$T/d.key" --keyid "$SD" \
	--raw "$T/stale.json"
copy_body "$T/nobody.json" d "$SD" "$DOC2" 2/3 ffffffffffffffffffffffffffffffff
signed 400 "the recipient ffffffffffffffffffffffffffffffff is not registered here" \
	"a copy for an unregistered recipient is refused" \
	POST "/v1/documents/$DOC2/copies" --key "$T/d.key" --keyid "$SD" \
	--raw "$T/nobody.json"

# ---- TUYỆT MẬT without approvals ----
# TB's certificate carries no post-quantum key: classical, as TA allows.
expect 0 "document " "TA sends a TUYỆT MẬT document to TB, one copy allowed" \
	as ta $C send --level tuyet-mat --doc "Số 3/QĐ-TM" --to "$T/tb.chain" \
	--copies-allowed 1 --allow-classical "$T/qd.txt"
DOC3=$(doc_of "$T/out")
# The registry refuses the copy by the two-person rule (TB could not even
# open it without approvals); coyeu copy asks the same policy first.
copy_body "$T/tm.json" tb "$STB" "$DOC3" 2/2 "$STC"
signed 403 "TUYỆT MẬT: to copy needs 2 distinct approvers besides the parties, 0 counted" \
	"a TUYỆT MẬT copy without approvals is refused" \
	POST "/v1/documents/$DOC3/copies" --key "$T/tb.key" --keyid "$STB" \
	--raw "$T/tm.json"
expect 1 "copy refused: TUYỆT MẬT: to copy needs 2 distinct approvers besides the parties, 0 counted" \
	"coyeu copy of it is refused too" \
	as tb $C copy "$DOC3" --form sao-y --to "$T/tc.chain"

# ---- a copier who holds no copy ----
signed 403 "Đỗ Thị F (serial $SF) holds no live copy of document Số 2/QĐ-VP" \
	"F, no recipient, cannot copy" \
	POST "/v1/documents/$DOC2/copies" --key "$T/f.key" --keyid "$SF" \
	--raw "$T/empty.json"
denied_for "$SF" "holds no live copy of document Số 2/QĐ-VP"
expect 1 "registry refused (403 forbidden)" "... nor with coyeu copy" \
	as f $C copy "$DOC2" --form sao-y --to "$T/e.chain"

finish
