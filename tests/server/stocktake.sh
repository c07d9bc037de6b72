#!/bin/sh
# The stock-take (kiểm kê; docs/inventory.md, "Registry") over HTTP: a unit's
# officers declare what they hold and the close names every kind of
# difference — unregistered (declared, not in the register), undeclared
# (held, declared by nobody), wrong-state (declared but lost), wrong-custody
# (another unit's item; an issued item declared by someone other than its
# custodian) — and records the result as a stocktake.close entry whose
# counts and SHA-256 the registry checks again; plus the refusals: a unit
# outside the caller's subtree, another branch, counts that do not match,
# a close signing another result, declaring after the close.  On SQLite,
# or PostgreSQL with SERVER_STORE=postgres.
. "${SRCDIR:-.}/tests/server/lib/inventory.sh"

U=vn/hcm/kho
person k1 $U toi-mat          # keeps the store
person k2 $U/p1 toi-mat       # holds issued items, in a unit below
person w $U toi-mat           # witness
person o vn/hcm/other toi-mat # another agency
person hn vn/hn/x toi-mat officer root
register k1 k2 w o hn

# in_stock NAME TYPE SERIAL UNIT: an item added, stocked with w (or ow in
# the other unit) as witness; ID.
in_stock() {
	add "$1" "$2" "$3" mat "$4"
	change "$1" "$ID" stock received in-stock pending=yes
	call "$1" POST "/v1/items/$ID/changes" "$T/body.json"
	confirm "$5" "$ID" witness accepted
	call "$5" POST "/v1/items/$ID/confirm" "$T/body.json"
	[ "$(field .item.state)" = in-stock ] || bad "stock $3: $(cat "$T/answer")"
}
person ow vn/hcm/other toi-mat
register ow
in_stock k1 cipher-device CD-1 $U w
I1=$ID                                   # in stock, declared: no difference
in_stock k1 token TK-2 $U w
I2=$ID
change k1 "$I2" issue in-stock in-service custodian="$S_k2"
call k1 POST "/v1/items/$I2/changes" "$T/body.json"   # k2's, declared by k1
in_stock k1 token TK-3 $U w
I3=$ID
change k1 "$I3" lose in-stock lost reason="thất lạc"
call k1 POST "/v1/items/$I3/changes" "$T/body.json"   # lost, yet declared
in_stock k1 cipher-device CD-4 $U w
I4=$ID                                   # in stock, declared by nobody
in_stock o cipher-device CD-5 vn/hcm/other ow
I5=$ID                                   # the other agency's
in_stock k1 token TK-6 $U w
I6=$ID
change k1 "$I6" issue in-stock in-service custodian="$S_k2"
call k1 POST "/v1/items/$I6/changes" "$T/body.json"   # k2's, declared by k2

ST=$(new_id)
# ---- open ----
entry hn stocktake.open stocktake-id="$ST" unit=$U
body
check "another branch opens the unit's stock-take" 403 \
	"unit $U is outside your subtree vn/hn/x" hn POST /v1/stocktakes "$T/body.json"
entry o stocktake.open stocktake-id="$ST" unit=$U
body
check "another agency opens it" 403 "unit $U is outside your subtree vn/hcm/other" \
	o POST /v1/stocktakes "$T/body.json"
entry k1 stocktake.open stocktake-id="$ST" unit=$U
body
check "an officer of the unit opens it" 201 "\"stocktake\": \"$ST\"" \
	k1 POST /v1/stocktakes "$T/body.json"
check "... once" 409 "stock-take $ST is already open" \
	k1 POST /v1/stocktakes "$T/body.json"

# ---- declare ----
# declare NAME ITEM…: a stocktake.declare of the items (ids or TYPE:SERIAL).
declare() {
	n=$1
	shift
	printf '%s\n' "$@" | LC_ALL=C sort >"$T/decl"
	entry "$n" stocktake.declare stocktake-id="$ST" count=$# \
	    serials-sha256="$(sha256sum "$T/decl" | cut -d' ' -f1)"
	body "$($PYTHON -c 'import json,sys; print(json.dumps({"items": sys.argv[1:]}))' "$@")"
}
declare k1 "$I1" "$I2" "$I3" token:NOPE-9 "$I5"
entry k1 stocktake.declare stocktake-id="$ST" count=4 \
	serials-sha256="$(sha256sum "$T/decl" | cut -d' ' -f1)"
body "$($PYTHON -c 'import json,sys; print(json.dumps({"items": sys.argv[1:]}))' "$I1" "$I2" "$I3" token:NOPE-9 "$I5")"
check "a count that is not the items'" 400 "the entry signs count 4" \
	k1 POST "/v1/stocktakes/$ST/declare" "$T/body.json"
declare hn "$I1"
check "another branch declares" 403 "stock-take $ST (unit $U) is outside your subtree vn/hn/x" \
	hn POST "/v1/stocktakes/$ST/declare" "$T/body.json"
declare k1 "$I1" "$I2" "$I3" token:NOPE-9 "$I5"
check "the store keeper declares five" 200 '"declared": 5' \
	k1 POST "/v1/stocktakes/$ST/declare" "$T/body.json"
declare k2 token:TK-6
check "the custodian declares its token by TYPE:SERIAL" 200 '"declared": 1' \
	k2 POST "/v1/stocktakes/$ST/declare" "$T/body.json"

# ---- the result, then the close ----
check "the stock-take as it stands" 200 '"state": "open"' k1 GET "/v1/stocktakes/$ST"
[ "$(field '.declarations | length')" = 2 ] && ok "... two declarations" ||
	bad "declarations: $(cat "$T/answer")"
kinds=$(field '[.result.differences[].kind] | sort | join(" ")')
[ "$kinds" = "undeclared unregistered wrong-custody wrong-custody wrong-state" ] &&
	ok "every kind of difference: $kinds" || bad "differences: $kinds"
[ "$(field '.result.differences[] | select(.kind == "unregistered") | .declared')" = token:NOPE-9 ] &&
	ok "... unregistered: token:NOPE-9" || bad "unregistered"
[ "$(field '.result.differences[] | select(.kind == "undeclared") | .item')" = "$I4" ] &&
	ok "... undeclared: CD-4" || bad "undeclared"
[ "$(field '.result.differences[] | select(.kind == "wrong-state") | .item')" = "$I3" ] &&
	ok "... wrong-state: the lost TK-3" || bad "wrong-state"
[ "$(field '[.result.differences[] | select(.kind == "wrong-custody") | .item] | sort | join(" ")')" = \
	"$(printf '%s\n' "$I2" "$I5" | sort | tr '\n' ' ' | sed 's/ $//')" ] &&
	ok "... wrong-custody: k2's TK-2 and the other agency's CD-5" || bad "wrong-custody"
DECLARED=$(field .result.declared) NDIFF=$(field .result.difference_count)
REPORT=$(field .result.report_sha256)
[ "$DECLARED" = 6 ] && [ "$NDIFF" = 5 ] && ok "declared 6, differences 5" ||
	bad "counts: $DECLARED $NDIFF"
entry k1 stocktake.close stocktake-id="$ST" unit=$U declared=6 differences=4 \
	report-sha256="$REPORT"
body
check "a close that signs another result" 409 \
	"the stock-take's result is declared 6, differences 5, report-sha256 $REPORT" \
	k1 POST "/v1/stocktakes/$ST/close" "$T/body.json"
entry k2 stocktake.close stocktake-id="$ST" unit=$U declared=6 differences=5 \
	report-sha256="$REPORT"
body
check "the custodian's close (an officer below the unit)" 403 \
	"only an officer of unit $U closes its stock-take" \
	k2 POST "/v1/stocktakes/$ST/close" "$T/body.json"
entry k1 stocktake.close stocktake-id="$ST" unit=$U declared=6 differences=5 \
	report-sha256="$REPORT"
body
check "the close names every difference" 200 '"difference_count": 5' \
	k1 POST "/v1/stocktakes/$ST/close" "$T/body.json"
grep -qF '"receipt": "' "$T/answer" && ok "... with the entry's receipt" ||
	bad "close receipt"
check "closed: recorded with its result" 200 '"state": "closed"' k1 GET "/v1/stocktakes/$ST"
[ "$(field .result.report_sha256)" = "$REPORT" ] && ok "... the same report" ||
	bad "closed report"
declare k2 token:TK-6
check "declaring after the close" 409 "stock-take $ST was closed at index" \
	k2 POST "/v1/stocktakes/$ST/declare" "$T/body.json"
check "another branch reads it" 403 "outside your subtree vn/hn/x" hn GET "/v1/stocktakes/$ST"
check "an unknown stock-take" 404 "no stock-take" k1 GET "/v1/stocktakes/$(new_id)"
[ "$(entries_of stocktake.open)" = 1 ] && [ "$(entries_of stocktake.declare)" = 2 ] &&
	[ "$(entries_of stocktake.close)" = 1 ] && ok "its entries in the register" ||
	bad "stocktake entries"
entries_of stocktake.close >/dev/null
if [ "${SERVER_STORE:-sqlite}" = postgres ]; then
	sql "SELECT convert_from(data, 'UTF8') FROM entry"
else
	sql "SELECT data FROM entry"
fi | grep -q "^report-sha256: $REPORT\$" && ok "... the close signs the report's SHA-256" ||
	bad "close entry"
finish
