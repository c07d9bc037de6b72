#!/bin/sh
# HTTPS: with tls_cert and tls_key coyeud speaks TLS (and only TLS), its
# default url is https://; a TLS key others can read is refused.
. "${SRCDIR:-.}/tests/server/lib.sh"
make_authority
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/tls.key" -out "$T/tls.crt" -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || { bad "openssl"; exit 1; }
chmod 600 "$T/tls.key"
write_config "$T/c.conf" "tls_cert = $T/tls.crt" "tls_key = $T/tls.key"
$D init --config "$T/c.conf" >/dev/null 2>&1 || { bad "init"; exit 1; }

# start_server polls http://; here the log line is enough.
$D --config "$T/c.conf" 2>"$T/server.log" &
SERVER_PID=$!
i=0
while [ $i -lt 100 ] && ! grep -q '"msg":"listening"' "$T/server.log"; do
	sleep 0.1; i=$((i + 1))
done
addr=$(sed -n 's/.*"msg":"listening","listen":"\([^"]*\)".*/\1/p' "$T/server.log")
grep -q '"url":"https://'"$addr"'"' "$T/server.log" && ok "default url is https" ||
	bad "url: $(cat "$T/server.log")"
out=$(curl -s --cacert "$T/tls.crt" "https://$addr/healthz")
case $out in *'"status":"ok"'*) ok "healthz over TLS" ;; *) bad "TLS: $out" ;; esac
curl -s -m 3 "http://$addr/healthz" | grep -q '"status"' &&
	bad "plain HTTP answered on the TLS port" || ok "no plain HTTP on the TLS port"
stop_server
[ "$SERVER_RC" = 0 ] && ok "exit 0" || bad "exit $SERVER_RC"

chmod 644 "$T/tls.key"
$D --config "$T/c.conf" 2>"$T/server.log"
rc=$?
[ $rc = 1 ] && grep -q "cannot read tls_key" "$T/server.log" &&
	ok "a TLS key others can read is refused" || { bad "tls key mode (exit $rc)"; cat "$T/server.log"; }
finish
