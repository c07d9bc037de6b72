#!/bin/sh
# coyeud's authorisation (docs/coyeud.md, "Authorisation"): every refusal
# with its status and reason — no signature, a bad one, one over other
# components, a replayed nonce, created too old or in the future, an
# unknown, expired or revoked certificate, the wrong role or unit, a body
# that is not its digest, malformed JSON — the successes, and the denied
# entries the refusals of authenticated officers leave in the register,
# capped per officer.
. "${SRCDIR:-.}/tests/server/lib/pki.sh"

serve denied_per_minute=3

# ---- registering chains (POST /v1/certs) ----
http 201 "\"serial\": \"$A\"" "an officer registers its chain" \
	POST /v1/certs --key "$T/a.key" --keyid "$A" --str chain "$T/a.chain"
grep -qF '"role": "officer"' "$T/out" && grep -qF '"unit": "vn/hcm/a"' "$T/out" &&
	ok "... answered with its role and unit" || bad "enrol answer"
http 200 "\"serial\": \"$A\"" "registering the same chain again is idempotent" \
	POST /v1/certs --key "$T/a.key" --keyid "$A" --str chain "$T/a.chain"
http 401 "the signature does not verify" \
	"a chain posted with another officer's key" \
	POST /v1/certs --key "$T/b.key" --keyid "$C" --str chain "$T/c.chain"
http 401 "the request is signed by $B, not by the chain's leaf $C" \
	"a chain posted under another keyid" \
	POST /v1/certs --key "$T/b.key" --keyid "$B" --str chain "$T/c.chain"
http 401 "certificate $OLD expired on 2020-01-02T00:00:00Z" \
	"an expired chain cannot register" \
	POST /v1/certs --key "$T/old.key" --keyid "$OLD" --str chain "$T/old.chain"
http 401 "the certificate chain does not verify" \
	"a chain from another root cannot register" \
	POST /v1/certs --key "$T/alien.key" --keyid "$ALIEN" --str chain \
	"$T/alien.chain"
http 400 "malformed JSON" "a body that is not JSON" \
	POST /v1/certs --key "$T/a.key" --keyid "$A" --raw "$T/notjson"
http 400 'the body needs a "chain" string' "a body without a chain" \
	POST /v1/certs --key "$T/a.key" --keyid "$A" --str other "$T/a.chain"
for who in b d hcm; do
	eval serial=\$$(echo "$who" | tr a-z A-Z)
	http 201 "\"serial\": \"$serial\"" "$who registers" \
		POST /v1/certs --key "$T/$who.key" --keyid "$serial" \
		--str chain "$T/$who.chain"
done

# ---- the signature ----
http 200 '"crls"' "a signed GET" GET /v1/revocations --key "$T/a.key" --keyid "$A"
http 401 "the request is not signed" "no signature" \
	GET /v1/revocations --unsigned
http 401 "the signature does not verify" "a flipped signature bit" \
	GET /v1/revocations --key "$T/a.key" --keyid "$A" --flip
http 401 "the signature does not verify" "signed by another officer's key" \
	GET /v1/revocations --key "$T/b.key" --keyid "$A"
http 401 "the signature does not cover @target-uri" \
	"a signature over other components" \
	GET /v1/revocations --key "$T/a.key" --keyid "$A" --components "@method"
http 401 "the signature does not cover content-digest" \
	"a body the signature does not cover" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$A" \
	--components "@method @target-uri" --list entries "$T/a.entry"
http 401 "the signature does not verify" "signed for another URL" \
	GET /v1/revocations --key "$T/a.key" --keyid "$A" \
	--sign-url "$URL/v1/directory?unit=vn/hcm"
http 401 "the signature does not verify" "signed for another method" \
	GET /v1/revocations --key "$T/a.key" --keyid "$A" --sign-method POST
http 401 "the signature was created 400 s ago (the window is 300 s)" \
	"created too old" \
	GET /v1/revocations --key "$T/a.key" --keyid "$A" --created-offset -400
http 401 "s in the future (the window is 300 s)" "created in the future" \
	GET /v1/revocations --key "$T/a.key" --keyid "$A" --created-offset 400
http 401 "the body does not match its Content-Digest" \
	"a body that is not the one digested and signed" \
	POST /v1/log/entries --key "$T/a.key" --keyid "$A" \
	--list entries "$T/a.entry" --sign-body "$T/notjson"
http 401 "unknown certificate $C: register it with coyeu id register" \
	"an unregistered certificate" \
	GET /v1/revocations --key "$T/c.key" --keyid "$C"
http 401 "keyid nope is not a certificate serial" "a keyid that is no serial" \
	GET /v1/revocations --key "$T/a.key" --keyid nope

# ---- nonces ----
NONCE=replayednonce0123456789
http 200 '"crls"' "a request with a nonce" \
	GET /v1/revocations --key "$T/a.key" --keyid "$A" --nonce $NONCE
http 401 "nonce already used" "the same request replayed" \
	GET /v1/revocations --key "$T/a.key" --keyid "$A" --nonce $NONCE
http 200 '"crls"' "the same nonce is another officer's own" \
	GET /v1/revocations --key "$T/b.key" --keyid "$B" --nonce $NONCE
http 401 "the nonce is 5 characters (16 to 64 are taken)" "a short nonce" \
	GET /v1/revocations --key "$T/a.key" --keyid "$A" --nonce short

# ---- roles and units ----
http 403 "certificate $A is an officer, not an authority" \
	"an officer posts a revocation list" \
	POST /v1/revocations --key "$T/a.key" --keyid "$A" --str crl "$T/hcm-1.crl"
http 200 "\"serial\": \"$A\"" "the directory of a unit in scope" \
	GET "/v1/directory?unit=vn/hcm/a" --key "$T/b.key" --keyid "$B"
grep -qF "\"serial\": \"$B\"" "$T/out" && grep -qF '"chain": "' "$T/out" &&
	ok "... lists both officers with their chains" || bad "directory list"
http 403 "unit vn/hn is outside this registry's scope vn/hcm" \
	"the directory of a unit outside the registry's scope" \
	GET "/v1/directory?unit=vn/hn" --key "$T/a.key" --keyid "$A"
http 400 "the query needs unit=" "the directory without a unit" \
	GET /v1/directory --key "$T/a.key" --keyid "$A"

# ---- revocation lists ----
http 201 "\"revoked\": [\"$B\"]" "the city authority revokes an officer" \
	POST /v1/revocations --key "$T/hcm.key" --keyid "$HCM" --str crl "$T/hcm-1.crl"
grep -qF '"receipt": "' "$T/out" && ok "... with a receipt for its entry" ||
	bad "revocation receipt"
http 200 '"revoked": []' "the same list again changes nothing" \
	POST /v1/revocations --key "$T/hcm.key" --keyid "$HCM" --str crl "$T/hcm-1.crl"
http 201 "\"revoked\": [\"$C\"]" "the next list adds one serial" \
	POST /v1/revocations --key "$T/hcm.key" --keyid "$HCM" --str crl "$T/hcm-2.crl"
http 409 "" "an older list after a newer one" \
	POST /v1/revocations --key "$T/hcm.key" --keyid "$HCM" --str crl "$T/hcm-1.crl"
http 403 "revoked by $HCM" "a revoked officer is refused" \
	GET /v1/revocations --key "$T/b.key" --keyid "$B"
grep -qF "reason: key-compromise" "$T/out" && ok "... with the reason" ||
	bad "revocation reason"
http 200 "sequence: 2" "GET /v1/revocations serves the newest list" \
	GET /v1/revocations --key "$T/a.key" --keyid "$A"
http 400 "the revocation list does not parse" "a list that does not parse" \
	POST /v1/revocations --key "$T/hcm.key" --keyid "$HCM" --str crl "$T/a.chain"
http 403 "is not an authority of your chain" \
	"a list from an authority outside the caller's chain" \
	POST /v1/revocations --key "$T/hcm.key" --keyid "$HCM" --str crl "$T/alien.crl"

# ---- denied entries ----
denied_for() { register_entries | grep -c "^officer: $1\$"; }
[ "$(denied_for "$A")" -eq 2 ] && ok "the officer's two refusals are denied entries" ||
	bad "denied entries of $A: $(denied_for "$A"), wanted 2"
[ "$(denied_for "$B")" -eq 1 ] && ok "the revoked officer's refusal is recorded" ||
	bad "denied entries of $B: $(denied_for "$B"), wanted 1"
register_entries | grep -q "^reason: certificate $A is an officer, not an authority\$" &&
	ok "... with the reason the officer was told" || bad "denied reason"
register_entries | grep -qF "route: revocations.post" &&
	ok "... and the route" || bad "denied route"
[ "$(register_entries | grep -c '^type: cert.revoke$')" -eq 2 ] &&
	ok "one cert.revoke entry per revoked serial" || bad "cert.revoke entries"
[ "$(denied_for "$C")" -eq 0 ] &&
	ok "an unauthenticated caller leaves no denied entry" || bad "denied for $C"
# The cap is per minute: flood within one.
while [ $(($(date +%s) % 60)) -gt 50 ]; do sleep 1; done
i=0
while [ $i -lt 8 ]; do
	http 403 "outside this registry's scope" "flood $i" \
		GET "/v1/directory?unit=vn/hn" --key "$T/d.key" --keyid "$D" >/dev/null
	i=$((i + 1))
done
[ "$(denied_for "$D")" -eq 3 ] &&
	ok "a flood of refusals is capped at denied_per_minute entries" ||
	bad "flood: $(denied_for "$D") denied entries, wanted 3"

finish
