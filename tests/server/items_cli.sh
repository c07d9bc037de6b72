#!/bin/sh
# The inventory through the command line (docs/inventory.md): coyeu item
# and coyeu stocktake against a running coyeud.  Items added, stocked
# with a witness, issued, transferred to another agency and accepted,
# a transfer declined; a lost token revokes the certificate whose key it
# held (an officer's lose says who must publish the list, the authority's
# revoke-keys and the authority's own lose post it) and a document sealed
# to or by those officers afterwards is refused; a destruction witnessed,
# and a destroyed item never comes back; history --verify from receipts;
# list and report in Vietnamese and English, --json and --csv parsed; an
# officer of another branch refused; a stock-take finding one difference.
. "${SRCDIR:-.}/tests/server/lib/pki.sh"
. "${SRCDIR:-.}/tests/server/lib/exchange_people.sh"

# G (vn/hcm/a), whose key lives in a token the city authority loses.
SG=$(person g "Bùi Văn G" vn/hcm/a hcm officer)
[ -n "$SG" ] || { bad "officer G"; exit 1; }
serve_all
$SIGN --key "$T/g.key" --keyid "$SG" --str chain "$T/g.chain" \
    POST "$URL/v1/certs" >"$T/out" 2>&1
[ "$(head -n 1 "$T/out")" = 201 ] || { bad "g registers"; cat "$T/out"; }
LC_ALL= LC_MESSAGES= LANG=vi_VN.UTF-8
export LC_ALL LC_MESSAGES LANG

# state_of WHO ITEM: the item's state as WHO sees it (coyeu item show --json).
state_of() {
	as "$1" $C item show "$2" --json 2>/dev/null | python3 -c '
import json, sys; print(json.load(sys.stdin)["state"])'
}
# state_is DESC WHO ITEM STATE
state_is() {
	s=$(state_of "$2" "$3")
	[ "$s" = "$4" ] && ok "$1: $4" || bad "$1: state '$s', wanted $4"
}

# ---- add ----
expect 0 "đã tiếp nhận thẻ/khóa token T-0001" "A adds a token holding E's key" \
	as a $C item add --type token --serial T-0001 --maker "Viettel" \
	--model "VT-Token 2" --level mat --unit vn/hcm/a --holds-certs "$SE" \
	--notes "lô 12/2026"
T1=$(sed -n 's/^item \([0-9a-f]\{32\}\)$/\1/p' "$T/out")
[ -n "$T1" ] && ok "... its id printed" || bad "no item id: $(cat "$T/out")"
grep -q "mục sổ [0-9]" "$T/out" && ok "... with its entry" || bad "no entry"
expect 0 "" "the city authority adds a token holding G's key" \
	as hcm $C item add --type token --serial T-0002 --maker Viettel \
	--model "VT-Token 2" --level mat --unit vn/hcm/a --holds-certs "$SG"
for s in CD-1 CD-2; do
	as a $C item add --type cipher-device --serial $s --maker "Ban Cơ yếu" \
	    --model "MM-5" --level toi-mat >"$T/out" 2>&1 ||
	    { bad "add $s"; cat "$T/out"; }
done
CD1=$(as a $C item show cipher-device:CD-1 --json | python3 -c '
import json, sys; print(json.load(sys.stdin)["id"])')
expect 0 "" "a key with its crypto-period" \
	as a $C item add --type key --serial K-1 --maker "Ban Cơ yếu" \
	--model "AES-256" --level mat --period-until 2026-01-31
expect 2 "a key needs --period-until" "a key without its crypto-period" \
	as a $C item add --type key --serial K-2 --maker X --model Y --level mat
expect 2 "--holds-certs: a cipher-device takes none" "a field the type does not take" \
	as a $C item add --type cipher-device --serial CD-9 --maker X --model Y \
	--level mat --holds-certs "$SE"
expect 2 "--type: 'phone' is not a type (cipher-device, token" "an unknown type" \
	as a $C item add --type phone --serial P-1 --maker X --model Y --level mat
expect 1 "registry refused" "the same type, maker and serial again" \
	as a $C item add --type token --serial T-0001 --maker Viettel \
	--model "VT-Token 2" --level mat
expect 1 "registry refused (403 forbidden)" "F (vn/hcm/b) adds to vn/hcm/a" \
	as f $C item add --type token --serial T-0099 --maker X --model Y \
	--level mat --unit vn/hcm/a
state_is "a new item" a token:T-0001 received

# ---- stock, with a witness ----
expect 2 "stock needs a witness: --witness SERIAL" "stock without a witness" \
	as a $C item transition token:T-0001 stock
for s in token:T-0001 token:T-0002 cipher-device:CD-1 cipher-device:CD-2 key:K-1; do
	as a $C item transition "$s" stock --witness "$SD" >"$T/out" 2>&1 ||
	    { bad "stock $s"; cat "$T/out"; }
done
grep -qF "chờ người chứng kiến (serial $SD) xác nhận" "$T/out" &&
    ok "stock waits for the witness" || bad "stock: $(cat "$T/out")"
state_is "... still" a key:K-1 received
expect 1 "names $SD as its second officer, not you ($SE)" \
	"another officer may not witness for D" \
	as e $C item accept token:T-0001
for s in token:T-0001 token:T-0002 cipher-device:CD-1 cipher-device:CD-2 key:K-1; do
	as d $C item accept "$s" >"$T/out" 2>&1 || { bad "D accepts $s"; cat "$T/out"; }
done
grep -qF "chấp nhận nhập kho với vai trò người chứng kiến" "$T/out" &&
    ok "D witnesses" || bad "accept: $(cat "$T/out")"
state_is "witnessed" a token:T-0001 in-stock
expect 1 "nothing waits for a second officer" "nothing left to accept" \
	as d $C item accept token:T-0001

# ---- issue ----
expect 2 "issue names the custodian: --custodian SERIAL" "issue to nobody" \
	as a $C item transition token:T-0001 issue
expect 0 "trong kho → đang sử dụng" "A issues the token to E" \
	as a $C item transition token:T-0001 issue --custodian "$SE"
as a $C item transition token:T-0002 issue --custodian "$SG" >"$T/out" 2>&1 ||
	{ bad "issue T-0002"; cat "$T/out"; }
expect 0 "T-0001" "E sees the token in custody" \
	as e $C item list --custodian "$SE" --csv
expect 1 "no cipher-device with serial CD-1 among the items you may see" \
	"F (vn/hcm/b) does not see a's item" \
	as f $C item transition cipher-device:CD-1 issue --custodian "$SF"
expect 1 "registry refused (403 forbidden): item $CD1 (unit vn/hcm/a) is outside your subtree" \
	"... nor may issue it by its id" \
	as f $C item transition "$CD1" issue --custodian "$SF"

# ---- a transfer to another agency, accepted; one declined ----
expect 0 "chờ bên nhận (serial $SF) xác nhận" "A transfers CD-1 to vn/hcm/b" \
	as a $C item transition cipher-device:CD-1 transfer --to-unit vn/hcm/b \
	--taker "$SF"
state_is "pending, the giver sees it" a cipher-device:CD-1 transferred
state_is "pending, the taker sees it" f cipher-device:CD-1 transferred
expect 0 "nay trong kho" "F accepts" as f $C item accept cipher-device:CD-1
expect 0 "vn/hcm/b" "... CD-1 now in vn/hcm/b's stock" \
	as f $C item show cipher-device:CD-1
expect 0 "" "A transfers CD-2 to vn/hcm/b" \
	as a $C item transition cipher-device:CD-2 transfer --to-unit vn/hcm/b \
	--taker "$SF"
expect 0 "từ chối bàn giao" "F declines" \
	as f $C item accept cipher-device:CD-2 --decline
state_is "declined: back with the giver" a cipher-device:CD-2 in-stock

# ---- a lost token: its certificate revoked ----
expect 0 "$SE" "A (an officer) loses E's token: the registry refuses E's certificate" \
	as a $C item transition token:T-0001 lose --reason "mất khi công tác"
grep -qF "phải công bố danh sách thu hồi: coyeu item revoke-keys $T1" "$T/out" &&
	ok "... and says which authority must publish the list" ||
	bad "lose by an officer: $(cat "$T/out")"
expect 1 "only an authority makes revocation lists" "an officer may not make the list" \
	as a $C item revoke-keys token:T-0001
expect 0 "đã thu hồi chứng thư $SE (lộ khóa)" "the city authority publishes it" \
	as hcm $C item revoke-keys token:T-0001
expect 0 "đã có trong danh sách thu hồi" "... once" \
	as hcm $C item revoke-keys token:T-0001
expect 0 "đã thu hồi chứng thư $SG (lộ khóa)" \
	"the city authority loses G's token: the list posted in the same command" \
	as hcm $C item transition token:T-0002 lose
printf 'Công văn 7\n' >"$T/cv.txt"
expect 1 "registry refused (403 forbidden)" "a document sealed to E afterwards is refused" \
	as a $C send --level mat --doc "Số 7/CV" --to "$T/e.chain" "$T/cv.txt"
grep -qF "$SE" "$T/err" && ok "... naming E's certificate" || bad "send to E: $(cat "$T/err")"
expect 1 "registry refused" "a document sealed by G afterwards is refused" \
	as g $C send --level mat --doc "Số 8/CV" --to "$T/a.chain" "$T/cv.txt"

# ---- destruction with a witness; never back ----
as a $C item transition cipher-device:CD-2 decommission >"$T/out" 2>&1 ||
	{ bad "decommission"; cat "$T/out"; }
expect 0 "" "A destroys CD-2, D witnessing" \
	as a $C item transition cipher-device:CD-2 destroy --witness "$SD" \
	--reason "hết niên hạn"
state_is "not before the witness" a cipher-device:CD-2 decommissioned
expect 0 "" "D confirms" as d $C item accept cipher-device:CD-2
state_is "destroyed" a cipher-device:CD-2 destroyed
expect 1 "destroyed items never come back" "a destroyed item never comes back" \
	as a $C item transition cipher-device:CD-2 lose

# ---- history, verified from receipts ----
expect 0 "đã kiểm tra: " "the token's history verifies" \
	as a $C item history token:T-0001 --verify
for a in item.add "nhập kho" "xác nhận: người chứng kiến" "cấp phát" "báo mất"; do
	grep -qF "$a" "$T/out" || bad "no '$a' in the history"
done
grep -qF "trạng thái: bị mất" "$T/out" && ok "... replayed: lost" ||
	bad "history: $(cat "$T/out")"
expect 0 "" "history --json" as f $C item history cipher-device:CD-1 --verify --json
python3 -c 'import json, sys
h = json.load(open(sys.argv[1]))
assert h["verified"] is True and len(h["entries"]) == 5, h
assert all(isinstance(e["index"], int) for e in h["entries"])' "$T/out" &&
	ok "... parses: add, stock, confirm, transfer, confirm" || bad "history json: $(cat "$T/out")"
expect 0 "" "history --csv" as a $C item history token:T-0001 --csv
python3 -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert [r["type"] for r in rows][:3] == ["item.add", "item.change", "item.confirm"], rows
assert [r["action"] for r in rows if r["action"]] == ["stock", "issue", "lose"], rows
assert rows[2]["role"] == "witness" and rows[2]["decision"] == "accepted", rows' \
	"$T/out" && ok "... parses: add, stock, its witness, issue, lose" ||
	bad "history csv: $(cat "$T/out")"
# A pin for another key (F's, under the register's name): no receipt
# verifies.
cp "$COYEU_HOME/registry" "$T/registry.saved"
python3 - "$COYEU_HOME/registry" "$T/f.key" <<'EOF2' || bad "re-pin"
import base64, hashlib, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
conf, key = sys.argv[1], sys.argv[2]
seed = [base64.b64decode(l[6:].strip() + "==") for l in open(key)
        if l.startswith("sign: ")][0][:32]
pub = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
    Encoding.Raw, PublicFormat.Raw)
out = []
for line in open(conf):
    if line.startswith("pin "):
        _, url, vk = line.split()
        origin = vk.split("+")[0]
        kid = hashlib.sha256(origin.encode() + b"\n\x01" + pub).digest()[:4]
        line = "pin %s %s+%s+%s\n" % (url, origin, kid.hex(),
            base64.b64encode(b"\x01" + pub).decode())
    out.append(line)
open(conf, "w").write("".join(out))
EOF2
expect 1 "does not verify" "history --verify under another pinned key fails" \
	as a $C item history token:T-0001 --verify
cp "$T/registry.saved" "$COYEU_HOME/registry"

# ---- list and report, Vietnamese and English ----
expect 0 "Số hiệu" "the list in Vietnamese" as hcm $C item list --unit vn/hcm
for h in "Loại" "Độ mật" "Đơn vị" "Người giữ" "Trạng thái" "Mục sổ"; do
	head -n 1 "$T/out" | grep -qF "$h" || bad "no heading '$h'"
done
grep -F "T-0002" "$T/out" | grep -qF "bị mất" && ok "... the lost token, lost" ||
	bad "vi list: $(cat "$T/out")"
LANG=en_US.UTF-8 expect 0 "Serial" "LANG=en_US.UTF-8: English" \
	as hcm $C item list --unit vn/hcm
grep -F "CD-1" "$T/out" | grep -F "cipher device" | grep -qF "in stock" &&
	ok "... types and states in English" || bad "en list: $(cat "$T/out")"
grep -qF "Trạng thái" "$T/out" && bad "a Vietnamese heading in English"
expect 0 "" "--json" as hcm $C item list --unit vn/hcm --json
python3 -c 'import json, sys
items = json.load(open(sys.argv[1]))["items"]
s = {i["serial"]: i for i in items}
assert s["CD-1"]["unit"] == "vn/hcm/b" and s["CD-2"]["state"] == "destroyed", s
assert s["T-0001"]["state"] == "lost"' "$T/out" && ok "... parses" ||
	bad "list json: $(cat "$T/out")"
expect 0 "" "--csv" as a $C item list --state in-stock --csv
python3 -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert [r["serial"] for r in rows] == ["K-1"], rows' "$T/out" &&
	ok "... parses: A'\''s unit has K-1 in stock" || bad "csv: $(cat "$T/out")"
expect 1 "registry refused (403 forbidden)" "F may not list vn/hcm/a" \
	as f $C item list --unit vn/hcm/a
expect 0 "Thống kê" "the summary for the city" as hcm $C item report --summary
LANG=en_US.UTF-8 expect 0 "Inventory summary" "... in English" \
	as hcm $C item report --summary
expect 0 "K-1" "overdue: the key past its crypto-period" \
	as a $C item report --overdue
expect 0 "" "report --json" as hcm $C item report --summary --json
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$T/out" &&
	ok "... parses" || bad "report json"

# ---- stock-take with one difference ----
# vn/hcm/b holds CD-1 (accepted from A); F declares it and a token the
# register does not know.
expect 0 "đã mở đợt kiểm kê đơn vị vn/hcm/b" "F opens a stock-take of vn/hcm/b" \
	as f $C stocktake open
ST=$(sed -n 's/^stocktake \([0-9a-f]\{32\}\)$/\1/p' "$T/out")
[ -n "$ST" ] || bad "no stock-take id"
printf '# what F holds\n%s\ntoken:LA-404   # found in the safe\n' "$CD1" >"$T/held"
expect 2 "line 4: 'bad item' is not an item id or TYPE:SERIAL" "a bad line" \
	as f $C stocktake declare "$ST" --file /dev/stdin <<EOF2
$CD1
# comment

bad item
EOF2
expect 0 "đã khai báo 2 mục" "F declares what is in the safe" \
	as f $C stocktake declare "$ST" --file "$T/held"
expect 1 "registry refused (403 forbidden)" "A may not declare to vn/hcm/b's stock-take" \
	as a $C stocktake declare "$ST" "$CD1"
LANG=en_US.UTF-8 expect 0 "1 difference:" "the close finds one difference" \
	as f $C stocktake close "$ST"
grep -F "unregistered" "$T/out" | grep -qF "held, not in the register" &&
	ok "... the token the register does not know" || bad "close: $(cat "$T/out")"
expect 0 "" "show --json" as f $C stocktake show "$ST" --json
python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
assert s["stocktake"]["state"] == "closed", s
assert [d["kind"] for d in s["result"]["differences"]] == ["unregistered"], s' "$T/out" &&
	ok "... recorded" || bad "stocktake json: $(cat "$T/out")"

finish
