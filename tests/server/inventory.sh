#!/bin/sh
# The inventory's registry routes (docs/inventory.md, "Registry") over
# HTTP: every transition of the table allowed and refused (wrong role,
# outside the unit, too low a clearance, a missing second signature, a
# destroyed item), the second officer's confirmation, a transfer between
# two agencies of the city declined then accepted, scope (another branch
# refused, custody seen), a lost token whose certificate the registry
# refuses at once — its officer's requests, a document sealed to it, and
# a list posted with the change — the history with receipts, the
# reports, and the entries' records made in the same commit.  On SQLite,
# or PostgreSQL with SERVER_STORE=postgres.
. "${SRCDIR:-.}/tests/server/lib/inventory.sh"

U=vn/hcm/so-tttt
person a $U toi-mat          # an officer of the unit
person w $U toi-mat          # its witness
person low $U mat            # too low a clearance for TỐI MẬT items
person c $U/p1 mat           # a custodian in a unit below
person k $U mat              # the officer whose key token T2 holds
person b vn/hcm/ca-q1 toi-mat  # another agency of the city (taker)
person hn vn/hn/x toi-mat officer root  # another branch
register a w low c k b hn

# ---- add ----
add a token TK-0001 mat $U holds-certs="$S_c"
T1=$ID
grep -qF '"state": "received"' "$T/answer" && ok "a token is added: received" ||
	bad "add: $(cat "$T/answer")"
[ "$(field .item.holds_certs[0])" = "$S_c" ] && [ "$(field .receipt | head -c 5)" != null ] &&
	ok "... holding c's key, with a receipt" || bad "add answer: $(cat "$T/answer")"
entry a item.add item-id="$(new_id)" item-type=token serial=TK-0001 maker=Viettel \
	model=M-1 level=mat unit=$U received="$TODAY"
body
check "the same type, maker and serial again" 409 \
	"a token by Viettel with serial TK-0001 is already registered: item $T1" \
	a POST /v1/items "$T/body.json"
entry hn item.add item-id="$(new_id)" item-type=cipher-device serial=CD-9 \
	maker=Viettel model=M-1 level=mat unit=$U received="$TODAY"
body
check "an officer of another branch adds to the unit" 403 \
	"officer Cán bộ hn (serial $S_hn) is outside unit $U (item's unit)" \
	hn POST /v1/items "$T/body.json"
entry low item.add item-id="$(new_id)" item-type=cipher-device serial=CD-9 \
	maker=Viettel model=M-1 level=toi-mat unit=$U received="$TODAY"
body
check "a MẬT officer adds a TỐI MẬT item" 403 \
	"officer Cán bộ low lacks clearance TỐI MẬT for this item (has MẬT)" \
	low POST /v1/items "$T/body.json"
entry hcm item.add item-id="$(new_id)" item-type=cipher-device serial=CD-9 \
	maker=Viettel model=M-1 level=mat unit=vn/hcm/ca-q1 received="$TODAY" \
	notes-sha256="$(printf 'két số 2' | sha256sum | cut -d' ' -f1)"
body '{"notes": "két số 3"}'
check "notes that are not the entry's notes-sha256" 400 "the notes' SHA-256 is" \
	hcm POST /v1/items "$T/body.json"
body '{"notes": "két số 2"}'
check "the city authority adds to an agency, with notes" 201 '"notes": "két số 2"' \
	hcm POST /v1/items "$T/body.json"
entry a item.add item-id="$(new_id)" item-type=key serial=K-1 maker=Viettel \
	model=M-1 level=mat unit=$U received="$TODAY"
body
check "a key without its crypto-period" 403 "a key needs period-until" \
	a POST /v1/items "$T/body.json"

# ---- stock: a witness ----
change a "$T1" stock received in-stock
check "stock without a witness" 403 "item $T1: stock needs a witness's acceptance" \
	a POST "/v1/items/$T1/changes" "$T/body.json"
change a "$T1" stock received in-stock pending=yes second="$S_w"
check "stock waiting for the named witness" 200 '"action": "stock"' \
	a POST "/v1/items/$T1/changes" "$T/body.json"
[ "$(field .item.state)" = received ] && ok "... the item stays received" ||
	bad "pending stock state: $(field .item.state)"
cp "$T/change" "$T/stock.change"
change a "$T1" issue in-stock in-service custodian="$S_c"
check "nothing else while a change waits" 403 "item $T1: " \
	a POST "/v1/items/$T1/changes" "$T/body.json"
confirm a "$T1" witness accepted "$(sha256sum "$T/stock.change" | cut -d' ' -f1)"
check "the actor witnesses itself" 403 "" a POST "/v1/items/$T1/confirm" "$T/body.json"
confirm low "$T1" witness accepted "$(sha256sum "$T/stock.change" | cut -d' ' -f1)"
check "another officer than the named witness" 403 "is not the named witness" \
	low POST "/v1/items/$T1/confirm" "$T/body.json"
confirm w "$T1" witness accepted "$(printf %064d 0)"
check "a confirmation of another change" 403 "" w POST "/v1/items/$T1/confirm" "$T/body.json"
confirm w "$T1" witness accepted "$(sha256sum "$T/stock.change" | cut -d' ' -f1)"
check "the witness accepts" 200 '"state": "in-stock"' \
	w POST "/v1/items/$T1/confirm" "$T/body.json"
[ "$(field .item.pending)" = null ] && ok "... nothing pending any more" ||
	bad "pending after accept: $(field .item.pending)"

# ---- issue, maintain, restore, return ----
change a "$T1" issue in-stock in-service
check "issue without a custodian" 403 "item $T1: issue names the custodian" \
	a POST "/v1/items/$T1/changes" "$T/body.json"
change hn "$T1" issue in-stock in-service custodian="$S_c"
check "an officer of another branch issues" 403 \
	"item $T1 (unit $U) is outside your subtree vn/hn/x" \
	hn POST "/v1/items/$T1/changes" "$T/body.json"
change a "$T1" issue in-stock in-service custodian="$S_c"
check "issue to a custodian below the unit" 200 "\"custodian\": \"$S_c\"" \
	a POST "/v1/items/$T1/changes" "$T/body.json"
check "the custodian sees the item" 200 '"state": "in-service"' \
	c GET "/v1/items/$T1"
check "... and lists it (custody)" 200 "\"id\": \"$T1\"" c GET /v1/items
check "another branch cannot read it" 403 \
	"item $T1 (unit $U) is outside your subtree vn/hn/x" hn GET "/v1/items/$T1"
change c "$T1" maintain in-service maintenance
check "the custodian sends it to maintenance" 200 '"state": "maintenance"' \
	c POST "/v1/items/$T1/changes" "$T/body.json"
change c "$T1" restore maintenance in-service
check "the custodian may not restore (officer of the unit only)" 403 \
	"officer Cán bộ c (serial $S_c) is outside unit $U (item's unit)" \
	c POST "/v1/items/$T1/changes" "$T/body.json"
change a "$T1" restore maintenance in-service
check "an officer of the unit restores" 200 '"state": "in-service"' \
	a POST "/v1/items/$T1/changes" "$T/body.json"
change a "$T1" stock in-service in-stock
check "a transition not in the table" 403 \
	"item $T1: stock is not allowed from state in-service" \
	a POST "/v1/items/$T1/changes" "$T/body.json"
change a "$T1" issue received in-service custodian="$S_c"
check "a change that starts from another state" 403 \
	"item $T1: the change starts from received but the item is in-service" \
	a POST "/v1/items/$T1/changes" "$T/body.json"
change c "$T1" return in-service in-stock
check "the custodian returns it" 200 '"custodian": null' \
	c POST "/v1/items/$T1/changes" "$T/body.json"
change a "$T1" issue in-stock in-service custodian="$S_c" reason="issued again"
check "issued again" 200 '"state": "in-service"' \
	a POST "/v1/items/$T1/changes" "$T/body.json"

# ---- a transfer between two agencies: declined, then accepted ----
add a cipher-device CD-0001 toi-mat $U
D1=$ID
change a "$D1" stock received in-stock pending=yes
call a POST "/v1/items/$D1/changes" "$T/body.json"
confirm w "$D1" witness accepted
call w POST "/v1/items/$D1/confirm" "$T/body.json"
[ "$(field .item.state)" = in-stock ] && ok "a device in stock (any witness of the unit)" ||
	bad "device stock: $(cat "$T/answer")"
change a "$D1" transfer in-stock transferred unit=vn/hcm/ca-q1
check "a transfer without the taker's acceptance" 403 \
	"item $D1: transfer needs the taker's acceptance" \
	a POST "/v1/items/$D1/changes" "$T/body.json"
change a "$D1" transfer in-stock transferred unit=vn/hn/x pending=yes
check "a transfer out of the registry's subtree" 403 "" \
	a POST "/v1/items/$D1/changes" "$T/body.json"
change a "$D1" transfer in-stock transferred unit=vn/hcm/ca-q1 pending=yes
check "a transfer to another agency waits for its taker" 200 '"state": "transferred"' \
	a POST "/v1/items/$D1/changes" "$T/body.json"
check "the taking agency sees it" 200 "\"id\": \"$D1\"" b GET /v1/items
check "... and so does the giver" 200 "\"id\": \"$D1\"" a GET /v1/items
confirm w "$D1" taker accepted
check "an officer of the giving unit cannot take it" 403 "" \
	w POST "/v1/items/$D1/confirm" "$T/body.json"
confirm b "$D1" taker declined
check "the taker declines" 200 '"state": "in-stock"' \
	b POST "/v1/items/$D1/confirm" "$T/body.json"
[ "$(field .item.unit)" = $U ] && ok "... it is back in the giver's stock" ||
	bad "declined unit: $(field .item.unit)"
check "declined: the taker no longer sees it" 403 "" b GET "/v1/items/$D1"
change a "$D1" transfer in-stock transferred unit=vn/hcm/ca-q1 pending=yes second="$S_b"
call a POST "/v1/items/$D1/changes" "$T/body.json"
confirm b "$D1" taker accepted
check "the taker accepts" 200 '"unit": "vn/hcm/ca-q1"' \
	b POST "/v1/items/$D1/confirm" "$T/body.json"
[ "$(field .item.state)" = in-stock ] && ok "... into its stock" ||
	bad "accepted state: $(field .item.state)"
check "the giver no longer sees it" 403 \
	"item $D1 (unit vn/hcm/ca-q1) is outside your subtree $U" a GET "/v1/items/$D1"

# ---- decommission, destroy (witness), never back ----
add a cipher-device CD-0002 mat $U
D2=$ID
change a "$D2" stock received in-stock pending=yes
call a POST "/v1/items/$D2/changes" "$T/body.json"
confirm w "$D2" witness accepted
call w POST "/v1/items/$D2/confirm" "$T/body.json"
change a "$D2" decommission in-stock decommissioned
check "decommission" 200 '"state": "decommissioned"' \
	a POST "/v1/items/$D2/changes" "$T/body.json"
change a "$D2" destroy decommissioned destroyed
check "destroy without a witness" 403 "item $D2: destroy needs a witness's acceptance" \
	a POST "/v1/items/$D2/changes" "$T/body.json"
change a "$D2" destroy decommissioned destroyed pending=yes
call a POST "/v1/items/$D2/changes" "$T/body.json"
confirm w "$D2" witness declined
check "the witness declines" 200 '"state": "decommissioned"' \
	w POST "/v1/items/$D2/confirm" "$T/body.json"
change a "$D2" destroy decommissioned destroyed pending=yes reason="a second witness"
call a POST "/v1/items/$D2/changes" "$T/body.json"
confirm w "$D2" witness accepted
check "destroyed with its witness" 200 '"state": "destroyed"' \
	w POST "/v1/items/$D2/confirm" "$T/body.json"
change a "$D2" lose destroyed lost
check "a destroyed item never comes back" 403 \
	"item $D2: destroyed items never come back" \
	a POST "/v1/items/$D2/changes" "$T/body.json"

# ---- scope ----
check "another branch's unit is refused" 403 \
	"unit $U is outside your subtree vn/hn/x" hn GET "/v1/items?unit=$U"
check "an officer lists a sibling agency" 403 \
	"unit vn/hcm/ca-q1 is outside your subtree $U" a GET "/v1/items?unit=vn/hcm/ca-q1"
call hcm GET "/v1/items?unit=vn/hcm"
[ "$STATUS" = 200 ] && [ "$(field '.items | length')" = 4 ] &&
	ok "the city authority lists its whole subtree (4 items)" ||
	bad "authority list: $STATUS $(cat "$T/answer")"
call a GET "/v1/items?state=in-service"
[ "$(field '.items | map(.id) | join(" ")')" = "$T1" ] &&
	ok "a filtered list (state=in-service)" || bad "filtered: $(cat "$T/answer")"
call hcm GET "/v1/items?unit=vn/hcm&limit=2"
n1=$(field '.items | length') next=$(field .next)
call hcm GET "/v1/items?unit=vn/hcm&limit=10&after=$(echo "$next" | sed 's/ /%20/')"
[ "$n1" = 2 ] && [ "$(field '.items | length')" = 2 ] &&
	ok "pages: 2, then the other 2 after \"next\"" || bad "pages: $n1 then $(cat "$T/answer")"
check "the history of another branch's item" 403 "" hn GET "/v1/items/$T1/history"

# ---- history with receipts ----
check "the token's history" 200 '"entries"' a GET "/v1/items/$T1/history"
[ "$(field '.entries | length')" = 8 ] && [ "$(field '[.entries[] | select(.receipt | length > 0)] | length')" = 8 ] &&
	ok "... eight entries, each with its receipt" || bad "history: $(field '.entries | length')"
field '.entries[0].entry' | base64 -d | grep -q '^type: item.add$' &&
	ok "... the first is its item.add" || bad "history's first entry"

# ---- reports ----
add a key K-0001 mat $U period-until=2020-01-01
K1=$ID
check "the overdue report names the key past its crypto-period" 200 \
	"\"reason\": \"period-ended\"" a GET "/v1/inventory/report?kind=overdue"
grep -qF "\"id\": \"$K1\"" "$T/answer" && ok "... that key" || bad "overdue: $(cat "$T/answer")"
call hcm GET "/v1/inventory/report?kind=summary&unit=vn/hcm"
[ "$(field .total)" = 5 ] && [ "$(field '.by_state["in-stock"]')" = 1 ] &&
	[ "$(field '.by_state.destroyed')" = 1 ] && [ "$(field .by_type.token)" = 1 ] &&
	ok "the city's summary: 5 items by state and type" || bad "summary: $(cat "$T/answer")"
check "a summary of another branch" 403 "unit vn/hcm is outside your subtree vn/hn/x" \
	hn GET "/v1/inventory/report?kind=summary&unit=vn/hcm"
check "a report of no known kind" 400 "kind is overdue or summary" \
	a GET "/v1/inventory/report?kind=all"

# ---- entries only through these routes ----
entry a item.add item-id="$(new_id)" item-type=token serial=TK-X maker=Viettel \
	model=M-1 level=mat unit=$U received="$TODAY"
$PYTHON -c 'import json,sys; print(json.dumps({"entries": [open(sys.argv[1]).read()]}))' \
	"$T/entry" >"$T/append.json"
check "item.add through /v1/log/entries" 403 \
	"item.add entries are made through the inventory routes (docs/inventory.md)" \
	a POST /v1/log/entries "$T/append.json"

# ---- a lost token: its certificate refused at once ----
$C keyring init --trust "$T/root.cert" >/dev/null 2>&1 || bad "keyring init"
$C keyring registry "$URL" >/dev/null 2>&1 || bad "keyring registry"
echo "Công văn mật số 7" >"$T/plain.txt"
check "the custodian can still call before" 200 "" c GET /v1/inbox
change c "$T1" lose in-service lost reason="mất khi công tác"
check "the custodian reports the token lost" 200 "\"revoked\": [\"$S_c\"]" \
	c POST "/v1/items/$T1/changes" "$T/body.json"
check "the lost key's officer is refused at once" 403 \
	"certificate $S_c is revoked: its key was held by item $T1 (token TK-0001), reported lost at index" \
	c GET /v1/inbox
"$C" send -k "$T/a.key" -c "$T/a.chain" --level mat --doc "Số 7/CV" \
	--to "$T/c.chain" "$T/plain.txt" >"$T/send.out" 2>&1
st=$?
[ $st != 0 ] && grep -qF "certificate $S_c is revoked: its key was held by item $T1" "$T/send.out" &&
	ok "a document sealed to that officer is refused" || bad "send to c: $st $(cat "$T/send.out")"
[ "$(sql "SELECT count(*) FROM records WHERE kind = 'cert.held'")" = 1 ] &&
	ok "... recorded (cert.held)" || bad "cert.held records"
change a "$T1" find lost in-stock
check "find without where and how" 403 "item $T1: find records where and how" \
	a POST "/v1/items/$T1/changes" "$T/body.json"
change a "$T1" find lost in-stock reason="tìm thấy tại phòng họp"
check "found again, into stock" 200 '"state": "in-stock"' \
	a POST "/v1/items/$T1/changes" "$T/body.json"
check "... its certificate stays refused" 403 "certificate $S_c is revoked" c GET /v1/inbox

# A compromised token, its authority posting the list with the change.
add a token TK-0002 mat $U holds-certs="$S_k"
T2=$ID
check "k calls before" 200 "" k GET /v1/inbox
$C cert revoke -k "$T/hcm.key" -c "$T/hcm.chain" --serial "$S_k" \
    --reason key-compromise --crl "$T/hcm.crl" >/dev/null 2>&1 || bad "cert revoke"
entry hcm item.change item-id="$T2" action=compromise from=received to=compromised \
	reason="khóa bị lộ"
$PYTHON -c 'import base64, json, sys
print(json.dumps({"entry": base64.b64encode(open(sys.argv[1], "rb").read()).decode(),
	"crl": open(sys.argv[2]).read()}))' "$T/entry" "$T/hcm.crl" >"$T/body.json"
check "the authority reports it compromised with its list" 200 \
	"\"revoked\": [\"$S_k\"]" hcm POST "/v1/items/$T2/changes" "$T/body.json"
[ "$(field '.crl.revoked[0]')" = "$S_k" ] && ok "... and the list revoked k" ||
	bad "crl answer: $(cat "$T/answer")"
check "k is refused" 403 "$S_k" k GET /v1/inbox
[ "$(entries_of cert.revoke)" = 1 ] && ok "... a cert.revoke entry in the register" ||
	bad "cert.revoke entries: $(entries_of cert.revoke)"

# ---- the records, made with the entries ----
[ "$(entries_of item.add)" = 6 ] && ok "six item.add entries" ||
	bad "item.add entries: $(entries_of item.add)"
[ "$(sql "SELECT count(*) FROM records WHERE kind = 'item'")" = 6 ] &&
	[ "$(sql "SELECT count(*) FROM records WHERE kind = 'item.serial'")" = 6 ] &&
	ok "six item records, six serials" || bad "item records"
[ "$(sql "SELECT count(*) FROM records WHERE kind = 'item.pending'")" = 0 ] &&
	ok "no pending change left" || bad "pending records"
[ "$(sql "SELECT grp FROM records WHERE kind = 'item' AND key = '$D1'")" = vn/hcm/ca-q1 ] &&
	ok "the transferred device's record is the taker's" || bad "D1 group"
finish
