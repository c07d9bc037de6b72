#!/bin/sh
# The law's registers (docs/exchange.md, "The law's registers"): after a
# sending, a receipt, a numbered copy and a destruction, each register
# lists its rows with the index of the entry that proves them; the table
# has the law's Vietnamese headings, English ones with LANG=en_*; --json
# and --csv parse; --from and --to bound the days; an authority above the
# unit reads it, an officer of another unit may not (403, denied entry).
. "${SRCDIR:-.}/tests/server/lib/pki.sh"
. "${SRCDIR:-.}/tests/server/lib/exchange_people.sh"

serve_all
LC_ALL= LC_MESSAGES= LANG=vi_VN.UTF-8
export LC_ALL LC_MESSAGES LANG

# entry_at INDEX: the register's entry at INDEX.
entry_at() {
	if [ -n "${DSN:-}" ]; then
		sql "SELECT convert_from(data, 'UTF8') FROM entry WHERE idx = $1"
	else
		sql "SELECT data FROM entry WHERE idx = $1"
	fi
}
# index_ok DESC INDEX TYPE DOC: the entry at INDEX is a TYPE of DOC.
index_ok() {
	e=$(entry_at "$2")
	if printf '%s\n' "$e" | grep -qx "type: $3" &&
	    printf '%s\n' "$e" | grep -qx "doc-id: $4"; then
		ok "$1: entry $2 is its $3"
	else
		bad "$1: entry $2 is not a $3 of $4: $e"
	fi
}

printf 'Quyết định số 5\n' >"$T/qd.txt"
as a $C send --level toi-mat --doc "Số 5/QĐ-VP" --to "$T/d.chain" \
    --to "$T/f.chain" --copies-allowed 1 "$T/qd.txt" >"$T/send.out" 2>&1 ||
    { bad "A sends"; cat "$T/send.out"; }
DOC=$(doc_of "$T/send.out")
as f $C fetch "$DOC" -o "$T/f.age" >"$T/out" 2>&1 ||
    { bad "F fetches"; cat "$T/out"; }
as d $C copy "$DOC" --form sao-y --to "$T/e.chain" >"$T/out" 2>&1 ||
    { bad "D copies for E"; cat "$T/out"; }
as a $C destroy "$DOC" --reason "hết giá trị" >"$T/out" 2>&1 ||
    { bad "A destroys"; cat "$T/out"; }

# ---- the table, in Vietnamese by default ----
expect 0 "Sổ đăng ký văn bản đi — vn/hcm/a" "the outgoing register of A's unit" \
	as a $C register outgoing
for h in "Số TT" "Ngày" "Số, ký hiệu" "Độ mật" "Nơi nhận" "Số bản" "Mục sổ"; do
	head -n 2 "$T/out" | grep -qF "$h" || bad "no heading '$h'"
done
grep -F "Số 5/QĐ-VP" "$T/out" | grep -F "TỐI MẬT" | grep -F "Phạm Văn D, Đỗ Thị F" |
    grep -q " 2 " && ok "... its row: number, level, recipients, copies" ||
    bad "outgoing row: $(cat "$T/out")"

expect 0 "Sổ đăng ký văn bản đến — vn/hcm/b" "F's incoming register" \
	as f $C register incoming
for h in "Số đến" "Ngày đến" "Nơi gửi" "Bản số" "Người nhận" "Ký nhận"; do
	head -n 2 "$T/out" | grep -qF "$h" || bad "no heading '$h'"
done
today=$(date -u +%d/%m/%Y)
grep -F "Số 5/QĐ-VP" "$T/out" | grep -F "2/2" | grep -F "Đỗ Thị F" |
    grep -qF "$today" && ok "... copy 2/2, received today" ||
    bad "incoming row: $(cat "$T/out")"

expect 0 "Sổ quản lý bản sao — vn/hcm/a" "the copies register" \
	as d $C register copies
grep -F "Số 5/QĐ-VP" "$T/out" | grep -F "3/3" | grep -F "Sao y" |
    grep -F "Hoàng Văn E" | grep -qF "Phạm Văn D" &&
    ok "... copy 3/3, sao y, for E, made by D" ||
    bad "copies row: $(cat "$T/out")"

expect 0 "Biên bản tiêu hủy — vn/hcm/a" "the destruction record" \
	as a $C register destroyed
grep -F "Số 5/QĐ-VP" "$T/out" | grep -F "crypto-shred" |
    grep -F "Nguyễn Văn A" | grep -qF "hết giá trị" &&
    ok "... destroyed by crypto-shred, by A, with the reason" ||
    bad "destroyed row: $(cat "$T/out")"

# ---- English ----
LANG=en_US.UTF-8 expect 0 "Outgoing documents register — vn/hcm/a" \
	"LANG=en_US.UTF-8: English headings" as a $C register outgoing
for h in "No." "Date" "Number" "Level" "Recipients" "Copies" "Entry"; do
	head -n 2 "$T/out" | grep -qF "$h" || bad "no English heading '$h'"
done
grep -qF "Số TT" "$T/out" && bad "a Vietnamese heading in English"
LC_ALL=en_US.UTF-8 expect 0 "Copies register" "LC_ALL=en_US.UTF-8 too" \
	as d $C register copies
grep -F "3/3" "$T/out" | grep -qF "true copy" && ok "... the form in English" ||
	bad "English form: $(cat "$T/out")"

# ---- JSON and CSV, and the entry indexes ----
expect 0 "" "--json" as a $C register outgoing --json
i=$(python3 -c 'import json, sys
rows = [r for r in json.load(open(sys.argv[1]))["rows"]
        if r["doc_id"] == sys.argv[2]]
assert len(rows) == 1 and isinstance(rows[0]["index"], int)
print(rows[0]["index"])' "$T/out" "$DOC") && ok "... parses, one row" ||
	bad "json: $(cat "$T/out")"
index_ok "outgoing" "$i" doc.register "$DOC"

expect 0 "" "--csv" as d $C register copies --csv
i=$(python3 -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
rows = [r for r in rows if r["copy"] == "3/3"]
assert len(rows) == 1 and rows[0]["form"] == "sao-y"
print(rows[0]["index"])' "$T/out") && ok "... parses, with the copy's row" ||
	bad "csv: $(cat "$T/out")"
index_ok "copies" "$i" copy.issue "$DOC"

expect 0 "" "incoming --json" as e $C register incoming --json
i=$(python3 -c 'import json, sys
rows = [r for r in json.load(open(sys.argv[1]))["rows"] if r["copy"] == "3/3"]
assert len(rows) == 1 and rows[0]["received"] is None
print(rows[0]["index"])' "$T/out") && ok "... E's copy 3/3, not yet received" ||
	bad "incoming json: $(cat "$T/out")"
index_ok "incoming" "$i" copy.issue "$DOC"
expect 0 "" "destroyed --json" as a $C register destroyed --json
i=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["rows"][0]["index"])' "$T/out") ||
	bad "destroyed json"
index_ok "destroyed" "$i" destroy "$DOC"

# ---- days ----
tomorrow=$(date -u -d tomorrow +%Y-%m-%d)
yesterday=$(date -u -d yesterday +%Y-%m-%d)
expect 0 "(không có dòng nào)" "--from tomorrow: no rows" \
	as a $C register outgoing --from "$tomorrow"
expect 0 "Số 5/QĐ-VP" "--from yesterday --to today: the row" \
	as a $C register outgoing --from "$yesterday" --to "$(date -u +%Y-%m-%d)"
expect 0 "(không có dòng nào)" "--to yesterday: no rows" \
	as a $C register outgoing --to "$yesterday"
expect 2 "--from: '2026-13-01' is not a date (YYYY-MM-DD)" "a bad date" \
	as a $C register outgoing --from 2026-13-01

expect 2 "no register 'sideways': outgoing, incoming, copies or destroyed" \
	"an unknown register" as a $C register sideways
expect 2 "--json does not go with --csv" "--json and --csv together" \
	as a $C register copies --json --csv

# ---- who may read ----
expect 0 "Số 5/QĐ-VP" "the authority over vn/hcm reads vn/hcm/a's register" \
	as hcm $C register outgoing --unit vn/hcm/a
expect 1 "the outgoing register of unit vn/hcm/a is for its officers and the authorities above it; the caller is an officer of unit vn/hcm/b" \
	"an officer of another unit may not" \
	as f $C register outgoing --unit vn/hcm/a
grep -qF "registry refused (403 forbidden)" "$T/err" && ok "... 403" ||
	bad "403: $(cat "$T/err")"
denied_for "$SF" "the outgoing register of unit vn/hcm/a"
expect 1 "the caller is an authority of unit vn/hcm/t" \
	"nor an authority of a sibling unit" \
	as tm $C register destroyed --unit vn/hcm/a
expect 1 "registry refused (403 forbidden)" "nor an officer of the unit above" \
	as d $C register copies --unit vn/hcm

finish
