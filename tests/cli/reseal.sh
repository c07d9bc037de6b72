#!/bin/sh
# coyeu reseal (issue 12, docs/format.md "Re-sealing"): a classical TỐI MẬT
# document, once its recipients are re-keyed (id add-pq, cert challenge /
# prove / issue), is re-wrapped to their hybrid keys by a holder: the
# payload bytes stay byte-identical, the label stays, the re-keyed officers
# open it with their new chains, the classical key no longer does.
# Refused: a non-holder, a recipient without a hybrid key, a second
# reseal, a plain file, a tampered reseal stanza.
. "${SRCDIR:-.}/tests/cli/lib/common.sh"
. "${SRCDIR:-.}/tests/cli/lib/pqofficer.sh"

C=$COYEU
cd "$T" || exit 1
printf 'mật khẩu\n' >pw
PW="--passphrase-file pw"
PQ_PASS=$PW
WF="--work-factor 10"

# --- set-up: classical officers, a classical TỐI MẬT document ------------
expect_status 0 "authority init" $C authority init $PW $WF -o root.key \
    --cert-out root.cert --name "Ban Cơ yếu" --unit vn
cp root.cert root.chain
# classical NAME: NAME.key (no hybrid part) and NAME.chain.
classical() {
	expect_status 0 "id new --classical $1" \
	    $C id new --classical $PW $WF -o "$1.key" &&
	expect_status 0 "id request $1" $C id request $PW -k "$1.key" \
	    --name "$1" --unit vn/hcm -o "$1.req" &&
	expect_status 0 "cert issue $1" $C cert issue $PW -k root.key \
	    -c root.chain --role officer --clearance toi-mat -o "$1.chain" \
	    "$1.req"
}
for n in sealer r1 r2 r3; do classical $n; done
random_file doc.txt $((2 * 65536 + 321))
expect_status 0 "seal TỐI MẬT classically" $C seal $PW -k sealer.key \
    -c sealer.chain --trust root.cert --level toi-mat --doc 7/RESEAL \
    --to r1.chain --to r2.chain -o doc.age doc.txt
stderr_has "seal says classical" "post-quantum: no"
expect_status 0 "id age-identity --classical r1" \
    $C id age-identity --classical $PW -k r1.key -o r1.x.agekey
expect_status 0 "the classical key opens it before" \
    $C open --no-verify -i r1.x.agekey -o before.txt doc.age
same "classical open before the reseal" doc.txt before.txt

# --- refusals before any officer is re-keyed -------------------------------
OPTS="$PW --trust root.cert"
expect_status 1 "reseal while r2 has no hybrid key" $C reseal $OPTS \
    -k r1.key -c r1.chain -r r1.chain -r r2.chain -o o.age doc.age
stderr_has "names the recipient without a hybrid key" \
    "recipient r1 \(serial [0-9a-f]{32}\) has no post-quantum sealing key"
[ ! -e o.age ] && ok || bad "a refused reseal left o.age"

# --- re-keying: r1 and r2 gain hybrid keys and new certificates ----------
for n in r1 r2; do
	pq_officer "$n.key" "$n" vn/hcm root.key root.chain "$n.pq.chain" \
	    --role officer --clearance toi-mat && ok || bad "re-key $n"
done
RS="-r r1.chain -r r2.chain -r r1.pq.chain -r r2.pq.chain"
expect_status 1 "reseal by a non-holder (r3)" $C reseal $OPTS -k r3.key \
    -c r3.chain $RS -o o.age doc.age
[ ! -e o.age ] && ok || bad "a non-holder's reseal left o.age"
expect_status 0 "keygen" $C keygen -o k.agekey
pub=$(sed -n 's/^Public key: //p' "$T/stderr")
expect_status 0 "seal a plain age file" $C seal -r "$pub" -o plain.age doc.txt
expect_status 1 "reseal of a plain age file" $C reseal $OPTS -k r1.key \
    -c r1.chain $RS -o o.age plain.age
stderr_has "a plain file" "has no label: only a classified document is resealed"
expect_status 1 "reseal of a file that is not age" $C reseal $OPTS -k r1.key \
    -c r1.chain $RS -o o.age doc.txt
[ ! -e o.age ] && ok || bad "a refused reseal left o.age"

# --- the reseal ------------------------------------------------------------
cp doc.age keep.age
expect_status 0 "reseal by r1" $C reseal $OPTS -k r1.key -c r1.chain $RS \
    -o resealed.age doc.age
stderr_has "reseal summary" "resealed TỐI MẬT document 7/RESEAL post-quantum"
stderr_has "the re-keyed mapping" "re-keyed; the label names serial"
cmp -s doc.age keep.age && ok || bad "reseal -o changed its input"
# payload_of FILE: the bytes after the header (after the MAC line).
payload_of() {
	python3 -c 'import sys
d = open(sys.argv[1], "rb").read()
i = d.index(b"\n--- ") + 1
sys.stdout.buffer.write(d[d.index(b"\n", i) + 1:])' "$1"
}
payload_of doc.age >p1
payload_of resealed.age >p2
[ -s p1 ] && cmp -s p1 p2 && ok ||
    bad "the payload changed ($(file_size p1) and $(file_size p2) bytes)"
grep -aq '^-> mlkem768x25519 ' resealed.age && ok ||
    bad "no hybrid stanza in the resealed file"
grep -aq '^-> X25519 ' resealed.age && bad "an X25519 stanza is left" || ok
grep -aq '^-> coyeu.v1/reseal$' resealed.age && ok ||
    bad "no reseal stanza"

# The re-keyed officers open it with their new chains.
for n in r1 r2; do
	rm -f out.txt
	expect_status 0 "$n opens the resealed file" $C open $OPTS -k "$n.key" \
	    -c "$n.pq.chain" -o out.txt resealed.age
	same "$n's plaintext" doc.txt out.txt
	stderr_has "$n: the summary names the reseal" \
	    "^  resealed: .* by r1 \(serial [0-9a-f]{32}\)$"
	stderr_has "$n: the summary names the new serials" \
	    "^  recipient 2 now: [0-9a-f]{32} \(re-keyed\)$"
done
# ...and not under the old certificate, which has no hybrid key.
expect_status 1 "r1 with its old chain" $C open $OPTS -k r1.key -c r1.chain \
    -o out2.txt resealed.age
[ ! -e out2.txt ] && ok || bad "a refused open left out2.txt"
# The classical key no longer opens it: no X25519 stanza is left.
expect_status 1 "the classical key after the reseal" \
    $C open --no-verify -i r1.x.agekey -o after.txt resealed.age
[ ! -e after.txt ] && ok || bad "the classical key opened the resealed file"
# A second reseal is refused.
expect_status 1 "second reseal" $C reseal $OPTS -k r1.key -c r1.pq.chain \
    $RS -o again.age resealed.age
stderr_has "one reseal" "resealed already"

# A tampered reseal stanza (a flipped body byte): refused, nothing written.
python3 -c 'import sys
d = bytearray(open("resealed.age", "rb").read())
i = d.index(b"-> coyeu.v1/reseal\n") + len(b"-> coyeu.v1/reseal\n") + 5
d[i] = ord("A") if d[i] != ord("A") else ord("B")
open("tampered.age", "wb").write(d)'
expect_status 1 "a tampered reseal stanza" $C open $OPTS -k r2.key \
    -c r2.pq.chain -o t.txt tampered.age
[ ! -e t.txt ] && ok || bad "a tampered file was opened"

# In place (no -o): FILE replaced atomically.
expect_status 0 "reseal in place by r2" $C reseal $OPTS -k r2.key \
    -c r2.chain $RS keep.age
grep -aq '^-> coyeu.v1/reseal$' keep.age && ok || bad "keep.age not resealed"
expect_status 0 "open the file resealed in place" $C open $OPTS -k r1.key \
    -c r1.pq.chain -o in.txt keep.age
same "in-place reseal" doc.txt in.txt

finish
