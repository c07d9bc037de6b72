#!/bin/sh
# The inventory part of the demo, on what the previous parts left in DIR
# (the authority, the officers, the city registry's key, the agencies of
# the exchange): the city's cipher store receives a batch of hardware
# tokens, checked in by a witness; one is issued to an officer; a cipher
# device is handed over to the Department of Home Affairs, whose officer
# accepts it; the officer loses the token — the registry refuses its
# certificate at once and the city authority publishes the revocation
# list — and a document sealed to that officer is refused; a stock-take
# of the city's store finds the one token missing from the shelf; the
# token's whole history is verified from receipts.
#
#   sh scripts/demo-inventory.sh COYEU DIR      (coyeud beside COYEU)
#
# A command this build lacks is skipped with a line saying so.
set -eu
C=${1:?usage: demo-inventory.sh COYEU DIR}
D=${2:?usage: demo-inventory.sh COYEU DIR}
[ -f "$D/giang.chain" ] && [ -f "$D/registry/city.chain" ] &&
    [ -f "$D/lan.chain" ] ||
	{ echo "demo-inventory: run demo-exchange.sh COYEU $D first" >&2; exit 1; }
CYD=$(dirname "$C")/coyeud
[ -x "$CYD" ] || { echo "demo-inventory: no coyeud beside $C (make)" >&2; exit 1; }
P="--passphrase-file $D/pass"
W="--work-factor 12"
R=$D/registry
PID=

. "$(dirname "$0")/demo-lib.sh"
trap 'stop "$PID"' EXIT
trap 'exit 130' INT TERM

if ! $C item --help >/dev/null 2>&1; then
	echo "   (skipped: coyeu item is not in this build)"
	exit 0
fi
# as WHO CMD ARGS…: coyeu CMD signed by WHO's key and chain.
as() {
	who=$1
	shift
	$C "$@" -k "$D/$who.key" -c "$D/$who.chain" $P
}
# serial_of WHO: the serial of WHO's certificate.
serial_of() { sed -n 's/^serial: //p' "$D/$1.chain" | head -n 1; }

say "The city's cipher store (vn/hcm): Khoa keeps it, Chung witnesses what" \
    "comes in and what is destroyed; Tâm, an officer of the city, will" \
    "carry a token that holds his signing key."
certify "Trịnh Văn Khoa" khoa vn/hcm hcm officer toi-mat
certify "Lê Thị Chung" chung vn/hcm hcm officer toi-mat
certify "Mai Văn Tâm" tam vn/hcm hcm officer mat
KHOA=$(serial_of khoa) CHUNG=$(serial_of chung) TAM=$(serial_of tam)
LAN=$(serial_of lan)

say "The city registry starts on a store of its own for the inventory;" \
    "everyone registers, and the keyring pins the registry."
cp "$R/city.key" "$R/inventory.key"
cp "$R/city.chain" "$R/inventory.chain"
config inventory
"$CYD" init --config "$R/inventory.conf" >"$D/shown" 2>&1 ||
	{ cat "$D/shown"; exit 1; }
serve inventory
echo "   registry at $URL" | indent
export COYEU_HOME="$R/inventory-keyring"
LC_ALL= LC_MESSAGES= LANG=vi_VN.UTF-8
export LANG LC_ALL LC_MESSAGES
$C keyring init --trust "$D/root.cert" >/dev/null
$C keyring registry "$URL" >/dev/null
for who in hcm giang khoa chung tam lan sonoivu; do
	$C id register -k "$D/$who.key" -c "$D/$who.chain" $P >/dev/null
done
echo "   registered: the city authority, Giang, Khoa, Chung, Tâm, Lan, Sở Nội vụ" |
	indent

say "A batch of five hardware tokens arrives from the maker: Khoa records" \
    "each (state received, an item.add entry signed by him). Token T-0002" \
    "will hold Tâm's key."
for n in 1 2 3 4 5; do
	holds=
	[ "$n" = 2 ] && holds="--holds-certs $TAM"
	shown as khoa item add --type token --serial "T-000$n" \
	    --maker "Viettel" --model "VT-Token 2" --level mat $holds \
	    --notes "lô 12/2026, phiếu nhập 45"
done
shown as khoa item add --type cipher-device --serial MM-0045 \
    --maker "Ban Cơ yếu Chính phủ" --model "MM-5" --level toi-mat

say "The acceptance check: each goes into stock only when Chung, the" \
    "witness, confirms it with her own signature."
for s in token:T-0001 token:T-0002 token:T-0003 token:T-0004 token:T-0005 \
    cipher-device:MM-0045; do
	as khoa item transition "$s" stock --witness "$CHUNG" >"$D/shown" 2>&1 ||
		{ cat "$D/shown"; exit 1; }
	shown as chung item accept "$s"
done
refused "a witness confirming twice" as chung item accept token:T-0001

say "Khoa issues token T-0002 to Tâm, who now holds it."
shown as khoa item transition token:T-0002 issue --custodian "$TAM"

say "The cipher device is handed over to the Department of Home Affairs:" \
    "it shows 'being handed over' in both units until Lan accepts it."
shown as khoa item transition cipher-device:MM-0045 transfer \
    --to-unit vn/hcm/so-noi-vu --taker "$LAN"
shown as lan item accept cipher-device:MM-0045
shown as lan item show cipher-device:MM-0045

say "Tâm loses the token. The registry refuses his certificate at once and" \
    "says which one; the city authority then publishes the revocation list" \
    "(reason key-compromise)."
shown as tam item transition token:T-0002 lose --reason "mất khi đi công tác"
shown as hcm item revoke-keys token:T-0002
printf 'Công văn số 12\n' >"$D/cv12.txt"
refused "a document sealed to Tâm" as giang send --level mat \
    --doc "Số 12/CV" --to "$D/tam.chain" "$D/cv12.txt"

say "The token's whole life, each step verified from its receipt against the" \
    "registry's pinned key, then replayed through the transition table."
shown as khoa item history token:T-0002 --verify

say "The stock-take (kiểm kê) of the city's store: Khoa declares what is on" \
    "the shelf — T-0005 is not there."
shown as khoa stocktake open --unit vn/hcm
ST=$(sed -n 's/^stocktake \([0-9a-f]\{32\}\)$/\1/p' "$D/shown")
for s in token:T-0001 token:T-0003 token:T-0004; do
	as khoa item show "$s" --json | sed -n 's/^ *"id": "\([0-9a-f]*\)".*/\1/p'
done >"$D/shelf.txt"
shown as khoa stocktake declare "$ST" --file "$D/shelf.txt"
shown as khoa stocktake close "$ST"

say "What the city holds, in Vietnamese and in English."
shown as hcm item list --unit vn/hcm
LANG=en_US.UTF-8
shown as hcm item report --summary

stop "$PID"
PID=
