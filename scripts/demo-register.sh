#!/bin/sh
# The register part of the demo, on the files the previous parts left in
# DIR: the city registry records a revocation, the sealing of decision
# 123/QĐ-VPTU and its two copies in a tamper-evident Merkle log; anyone
# holding the registry's public key checks a receipt, that the log only
# grew, and the whole store; a rewritten entry is caught.
#
#   sh scripts/demo-register.sh COYEU DIR
set -eu
C=${1:?usage: demo-register.sh COYEU DIR}
D=${2:?usage: demo-register.sh COYEU DIR}
[ -f "$D/giang.chain" ] && [ -f "$D/qd123.age" ] ||
	{ echo "demo-register: run demo-classified.sh COYEU $D first" >&2; exit 1; }
P="--passphrase-file $D/pass"
R=$D/register
DB=$R/register.db

. "$(dirname "$0")/demo-lib.sh"
serial() { # the leaf serial of a chain file
	$C cert show --json "$D/$1.chain" | python3 -c \
	    'import json, sys; print(json.load(sys.stdin)["certificates"][0]["serial"])'
}
entry() { # FILE SIGNER TYPE FIELD=VALUE...
	out=$1 signer=$2 type=$3
	shift 3
	$C log entry --type "$type" -k "$D/$signer.key" $P -o "$R/$out" "$@"
}
mkdir -p "$R"

say "The city registry opens its register (a SQLite file) and makes its" \
    "checkpoint key; it publishes the verifier key, with which anyone checks" \
    "what the register signs."
$C log init --key "$R/registry.key" --origin registry.hcm.vn/register "$DB" \
	>"$R/init.txt"
indent <"$R/init.txt"
VK=$(sed -n 's/^verifier key: //p' "$R/init.txt")

say "Four events become entries, each signed by the officer who acts: the" \
    "party committee office revokes Bình; Giang registers decision" \
    "123/QĐ-VPTU and issues its two copies. An entry names documents by" \
    "number and hash, never by title or content:"
DOC=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
GIANG=$(serial giang)
entry 0-revoke vptu cert.revoke actor="$(serial vptu)" \
	serial="$(serial binh)" reason=key-compromise
entry 1-register giang doc.register actor="$GIANG" doc-id="$DOC" \
	doc-number=123/QĐ-VPTU level=toi-mat unit=vn/hcm/van-phong-thanh-uy \
	protect-until="$(date -u -d '+20 years' +%Y-%m-%d)" copies=2 \
	sealed-sha256="$(sha256sum "$D/qd123.age" | cut -c 1-64)"
n=1
for who in cuong hung; do
	entry "$((n + 1))-copy" giang copy.issue actor="$GIANG" doc-id="$DOC" \
		copy-id="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
		copy="$n/2" form=original recipient="$(serial "$who")"
	n=$((n + 1))
done
grep -v '^signature: ' "$R/1-register" | indent
echo "   signature: …"

say "The revocation is appended first; the register signs a checkpoint (its" \
    "size and Merkle root) and the party committee office keeps it."
shown $C log append "$DB" "$R/0-revoke"
$C log checkpoint "$DB" >"$R/checkpoint-1"
indent <"$R/checkpoint-1"

say "The sealing and the copies follow in one batch: one commit, made durable" \
    "before any receipt is handed out."
shown $C log append "$DB" "$R/1-register" "$R/2-copy" "$R/3-copy"
$C log checkpoint "$DB" >"$R/checkpoint-2"

say "Cường checks the receipt of his copy with nothing but the verifier key:" \
    "his copy's entry is in the signed tree."
shown $C log verify-proof --verifier-key "$VK" --entry "$R/2-copy" \
	"$R/2-copy.tlog-proof"

say "The office checks that the new checkpoint extends the one it kept: the" \
    "register only grew, nothing was removed or rewritten."
$C log consistency --old 1 --new 4 "$DB" >"$R/proof-1-4"
shown $C log verify-consistency --verifier-key "$VK" "$R/checkpoint-1" \
	"$R/checkpoint-2" "$R/proof-1-4"

say "Giang tries to slip in a copy dated last month: the register refuses any" \
    "entry more than 300 s from its own clock, whose time every checkpoint" \
    "carries, signed (a C2SP timestamped cosignature)."
entry 4-backdated giang copy.issue actor="$GIANG" doc-id="$DOC" \
	copy-id="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
	copy=2/2 form=sao-y recipient="$(serial hung)" \
	time="$(date -u -d '-30 days' +%Y-%m-%dT%H:%M:%SZ)"
refused "a back-dated entry" $C log append "$DB" "$R/4-backdated"
refused "an entry recorded twice" $C log append "$DB" "$R/2-copy"

say "An auditor re-checks the whole store from its entries up."
shown $C log audit "$DB"

say "Someone with access to the database lowers the registered level to MẬT."
cp "$DB" "$R/altered.db"
sqlite3 "$R/altered.db" "UPDATE entry SET data = CAST(replace(CAST(data AS TEXT), \
	'level: toi-mat', 'level: mat') AS BLOB) WHERE idx = 1"
refused "an altered register" $C log audit "$R/altered.db"

say "The register part of the demo is done."
