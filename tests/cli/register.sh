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
