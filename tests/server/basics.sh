#!/bin/sh
# coyeud init and serve: help, version, /healthz, /metrics, the route
# table's 404 and 405, /v1/registry, SIGTERM.
. "${SRCDIR:-.}/tests/server/lib.sh"
make_authority

expect 0 "usage: coyeud" "--help" $D --help
expect 0 "coyeud " "--version" $D --version
expect 2 "give --config FILE" "no config" $D
write_config "$T/c.conf"
expect 0 "origin: coyeu.vn/hcm/register" "init creates the register" \
	$D init --config "$T/c.conf"
expect 1 "an existing one is never taken over" "init again is refused" \
	$D init --config "$T/c.conf"

start_server "$T/c.conf"
expect_http "healthz" 200 '{"status":"ok","size":0}' GET /healthz
grep -q '^Content-Type: application/json' "$T/headers" &&
	ok "healthz is JSON" || bad "healthz content type"
grep -qi '^X-Request-Id: [0-9a-f]\{16\}' "$T/headers" &&
	ok "answers carry a request id" || bad "no request id"
expect_http "unknown route" 404 '"error":"not-found"' GET /nope
expect_http "wrong method" 405 '"error":"method-not-allowed"' POST /healthz
expect_http "registry" 200 '"origin":"coyeu.vn/hcm/register"' GET /v1/registry
grep -q '"verifier_key":"coyeu.vn/hcm/register+' "$T/body" &&
	ok "registry names its verifier key" || bad "registry verifier key"
expect_http "metrics" 200 'coyeud_requests_total{route="healthz",status="200"}' \
	GET /metrics
grep -q '^coyeud_register_size 0$' "$T/body" && ok "metrics: register size" ||
	bad "metrics: register size"
grep -q 'coyeud_request_duration_seconds_bucket{le="+Inf"}' "$T/body" &&
	ok "metrics: latency histogram" || bad "metrics: latency histogram"
grep -q 'coyeud_requests_total{route="none",status="404"} 1' "$T/body" &&
	ok "metrics: the 404 counted" || bad "metrics: the 404"
grep -q '^coyeud_store_errors_total 0$' "$T/body" &&
	ok "metrics: store errors" || bad "metrics: store errors"
grep -q '"msg":"request".*"path":"/nope".*"status":404' "$T/server.log" &&
	ok "one JSON log line per request" || bad "request log line"
grep -q '"path":"/nope".*"error":"not-found","reason":"no route /nope"' \
    "$T/server.log" && ok "the log line gives the refusal's reason" ||
	bad "no reason in the log line"
stop_server
[ "$SERVER_RC" = 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM exit $SERVER_RC"
grep -q '"msg":"stopped"' "$T/server.log" && ok "logs stopped" ||
	bad "no stopped line"
grep -q '"threads":"per-connection"' "$T/server.log" &&
	ok "threads = 0: a thread per connection" || bad "threading mode"

# ---- a thread pool ----
write_config "$T/pool.conf" "threads = 3"
start_server "$T/pool.conf"
grep -q '"threads":"3"' "$T/server.log" && ok "threads = 3: a pool" ||
	bad "pool not started"
i=0; pids=
while [ $i -lt 20 ]; do
	curl -s -o /dev/null "$URL/healthz" &
	pids="$pids $!"
	i=$((i + 1))
done
wait $pids
expect_http "healthz on the pool after 20 at once" 200 '"status":"ok"' GET /healthz
http HEAD /healthz -I
[ "$STATUS" = 200 ] && ! grep -q status "$T/body" && ok "HEAD: the GET route, no body" ||
	bad "HEAD /healthz: $STATUS"
kill -INT "$SERVER_PID"
wait "$SERVER_PID"
rc=$?
SERVER_PID=
[ $rc = 0 ] && ok "pool: SIGINT exit 0" || bad "pool: SIGINT exit $rc"
finish
