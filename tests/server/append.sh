#!/bin/sh
# POST /v1/log/entries (docs/coyeud.md, "Appending entries"): officers'
# own entries with receipts that verify against the registry's key, and
# each refusal with its status and reason — someone else's entry, an
# entry already registered or twice in a request, a time off the
# register's clock, malformed bodies — and the request's nonce stored with
# the append.
. "${SRCDIR:-.}/tests/server/lib/pki.sh"

serve
for who in a b; do
	eval serial=\$S$(echo "$who" | tr a-z A-Z)
	signed 201 "" "$who registers" POST /v1/certs --key "$T/$who.key" \
		--keyid "$serial" --str chain "$T/$who.chain"
done
curl -s "$URL/v1/registry" >"$T/registry.json"
VK=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verifier_key"])' \
	"$T/registry.json")

# receipt I FILE: the answer's I-th receipt into FILE.
receipt() {
	sed 1d "$T/out" | python3 -c 'import json,sys
print(json.load(sys.stdin)["entries"][int(sys.argv[1])]["receipt"], end="")' \
	    "$1" >"$2"
}

# ---- appends ----
signed 200 '"index": 0' "an officer appends its entry" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --list entries "$T/a.entry"
receipt 0 "$T/r0"
expect 0 "index 0" "the receipt verifies against the registry's key" \
	$C log verify-proof --verifier-key "$VK" --entry "$T/a.entry" "$T/r0"
entry a1 a "$SA" 1
entry a2 a "$SA" 2
entry a3 a "$SA" 3
signed 200 '"index": 3' "three entries in one request" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --list entries "$T/a1" \
	--list entries "$T/a2" --list entries "$T/a3"
grep -qF '"index": 1' "$T/out" && grep -qF '"index": 2' "$T/out" &&
	ok "... at consecutive indexes" || bad "batch indexes"
receipt 2 "$T/r3"
expect 0 "index 3" "the third receipt verifies" \
	$C log verify-proof --verifier-key "$VK" --entry "$T/a3" "$T/r3"

# ---- the register's refusals ----
signed 409 "entry 0 is already in the register at index 0" \
	"an entry already in the register" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --list entries "$T/a.entry"
entry a4 a "$SA" 4
signed 409 "entry 1 is already in the register at index 2" \
	"a new entry beside a registered one" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --list entries "$T/a4" \
	--list entries "$T/a2"
signed 409 "repeats" "one entry twice in a request" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --list entries "$T/a4" \
	--list entries "$T/a4"
entry old a "$SA" 5 time="$(date -u -d '-400 seconds' +%Y-%m-%dT%H:%M:%SZ)"
signed 400 "more than the allowed skew of 300 s" \
	"an entry signed 400 s before the register's clock" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --list entries "$T/old"
grep -qF "entry 0: its time" "$T/out" && ok "... naming the entry" ||
	bad "skew message"
sed 's/^doc-id: fedcba98/doc-id: fedcba99/' "$T/a4" >"$T/forged"
signed 400 "entry 0" "an entry whose signature does not match" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --list entries "$T/forged"

# ---- the caller's own entries only ----
entry forB a "$SB" 6
signed 403 "entry 0: its actor $SB is not the caller $SA" \
	"an entry naming another officer as actor" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --list entries "$T/forB"
entry byB b "$SA" 7
signed 403 "entry 1: its actor-key is not the signing key of certificate $SA" \
	"an entry signed by another officer's key" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --list entries "$T/a4" \
	--list entries "$T/byB"
[ "$(register_entries | grep -c "^officer: $SA\$")" -eq 2 ] &&
	ok "both are denied entries in the register" || bad "denied entries"

# ---- bodies ----
signed 400 '\"entries\" must be an array of 1 to 256 entries' "no entries" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --str entries "$T/a4"
printf '{"entries": []}' >"$T/empty"
signed 400 "must be an array of 1 to 256" "an empty list" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --raw "$T/empty"
python3 -c 'import json; print(json.dumps({"entries": ["x"] * 257}))' >"$T/many"
signed 400 "must be an array of 1 to 256" "257 entries" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --raw "$T/many"
printf '{"entries": [1]}' >"$T/number"
signed 400 "entry 0 is not a string" "an entry that is not a string" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --raw "$T/number"
printf 'hello\n' >"$T/junk"
signed 400 "entry 0: " "an entry that does not parse" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --list entries "$T/junk"
signed 400 "malformed JSON" "malformed JSON" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --raw "$T/notjson"

# ---- the nonce goes with the append ----
signed 200 '"index": 6' "an append with a chosen nonce (after the 2 denied)" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --list entries "$T/a4" \
	--nonce appendnonce0123456789
entry a8 a "$SA" 8
signed 401 "nonce already used" "its nonce again, on another entry" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --list entries "$T/a8" \
	--nonce appendnonce0123456789
[ "$(sql "SELECT count(*) FROM records WHERE kind = 'nonce' AND key = '$SA appendnonce0123456789'")" = 1 ] &&
	ok "the nonce is stored" || bad "nonce record"
entry a9 a "$SA" 9
signed 200 "" "one signed append sent 4 times at once" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --list entries "$T/a9" \
	--parallel 4
[ "$(grep -c '^200$' "$T/out")" = 1 ] &&
	[ "$(grep -c '^40[19]$' "$T/out")" = 3 ] &&
	ok "... appends once, the 3 replays refused" ||
	bad "racing appends: $(tr '\n' ' ' <"$T/out")"
[ "$(register_entries | grep -c "^item-id: $(printf %032x 9)\$")" = 1 ] &&
	ok "... the entry is in the register once" || bad "raced entry count"
[ -n "${DSN:-}" ] || expect 0 "" "the register audits" $C log audit "$DB"

# ---- what an entry's type asks of its actor (clearance, role) ----
# A document's lifecycle entries are the documents routes' (with their
# records, in one commit): refused here, whatever they say.
docreg() {
	$C log entry --type doc.register -k "$T/a.key" -o "$T/$1" actor="$SA" \
	    doc-id="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" \
	    doc-number="12/QĐ-$1" level="$2" unit="$3" protect-until=2046-01-01 \
	    copies=2 2>"$T/err" || { bad "log entry $1"; cat "$T/err"; }
}
docreg dr_ok toi-mat vn/hcm/a
signed 403 "entry 0: doc.register entries are made through the documents routes (docs/exchange.md)" \
	"a doc.register entry through /v1/log/entries" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --list entries "$T/dr_ok"
docreg dr_high tuyet-mat vn/hcm/a
signed 403 "entry 0: doc.register entries are made through the documents routes" \
	"... even one the officer could not register anyway" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --list entries "$T/dr_high"
for type in copy.issue release doc.receive recall; do
	case $type in
	copy.issue) f="copy-id=$(printf %032x 1) copy=1/1 form=original recipient=$SA" ;;
	release) f="copy-id=$(printf %032x 1) recipient=$SA request-sha256=$(printf %064x 1)" ;;
	doc.receive) f="copy-id=$(printf %032x 1) integrity=ok" ;;
	recall) f="reason=test" ;;
	esac
	# shellcheck disable=SC2086
	$C log entry --type $type -k "$T/a.key" -o "$T/lc_$type" actor="$SA" \
	    doc-id=fedcba9876543210fedcba9876543210 $f 2>"$T/err" ||
	    { bad "log entry $type"; cat "$T/err"; }
	signed 403 "entry 1: $type entries are made through the documents routes (docs/exchange.md)" \
		"a $type entry beside an allowed one" \
		POST /v1/log/entries --key "$T/a.key" --keyid "$SA" \
		--list entries "$T/a8" --list entries "$T/lc_$type"
done
$C log entry --type cert.revoke -k "$T/a.key" -o "$T/rev" actor="$SA" \
    serial="$SB" reason=left-unit 2>"$T/err" || { bad "cert.revoke entry"; cat "$T/err"; }
signed 403 "entry 0: a cert.revoke entry is an authority's, and the caller is an officer" \
	"an officer recording a revocation" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" --list entries "$T/rev"

finish
