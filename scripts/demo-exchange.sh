#!/bin/sh
# The exchange part of the demo, on what the previous parts left in DIR
# (the authority, the officers, the city registry's key): the Party
# Committee Office of Hồ Chí Minh City sends a TỐI MẬT decision through
# the city registry to three agencies; each opens it, and every opening is
# a release recorded in the register before the key is given (receipts
# shown); one numbered copy is made as authorised, a second refused; a leak
# is suspected, the document recalled — no one can open it any more — then
# destroyed with a record; the law's four registers are printed.
#
#   sh scripts/demo-exchange.sh COYEU DIR      (coyeud beside COYEU)
#
# A command this build lacks is skipped with a line saying so.
set -eu
C=${1:?usage: demo-exchange.sh COYEU DIR}
D=${2:?usage: demo-exchange.sh COYEU DIR}
[ -f "$D/giang.chain" ] && [ -f "$D/registry/city.chain" ] ||
	{ echo "demo-exchange: run demo-registry.sh COYEU $D first" >&2; exit 1; }
CYD=$(dirname "$C")/coyeud
[ -x "$CYD" ] || { echo "demo-exchange: no coyeud beside $C (make)" >&2; exit 1; }
P="--passphrase-file $D/pass"
W="--work-factor 12"
R=$D/registry
PID=

. "$(dirname "$0")/demo-lib.sh"
trap 'stop "$PID"' EXIT
trap 'exit 130' INT TERM

# have CMD: this build has `coyeu CMD` (the stand-ins say it has not);
# else a line saying the step is skipped.
have() {
	if $C "$1" --help >/dev/null 2>&1; then
		return 0
	fi
	echo "   (skipped: coyeu $1 is not in this build)"
	return 1
}
# as WHO CMD ARGS…: coyeu CMD signed by WHO's key and chain.
as() {
	who=$1 cmd=$2
	shift 2
	$C "$cmd" -k "$D/$who.key" -c "$D/$who.chain" $P "$@"
}

say "Two more agencies of the city join the exchange, each with an officer" \
    "cleared TỐI MẬT: the Department of Home Affairs and the People's" \
    "Committee Office."
certify "Sở Nội vụ" sonoivu vn/hcm/so-noi-vu hcm authority toi-mat
certify "Phan Thị Lan" lan vn/hcm/so-noi-vu sonoivu officer toi-mat
certify "Văn phòng UBND Thành phố" vpub vn/hcm/van-phong-ubnd hcm authority \
	toi-mat
certify "Ngô Văn Minh" minh vn/hcm/van-phong-ubnd vpub officer toi-mat

say "The city registry starts on a store of its own for the exchange;" \
    "every officer registers, and the keyring pins the registry."
cp "$R/city.key" "$R/exchange.key"
cp "$R/city.chain" "$R/exchange.chain"
config exchange
"$CYD" init --config "$R/exchange.conf" >"$D/shown" 2>&1 ||
	{ cat "$D/shown"; exit 1; }
serve exchange
echo "   registry at $URL" | indent
export COYEU_HOME="$R/exchange-keyring"
$C keyring init --trust "$D/root.cert" >/dev/null
$C keyring registry "$URL" >/dev/null
for who in hcm vptu giang hung lan minh cuong; do
	$C id register -k "$D/$who.key" -c "$D/$who.chain" $P >/dev/null
done
echo "   registered: the city authority, the office, Giang, Hùng, Lan, Minh, Cường" |
	indent

printf 'QUYẾT ĐỊNH số 45-QĐ/TU\nVề công tác bảo vệ bí mật nhà nước năm 2027\n' \
	>"$D/qd45.txt"
DOC=
say "Giang (Party Committee Office, vn/hcm/van-phong-thanh-uy) sends decision" \
    "45-QĐ/TU, TỐI MẬT, to Hùng (police), Lan (home affairs) and Minh" \
    "(People's Committee), authorising one further copy. Each copy is sealed" \
    "to its recipient and to a secret R that only the registry holds."
if have send; then
	shown as giang send --level toi-mat --doc "Số 45-QĐ/TU" \
	    --to "$D/hung.chain" --to "$D/lan.chain" --to "$D/minh.chain" \
	    --copies-allowed 1 "$D/qd45.txt"
	DOC=$(sed -n 's/^document \([0-9a-f]\{32\}\)$/\1/p' "$D/shown")
	[ -n "$DOC" ] || { echo "   ERROR: no doc-id" >&2; exit 1; }
fi

if [ -n "$DOC" ]; then
	say "Each agency fetches its copy (acknowledging receipt) and opens it:" \
	    "the release is made durable in the register before R is given," \
	    "and the receipt is verified against the pinned key."
	for who in hung lan minh; do
		if have fetch; then
			shown as "$who" fetch "$DOC" -o "$D/$who-45.age"
		fi
		if have open; then
			shown as "$who" open "$DOC" -o "$D/$who-45.txt"
			cmp -s "$D/qd45.txt" "$D/$who-45.txt" ||
			    { echo "   ERROR: $who's copy differs" >&2; exit 1; }
		fi
	done
	if have status; then
		say "Giang sees every copy's state."
		shown as giang status "$DOC"
	fi

	say "Hùng makes the one authorised copy (sao y) for his colleague Cường:" \
	    "copy 4/4, sealed and signed by Hùng, entered as copy.issue."
	if have copy; then
		shown as hung copy "$DOC" --form sao-y --to "$D/cuong.chain"
		say "Lan asks for another copy: beyond the authorisation."
		refused "a fifth copy" as lan copy "$DOC" --form sao-luc \
		    --to "$D/minh.chain"
	fi

	say "A leak is suspected: Giang recalls the document. R is deleted; no" \
	    "copy opens any more."
	if have recall; then
		shown as giang recall "$DOC" --reason "nghi lộ lọt thông tin"
		if have open; then
			refused "an open after the recall" as minh open "$DOC" \
			    -o "$D/minh-again.txt"
		fi
	fi

	say "The office destroys it by crypto-shredding, with a destruction record."
	if have destroy; then
		shown as giang destroy "$DOC" --reason "tiêu hủy sau thu hồi"
	fi
fi

say "The law's four registers, each row with the index of the entry that" \
    "proves it: the office's outgoing register, and the city authority's" \
    "view of the incoming, copies and destruction registers of the city."
if have register; then
	LANG=vi_VN.UTF-8 LC_ALL= LC_MESSAGES=
	export LANG LC_ALL LC_MESSAGES
	shown as giang register outgoing
	shown as hcm register incoming --unit vn/hcm
	shown as hcm register copies --unit vn/hcm
	shown as hcm register destroyed --unit vn/hcm
	say "The same in English (LANG=en_US.UTF-8):"
	LANG=en_US.UTF-8
	shown as hcm register copies --unit vn/hcm
fi

stop "$PID"
PID=
