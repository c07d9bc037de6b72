#!/bin/sh
# coyeu as coyeud's client: keyring registry pinning (first use, a changed
# key refused, --verifier-key), id register, log append --registry with
# every receipt verified (forged receipts refused), refusals and
# unreachable registries as messages with exit 1, cert revoke --registry,
# TLS verified (--cacert).  The registry here is
# tests/server/lib/mock_registry.py, whose register is kept by the real
# `coyeu log` commands (genuine receipts unless told to forge them), so
# that the client's checks can be attacked one by one.
. "${SRCDIR:-.}/tests/cli/lib/expect.sh"
MOCK="python3 ${SRCDIR:-.}/tests/server/lib/mock_registry.py"
COYEU_HOME=$T/keyring
export COYEU_HOME
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

# start_mock NAME [OPTIONS…]: a registry in $T/NAME; its port in PORT.
start_mock() {
	name=$1
	shift
	mkdir -p "$T/$name"
	rm -f "$T/$name/port"
	$MOCK --coyeu "$C" --dir "$T/$name" --port-file "$T/$name/port" "$@" \
	    2>"$T/$name/log" &
	eval "pid_$name=$!"
	pids="$pids $!"
	n=0
	while [ ! -s "$T/$name/port" ] && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	PORT=$(cat "$T/$name/port" 2>/dev/null)
	[ -n "$PORT" ] || { bad "mock registry $name did not start"; cat "$T/$name/log"; }
}
stop_mock() {
	eval "kill \$pid_$1"
	eval "wait \$pid_$1" 2>/dev/null
}

# ---- help ----
expect 0 "usage: coyeu keyring registry URL" "keyring registry --help" \
	$C keyring registry --help
expect 0 "usage: coyeu id register" "id register --help" $C id register --help
expect 0 "--registry URL" "log append --help names --registry" \
	$C log append --help
expect 0 "--registry URL" "cert revoke --help names --registry" \
	$C cert revoke --help
expect 0 "registry" "keyring --help lists registry" $C keyring --help
expect 0 "register" "id --help lists register" $C id --help

# ---- an authority, an officer in the keyring ----
$C authority init -o "$T/root.key" --cert-out "$T/root.cert" --unprotected \
	--name "Ban Cơ yếu" --unit vn >/dev/null 2>&1 || bad "authority init"
$C id new --unprotected >/dev/null 2>&1 || bad "id new"
$C id request --name "Nguyễn Văn An" --unit vn/hcm -o "$T/an.req" \
	>/dev/null 2>&1 || bad "id request"
$C cert issue -k "$T/root.key" -c "$T/root.cert" --role officer \
	--clearance mat "$T/an.req" -o "$T/an.chain" >/dev/null 2>&1 ||
	bad "cert issue"
$C keyring init --trust "$T/root.cert" >/dev/null 2>&1 || bad "keyring init"
$C keyring add "$T/an.chain" >/dev/null 2>&1 || bad "keyring add"
SERIAL=$(sed -n 's/^serial: //p' "$T/an.chain" | head -n 1)

# ---- usage ----
expect 2 "no registry: give --registry URL, or set one with 'coyeu keyring registry URL'" \
	"id register without a registry" $C id register
expect 2 "must start with https://" "a URL that is not http(s)" \
	$C keyring registry ftp://example.org
expect 2 "may hold no space, control, '?', '#' or '@'" "a URL with a query" \
	$C keyring registry "http://127.0.0.1:1/?x=1"
expect 2 "--batch does not go with --registry" "log append --registry --batch" \
	$C log append --registry http://127.0.0.1:1 --batch 5 "$T/x"

# ---- unreachable ----
expect 1 "coyeu: cannot reach the registry at http://127.0.0.1:1: " \
	"keyring registry of a registry nobody answers" \
	$C keyring registry http://127.0.0.1:1
[ ! -e "$T/keyring/registry" ] && ok "nothing pinned for it" ||
	bad "a registry file was written"
expect 1 "coyeu: cannot reach the registry at http://127.0.0.1:1: " \
	"id register to a registry nobody answers" \
	$C id register --registry http://127.0.0.1:1/

# ---- pinning on first use ----
start_mock a --chain "$T/an.chain"
URL=http://127.0.0.1:$PORT
VKA=$(cat "$T/a/reg.db.vkey")
expect 0 "pinned on first use" "keyring registry pins the key" \
	$C keyring registry "$URL/"
grep -qF "verifier key: $VKA" "$T/out" && ok "it prints the served key" ||
	bad "the key is not printed"
grep -qF "origin: registry.test/mock" "$T/out" && ok "it prints the origin" ||
	bad "the origin is not printed"
grep -qF "certificate: verified under the pinned root, but it is not a registry's certifying the verifier key" "$T/out" &&
	ok "a chain that does not certify the key is said so" ||
	bad "the registry's chain: $(cat "$T/out")"
grep -qF "(pinned on first use: compare it with the key the registry's operator published)" \
	"$T/out" && ok "an uncertified key: compare it" || bad "first-use text"
[ "$(stat -c %a "$T/keyring/registry")" = 644 ] && ok "registry file 0644" ||
	bad "registry file mode"
grep -qx "url $URL" "$T/keyring/registry" && ok "url kept without the /" ||
	bad "url line: $(cat "$T/keyring/registry")"
grep -qx "pin $URL $VKA" "$T/keyring/registry" && ok "pin line" ||
	bad "pin line: $(cat "$T/keyring/registry")"
expect 0 "(already pinned)" "the same key again" $C keyring registry "$URL"
expect 0 "registry: $URL, verifier key $VKA" "keyring list names the registry" \
	$C keyring list
expect 0 "\"pins\":[{\"url\":\"$URL\",\"verifier_key\":\"$VKA\"}]" \
	"keyring list --json has the pins" $C keyring list --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["registry"]==sys.argv[2] and d["cacert"] is None' \
	"$T/out" "$URL" && ok "keyring list --json parses" || bad "list --json"

# ---- a changed key refused ----
stop_mock a
start_mock b --port "$PORT"
VKB=$(cat "$T/b/reg.db.vkey")
[ "$VKA" != "$VKB" ] && ok "the second registry has another key" ||
	bad "same keys"
cp "$T/keyring/registry" "$T/registry.before"
expect 1 "the registry's verifier key changed: refusing; if this is expected, run coyeu keyring registry $URL --verifier-key NEW" \
	"a registry at the same URL with another key is refused" \
	$C keyring registry "$URL"
grep -qF "$VKB" "$T/err" && grep -qF "$VKA" "$T/err" &&
	ok "the message names both keys" || bad "keys not named"
cmp -s "$T/registry.before" "$T/keyring/registry" && ok "the pin is unchanged" ||
	bad "the pin changed"
expect 1 "not the one given with --verifier-key" \
	"--verifier-key that the registry does not serve" \
	$C keyring registry "$URL" --verifier-key "$VKA"
expect 2 "--verifier-key" "--verifier-key that is not a key" \
	$C keyring registry "$URL" --verifier-key nonsense
expect 0 "replaces the pinned" "--verifier-key NEW re-pins" \
	$C keyring registry "$URL" --verifier-key "$VKB"
grep -qx "pin $URL $VKB" "$T/keyring/registry" && ok "new pin kept" ||
	bad "new pin: $(cat "$T/keyring/registry")"
stop_mock b
start_mock a --port "$PORT" --chain "$T/an.chain"
expect 0 "replaces the pinned" "back to the first registry" \
	$C keyring registry "$URL" --verifier-key "$VKA"
# A pin edited by hand is a changed key as well.
sed -i "s|^pin $URL .*|pin $URL $VKB|" "$T/keyring/registry"
expect 1 "the registry's verifier key changed" "an edited pin is refused" \
	$C keyring registry "$URL"
sed -i "s|^pin $URL .*|pin $URL $VKA|" "$T/keyring/registry"
printf 'bogus line\n' >>"$T/keyring/registry"
expect 1 "line 4: not a line of the registry file" "a broken registry file" \
	$C id register
sed -i '$d' "$T/keyring/registry"

# ---- id register ----
expect 0 "registered at $URL: Nguyễn Văn An, vn/hcm" "id register" \
	$C id register
cmp -s "$T/a/registered-$SERIAL" "$T/an.chain" &&
	ok "the registry received the chain" || bad "chain not received"

# ---- log append through the registry ----
mkdir "$T/e"
i=0
while [ $i -lt 5 ]; do
	$C log entry --type release -o "$T/e/$i" actor="$SERIAL" \
	    doc-id=$(printf %032x 7) copy-id=$(printf %032x $i) \
	    recipient="$SERIAL" request-sha256=$(printf %064x $i) \
	    2>"$T/err" || { bad "log entry $i"; cat "$T/err"; }
	i=$((i + 1))
done
expect 0 "0 $T/e/0" "log append --registry" \
	$C log append --registry "$URL" "$T/e/0" "$T/e/1" "$T/e/2"
grep -qx "2 $T/e/2" "$T/out" && ok "one line per entry" || bad "lines"
[ -f "$T/e/2.tlog-proof" ] && ok "receipt written" || bad "no receipt"
expect 0 "" "the receipt verifies offline" \
	$C log verify-proof --verifier-key "$VKA" --entry "$T/e/1" "$T/e/1.tlog-proof"
expect 1 "registry refused (409 conflict): " "an entry already in the register" \
	$C log append --registry "$URL" "$T/e/0"
expect 1 "no verifier key pinned for the registry at http://127.0.0.1:1" \
	"log append to a registry with no pin" \
	$C log append --registry http://127.0.0.1:1 "$T/e/3"

# ---- coyeu --registry URL COMMAND ----
expect 1 "cannot reach the registry at http://127.0.0.1:1: " \
	"the global --registry overrides the keyring's" \
	$C --registry http://127.0.0.1:1 id register
expect 1 "no verifier key pinned for the registry at http://127.0.0.1:1" \
	"the global --registry makes log append go to a registry" \
	$C --registry http://127.0.0.1:1 log append "$T/e/3"
expect 0 "3 $T/e/3" "coyeu --registry URL log append" \
	$C --registry "$URL" log append "$T/e/3"

# ---- one connection for a command's requests (keep-alive) ----
mkdir "$T/many"
i=0
files=""
while [ $i -lt 300 ]; do
	files="$files $T/many/$i"
	$C log entry --type release -o "$T/many/$i" actor="$SERIAL" \
	    doc-id=$(printf %032x 8) copy-id=$(printf %032x $i) \
	    recipient="$SERIAL" request-sha256=$(printf %064x $i) 2>/dev/null ||
	    { bad "log entry many/$i"; break; }
	i=$((i + 1))
done
rm -f "$T/a/connections"
# shellcheck disable=SC2086
expect 0 "303 $T/many/299" "300 entries in two requests" \
	$C log append --registry "$URL" --no-receipts $files
[ "$(wc -l <"$T/a/connections")" -eq 2 ] && ok "two requests" ||
	bad "requests: $(wc -l <"$T/a/connections")"
[ "$(sort -u "$T/a/connections" | wc -l)" -eq 1 ] &&
	ok "both on one connection" || bad "connections: $(cat "$T/a/connections")"
[ ! -e "$T/many/0.tlog-proof" ] && ok "--no-receipts writes none" ||
	bad "--no-receipts wrote a receipt"

# ---- forged receipts ----
for mode in proof index key; do
	start_mock "t$mode" --tamper $mode
	U=http://127.0.0.1:$PORT
	$C keyring registry "$U" >/dev/null 2>&1 || bad "pin $mode"
	rm -f "$T/e/3.tlog-proof" "$T/e/4.tlog-proof"
	case $mode in
	proof) why="the proof leads to a different root hash" ;;
	index) why="it proves index 1, not the index 0 the registry answered" ;;
	key) why="note is not signed by a known key" ;;
	esac
	expect 1 "$why" "a receipt forged ($mode) is refused" \
	    $C log append --registry "$U" "$T/e/3" "$T/e/4"
	grep -qF "coyeu: the registry's receipt for entry 0 does not verify: " \
	    "$T/err" && ok "the message names the entry ($mode)" ||
		bad "the message does not name the entry ($mode)"
	[ ! -e "$T/e/3.tlog-proof" ] && ok "no receipt written ($mode)" ||
		bad "a forged receipt was written ($mode)"
	grep -q "^0 " "$T/out" && bad "a line printed for a forged receipt" ||
		ok "no line printed ($mode)"
	stop_mock "t$mode"
done

# ---- answers that are not JSON ----
start_mock g --garbage
U=http://127.0.0.1:$PORT
expect 1 "coyeu: the registry at $U answered GET /v1/registry with what is not a JSON object" \
	"a success that is not JSON" $C keyring registry "$U"
stop_mock g

# ---- refusals ----
start_mock r --refuse
U=http://127.0.0.1:$PORT
expect 1 "coyeu: registry refused (403 forbidden): officer $SERIAL is outside unit vn/mock" \
	"a refusal is printed with status, error and reason" \
	$C id register --registry "$U"
stop_mock r
start_mock r2 --refuse --refuse-reason "$(printf 'no\033[2J\302\233\aend')"
expect 1 "coyeu: registry refused (403 forbidden): no?[2J??end" \
	"a reason's control characters are not sent to the terminal" \
	$C id register --registry "http://127.0.0.1:$PORT"
stop_mock r2

# ---- cert revoke --registry ----
expect 0 "posted to $URL: 1 revocation recorded" "cert revoke posts the list" \
	$C cert revoke -k "$T/root.key" -c "$T/root.cert" --serial "$SERIAL" \
	--reason left-unit --crl "$T/root.crl" --registry "$URL"
cmp -s "$T/a/posted.crl" "$T/root.crl" && ok "the registry received the list" ||
	bad "list not received"
rm -f "$T/a/posted.crl"
expect 0 "posted to $URL" "cert revoke without --serial posts FILE again" \
	$C cert revoke -k "$T/root.key" -c "$T/root.cert" --crl "$T/root.crl" \
	--registry "$URL"
cmp -s "$T/a/posted.crl" "$T/root.crl" && ok "posted again" || bad "not again"
expect 1 "cannot reach the registry at http://127.0.0.1:1" \
	"cert revoke to a registry nobody answers" \
	$C cert revoke -k "$T/root.key" -c "$T/root.cert" --crl "$T/root.crl" \
	--registry http://127.0.0.1:1
stop_mock a

# ---- TLS: verified, --cacert ----
openssl req -x509 -newkey ed25519 -nodes -keyout "$T/tls.key" -out "$T/tls.crt" \
	-days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	>/dev/null 2>&1 || bad "openssl"
start_mock s --tls "$T/tls.crt" "$T/tls.key"
U=https://127.0.0.1:$PORT
expect 1 "cannot reach the registry at $U: " \
	"an unknown TLS certificate is refused" $C keyring registry "$U"
expect 0 "pinned on first use" "--cacert trusts it" \
	$C keyring registry "$U" --cacert "$T/tls.crt"
grep -qx "cacert $T/tls.crt" "$T/keyring/registry" && ok "cacert kept" ||
	bad "cacert: $(cat "$T/keyring/registry")"
expect 0 "registered at $U" "id register over TLS with the keyring's CA" \
	$C id register
stop_mock s

[ "$fails" -eq 0 ]
