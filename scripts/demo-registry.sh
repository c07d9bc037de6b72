#!/bin/sh
# The registry part of the demo, on the authority the previous parts left
# in DIR: the city's registry (coyeud on SQLite) starts, officers register
# their certificates with it, Giang appends entries through it and checks
# each receipt; the national registry witnesses the city's checkpoints, so
# a reader who requires its cosignature accepts only the one history the
# nation has seen.  Unsigned, forged and replayed requests are refused.
#
#   sh scripts/demo-registry.sh COYEU DIR      (coyeud beside COYEU)
set -eu
C=${1:?usage: demo-registry.sh COYEU DIR}
D=${2:?usage: demo-registry.sh COYEU DIR}
[ -f "$D/giang.chain" ] && [ -f "$D/hcm.chain" ] ||
	{ echo "demo-registry: run demo-classified.sh COYEU $D first" >&2; exit 1; }
CYD=$(dirname "$C")/coyeud
[ -x "$CYD" ] || { echo "demo-registry: no coyeud beside $C (make)" >&2; exit 1; }
P="--passphrase-file $D/pass"
R=$D/registry
CITY_PID= NAT_PID=
mkdir -p "$R"
chmod 600 "$D/pass"

. "$(dirname "$0")/demo-lib.sh"
trap 'stop "$CITY_PID"; stop "$NAT_PID"' EXIT
trap 'exit 130' INT TERM

# registry NAME ISSUER UNIT: a registry's key (unprotected: a daemon has
# nobody to type a passphrase; the file is 0600) and its --role registry
# chain, issued by ISSUER.
registry() {
	$C id new -o "$R/$1.key" --unprotected >/dev/null 2>&1
	$C id request -k "$R/$1.key" --name "Registry $3" --unit "$3" \
	    -o "$R/$1.req" >/dev/null
	$C cert issue -k "$D/$2.key" -c "$D/$2.chain" $P --role registry \
	    --clearance tuyet-mat "$R/$1.req" -o "$R/$1.chain" >/dev/null
}
say "The national authority issues the national registry's certificate, and" \
    "the city authority its registry's (role registry, for the unit each serves)."
registry nat root vn
registry city hcm vn/hcm
$C cert show "$R/city.chain" | sed -n '1,6p' | indent

say "coyeud init: the city registry creates its store (SQLite) and its" \
    "register, whose checkpoints its own key signs."
config city
shown "$CYD" init --config "$R/city.conf"
CITY_VK=$(sed -n 's/^verifier key: //p' "$D/shown")

say "The national registry is set to witness the city's register (its" \
    "verifier key, as the city's init printed it), and starts."
config nat "witness = $CITY_VK"
shown "$CYD" init --config "$R/nat.conf"
NAT_VK=$(sed -n 's/^verifier key: //p' "$D/shown")
serve nat
NAT_URL=$URL NAT_PID=$PID
echo "   national registry at $NAT_URL" | indent

say "The city registry starts, pushing each new checkpoint to the nation."
config city "push = $NAT_URL" "push_key = $NAT_VK"
serve city
CITY_URL=$URL CITY_PID=$PID
echo "   city registry at $CITY_URL" | indent

say "Giang sets the city registry in her keyring: its key is pinned on first" \
    "use (as ssh does with host keys), after its chain verified under the root."
export COYEU_HOME="$R/giang-keyring"
$C keyring init --trust "$D/root.cert" >/dev/null
shown $C keyring registry "$CITY_URL"

say "Giang registers her certificate chain; every request she makes is signed" \
    "with her key (RFC 9421), the registry checks chain, revocation and nonce."
shown $C id register -k "$D/giang.key" -c "$D/giang.chain" $P

say "She appends two entries through the registry; each answer is sent only" \
    "once durable, with a receipt she verifies against the pinned key."
giang=$($C cert show --json "$D/giang.chain" | python3 -c \
    'import json, sys; print(json.load(sys.stdin)["certificates"][0]["serial"])')
for i in 1 2; do
	# A register item's transition: a document's own entries (release,
	# copy.issue, …) go through the documents routes (part 6).
	$C log entry --type item.transition -k "$D/giang.key" $P -o "$R/e$i" \
	    actor="$giang" item-id="$(printf %032x "$i")" register=incoming \
	    doc-id="$(printf %032x 123)" from=delivered to=received
done
shown $C log append --registry "$CITY_URL" -k "$D/giang.key" -c "$D/giang.chain" $P "$R/e1" "$R/e2"

say "The nation witnesses: within a moment the city's checkpoint carries the" \
    "national registry's cosignature."
i=0
until curl -fs "$CITY_URL/checkpoint" | grep -q "^— coyeu.vn/register "; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "   ERROR: no national cosignature" >&2; exit 1; }
	sleep 0.1
done
curl -fs "$CITY_URL/checkpoint" | indent

say "A reader requiring the nation's cosignature checks Giang's receipt:"
curl -fs "$CITY_URL/v1/log/proof?index=1" | python3 -c \
    'import json, sys; sys.stdout.write(json.load(sys.stdin)["receipt"])' \
    >"$R/e2.witnessed"
shown $C log verify-proof --verifier-key "$(sed -n 's/^pin [^ ]* //p' \
    "$COYEU_HOME/registry")" --witness-key "$NAT_VK" --entry "$R/e2" \
    "$R/e2.witnessed"

say "An unsigned request is refused, and so is an entry appended twice:"
curl -s -X POST -H 'Content-Type: application/json' -d '{"entries":[]}' \
    "$CITY_URL/v1/log/entries" | indent
refused "the same entry appended twice" \
	$C log append --registry "$CITY_URL" -k "$D/giang.key" -c "$D/giang.chain" $P "$R/e1"

say "SIGTERM: both registries stop taking requests, finish what is in flight" \
    "and exit 0."
stop "$CITY_PID"; CITY_PID=
stop "$NAT_PID"; NAT_PID=
echo "   stopped" | indent
