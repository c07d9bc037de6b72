#!/bin/sh
# coyeud's authorisation (docs/coyeud.md, "Authorisation"): every refusal
# with its status and reason — no signature, a bad one, one over other
# components, a replayed nonce, created too old or in the future, an
# unknown, expired or revoked certificate, the wrong role or unit, a body
# that is not its digest, malformed JSON — the successes, and the denied
# entries the refusals of authenticated officers leave in the register,
# capped per officer.
. "${SRCDIR:-.}/tests/server/lib/pki.sh"

serve "denied_per_minute = 3"

# ---- registering chains (POST /v1/certs) ----
signed 201 "\"serial\": \"$SA\"" "an officer registers its chain" \
	POST /v1/certs --key "$T/a.key" --keyid "$SA" --str chain "$T/a.chain"
grep -qF '"role": "officer"' "$T/out" && grep -qF '"unit": "vn/hcm/a"' "$T/out" &&
	ok "... answered with its role and unit" || bad "enrol answer"
signed 200 "\"serial\": \"$SA\"" "registering the same chain again is idempotent" \
	POST /v1/certs --key "$T/a.key" --keyid "$SA" --str chain "$T/a.chain"
signed 401 "the signature does not verify" \
	"a chain posted with another officer's key" \
	POST /v1/certs --key "$T/b.key" --keyid "$SC" --str chain "$T/c.chain"
signed 401 "the request is signed by $SB, not by the chain's leaf $SC" \
	"a chain posted under another keyid" \
	POST /v1/certs --key "$T/b.key" --keyid "$SB" --str chain "$T/c.chain"
signed 401 "certificate $SOLD expired on 2020-01-02T00:00:00Z" \
	"an expired chain cannot register" \
	POST /v1/certs --key "$T/old.key" --keyid "$SOLD" --str chain "$T/old.chain"
signed 401 "the certificate chain does not verify" \
	"a chain from another root cannot register" \
	POST /v1/certs --key "$T/alien.key" --keyid "$SALIEN" --str chain \
	"$T/alien.chain"
signed 400 "malformed JSON" "a body that is not JSON" \
	POST /v1/certs --key "$T/a.key" --keyid "$SA" --raw "$T/notjson"
signed 400 'the body needs a \"chain\" string' "a body without a chain" \
	POST /v1/certs --key "$T/a.key" --keyid "$SA" --str other "$T/a.chain"
for who in b d e hcm; do
	eval serial=\$S$(echo "$who" | tr a-z A-Z)
	signed 201 "\"serial\": \"$serial\"" "$who registers" \
		POST /v1/certs --key "$T/$who.key" --keyid "$serial" \
		--str chain "$T/$who.chain"
done
# Only the serial's own chain: E's record made to hold another chain
# (a registry's store holds one chain per serial, never replaced).
sql "UPDATE records SET data = (SELECT data FROM records WHERE
	kind = 'cert' AND key = '$SD') WHERE kind = 'cert' AND key = '$SE'"
signed 409 "certificate $SE is registered with another chain" \
	"a chain for a serial registered with other bytes" \
	POST /v1/certs --key "$T/e.key" --keyid "$SE" --str chain "$T/e.chain"

# ---- the signature ----
signed 200 '"crls"' "a signed GET" GET /v1/revocations --key "$T/a.key" --keyid "$SA"
signed 401 "the request is not signed" "no signature" \
	GET /v1/revocations --unsigned
signed 401 "the signature does not verify" "a flipped signature bit" \
	GET /v1/revocations --key "$T/a.key" --keyid "$SA" --flip
signed 401 "the signature does not verify" "signed by another officer's key" \
	GET /v1/revocations --key "$T/b.key" --keyid "$SA"
signed 401 "the signature does not cover @target-uri" \
	"a signature over other components" \
	GET /v1/revocations --key "$T/a.key" --keyid "$SA" --components "@method"
signed 401 "the signature does not cover content-digest" \
	"a body the signature does not cover" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" \
	--components "@method @target-uri" --list entries "$T/a.entry"
signed 401 "the signature does not verify" "signed for another URL" \
	GET /v1/revocations --key "$T/a.key" --keyid "$SA" \
	--sign-url "$URL/v1/directory?unit=vn/hcm"
signed 401 "the signature does not verify" "signed for another method" \
	GET /v1/revocations --key "$T/a.key" --keyid "$SA" --sign-method POST
# 400-409 s: on a loaded machine (or under ASan) the request takes a while.
signed 401 "the signature was created 40" \
	"created too old" \
	GET /v1/revocations --key "$T/a.key" --keyid "$SA" --created-offset -400
signed 401 "s in the future (the window is 300 s)" "created in the future" \
	GET /v1/revocations --key "$T/a.key" --keyid "$SA" --created-offset 400
signed 401 "the body does not match its Content-Digest" \
	"a body that is not the one digested and signed" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$SA" \
	--list entries "$T/a.entry" --sign-body "$T/notjson"
signed 401 "unknown certificate $SC: register it with coyeu id register" \
	"an unregistered certificate" \
	GET /v1/revocations --key "$T/c.key" --keyid "$SC"
signed 401 "keyid nope is not a certificate serial" "a keyid that is no serial" \
	GET /v1/revocations --key "$T/a.key" --keyid nope

# ---- nonces ----
NONCE=replayednonce0123456789
signed 200 '"crls"' "a request with a nonce" \
	GET /v1/revocations --key "$T/a.key" --keyid "$SA" --nonce $NONCE
signed 401 "nonce already used" "the same request replayed" \
	GET /v1/revocations --key "$T/a.key" --keyid "$SA" --nonce $NONCE
signed 200 '"crls"' "the same nonce is another officer's own" \
	GET /v1/revocations --key "$T/b.key" --keyid "$SB" --nonce $NONCE
signed 200 "" "one signed request sent 4 times at once" \
	GET /v1/revocations --key "$T/a.key" --keyid "$SA" --parallel 4
[ "$(grep -c '^200$' "$T/out")" = 1 ] && [ "$(grep -c '^401$' "$T/out")" = 3 ] &&
	ok "... is answered once, the 3 replays refused" ||
	bad "racing replays: $(tr '\n' ' ' <"$T/out")"
signed 401 "the nonce is 5 characters (16 to 64 are taken)" "a short nonce" \
	GET /v1/revocations --key "$T/a.key" --keyid "$SA" --nonce short
# A nonce is kept until its request would be too old, then swept (every
# 10 s): one created 295 s ago expires 6 s from now.
signed 200 '"crls"' "a request created 295 s ago" \
	GET /v1/revocations --key "$T/a.key" --keyid "$SA" --created-offset -295 \
	--nonce oldnonce0123456789
nonce_kept() {
	sql "SELECT count(*) FROM records WHERE kind = 'nonce' AND key = '$SA $1'"
}
[ "$(nonce_kept oldnonce0123456789)" = 1 ] && ok "... its nonce is kept" ||
	bad "old nonce not stored"
sleep 11
signed 200 '"crls"' "a request 11 s later" \
	GET /v1/revocations --key "$T/a.key" --keyid "$SA"
[ "$(nonce_kept oldnonce0123456789)" = 0 ] &&
	ok "... sweeps the nonce that expired" || bad "expired nonce kept"
[ "$(nonce_kept $NONCE)" = 1 ] && ok "... and keeps the fresh ones" ||
	bad "fresh nonce swept"

# ---- roles and units ----
signed 403 "certificate $SA is an officer, not an authority" \
	"an officer posts a revocation list" \
	POST /v1/revocations --key "$T/a.key" --keyid "$SA" --str crl "$T/hcm-1.crl"
signed 200 "\"serial\": \"$SA\"" "the directory of a unit in scope" \
	GET "/v1/directory?unit=vn/hcm/a" --key "$T/b.key" --keyid "$SB"
grep -qF "\"serial\": \"$SB\"" "$T/out" && grep -qF '"chain": "' "$T/out" &&
	ok "... lists both officers with their chains" || bad "directory list"
signed 403 "unit vn/hn is outside this registry's scope vn/hcm" \
	"the directory of a unit outside the registry's scope" \
	GET "/v1/directory?unit=vn/hn" --key "$T/a.key" --keyid "$SA"
signed 400 "the query needs unit=" "the directory without a unit" \
	GET /v1/directory --key "$T/a.key" --keyid "$SA"

# ---- revocation lists ----
signed 201 "\"revoked\": [\"$SB\"]" "the city authority revokes an officer" \
	POST /v1/revocations --key "$T/hcm.key" --keyid "$SHCM" --str crl "$T/hcm-1.crl"
grep -qF '"receipt": "' "$T/out" && ok "... with a receipt for its entry" ||
	bad "revocation receipt"
signed 200 '"revoked": []' "the same list again changes nothing" \
	POST /v1/revocations --key "$T/hcm.key" --keyid "$SHCM" --str crl "$T/hcm-1.crl"
signed 201 "\"revoked\": [\"$SC\"]" "the next list adds one serial" \
	POST /v1/revocations --key "$T/hcm.key" --keyid "$SHCM" --str crl "$T/hcm-2.crl"
signed 409 "" "an older list after a newer one" \
	POST /v1/revocations --key "$T/hcm.key" --keyid "$SHCM" --str crl "$T/hcm-1.crl"
signed 403 "revoked by $SHCM" "a revoked officer is refused" \
	GET /v1/revocations --key "$T/b.key" --keyid "$SB"
grep -qF "reason: key-compromise" "$T/out" && ok "... with the reason" ||
	bad "revocation reason"
signed 403 "revoked by $SHCM" "a revoked chain cannot register again" \
	POST /v1/certs --key "$T/b.key" --keyid "$SB" --str chain "$T/b.chain"
signed 200 "sequence: 2" "GET /v1/revocations serves the newest list" \
	GET /v1/revocations --key "$T/a.key" --keyid "$SA"
signed 400 "the revocation list does not parse" "a list that does not parse" \
	POST /v1/revocations --key "$T/hcm.key" --keyid "$SHCM" --str crl "$T/a.chain"
signed 403 "is not an authority of your chain" \
	"a list from an authority outside the caller's chain" \
	POST /v1/revocations --key "$T/hcm.key" --keyid "$SHCM" --str crl "$T/alien.crl"

# ---- denied entries ----
denied_for() { register_entries | grep -c "^officer: $1\$"; }
[ "$(denied_for "$SA")" -eq 2 ] && ok "the officer's two refusals are denied entries" ||
	bad "denied entries of $SA: $(denied_for "$SA"), wanted 2"
[ "$(denied_for "$SB")" -eq 2 ] && ok "the revoked officer's refusals are recorded" ||
	bad "denied entries of $SB: $(denied_for "$SB"), wanted 2"
register_entries | grep -q "^reason: certificate $SA is an officer, not an authority\$" &&
	ok "... with the reason the officer was told" || bad "denied reason"
register_entries | grep -qF "route: revocations.post" &&
	ok "... and the route" || bad "denied route"
[ "$(register_entries | grep -c '^type: cert.revoke$')" -eq 2 ] &&
	ok "one cert.revoke entry per revoked serial" || bad "cert.revoke entries"
[ "$(denied_for "$SC")" -eq 0 ] &&
	ok "an unauthenticated caller leaves no denied entry" || bad "denied for $SC"
# The cap is per minute: flood within one.
while [ $(($(date +%s) % 60)) -gt 50 ]; do sleep 1; done
signed 403 "outside this registry's scope" "a flood of 8 refused requests" \
	GET "/v1/directory?unit=vn/hn" --key "$T/d.key" --keyid "$SD" --repeat 8
[ "$(grep -c '^403$' "$T/out")" -eq 8 ] && ok "... each refused" ||
	bad "flood answers: $(grep -c '^403$' "$T/out") of 8 refused"
[ "$(denied_for "$SD")" -eq 3 ] &&
	ok "a flood of refusals is capped at denied_per_minute entries" ||
	bad "flood: $(denied_for "$SD") denied entries, wanted 3"

# ---- register_public = false: the register's routes need a signature ----
stop_server
echo "register_public = false" >>"$T/c.conf"
start_server "$T/c.conf"
signed 401 "the request is not signed" \
	"register_public = false: an unsigned GET /checkpoint" \
	GET /checkpoint --unsigned
signed 401 "the request is not signed" "... an unsigned tile" \
	GET /tile/entries/000.p/1 --unsigned
signed 200 "coyeu.vn/hcm/register" "... a signed GET /checkpoint is served" \
	GET /checkpoint --key "$T/a.key" --keyid "$SA"
signed 200 '"status"' "... /healthz stays public" GET /healthz --unsigned

finish
