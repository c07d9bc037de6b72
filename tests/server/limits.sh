#!/bin/sh
# The limits: a body over body_max (413, answered before the body is
# read), headers over headers_max (431), a slow client (closed after
# timeout), too many connections (429), and SIGTERM draining a request in
# flight (its answer comes, then exit 0; new connections are refused),
# and per_ip_max (a further connection from one address is refused).
. "${SRCDIR:-.}/tests/server/lib.sh"
R="python3 $SRCDIR/tests/server/rawhttp.py"
make_authority
write_config "$T/c.conf" "body_max = 64k" "headers_max = 2k" "timeout = 2" \
	"connections_max = 3"
$D init --config "$T/c.conf" >/dev/null 2>&1 || { bad "init"; exit 1; }
start_server "$T/c.conf"
ADDR=${URL#http://}

# ---- bodies ----
head -c 70000 /dev/zero >"$T/big"
expect_http "a body over body_max" 413 'more than the 65536 allowed' \
	POST /v1/log/entries --data-binary @"$T/big" -H 'Content-Type: application/json'
grep -qi '^Connection: close' "$T/headers" && ok "413 closes the connection" ||
	bad "413 keeps the connection"
expect_http "a chunked body over body_max" 413 '"error":"too-large"' \
	POST /v1/log/entries --data-binary @"$T/big" -H 'Transfer-Encoding: chunked'
head -c 1000 /dev/zero >"$T/small"
expect_http "a body under the limit reaches the route" 405 '' \
	POST /healthz --data-binary @"$T/small"

# ---- headers ----
big=$(head -c 3000 /dev/zero | tr '\0' a)
expect_http "headers over headers_max" 431 'more than the 2048 allowed' \
	GET /healthz -H "X-Big: $big"
huge=$(head -c 40000 /dev/zero | tr '\0' a)
http GET /healthz -H "X-Huge: $huge"
[ "$STATUS" = 431 ] && ok "headers over the connection's memory: 431" ||
	bad "huge headers: $STATUS"
expect_http "headers under the limit" 200 '"status":"ok"' GET /healthz \
	-H "X-Ok: $(head -c 1000 /dev/zero | tr '\0' b)"

# ---- a slow client ----
out=$($R slow "$ADDR" 10)
case $out in
"closed after 2"|"closed after 3") ok "a slow client is closed after timeout ($out)" ;;
*) bad "slow client: $out" ;;
esac

# ---- too many connections ----
$R hold "$ADDR" 3 4 >"$T/hold" &
HOLD=$!
i=0; while [ $i -lt 50 ] && ! grep -q holding "$T/hold"; do sleep 0.1; i=$((i + 1)); done
expect_http "a connection over connections_max" 429 '"error":"too-many"' GET /healthz
wait $HOLD
sleep 0.3
expect_http "after they close, connections are served" 200 '' GET /healthz
grep -q '"status":429' "$T/server.log" && ok "429 logged" || bad "429 not logged"

# ---- SIGTERM drains ----
mkdir "$T/drain"
$R halfpost "$ADDR" "$T/drain" >"$T/drain/out" &
POST=$!
i=0; while [ $i -lt 50 ] && [ ! -e "$T/drain/ready" ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.2
kill -TERM "$SERVER_PID"
sleep 0.5
curl -s -m 2 "$URL/healthz" >/dev/null 2>&1 && bad "a new connection was served while stopping" ||
	ok "no new connections while stopping"
touch "$T/drain/go"
wait $POST
grep -q "^HTTP/1.1 405" "$T/drain/out" && ok "the request in flight is answered" ||
	{ bad "in flight: $(cat "$T/drain/out")"; cat "$T/server.log"; }
wait "$SERVER_PID"
rc=$?
SERVER_PID=
[ $rc = 0 ] && ok "SIGTERM: exit 0 after draining" || bad "exit $rc"

# ---- per_ip_max: one address cannot take every connection ----
write_config "$T/ip.conf" "per_ip_max = 2" "connections_max = 50"
start_server "$T/ip.conf"
ADDR=${URL#http://}
$R hold "$ADDR" 2 3 >"$T/hold" &
HOLD=$!
i=0; while [ $i -lt 50 ] && ! grep -q holding "$T/hold"; do sleep 0.1; i=$((i + 1)); done
code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$URL/healthz")
[ "$code" = 000 ] && ok "a third connection from one address is refused (per_ip_max = 2)" ||
	bad "per_ip_max: a third connection answered $code"
wait $HOLD
sleep 0.3
expect_http "once they close, that address is served again" 200 '' GET /healthz
stop_server
finish
