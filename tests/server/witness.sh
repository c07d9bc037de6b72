#!/bin/sh
# Witnessing (docs/witness.md): a national registry witnesses a city's.
# The city pushes each new checkpoint to the national POST /add-checkpoint
# and serves it (and its receipts) with the national cosignature; `coyeu
# log verify-proof/-consistency --witness-key` pass with it and fail
# without it.  The city restarted learns the national's size from a 409;
# the national down, pushes are retried.  Then the attacks on
# add-checkpoint, with bodies built here: a replayed or stale old size
# (409 with the size), a fork at the held size (409, kept as evidence), a
# bad proof (422), an unknown log (404), a stranger's signature (403),
# malformed bodies (400); the state survives a restart; concurrent pushes
# from one old size advance it once.
. "${SRCDIR:-.}/tests/server/lib.sh"
CITY_PID= NAT_PID=
trap 'stop_named CITY; stop_named NAT; rm -rf "$T"' EXIT

# ---- two registries: the city (vn/hcm, lib.sh's) and the national (vn) ----
make_authority
$C id new -o "$T/nat.key" --unprotected >/dev/null 2>&1 &&
$C id request -k "$T/nat.key" --name "Registry VN" --unit vn \
    -o "$T/nat.req" >/dev/null 2>&1 &&
$C cert issue -k "$T/root.key" -c "$T/root.cert" --role registry \
    --clearance mat "$T/nat.req" -o "$T/nat.chain" >/dev/null 2>&1 ||
    { bad "the national registry's chain"; exit 1; }

# COYEU_PG_DSN (key=value words) as the URI a db = line takes.
pg_uri() {
	for w in $COYEU_PG_DSN; do
		case $w in
		host=*) h=${w#host=} ;; dbname=*) d=${w#dbname=} ;;
		user=*) u=${w#user=} ;;
		esac
	done
	echo "postgresql:///$d?host=$h&user=$u"
}
# conf FILE NAME [LINE…]: a registry NAME's config ($T/NAME.db; the
# national's on PostgreSQL when COYEU_PG_DSN names one, tests/with-pg.sh),
# on $LISTEN (default a port the kernel picks).
conf() {
	f=$1 name=$2
	shift 2
	{
		echo "listen = ${LISTEN:-127.0.0.1:0}"
		if [ "$name" = nat ] && [ -n "${COYEU_PG_DSN:-}" ]; then
			echo "db = $(pg_uri)"
		else
			echo "db = sqlite:$T/$name.db"
		fi
		echo "key = $T/$name.key"
		echo "chain = $T/$name.chain"
		echo "trust = $T/root.cert"
		echo "log_level = info"
		for l in "$@"; do echo "$l"; done
	} >"$f"
}
init() {
	$D init --config "$1" >"$T/init.out" 2>&1 ||
	    { bad "init $1"; cat "$T/init.out"; exit 1; }
	sed -n 's/^verifier key: //p' "$T/init.out"
}
conf "$T/city0.conf" reg
CITY_VK=$(init "$T/city0.conf")
conf "$T/nat0.conf" nat
NAT_VK=$(init "$T/nat0.conf")
CITY=coyeu.vn/hcm/register
NAT=coyeu.vn/register
case "$CITY_VK" in "$CITY+"*) ok "city origin $CITY" ;; *) bad "city key $CITY_VK" ;; esac
case "$NAT_VK" in "$NAT+"*) ok "national origin $NAT" ;; *) bad "national key $NAT_VK" ;; esac

# keys IDKEY NAME: the note signer key (PRIVATE+KEY+...) of an unprotected
# officer key file under NAME, then its verifier key (type 0x01) and its
# cosignature key (type 0x04), one a line.
keys() {
	python3 - "$1" "$2" <<'EOF'
import base64, hashlib, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
path, name = sys.argv[1], sys.argv[2]
seed = [base64.b64decode(l[6:].strip() + "==") for l in open(path)
        if l.startswith("sign: ")][0]
pub = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
    Encoding.Raw, PublicFormat.Raw)
def key(alg, raw):
    kid = hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + pub).digest()[:4]
    return "%s+%s+%s" % (name, kid.hex(), base64.b64encode(bytes([alg]) + raw).decode())
print("PRIVATE+KEY+" + key(1, seed))
print(key(1, pub))
print(key(4, pub))
EOF
}

# The national's cosignature key (type 0x04): what a reader is given.
NAT_COSIG_VK=$(python3 - "$NAT_VK" <<'EOF'
import base64, hashlib, sys
name, _, key = sys.argv[1].split("+", 2)
pub = base64.b64decode(key)[1:]
kid = hashlib.sha256(name.encode() + b"\n\x04" + pub).digest()[:4]
print("%s+%s+%s" % (name, kid.hex(), base64.b64encode(b"\x04" + pub).decode()))
EOF
)

# ---- config refusals ----
conf "$T/badw.conf" nat "witness = not-a-key"
expect 1 "witness = not-a-key" "a bad witness = line stops coyeud" \
	$D --config "$T/badw.conf"
conf "$T/badp.conf" reg "push = http://127.0.0.1:9"
expect 1 "each push = URL needs its push_key" "push without push_key" \
	$D --config "$T/badp.conf"

# ---- the national witnesses the city ----
# The national on a fixed port: the city's push = URL outlives its restart.
NAT_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LISTEN=127.0.0.1:$NAT_PORT conf "$T/nat.conf" nat "witness = $CITY_VK"
start_named NAT "$T/nat.conf"
conf "$T/city.conf" reg "push = $NAT_URL" "push_key = $NAT_VK"
start_named CITY "$T/city.conf"

# Entries appended to the city's store beside the server (as register.sh
# does), with the registry key as a note key.
ACTOR=0123456789abcdef0123456789abcdef
DOC=fedcba9876543210fedcba9876543210
$C id new --unprotected -o "$T/off.key" >/dev/null 2>&1
keys "$T/reg.key" "$CITY" | sed -n 1p >"$T/note.key" &&
    chmod 600 "$T/note.key" || { bad "note key"; exit 1; }
mkdir "$T/e"
# append DB FROM TO [SEED]: entries FROM..TO-1 into DB.
append() {
	i=$2 files=
	while [ $i -lt $3 ]; do
		$C log entry --type release -k "$T/off.key" -o "$T/e/$i${4:-}" \
		    actor=$ACTOR doc-id=$DOC copy-id=$(printf %032x $i) \
		    recipient=$ACTOR request-sha256=$(printf %060x%s $i "${4:-0000}") ||
		    { bad "log entry $i"; exit 1; }
		files="$files $T/e/$i${4:-}"
		i=$((i + 1))
	done
	$C log append --key "$T/note.key" --no-receipts "$1" $files >/dev/null ||
	    { bad "log append"; exit 1; }
}

# wait_cosigned SIZE: the city's /checkpoint of SIZE carries the national
# cosignature (the pusher polls every 200 ms).
wait_cosigned() {
	i=0
	while [ $i -lt 100 ]; do
		curl -s "$CITY_URL/checkpoint" >"$T/cp"
		if [ "$(sed -n 2p "$T/cp")" = "$1" ] &&
		    grep -q "^— $NAT " "$T/cp"; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

append "$T/reg.db" 0 5
wait_cosigned 5 && ok "the national cosigned the city's checkpoint of 5" ||
	{ bad "no national cosignature on /checkpoint 5"; cat "$T/cp" "$T/CITY.log"; }
grep -q '"msg":"witness parent cosigned"' "$T/CITY.log" &&
	ok "the city logs the cosignature" || bad "no log line for the cosignature"
append "$T/reg.db" 5 12
wait_cosigned 12 && ok "consistent growth 5 -> 12 cosigned" ||
	{ bad "no national cosignature on /checkpoint 12"; cat "$T/cp"; }
[ "$(grep -c "^— $NAT " "$T/cp")" = 1 ] && ok "one national line" ||
	bad "national lines: $(grep -c "^— $NAT " "$T/cp")"

# ---- readers ----
curl -s "$CITY_URL/v1/log/proof?index=7" | jq -j .receipt >"$T/r7"
expect 0 "the entry is in the register" "verify-proof with the national's key" \
	$C log verify-proof --verifier-key "$CITY_VK" --witness-key "$NAT_VK" \
	--entry "$T/e/7" "$T/r7"
expect 0 "the entry is in the register" \
	"verify-proof with the national's cosignature key (0x04)" \
	$C log verify-proof --verifier-key "$CITY_VK" \
	--witness-key "$NAT_COSIG_VK" --entry "$T/e/7" "$T/r7"
# The same receipt made from the store carries no cosignature.
$C log prove --index 7 "$T/reg.db" >"$T/r7local"
expect 1 "the checkpoint carries no cosignature by witness $NAT" \
	"verify-proof refuses a checkpoint the national did not cosign" \
	$C log verify-proof --verifier-key "$CITY_VK" --witness-key "$NAT_VK" \
	--entry "$T/e/7" "$T/r7local"
expect 0 "the entry is in the register" "without --witness-key it passes" \
	$C log verify-proof --verifier-key "$CITY_VK" --entry "$T/e/7" \
	"$T/r7local"
# A witness that did not cosign.
$C id new -o "$T/w3.key" --unprotected >/dev/null 2>&1
W3_VK=$(keys "$T/w3.key" other.example/w | sed -n 2p)
expect 1 "the checkpoint carries no cosignature by witness other.example/w" \
	"each --witness-key must have cosigned" \
	$C log verify-proof --verifier-key "$CITY_VK" --witness-key "$NAT_VK" \
	--witness-key "$W3_VK" --entry "$T/e/7" "$T/r7"
expect 1 "coyeu: witness key: a witness key reads" "a malformed --witness-key" \
	$C log verify-proof --verifier-key "$CITY_VK" --witness-key nonsense \
	--entry "$T/e/7" "$T/r7"
BAD_ID=$(echo "$NAT_COSIG_VK" | sed 's/+\(.\)/+X\1/; s/+X0/+1/; s/+X[^+]/+0/')
expect 1 "the witness key's ID does not match its name and key" \
	"a cosignature key with a wrong ID" \
	$C log verify-proof --verifier-key "$CITY_VK" --witness-key "$BAD_ID" \
	--entry "$T/e/7" "$T/r7"
expect 2 "--witness-key is for verify-proof and verify-consistency" \
	"verify-tiles refuses --witness-key" \
	$C log verify-tiles --verifier-key "$CITY_VK" --witness-key "$NAT_VK" "$T"
curl -s "$CITY_URL/v1/log/consistency?old=5" >"$T/cons"
jq -j .checkpoint "$T/cons" >"$T/cp12"
jq -r '.proof[]' "$T/cons" >"$T/proof"
curl -s "$CITY_URL/v1/log/consistency?old=0&new=5" | jq -j .checkpoint >"$T/cp5"
expect 0 "consistent" "verify-consistency with the national's key" \
	$C log verify-consistency --verifier-key "$CITY_VK" --witness-key "$NAT_VK" \
	"$T/cp5" "$T/cp12" "$T/proof"
$C log checkpoint "$T/reg.db" >"$T/cp12local"
expect 1 "the checkpoint carries no cosignature by witness $NAT" \
	"verify-consistency refuses an uncosigned checkpoint" \
	$C log verify-consistency --verifier-key "$CITY_VK" --witness-key "$NAT_VK" \
	"$T/cp5" "$T/cp12local" "$T/proof"

# ---- the city restarts: its pusher learns the national's size (409) ----
stop_named CITY
start_named CITY "$T/city.conf"
# It pushes 12 again from 0, resyncs, and is cosigned again: the record
# keeps the first line (a reader refuses two by one key).
i=0
until grep -q '"msg":"witness parent cosigned".*"size":"12"' "$T/CITY.log" ||
    [ $i -ge 100 ]; do
	sleep 0.1; i=$((i + 1))
done
curl -s "$CITY_URL/checkpoint" >"$T/cp"
[ "$(grep -c "^— $NAT " "$T/cp")" = 1 ] &&
	ok "12 cosigned again after the restart, still one national line" ||
	{ bad "national lines after the restart: $(grep -c "^— $NAT " "$T/cp")"; cat "$T/CITY.log"; }
append "$T/reg.db" 12 14
wait_cosigned 14 && ok "after the city's restart, 12 -> 14 cosigned" ||
	{ bad "no cosignature on 14 after a restart"; cat "$T/CITY.log"; }
grep -q '"msg":"witness parent resync".*"size":"12"' "$T/CITY.log" &&
	ok "the pusher took the national's size from its 409" ||
	bad "no resync in the city's log"

# ---- the national down: pushes fail, are retried, and succeed later ----
stop_named NAT
append "$T/reg.db" 14 16
i=0
until grep -q '"msg":"witness push failed"' "$T/CITY.log" || [ $i -ge 50 ]; do
	sleep 0.1; i=$((i + 1))
done
grep -q '"msg":"witness push failed".*"retry_in_s"' "$T/CITY.log" &&
	ok "a push to a national that is down fails, retry logged" ||
	bad "no failed push in the city's log"
curl -s "$CITY_URL/checkpoint" >"$T/cp"
[ "$(sed -n 2p "$T/cp")" = 16 ] && ! grep -q "^— $NAT " "$T/cp" &&
	ok "meanwhile the city serves 16 without a national cosignature" ||
	bad "checkpoint during the outage: $(cat "$T/cp")"
start_named NAT "$T/nat.conf"
wait_cosigned 16 && ok "the national back: 16 cosigned after a retry" ||
	{ bad "no cosignature on 16 after the outage"; cat "$T/CITY.log"; }

# ---- attacks on the national's add-checkpoint ----
stop_named CITY # its store is now ours to change
URL=$NAT_URL
H=16 # the size the national holds
# body FILE OLD CHECKPOINT [PROOF]: an add-checkpoint body.
body() {
	{ echo "old $2"; [ -z "${4:-}" ] || cat "$4"; echo; cat "$3"; } >"$1"
}
post() { # DESC CODE TEXT BODYFILE
	expect_http "$1" "$2" "$3" POST /add-checkpoint --data-binary "@$4" \
	    -H "Content-Type: text/plain"
}

# A replayed older checkpoint, and a stale old size.
body "$T/b" 0 "$T/cp5"
post "a replayed older checkpoint: 409 with the size held" 409 "$H" "$T/b"
printf '%s\n' $H | cmp -s - "$T/body" && ok "409 body is the size and a newline" ||
	bad "409 body: $(od -c "$T/body" | head -2)"
grep -qi '^Content-Type: text/x.tlog.size' "$T/headers" &&
	ok "409 Content-Type text/x.tlog.size" || bad "409 content type"
body "$T/b" 5 "$T/cp12" "$T/proof"
post "a stale old size (5, the national holds $H): 409" 409 "$H" "$T/b"
body "$T/b" $H "$T/cp5"
post "old size above the checkpoint's: 400" 400 \
	"the old size $H is above the checkpoint's size 5" "$T/b"

# The city grows while the national is told nothing; a bad proof is
# refused, the right one accepted.
append "$T/reg.db" $H 20
$C log checkpoint "$T/reg.db" >"$T/cp20"
$C log consistency --old $H "$T/reg.db" >"$T/proof20"
sed '1s/^./A/; 1s/^AA/BA/' "$T/proof20" >"$T/badproof"
body "$T/b" $H "$T/cp20" "$T/badproof"
post "a bad consistency proof: 422" 422 \
	"the consistency proof from size $H to 20 does not verify" "$T/b"
body "$T/b" $H "$T/cp20"
post "a missing consistency proof: 422" 422 "does not verify" "$T/b"
body "$T/b" $H "$T/cp20" "$T/proof20"
post "the right proof: 200 and a cosignature" 200 "— $NAT " "$T/b"
{ cat "$T/cp20"; cat "$T/body"; } >"$T/cp20w"
: >"$T/empty"
expect 0 "consistent" "the returned cosignature verifies" \
	$C log verify-consistency --verifier-key "$CITY_VK" --witness-key "$NAT_VK" \
	"$T/cp20w" "$T/cp20w" "$T/empty"
body "$T/b" 20 "$T/cp20"
post "the same checkpoint again: 200" 200 "— $NAT " "$T/b"

# A fork: the same key signs another tree of the size the national holds.
$C log init --key "$T/note.key" "$T/fork.db" >/dev/null ||
	bad "fork register"
append "$T/fork.db" 0 20 f0f0
$C log checkpoint "$T/fork.db" >"$T/fork20"
body "$T/b" 20 "$T/fork20"
post "a fork at the held size: 409" 409 "20" "$T/b"
grep -q '"msg":"witness refused".*"reason":"the log shows a second tree of size 20' \
    "$T/NAT.log" &&
	ok "the fork's reason is logged" || bad "no fork reason in the log"
evidence="select count(*) from records where kind = 'witness-refused'"
if [ -n "${COYEU_PG_DSN:-}" ]; then
	psql -At "$COYEU_PG_DSN" -c "$evidence"
else
	sqlite3 "$T/nat.db" "$evidence"
fi >"$T/ev" 2>/dev/null && [ "$(cat "$T/ev")" -ge 2 ] &&
	ok "the fork and the bad proof are kept as evidence" ||
	bad "evidence records: $(cat "$T/ev" 2>/dev/null)"

# Other logs and other keys.
$C log init --key "$T/other.key" --origin other.example/register \
    "$T/other.db" >/dev/null || bad "other register"
$C log checkpoint "$T/other.db" >"$T/other0"
body "$T/b" 0 "$T/other0"
post "an unknown log: 404" 404 \
	"does not witness the log \\\"other.example/register\\\"" "$T/b"
$C log init --key "$T/stranger.key" --origin "$CITY" "$T/stranger.db" \
    >/dev/null || bad "stranger register"
append_stranger() {
	$C log append --key "$T/stranger.key" --no-receipts "$T/stranger.db" \
	    "$T/e/0" >/dev/null
}
append_stranger || bad "stranger append"
$C log checkpoint "$T/stranger.db" >"$T/stranger1"
body "$T/b" 0 "$T/stranger1"
post "a checkpoint signed by another key under the city's name: 403" 403 \
	"note is not signed by a known key" "$T/b"

# Malformed bodies.
printf 'hello\n' >"$T/b"
post "no old line: 400" 400 "must start with" "$T/b"
{ echo "old 012"; echo; cat "$T/cp20"; } >"$T/b"
post "a size with a leading zero: 400" 400 "must start with" "$T/b"
{ echo "old 20"; echo "not-a-hash"; echo; cat "$T/cp20"; } >"$T/b"
post "a proof line that is not a hash: 400" 400 \
	"consistency proof line 1 is not a base64 SHA-256 hash" "$T/b"
{ echo "old 20"; cat "$T/cp20"; } >"$T/b"
post "no blank line: 400" 400 "" "$T/b"
{ echo "old 20"; i=0; while [ $i -lt 64 ]; do head -n 1 "$T/proof20"; i=$((i + 1)); done; echo; cat "$T/cp20"; } >"$T/b"
post "64 proof lines: 400" 400 "at most 63 lines" "$T/b"
{ echo "old 20"; echo; sed 's/^20$/x20/' "$T/cp20"; } >"$T/b"
post "a checkpoint whose signature no longer matches: 403" 403 "" "$T/b"
expect_http "GET /add-checkpoint: 405" 405 "" GET /add-checkpoint

# The national's state survived all of it, and a restart.
stop_named NAT
start_named NAT "$T/nat.conf"
URL=$NAT_URL
body "$T/b" 0 "$T/cp20"
post "after a restart the national still holds 20" 409 "20" "$T/b"

# Concurrent requests from one old size: the check and the update are one
# transaction, so exactly one of them advances the state.
append "$T/reg.db" 20 25
$C log prove --index 0 --size 25 "$T/reg.db" | sed '1,/^$/d' >"$T/cp25"
$C log consistency --old 20 --new 25 "$T/reg.db" >"$T/proof25"
append "$T/reg.db" 25 30
$C log checkpoint "$T/reg.db" >"$T/cp30"
$C log consistency --old 20 --new 30 "$T/reg.db" >"$T/proof30"
body "$T/b25" 20 "$T/cp25" "$T/proof25"
body "$T/b30" 20 "$T/cp30" "$T/proof30"
pids=
for i in 1 2 3 4 5 6 7 8; do
	for n in 25 30; do
		curl -s -o /dev/null -w '%{http_code}\n' --data-binary "@$T/b$n" \
		    "$NAT_URL/add-checkpoint" >>"$T/codes" &
		pids="$pids $!"
	done
done
wait $pids
[ "$(grep -c '^200$' "$T/codes")" = 1 ] && [ "$(grep -c '^409$' "$T/codes")" = 15 ] &&
	ok "16 concurrent pushes from size 20: one 200, fifteen 409" ||
	bad "concurrent pushes: $(sort "$T/codes" | uniq -c | tr '\n' ' ')"
finish
