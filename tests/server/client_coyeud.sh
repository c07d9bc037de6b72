#!/bin/sh
# coyeu against a real coyeud, end to end: keyring registry pins its key
# (its chain verified under the keyring's root), id register, log append
# --registry with receipts verified here and offline, an entry of another
# actor refused with the registry's reason, cert revoke --registry.
# tests/server/client.sh attacks the client's checks with a stand-in.
. "${SRCDIR:-.}/tests/server/lib.sh"
make_authority
COYEU_HOME=$T/keyring
export COYEU_HOME

$C id new --unprotected >/dev/null 2>&1 || bad "id new"
$C id request --name "Nguyễn Văn An" --unit vn/hcm/a -o "$T/an.req" \
	>/dev/null 2>&1 || bad "id request"
$C cert issue -k "$T/root.key" -c "$T/root.cert" --role officer \
	--clearance mat "$T/an.req" -o "$T/an.chain" >/dev/null 2>&1 ||
	bad "cert issue"
$C keyring init --trust "$T/root.cert" >/dev/null 2>&1 || bad "keyring init"
$C keyring add "$T/an.chain" >/dev/null 2>&1 || bad "keyring add"
AN=$(sed -n 's/^serial: //p' "$T/an.chain" | head -n 1)
# Another officer, whose entries An may not append.
$C id new --unprotected -o "$T/binh.key" >/dev/null 2>&1
$C id request -k "$T/binh.key" --name "Trần Thị Bình" --unit vn/hcm/a \
	-o "$T/binh.req" >/dev/null 2>&1
$C cert issue -k "$T/root.key" -c "$T/root.cert" --role officer \
	--clearance mat "$T/binh.req" -o "$T/binh.chain" >/dev/null 2>&1 ||
	bad "cert issue binh"
BINH=$(sed -n 's/^serial: //p' "$T/binh.chain" | head -n 1)

write_config "$T/c.conf"
$D init --config "$T/c.conf" >"$T/init.out" 2>&1 || { bad "coyeud init"; cat "$T/init.out"; }
start_server "$T/c.conf"

expect 0 "pinned on first use" "keyring registry pins coyeud's key" \
	$C keyring registry "$URL"
grep -q "^verifier key: coyeu.vn/hcm/register+" "$T/out" &&
	ok "the register's key" || bad "the key: $(cat "$T/out")"
grep -qF "certificate: verified under the pinned root; it certifies the verifier key" \
	"$T/out" && ok "coyeud's chain verified under the root, holding the key" ||
	bad "chain not verified: $(cat "$T/out")"
grep -qF "(pinned on first use, certified under the pinned root)" "$T/out" &&
	ok "the pin says it is certified" || bad "certified pin text"
expect 0 "(already pinned)" "again" $C keyring registry "$URL"

expect 0 "registered at $URL: Nguyễn Văn An, vn/hcm/a" "id register" \
	$C id register
expect 0 "registered at $URL: Trần Thị Bình" "id register with -k and -c" \
	$C id register -k "$T/binh.key" -c "$T/binh.chain"

mkdir "$T/e"
for i in 0 1 2; do
	$C log entry --type item.transition -o "$T/e/$i" actor="$AN" \
	    doc-id=$(printf %032x 7) item-id=$(printf %032x $i) \
	    register=incoming from=delivered to=received 2>"$T/err" ||
	    { bad "log entry $i"; cat "$T/err"; }
done
$C log entry --type item.transition -k "$T/binh.key" -o "$T/e/binh" \
    actor="$BINH" doc-id=$(printf %032x 7) item-id=$(printf %032x 9) \
    register=incoming from=delivered to=received 2>"$T/err" ||
    bad "log entry binh"
expect 0 "" "log append --registry to coyeud" \
	$C log append --registry "$URL" "$T/e/0" "$T/e/1" "$T/e/2"
[ "$(wc -l <"$T/out")" -eq 3 ] && ok "three lines" || bad "lines: $(cat "$T/out")"
VK=$(sed -n 's/^pin [^ ]* //p' "$T/keyring/registry")
expect 0 "" "a receipt verifies offline" \
	$C log verify-proof --verifier-key "$VK" --entry "$T/e/2" "$T/e/2.tlog-proof"
expect 1 "coyeu: registry refused (409 conflict): entry 0 is already in the register at index 0" \
	"an entry appended twice" \
	$C log append --registry "$URL" "$T/e/0"
expect 1 "coyeu: registry refused (403 forbidden): entry 0: its actor $BINH is not the caller $AN" \
	"another officer's entry is refused" \
	$C log append --registry "$URL" "$T/e/binh"
expect 0 "registered at $URL: Ban Cơ yếu" "the authority registers" \
	$C id register -k "$T/root.key" -c "$T/root.cert"
expect 0 "posted to $URL: 1 revocation recorded at index " \
	"cert revoke --registry" \
	$C cert revoke -k "$T/root.key" -c "$T/root.cert" --serial "$BINH" \
	--reason left-unit --crl "$T/root.crl" --registry "$URL"
expect 1 "coyeu: registry refused (403 forbidden): certificate 1 (serial $BINH): revoked by " \
	"a revoked officer is refused" \
	$C log append --registry "$URL" -k "$T/binh.key" -c "$T/binh.chain" \
	"$T/e/binh"
stop_server
expect 1 "coyeu: cannot reach the registry at $URL: Failed to connect" \
	"coyeud stopped" \
	$C id register

# ---- HTTPS: the certificate verified, --cacert ----
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/tls.key" -out "$T/tls.crt" -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || bad "openssl"
chmod 600 "$T/tls.key"
write_config "$T/tls.conf" "tls_cert = $T/tls.crt" "tls_key = $T/tls.key"
$D --config "$T/tls.conf" 2>"$T/server.log" &
SERVER_PID=$!
i=0
while [ $i -lt 100 ] && ! grep -q '"msg":"listening"' "$T/server.log"; do
	sleep 0.1; i=$((i + 1))
done
TLSURL=https://$(sed -n 's/.*"msg":"listening","listen":"\([^"]*\)".*/\1/p' \
    "$T/server.log")
expect 1 "cannot reach the registry at $TLSURL: " \
	"coyeud's certificate is not trusted without --cacert" \
	$C keyring registry "$TLSURL"
expect 0 "verifier key: $VK (pinned on first use" \
	"keyring registry over HTTPS with --cacert" \
	$C keyring registry "$TLSURL" --cacert "$T/tls.crt"
$C log entry --type item.transition -o "$T/e/3" actor="$AN" \
    doc-id=$(printf %032x 7) item-id=$(printf %032x 3) register=incoming \
    from=delivered to=received 2>/dev/null || bad "log entry 3"
expect 0 "$T/e/3" "log append over HTTPS (the keyring's registry and CA)" \
	$C --registry "$TLSURL" log append "$T/e/3"
stop_server
finish
