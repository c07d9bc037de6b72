#!/bin/sh
# coyeu log: a register end to end — entries signed by an officer, batched
# appends with receipts, checkpoints, consistency proofs, tiles, audit,
# tampering with the SQLite file, and kill -9 in the middle of appends.
. "${SRCDIR:-.}/tests/cli/lib/expect.sh"
DB=$T/reg.db
SERIAL=0123456789abcdef0123456789abcdef
DOC=fedcba9876543210fedcba9876543210

# ---- help and usage ----
for sub in init entry append checkpoint prove consistency verify-proof \
    verify-consistency verify-tiles audit export-tiles; do
	expect 0 "usage: coyeu log $sub" "log $sub --help" $C log $sub --help
done
expect 0 "export-tiles" "log --help lists the commands" $C log --help
expect 2 "give the checkpoint key" "init without --key" $C log init "$DB"
expect 2 "give --origin NAME" "init of a new key without --origin" \
	$C log init --key "$T/reg.key" "$DB"

# ---- init ----
expect 0 "verifier key: registry.example/hcm+" "init creates key and register" \
	$C log init --key "$T/reg.key" --origin registry.example/hcm "$DB"
VK=$(sed -n 's/^verifier key: //p' "$T/out")
[ "$(stat -c %a "$T/reg.key")" = 600 ] && ok "checkpoint key is 0600" ||
	bad "checkpoint key mode"
head -c 12 "$T/reg.key" | grep -q "PRIVATE+KEY+" && ok "key is a note signer key" ||
	bad "key form"
expect 1 "is never overwritten" "init refuses an existing register" \
	$C log init --key "$T/reg.key" "$DB"
expect 1 "is never overwritten" "init makes no key for an existing register" \
	$C log init --key "$T/new.key" --origin x.example "$DB"
[ ! -e "$T/new.key" ] && ok "no key left behind" || bad "a key was made"
expect 1 "is named registry.example/hcm, not other.example" \
	"init refuses a key of another name" \
	$C log init --key "$T/reg.key" --origin other.example "$T/other.db"
chmod 644 "$T/reg.key"
expect 1 "checkpoint key" "a key others can read is refused" \
	$C log init --key "$T/reg.key" "$T/other.db"
chmod 600 "$T/reg.key"
expect 0 '"size":0' "the empty register has a checkpoint" \
	$C log checkpoint --json "$DB"

# ---- entries ----
$C id new --unprotected -o "$T/off.key" >/dev/null 2>&1 || bad "id new"
mkdir "$T/e"
i=0
while [ $i -lt 270 ]; do
	$C log entry --type release -k "$T/off.key" -o "$T/e/$i" \
	    actor=$SERIAL doc-id=$DOC copy-id=$(printf %032x $i) \
	    recipient=$SERIAL request-sha256=$(printf %064x $i) 2>"$T/err" ||
	    { bad "log entry $i"; cat "$T/err"; break; }
	i=$((i + 1))
done
[ $i -eq 270 ] && ok "270 release entries signed by the officer"
grep -q "^actor-key: " "$T/e/0" && tail -n 1 "$T/e/0" | grep -q "^signature: " &&
	ok "entry has actor-key and ends with its signature" || bad "entry form"
expect 2 "release entries need a request-sha256 field" "entry missing a field" \
	$C log entry --type release -k "$T/off.key" actor=$SERIAL doc-id=$DOC \
	copy-id=$DOC recipient=$SERIAL
expect 2 "release entries take no field title" "entry refuses a title" \
	$C log entry --type release -k "$T/off.key" actor=$SERIAL doc-id=$DOC \
	copy-id=$DOC recipient=$SERIAL request-sha256=$DOC$DOC title=secret
expect 2 "unknown entry type" "entry of an unknown type" \
	$C log entry --type nope -k "$T/off.key" actor=$SERIAL

# ---- append ----
$C log checkpoint "$DB" >"$T/ck0"
expect 0 "0 $T/e/0" "append the first entry" $C log append "$DB" "$T/e/0"
[ -f "$T/e/0.tlog-proof" ] && ok "receipt written next to the entry" ||
	bad "no receipt"
$C log checkpoint "$DB" >"$T/ck1"
mkdir "$T/rc"
files=""
i=1
while [ $i -lt 260 ]; do files="$files $T/e/$i"; i=$((i + 1)); done
# shellcheck disable=SC2086
expect 0 "259 $T/e/259" "append 259 more in batches of 100" \
	$C log append --batch 100 --receipts "$T/rc" "$DB" $files
[ "$(wc -l <"$T/out")" -eq 259 ] && ok "one line per entry" || bad "lines"
$C log checkpoint "$DB" >"$T/ck2"
expect 0 '"index":260' "append with --json" \
	$C log append --json --no-receipts "$DB" "$T/e/260"
python3 -c 'import json,sys; json.loads(open(sys.argv[1]).read())' "$T/out" &&
	ok "append --json is JSON" || bad "append --json"
cp "$T/e/261" "$T/bad"
sed -i 's/^copy-id: 0/copy-id: 1/' "$T/bad"
expect 1 "bad: entry 1 of the batch: the entry's signature by its actor-key does not verify" \
	"a tampered entry is refused, naming it" \
	$C log append --no-receipts "$DB" "$T/e/261" "$T/bad"
expect 0 '"size":261' "and its whole batch with it" $C log checkpoint --json "$DB"

# ---- receipts ----
expect 0 "index 5, tree size 101" "receipt (of the first batch) verifies" \
	$C log verify-proof --verifier-key "$VK" --entry "$T/e/5" "$T/rc/5.tlog-proof"
echo "$VK" >"$T/vkey"
expect 0 '"index":0' "verifier key from a file, JSON output" \
	$C log verify-proof --json --verifier-key "$T/vkey" --entry "$T/e/0" \
	"$T/e/0.tlog-proof"
expect 1 "the proof leads to a different root hash" \
	"receipt of another entry fails" \
	$C log verify-proof --verifier-key "$VK" --entry "$T/e/6" "$T/rc/5.tlog-proof"
sed 's/^index 5$/index 4/' "$T/rc/5.tlog-proof" >"$T/p4"
expect 1 "" "receipt with another index fails" \
	$C log verify-proof --verifier-key "$VK" --entry "$T/e/5" "$T/p4"
sed 's/^101$/102/' "$T/rc/5.tlog-proof" >"$T/p5"
expect 1 "does not verify" "receipt with another tree size fails" \
	$C log verify-proof --verifier-key "$VK" --entry "$T/e/5" "$T/p5"
$C log init --key "$T/k2" --origin registry.example/hcm "$T/r2.db" >"$T/out2" ||
	bad "second register"
VK2=$(sed -n 's/^verifier key: //p' "$T/out2")
expect 1 "not signed by a known key" "receipt under another key fails" \
	$C log verify-proof --verifier-key "$VK2" --entry "$T/e/5" "$T/rc/5.tlog-proof"
expect 0 "index 7, tree size 201" "prove against an older checkpoint" \
	sh -c "$C log prove --index 7 --size 201 '$DB' >'$T/p7' &&
	    $C log verify-proof --verifier-key '$VK' --entry '$T/e/7' '$T/p7'"
expect 1 "no such checkpoint" "prove at a size never signed" \
	$C log prove --index 7 --size 99 "$DB"
expect 1 "is not in the checkpoint" "prove an index beyond the tree" \
	$C log prove --index 300 "$DB"

# ---- consistency ----
$C log consistency --old 1 --new 260 "$DB" >"$T/c1"
expect 0 "the tree of 260 entries extends the tree of 1" \
	"checkpoints 1 -> 260 are consistent" \
	$C log verify-consistency --verifier-key "$VK" "$T/ck1" "$T/ck2" "$T/c1"
expect 0 '"consistent":true' "verify-consistency --json" \
	$C log verify-consistency --json --verifier-key "$VK" "$T/ck1" "$T/ck2" "$T/c1"
$C log consistency --old 0 --new 260 "$DB" >"$T/c0"
[ ! -s "$T/c0" ] && ok "from the empty tree the proof is empty" || bad "c0"
expect 0 "extends the tree of 0" "the empty checkpoint is extended" \
	$C log verify-consistency --verifier-key "$VK" "$T/ck0" "$T/ck2" "$T/c0"
expect 1 "the new tree is smaller" "old and new swapped fail" \
	$C log verify-consistency --verifier-key "$VK" "$T/ck2" "$T/ck1" "$T/c1"
# Another first character keeps the base64 valid but changes the hash.
awk 'NR == 1 { c = substr($0, 1, 1) == "A" ? "B" : "A"; $0 = c substr($0, 2) }
	{ print }' "$T/c1" >"$T/cbad"
expect 1 "not consistent" "a tampered consistency proof fails" \
	$C log verify-consistency --verifier-key "$VK" "$T/ck1" "$T/ck2" "$T/cbad"
expect 1 "not signed by a known key" "checkpoints under another key fail" \
	$C log verify-consistency --verifier-key "$VK2" "$T/ck1" "$T/ck2" "$T/c1"

# ---- tiles ----
expect 0 "exported 261 entries" "export tiles" $C log export-tiles "$DB" "$T/tiles"
[ -f "$T/tiles/tile/0/000" ] && [ -f "$T/tiles/tile/0/001.p/5" ] &&
	[ -f "$T/tiles/tile/1/000.p/1" ] && [ -f "$T/tiles/tile/entries/000" ] &&
	[ -f "$T/tiles/tile/entries/001.p/5" ] && [ -f "$T/tiles/tile/0/001.p/4" ] &&
	[ -f "$T/tiles/tile/entries/001.p/4" ] && [ ! -e "$T/tiles/tile/0/000.p/101" ] &&
	ok "tile paths of size 261, and the still partial ones of size 260" ||
	{ bad "tile paths"; find "$T/tiles" -type f; }
[ "$(stat -c %s "$T/tiles/tile/0/000")" = 8192 ] && ok "a full tile is 8192 bytes" ||
	bad "tile size"
expect 0 "tiles verified: 261 entries" "verify-tiles" \
	$C log verify-tiles --verifier-key "$VK" "$T/tiles"
cp -r "$T/tiles" "$T/t2"
flip_byte "$T/t2/tile/0/000" 100
expect 1 "does not hash to its leaf" "a damaged tile is caught" \
	$C log verify-tiles --verifier-key "$VK" "$T/t2"
rm -rf "$T/t2"; cp -r "$T/tiles" "$T/t2"
flip_byte "$T/t2/tile/entries/001.p/5" 100
expect 1 "does not hash to its leaf" "a damaged entry bundle is caught" \
	$C log verify-tiles --verifier-key "$VK" "$T/t2"
rm -rf "$T/t2"; cp -r "$T/tiles" "$T/t2"
flip_byte "$T/t2/tile/1/000.p/1" 3
expect 1 "does not match the tiles below it" "a damaged upper tile is caught" \
	$C log verify-tiles --verifier-key "$VK" "$T/t2"
rm "$T/t2/tile/1/000.p/1"
expect 1 "is missing" "a missing tile is caught" \
	$C log verify-tiles --verifier-key "$VK" "$T/t2"
expect 1 "not signed by a known key" "tiles under another key fail" \
	$C log verify-tiles --verifier-key "$VK2" "$T/tiles"
# shellcheck disable=SC2086
$C log append --no-receipts "$DB" "$T/e/262" "$T/e/263" >/dev/null
expect 0 "kept" "export again keeps the full tiles" \
	$C log export-tiles "$DB" "$T/tiles"
expect 0 "tiles verified: 263 entries" "re-exported tiles verify" \
	$C log verify-tiles --verifier-key "$VK" "$T/tiles"

# ---- audit and tampering ----
expect 0 "audit passed: 263 entries, 1 full tiles" "audit passes" $C log audit "$DB"
expect 0 '"ok":true' "audit --json" $C log audit --json --verifier-key "$VK" "$DB"
expect 1 "the register names the key" "audit against another key fails" \
	$C log audit --verifier-key "$VK2" "$DB"
cp "$DB" "$T/t.db"
sqlite3 "$T/t.db" "UPDATE entry SET data = CAST(replace(CAST(data AS TEXT), \
	'request-sha256: 0', 'request-sha256: 1') AS BLOB) WHERE idx = 42"
expect 1 "entry 42: the entry's signature by its actor-key does not verify" \
	"audit names a rewritten entry" $C log audit "$T/t.db"
cp "$DB" "$T/t.db"
sqlite3 "$T/t.db" "UPDATE tile SET hashes = substr(hashes, 1, 8192) || \
	zeroblob(32) || substr(hashes, 8225) WHERE id = 0"
expect 1 "tile 0/0: stored hash 256 differs from the entries" \
	"audit names a rewritten inner hash" $C log audit "$T/t.db"
cp "$DB" "$T/t.db"
sqlite3 "$T/t.db" "DELETE FROM entry WHERE idx = 262; \
	UPDATE meta SET v = 262 WHERE k = 'size'"
expect 1 "lies beyond the register" "audit notices a dropped last entry" \
	$C log audit "$T/t.db"

# ---- checkpoint rows: the signed chain shows a removed one ----
cp "$DB" "$T/t.db"
sqlite3 "$T/t.db" "DELETE FROM checkpoint WHERE size = 101"
expect 1 "checkpoint at size 201 follows the one at size 101, which is missing" \
	"audit names a deleted checkpoint row" $C log audit "$T/t.db"
cp "$DB" "$T/t.db"
sqlite3 "$T/t.db" "DELETE FROM checkpoint WHERE size = 263"
expect 1 "the latest checkpoint is of size 261, not the register's size 263" \
	"audit names a deleted latest checkpoint row" $C log audit "$T/t.db"

# ---- an entry is appended once ----
expect 1 "is already in the register at index 5" \
	"the same entry appended again is refused, naming its index" \
	$C log append --no-receipts "$DB" "$T/e/5"
expect 1 "entry 1 of the batch repeats entry 0 of the batch" \
	"the same entry twice in one batch is refused" \
	$C log append --no-receipts "$DB" "$T/e/264" "$T/e/264"
expect 0 '"size":263' "neither was appended" $C log checkpoint --json "$DB"

# ---- time: the register's clock bounds entry times ----
TD=$T/time.db
$C log init --key "$T/reg.key" "$TD" >/dev/null || bad "time register"
for t in 2020-01-01T00:00:00Z 2099-01-01T00:00:00Z; do
	$C log entry --type recall -k "$T/off.key" -o "$T/at-$t" actor=$SERIAL \
	    doc-id=$DOC reason=old time=$t || bad "entry at $t"
done
$C log entry --type recall -k "$T/off.key" -o "$T/now" actor=$SERIAL \
	doc-id=$DOC reason=now || bad "entry now"
expect 1 "s before the register's clock" "an entry of 2020 is refused" \
	$C log append "$TD" "$T/at-2020-01-01T00:00:00Z"
grep -qF "more than the allowed skew of 300 s (to import old records, widen it with --max-skew SECONDS)" \
	"$T/err" && ok "the refusal names the skew and --max-skew" ||
	bad "the refusal names the skew and --max-skew: $(cat "$T/err")"
expect 1 "s after the register's clock" "an entry of 2099 is refused" \
	$C log append "$TD" "$T/at-2099-01-01T00:00:00Z"
expect 1 "(--max-skew widens only the past)" "--max-skew does not open the future" \
	$C log append --max-skew 4000000000 "$TD" "$T/at-2099-01-01T00:00:00Z"
expect 2 "--max-skew takes 300 to" "--max-skew cannot narrow the window" \
	$C log append --max-skew 10 "$TD" "$T/now"
expect 0 '"size":0' "nothing was appended" $C log checkpoint --json "$TD"
expect 0 "0 $T/now" "an entry of now is appended" $C log append "$TD" "$T/now"
expect 0 "1 $T/at-2020-01-01T00:00:00Z imported" "--max-skew imports, marked" \
	$C log append --max-skew 400000000 "$TD" "$T/at-2020-01-01T00:00:00Z"
expect 0 "(imported: signed 2020-01-01T00:00:00Z)" "its receipt shows the import" \
	$C log verify-proof --verifier-key "$VK" --entry "$T/at-2020-01-01T00:00:00Z" \
	"$T/at-2020-01-01T00:00:00Z.tlog-proof"
expect 0 "logged at " "a receipt shows the register's time" \
	$C log verify-proof --verifier-key "$VK" --entry "$T/now" "$T/now.tlog-proof"
grep -qF "imported" "$T/out" && bad "a current entry shows as imported" ||
	ok "a current entry is not marked imported"
expect 0 '"imported":1' "the audit counts the imported entry" \
	$C log audit --json "$TD"
# The checkpoint's time is the register's cosignature: altered, refused.
$C log checkpoint "$TD" >"$T/tck"
python3 - "$T/tck" "$T/tck-forged" "$T/tck-bare" <<'PY'
import base64, sys
lines = open(sys.argv[1]).read().split("\n")
cos = [i for i, l in enumerate(lines) if l.startswith("\u2014 ")][1]
name, b64 = lines[cos][2:].rsplit(" ", 1)
sig = bytearray(base64.b64decode(b64))
sig[11] ^= 1  # one second later
forged = list(lines)
forged[cos] = "\u2014 %s %s" % (name, base64.b64encode(bytes(sig)).decode())
open(sys.argv[2], "w").write("\n".join(forged))
open(sys.argv[3], "w").write("\n".join(lines[:cos] + lines[cos + 1:]))
PY
$C log consistency --old 2 --new 2 "$TD" >"$T/tc"
expect 0 "extends" "the register's checkpoint verifies with its cosignature" \
	$C log verify-consistency --verifier-key "$VK" "$T/tck" "$T/tck" "$T/tc"
expect 1 "timestamped cosignature by registry.example/hcm does not verify" \
	"a checkpoint with an altered time is refused" \
	$C log verify-consistency --verifier-key "$VK" "$T/tck" "$T/tck-forged" "$T/tc"
expect 1 "carries no timestamped cosignature" \
	"a checkpoint without the register's time is refused" \
	$C log verify-consistency --verifier-key "$VK" "$T/tck" "$T/tck-bare" "$T/tc"

# ---- kill -9 while appending ----
mkdir "$T/k"
i=0
while [ $i -lt 120 ]; do
	$C log entry --type recall -k "$T/off.key" -o "$T/k/$i" actor=$SERIAL \
	    doc-id=$DOC "reason=Thu hồi lần $i" || bad "recall entry $i"
	i=$((i + 1))
done
$C log checkpoint "$DB" >"$T/before"
files=""
i=0
while [ $i -lt 120 ]; do files="$files $T/k/$i"; i=$((i + 1)); done
: >"$T/acks"
# shellcheck disable=SC2086
$C log append --batch 1 "$DB" $files >>"$T/acks" 2>"$T/kerr" &
pid=$!
n=0
while [ "$(wc -l <"$T/acks")" -lt 15 ] && [ $n -lt 600 ]; do
	sleep 0.02
	n=$((n + 1))
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
acked=$(wc -l <"$T/acks")
[ "$acked" -ge 15 ] && ok "killed after $acked acknowledged entries" ||
	bad "only $acked acknowledged before the kill"
missing=0
while read -r idx file; do
	$C log prove --index "$idx" "$DB" >"$T/kp" 2>/dev/null &&
	    $C log verify-proof --verifier-key "$VK" --entry "$file" "$T/kp" \
	    >/dev/null 2>&1 || missing=$((missing + 1))
done <"$T/acks"
[ $missing -eq 0 ] && ok "every acknowledged entry is in the register" ||
	bad "$missing acknowledged entries lost"
expect 0 "extends the tree of 263" "the tree extends the checkpoint from before" \
	sh -c "$C log consistency --old 263 '$DB' >'$T/kc' &&
	    $C log checkpoint '$DB' >'$T/after' &&
	    $C log verify-consistency --verifier-key '$VK' '$T/before' '$T/after' '$T/kc'"
expect 0 "audit passed" "audit passes after the kill" $C log audit "$DB"

if [ $fails -ne 0 ]; then
	echo "$fails failed"
	exit 1
fi
echo "all passed"
