#!/bin/sh
# The authority part of the demo: the national root, the Hồ Chí Minh City
# authority, two agencies, three officers of different clearances; an
# over-reaching issuance refused; a revoked officer refused.
#
#   sh scripts/demo-authority.sh COYEU [DIR]
#
# Leaves its files in DIR when given (for the next parts of the demo):
#   pass                      the demo passphrase
#   root.cert                 the trusted root;  root.key
#   hcm.chain, hcm.key        the city authority
#   vptu.*, congan.*          the agencies
#   an.*, binh.*, cuong.*     the officers (.key, .chain)
#   vptu.crl                  the agency's revocation list (Bình revoked)
set -eu
C=${1:?usage: demo-authority.sh COYEU [DIR]}
if [ $# -ge 2 ]; then
	D=$2
	mkdir -p "$D"
else
	D=$(mktemp -d)
	trap 'rm -rf "$D"' EXIT
fi
# The demo passphrase; a lower scrypt work factor than the default keeps
# the demo quick.
(umask 077; printf 'demo: mật khẩu của mọi khóa\n' >"$D/pass")
P="--passphrase-file $D/pass"
W="--work-factor 12"

. "$(dirname "$0")/demo-lib.sh"

# person NAME FILE UNIT: keys and a certificate request
person() {
	$C id new -o "$D/$2.key" $P $W >/dev/null
	$C id request -k "$D/$2.key" $P --name "$1" --unit "$3" -o "$D/$2.req"
}

# issue BY FILE ROLE LEVEL [OPTIONS]: BY certifies FILE's request
issue() {
	by=$1 who=$2 role=$3 level=$4
	shift 4
	$C cert issue -k "$D/$by.key" -c "$D/$by.chain" $P --role "$role" \
		--clearance "$level" "$@" "$D/$who.req" -o "$D/$who.chain" | indent
}

say "The national root authority (Ban Cơ yếu Chính phủ) creates its key and" \
    "self-signed certificate: it may certify anyone in vn, up to TUYỆT MẬT."
$C authority init -o "$D/root.key" --cert-out "$D/root.cert" \
	--name "Ban Cơ yếu Chính phủ" --unit vn \
	--compartments ngoai-giao,quoc-phong $P $W | indent
cp "$D/root.cert" "$D/root.chain"

say "Hồ Chí Minh City's authority asks for a certificate; the root grants" \
    "vn/hcm up to TUYỆT MẬT, with the quoc-phong compartment."
person "Ban Cơ yếu Thành phố Hồ Chí Minh" hcm vn/hcm
issue root hcm authority tuyet-mat --compartments quoc-phong

say "Two agencies: the city party committee office may issue up to TỐI MẬT;" \
    "the city police up to TUYỆT MẬT."
person "Văn phòng Thành ủy" vptu vn/hcm/van-phong-thanh-uy
issue hcm vptu authority toi-mat
person "Công an Thành phố" congan vn/hcm/cong-an
issue hcm congan authority tuyet-mat --compartments quoc-phong

say "Three officers of different clearances."
person "Nguyễn Văn An" an vn/hcm/van-phong-thanh-uy
issue vptu an officer mat
person "Trần Thị Bình" binh vn/hcm/van-phong-thanh-uy/phong-tong-hop
issue vptu binh officer toi-mat
person "Lê Văn Cường" cuong vn/hcm/cong-an
issue congan cuong officer tuyet-mat --compartments quoc-phong

say "Anyone holding only the root certificate can check each officer's chain."
for who in an binh cuong; do
	$C cert verify --trust "$D/root.cert" "$D/$who.chain" | head -n 2 | indent
done

say "The party committee office tries to grant TUYỆT MẬT, above its own level."
person "Phạm Văn Dũng" dung vn/hcm/van-phong-thanh-uy
refused "an over-reaching clearance" \
	$C cert issue -k "$D/vptu.key" -c "$D/vptu.chain" $P --role officer \
	--clearance tuyet-mat "$D/dung.req" -o "$D/dung.chain"

say "The city tries to certify an officer of Hà Nội, outside its subtree."
person "Hoàng Thị Hà" ha vn/hn/so-noi-vu
refused "a unit outside the subtree" \
	$C cert issue -k "$D/hcm.key" -c "$D/hcm.chain" $P --role officer \
	--clearance mat "$D/ha.req" -o "$D/ha.chain"

say "An officer tries to certify someone: only authorities issue."
refused "issuing by an officer" \
	$C cert issue -k "$D/an.key" -c "$D/an.chain" $P --role officer \
	--clearance mat "$D/dung.req" -o "$D/dung.chain"

say "Trần Thị Bình's key is lost: her agency revokes her certificate."
binh=$(sed -n 's/^serial: //p' "$D/binh.chain" | head -n 1)
$C cert revoke -k "$D/vptu.key" -c "$D/vptu.chain" $P --serial "$binh" \
	--reason key-compromise --crl "$D/vptu.crl" | indent

say "With the agency's revocation list, her chain is refused; An's still holds."
refused "a revoked officer" \
	$C cert verify --trust "$D/root.cert" --crl "$D/vptu.crl" "$D/binh.chain"
$C cert verify --trust "$D/root.cert" --crl "$D/vptu.crl" "$D/an.chain" |
	head -n 1 | indent

say "The authority part of the demo is done."
