#!/bin/sh
# The classified-documents part of the demo, on the authority the previous
# part left in DIR: a TỐI MẬT document sealed by an officer of the city
# party committee office to two cleared officers of the city police; an
# under-cleared officer refused at sealing; a tampered copy refused.
#
#   sh scripts/demo-classified.sh COYEU DIR
set -eu
C=${1:?usage: demo-classified.sh COYEU DIR}
D=${2:?usage: demo-classified.sh COYEU DIR}
[ -f "$D/root.cert" ] && [ -f "$D/vptu.chain" ] ||
	{ echo "demo-classified: run demo-authority.sh COYEU $D first" >&2; exit 1; }
P="--passphrase-file $D/pass"
W="--work-factor 12"

. "$(dirname "$0")/demo-lib.sh"
officer() { # NAME FILE UNIT AGENCY LEVEL [OPTIONS]
	name=$1 file=$2 unit=$3 agency=$4 level=$5
	shift 5
	certify "$name" "$file" "$unit" "$agency" officer "$level" "$@"
}

say "Two more officers: Giang (TỐI MẬT) drafts for the party committee office;" \
    "Hùng (TỐI MẬT) serves with Cường in the city police."
officer "Đỗ Thị Giang" giang vn/hcm/van-phong-thanh-uy vptu toi-mat
officer "Vũ Văn Hùng" hung vn/hcm/cong-an congan toi-mat

printf 'QUYẾT ĐỊNH số 123/QĐ-VPTU\nVề việc bảo vệ bí mật nhà nước...\n' \
	>"$D/qd123.txt"
say "Giang seals decision 123/QĐ-VPTU as TỐI MẬT to Cường and Hùng. Each" \
    "recipient's chain, revocation, clearance and unit are checked first."
$C seal --level toi-mat --doc 123/QĐ-VPTU -k "$D/giang.key" \
	-c "$D/giang.chain" --trust "$D/root.cert" --crl "$D/vptu.crl" \
	--to "$D/cuong.chain" --to "$D/hung.chain" $P \
	-o "$D/qd123.age" "$D/qd123.txt" 2>&1 | indent

say "Anyone can see the outer envelope, and nothing more: the mark B."
$C inspect "$D/qd123.age" | indent

say "Cường opens it: the sealer's signature and chain, the recipients and" \
    "the content are verified before a byte is released."
$C open -k "$D/cuong.key" --trust "$D/root.cert" --crl "$D/vptu.crl" $P \
	-o "$D/cuong.txt" "$D/qd123.age" 2>&1 | indent
cmp -s "$D/cuong.txt" "$D/qd123.txt" ||
	{ echo "   ERROR: Cường's copy differs" >&2; exit 1; }
printf '   Cường reads: %s\n' "$(head -n 1 "$D/cuong.txt")"

say "Hùng opens it with stock age and his sealing key as an age identity:" \
    "the container is plain age v1."
$C id age-identity --classical -k "$D/hung.key" $P -o "$D/hung.agekey" 2>/dev/null
if command -v age >/dev/null 2>&1; then
	age -d -i "$D/hung.agekey" "$D/qd123.age" >"$D/hung.txt"
	cmp -s "$D/hung.txt" "$D/qd123.txt" ||
		{ echo "   ERROR: age's copy differs" >&2; exit 1; }
	printf '   age read: %s\n' "$(head -n 1 "$D/hung.txt")"
fi

say "Giang tries to add An, cleared only to MẬT."
refused "an under-cleared recipient" \
	$C seal --level toi-mat --doc 124/QĐ-VPTU -k "$D/giang.key" \
	-c "$D/giang.chain" --trust "$D/root.cert" --to "$D/cuong.chain" \
	--to "$D/an.chain" $P -o "$D/qd124.age" "$D/qd123.txt"
[ ! -e "$D/qd124.age" ] || { echo "   ERROR: a file was written" >&2; exit 1; }

say "Someone alters one byte of the sealed copy in transit."
python3 - "$D/qd123.age" "$D/tampered.age" <<'PY'
import sys
data = bytearray(open(sys.argv[1], 'rb').read())
data[-20] ^= 0x01
open(sys.argv[2], 'wb').write(data)
PY
refused "a tampered copy" \
	$C open -k "$D/cuong.key" --trust "$D/root.cert" $P "$D/tampered.age"

say "The classified-documents part of the demo is done."
