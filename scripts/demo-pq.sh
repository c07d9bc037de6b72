#!/bin/sh
# The post-quantum part of the demo (issue 12), on the authority the earlier
# parts left in DIR: an officer whose key predates hybrid keys is re-keyed
# (id add-pq) and certified with proof of possession (cert challenge, id
# prove, cert issue --pq-proof); a TUYỆT MẬT document sealed to him is
# post-quantum and opens; a recipient without a hybrid key is refused, and
# --allow-classical seals classically, recorded in the label.
#
#   sh scripts/demo-pq.sh COYEU DIR
set -eu
C=${1:?usage: demo-pq.sh COYEU DIR}
D=${2:?usage: demo-pq.sh COYEU DIR}
[ -f "$D/root.cert" ] && [ -f "$D/congan.chain" ] && [ -f "$D/cuong.chain" ] ||
	{ echo "demo-pq: run demo-authority.sh COYEU $D first" >&2; exit 1; }
P="--passphrase-file $D/pass"
W="--work-factor 12"
AUTH="-k $D/congan.key -c $D/congan.chain $P"

. "$(dirname "$0")/demo-lib.sh"
fail() { echo "   ERROR: $*" >&2; exit 1; }

say "Đặng Văn Khoa of the city police has had a classical key for years" \
    "(X25519 only; made here with id new --classical)."
$C id new --classical -o "$D/pq-khoa.key" $P $W >/dev/null
$C id request -k "$D/pq-khoa.key" $P --name "Đặng Văn Khoa" \
	--unit vn/hcm/cong-an -o "$D/pq-khoa.req"
$C cert issue $AUTH --role officer --clearance tuyet-mat \
	--compartments quoc-phong "$D/pq-khoa.req" -o "$D/pq-khoa.chain" | indent

say "TUYỆT MẬT must stay secret 30 years: a document captured today must not" \
    "open when a quantum computer arrives. Khoa's key gains a hybrid part" \
    "(ML-KEM-768 + X25519, age's mlkem768x25519), same file, same passphrase."
shown $C id add-pq -k "$D/pq-khoa.key" $P
$C id request -k "$D/pq-khoa.key" $P --name "Đặng Văn Khoa" \
	--unit vn/hcm/cong-an -o "$D/pq-khoa.req"

say "The police authority checks that Khoa holds the hybrid key: it" \
    "encapsulates a secret to the key in his request (the challenge) ..."
shown $C cert challenge -k "$D/congan.key" $P -o "$D/pq-khoa.challenge" \
	"$D/pq-khoa.req"
say "... Khoa, on his own machine, decapsulates it and answers with its MAC ..."
shown $C id prove -k "$D/pq-khoa.key" $P -o "$D/pq-khoa.proof" "$D/pq-khoa.challenge"
say "... and the authority issues a certificate carrying seal-pq-key."
shown $C cert issue $AUTH --role officer --clearance tuyet-mat \
	--compartments quoc-phong --pq-proof "$D/pq-khoa.proof" "$D/pq-khoa.req" \
	-o "$D/pq-khoa.chain"
$C cert show "$D/pq-khoa.chain" | sed -n '2,/issuer:/p' |
	grep -E '^ *(name|seal-key|seal-pq-key):' | indent
grep -q '^seal-pq-key: age1pq1' "$D/pq-khoa.chain" ||
	fail "Khoa's certificate has no seal-pq-key"

say "Nobody else can answer for Khoa: An's key refuses his challenge, and an" \
    "answer with one character changed is refused by the authority."
refused "An answering Khoa's challenge" \
	$C id prove -k "$D/an.key" $P -o "$D/forged.proof" "$D/pq-khoa.challenge"
sed 's/^proof: \(.\)/proof: X/' "$D/pq-khoa.proof" >"$D/forged.proof"
cmp -s "$D/pq-khoa.proof" "$D/forged.proof" &&
	sed -i 's/^proof: X/proof: Y/' "$D/forged.proof"
refused "a forged proof of possession" \
	$C cert issue $AUTH --role officer --clearance tuyet-mat \
	--pq-proof "$D/forged.proof" "$D/pq-khoa.req" -o "$D/forged.chain"
[ ! -e "$D/forged.chain" ] || fail "a certificate was issued on a forged proof"

printf 'KẾ HOẠCH số 7/KH-CA\nPhương án bảo vệ mục tiêu trọng yếu...\n' \
	>"$D/kh7.txt"
say "Cường seals plan 7/KH-CA as TUYỆT MẬT to Khoa: every stanza is hybrid."
shown $C seal --level tuyet-mat --doc 7/KH-CA --compartments quoc-phong \
	-k "$D/cuong.key" -c "$D/cuong.chain" --trust "$D/root.cert" \
	--to "$D/pq-khoa.chain" $P -o "$D/kh7.age" "$D/kh7.txt"
grep -q '^ *post-quantum: yes' "$D/shown" || fail "the document is not post-quantum"
say "The header, as anyone sees it: an mlkem768x25519 stanza and the label."
awk '/^-> / { print substr($0, 1, 60) (length($0) > 60 ? "…" : "") } /^--- / { exit }' \
	"$D/kh7.age" | indent

say "Khoa opens it with his key: chain, signature and content verified."
shown $C open -k "$D/pq-khoa.key" -c "$D/pq-khoa.chain" --trust "$D/root.cert" $P \
	-o "$D/pq-khoa.txt" "$D/kh7.age"
cmp -s "$D/pq-khoa.txt" "$D/kh7.txt" || fail "Khoa's copy differs"
printf '   Khoa reads: %s\n' "$(head -n 1 "$D/pq-khoa.txt")"

# typage, from make deps (BUILD/node), when it is there.
NODE_DIR=$(dirname "$C")/node
if command -v node >/dev/null 2>&1 &&
    [ -f "$NODE_DIR/node_modules/age-encryption/package.json" ]; then
	say "The container is age: typage (the age authors' TypeScript age) opens" \
	    "it with Khoa's hybrid identity, skipping the label stanza. It gives" \
	    "the content only; it checks no label, signature or certificate."
	$C id age-identity --pq -k "$D/pq-khoa.key" $P -o "$D/pq-khoa.pq.identity" \
	    2>/dev/null
	shown env COYEU_NODE_DIR="$NODE_DIR" node \
	    "$(dirname "$0")/../tests/interop/typage.mjs" decrypt \
	    -i "$D/pq-khoa.pq.identity" -o "$D/pq-khoa.typage.txt" "$D/kh7.age"
	cmp -s "$D/pq-khoa.typage.txt" "$D/kh7.txt" || fail "typage's copy differs"
	printf '   typage read: %s\n' "$(head -n 1 "$D/pq-khoa.typage.txt")"
fi

say "Cường adds himself as a recipient: his certificate has no hybrid key."
refused "a classical recipient of a TUYỆT MẬT document" \
	$C seal --level tuyet-mat --doc 8/KH-CA --compartments quoc-phong \
	-k "$D/cuong.key" -c "$D/cuong.chain" --trust "$D/root.cert" \
	--to "$D/pq-khoa.chain" --to "$D/cuong.chain" $P -o "$D/kh8.age" "$D/kh7.txt"
[ ! -e "$D/kh8.age" ] || fail "a file was written"

say "He may decide to seal classically, with --allow-classical: the whole" \
    "file is then classical, and the label records the choice."
shown $C seal --level tuyet-mat --doc 8/KH-CA --compartments quoc-phong \
	--allow-classical -k "$D/cuong.key" -c "$D/cuong.chain" \
	--trust "$D/root.cert" --to "$D/pq-khoa.chain" --to "$D/cuong.chain" $P \
	-o "$D/kh8.age" "$D/kh7.txt"
grep -q '^ *post-quantum: no' "$D/shown" || fail "the seal did not say it is classical"
shown $C open -k "$D/pq-khoa.key" -c "$D/pq-khoa.chain" --trust "$D/root.cert" $P \
	-o "$D/kh8.txt" "$D/kh8.age"
grep -q 'classical: allowed' "$D/shown" ||
	fail "the opened label does not record classical: allowed"

say "The post-quantum part of the demo is done."
