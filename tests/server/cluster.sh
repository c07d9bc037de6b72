#!/bin/sh
# Two coyeud nodes on one PostgreSQL database serve one register
# (docs/coyeud.md, "Several nodes"):
#   - an officer registered through node A is known to node B;
#   - officers append through both nodes at once (bench/load, every
#     acknowledged index and entry hash written down): every acknowledged
#     entry is at its index whichever node is asked, the acknowledged
#     indexes are distinct and fill the new part of the register without a
#     gap, the register grew by exactly what was acknowledged;
#   - every distinct checkpoint either node served during the load is
#     consistent with every other (GET /v1/log/consistency from either
#     node, `coyeu log verify-consistency` on the two collected notes), two
#     of one size have one root;
#   - a nonce used on node A is refused on node B (401 "nonce already used");
#   - a revocation list posted through node A refuses the revoked officer on
#     node B once its chain cache (1 s) lapses.
# Runs under tests/with-pg.sh when COYEU_PG_DSN is unset; skipped without
# PostgreSQL, failing when CI=true.
#
#   sh tests/server/cluster.sh          (COYEU, COYEUD, LOAD override)
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
if [ -z "${COYEU_PG_DSN:-}" ] && [ -z "${CLUSTER_PG_TRIED:-}" ] &&
    [ -f "$top/tests/with-pg.sh" ]; then
	CLUSTER_PG_TRIED=1 exec sh "$top/tests/with-pg.sh" sh "$0" "$@"
fi
if [ -z "${COYEU_PG_DSN:-}" ]; then
	if [ "${CI:-}" = true ]; then
		echo "FAIL no PostgreSQL cluster (required when CI=true)"
		exit 1
	fi
	echo "SKIP two nodes need PostgreSQL (tests/with-pg.sh found none)"
	exit 0
fi
SRCDIR=${SRCDIR:-$top}
LOAD=${LOAD:-$(dirname "$COYEUD")/load}
[ -x "$LOAD" ] || { echo "FAIL no $LOAD (make $(dirname "$COYEUD")/load)"; exit 1; }
. "$SRCDIR/tests/server/lib/pki.sh"
A_PID= B_PID= SAMPLER=
trap '[ -z "$SAMPLER" ] || kill "$SAMPLER" 2>/dev/null; stop_named A;
    stop_named B; rm -rf "$T"' EXIT
START=$(date +%s)
note() { echo "     [$(($(date +%s) - START)) s] $*"; }

# ---- one database, `coyeud init` once, two nodes ----
PGDB=cluster_$(basename "$T" | tr -dc 'a-zA-Z0-9' | tr A-Z a-z)
psql "$COYEU_PG_DSN" -qAtc "CREATE DATABASE $PGDB" ||
    { bad "create the database"; exit 1; }
pghost=$(echo "$COYEU_PG_DSN" | sed -n 's/.*host=\([^ ]*\).*/\1/p')
for node in a b; do
	write_config "$T/$node.conf" "db = postgresql://postgres@/$PGDB?host=$pghost"
done
$D init --config "$T/a.conf" >"$T/init.out" 2>&1 ||
    { bad "coyeud init"; cat "$T/init.out"; exit 1; }
start_named A "$T/a.conf"
start_named B "$T/b.conf"
[ "$A_URL" != "$B_URL" ] && ok "nodes A and B listen on $A_URL and $B_URL" ||
    { bad "two nodes"; exit 1; }

# on NODE STATUS TEXT DESC METHOD PATH [httpsig.py options…]: signed, to NODE.
on() {
	eval "URL=\$$1_URL"
	shift
	signed "$@"
}

# ---- records: an officer registered through A is known to B ----
on B 401 "unknown certificate $SA: register it with coyeu id register" \
    "B does not know officer A before it registers" \
    GET /v1/revocations --key "$T/a.key" --keyid "$SA"
on A 201 "\"serial\": \"$SA\"" "officer A registers through node A" \
    POST /v1/certs --key "$T/a.key" --keyid "$SA" --str chain "$T/a.chain"
on B 200 "\"serial\": \"$SA\"" "... node B has its chain (registering again is idempotent)" \
    POST /v1/certs --key "$T/a.key" --keyid "$SA" --str chain "$T/a.chain"
on B 200 '"crls"' "... and authenticates it" \
    GET /v1/revocations --key "$T/a.key" --keyid "$SA"

# ---- nonces: one used on A is refused on B (and the other way) ----
on A 200 '"crls"' "a request with a nonce on node A" \
    GET /v1/revocations --key "$T/a.key" --keyid "$SA" --nonce clusternonce0123456789
on B 401 "nonce already used" "the same nonce replayed on node B" \
    GET /v1/revocations --key "$T/a.key" --keyid "$SA" --nonce clusternonce0123456789
on B 200 '"crls"' "a request with a nonce on node B" \
    GET /v1/revocations --key "$T/a.key" --keyid "$SA" --nonce clusternonce9876543210
on A 401 "nonce already used" "the same nonce replayed on node A" \
    GET /v1/revocations --key "$T/a.key" --keyid "$SA" --nonce clusternonce9876543210
# One nonce sent to both nodes at once, three times: one 200 and one 401
# each time (the store's insert decides).
races= once=0
for r in 1 2 3; do
	pids=
	for node in A B; do
		eval "url=\$${node}_URL"
		$SIGN --key "$T/a.key" --keyid "$SA" --nonce "clusterrace${r}0123456789" \
		    GET "$url/v1/revocations" >"$T/race.$node" 2>&1 &
		pids="$pids $!"
	done
	wait $pids
	a=$(head -n 1 "$T/race.A") b=$(head -n 1 "$T/race.B")
	races="$races $a/$b"
	[ "$(printf '%s\n' "$a" "$b" | sort | tr '\n' ' ')" = "200 401 " ] &&
	    grep -qF "nonce already used" "$T/race.A" "$T/race.B" &&
	    once=$((once + 1))
done
[ "$once" = 3 ] &&
    ok "one nonce sent to both nodes at once is answered once (A/B:$races)" ||
    bad "one nonce sent to both nodes at once (A/B:$races)"

# ---- appends through both nodes at once ----
# Officers D and E register through node A (bench/load --register); both
# load runs sign as A, D and E, one through each node.
mkdir -p "$T/keys"
i=0
for who in a d e; do
	cp "$T/$who.key" "$T/keys/$i.key"
	cp "$T/$who.chain" "$T/keys/$i.chain"
	i=$((i + 1))
done
"$LOAD" --url "$A_URL" --keys "$T/keys" --clients 3 --seconds 0 --register \
    >"$T/register.out" 2>&1 && ok "officers D and E register through node A" ||
    { bad "load --register"; cat "$T/register.out"; }
size() { curl -fs "$1/checkpoint" | sed -n 2p; }
BEFORE=$(size "$A_URL")

note "setup done"
# keep_checkpoint NODE: its checkpoint kept as $T/cps/SIZE.NODE.N unless
# the same one is.
keep_checkpoint() {
	eval "url=\$${1}_URL"
	curl -fs "$url/checkpoint" -o "$T/cp.$1" 2>/dev/null || return 0
	s=$(sed -n 2p "$T/cp.$1")
	for f in "$T"/cps/"$s.$1".*; do
		[ -e "$f" ] && cmp -s "$f" "$T/cp.$1" && return 0
	done
	mv "$T/cp.$1" "$T/cps/$s.$1.$(ls "$T/cps" | wc -l)"
}
# Each node's checkpoints during the load, up to 12 a node (the pairs
# checked grow as their square).
mkdir -p "$T/cps"
sample_checkpoints() {
	while :; do
		for node in A B; do
			[ "$(ls "$T/cps" | grep -c "\.$node\.")" -lt 12 ] ||
			    continue
			keep_checkpoint $node
		done
		sleep 0.2
	done
}
sample_checkpoints &
SAMPLER=$!
for node in A B; do
	eval "url=\$${node}_URL"
	"$LOAD" --url "$url" --keys "$T/keys" --clients 3 --threads 1 \
	    --seconds 2 --acks "$T/$node.acks" >"$T/$node.load" 2>&1 &
	eval "${node}_LOAD=\$!"
done
wait "$A_LOAD" && wait "$B_LOAD" || bad "a load run failed"
kill "$SAMPLER"
wait "$SAMPLER" 2>/dev/null
SAMPLER=
keep_checkpoint A # the latest: one size from both nodes
keep_checkpoint B
note "load done"
for node in A B; do
	if awk '$1 ~ /^status_/ && $1 != "status_200" && $2 > 0 { e = 1 }
	    $1 == "status_200" && $2 > 0 { s = 1 } END { exit !(s && !e) }' \
	    "$T/$node.load"; then
		ok "appends through node $node: $(awk '$1 == "appends" { print $2 }' \
		    "$T/$node.load") acknowledged, no error"
	else
		bad "the load through node $node"
		cat "$T/$node.load"
	fi
done

# Both nodes answer the same size, grown by exactly what was acknowledged,
# with the acknowledged indexes distinct and filling BEFORE … AFTER-1.
AFTER=$(size "$A_URL")
[ "$(size "$B_URL")" = "$AFTER" ] && ok "both nodes serve size $AFTER" ||
    bad "node A serves size $AFTER, node B $(size "$B_URL")"
cat "$T/A.acks" "$T/B.acks" | cut -d ' ' -f 1 | sort -n >"$T/indexes"
acked=$(wc -l <"$T/indexes")
dup=$(uniq -d "$T/indexes" | head -n 3 | tr '\n' ' ')
[ -z "$dup" ] && ok "the $acked acknowledged indexes are distinct" ||
    bad "indexes acknowledged twice: $dup"
[ "$((AFTER - BEFORE))" = "$acked" ] &&
    ok "the register grew by what was acknowledged ($BEFORE -> $AFTER)" ||
    bad "the register grew by $((AFTER - BEFORE)), $acked acknowledged"
seq "$BEFORE" "$((AFTER - 1))" | cmp -s - "$T/indexes" &&
    ok "... at indexes $BEFORE … $((AFTER - 1)), no gap" ||
    bad "the acknowledged indexes are not $BEFORE … $((AFTER - 1))"
# Each run's entries read back through the other node.
for pair in "A B" "B A"; do
	set -- $pair
	eval "url=\$${2}_URL"
	"$LOAD" --url "$url" --check "$T/$1.acks" >"$T/check.out" 2>&1 &&
	    ok "the entries acknowledged by node $1 are at their index on node $2 ($(tail -n 1 "$T/check.out"))" ||
	    { bad "entries acknowledged by node $1, read on node $2"; cat "$T/check.out"; }
done

note "acks checked"
# ---- every pair of collected checkpoints is consistent ----
VKEY=$(curl -fs "$A_URL/v1/registry" | jq -er .verifier_key) ||
    bad "GET /v1/registry gives no verifier_key"
[ "$(curl -fs "$B_URL/v1/registry" | jq -er .verifier_key)" = "$VKEY" ] &&
    ok "both nodes serve one verifier key" || bad "the nodes' verifier keys differ"
ls "$T/cps" | sort -t . -k 1,1n >"$T/cplist"
sizes=$(cut -d . -f 1 "$T/cplist" | uniq | wc -l)
grep -q '\.A\.' "$T/cplist" && grep -q '\.B\.' "$T/cplist" &&
    [ "$sizes" -ge 3 ] &&
    ok "$(wc -l <"$T/cplist") distinct checkpoints of $sizes sizes from both nodes" ||
    bad "too few checkpoints collected: $(tr '\n' ' ' <"$T/cplist")"
roots=0 proofs=0 wrong=0 k=0
set -f # the URLs below hold '?'
while read -r old; do
	os=${old%%.*}
	# Its proofs to every larger size collected, in one run of curl and
	# of jq ("NEW HASH…" lines), asked of node A and node B in turn.
	urls=
	for ns in $(cut -d . -f 1 "$T/cplist" | uniq); do
		[ "$ns" -gt "$os" ] && [ "$os" -gt 0 ] || continue
		if [ $((k % 2)) = 0 ]; then url=$A_URL; else url=$B_URL; fi
		k=$((k + 1))
		urls="$urls $url/v1/log/consistency?old=$os&new=$ns"
	done
	: >"$T/proofs"
	[ -z "$urls" ] || curl -fs $urls |
	    jq -r '"\(.new) \(.proof | join(" "))"' >"$T/proofs"
	while read -r new; do
		ns=${new%%.*}
		[ "$ns" -ge "$os" ] && [ "$old" != "$new" ] || continue
		if [ "$ns" = "$os" ]; then
			# One size, one tree: the same root (each pair seen
			# both ways).
			[ "$(sed -n 3p "$T/cps/$old")" = "$(sed -n 3p "$T/cps/$new")" ] ||
			    { wrong=$((wrong + 1)); echo "FAIL $old and $new: two roots at size $os"; }
			roots=$((roots + 1))
			continue
		fi
		[ "$os" -gt 0 ] || continue
		line=$(grep "^$ns " "$T/proofs") || {
			wrong=$((wrong + 1))
			echo "FAIL no consistency proof from $os to $ns"
			continue
		}
		printf '%s\n' ${line#* } >"$T/proof"
		if $C log verify-consistency --verifier-key "$VKEY" "$T/cps/$old" \
		    "$T/cps/$new" "$T/proof" >"$T/verify.out" 2>&1; then
			proofs=$((proofs + 1))
		else
			wrong=$((wrong + 1))
			echo "FAIL $old is not consistent with $new: $(cat "$T/verify.out")"
		fi
	done <"$T/cplist"
done <"$T/cplist"
set +f
[ "$wrong" = 0 ] && [ "$proofs" -gt 0 ] && [ "$roots" -gt 0 ] &&
    ok "every pair is consistent: $proofs proofs verified, $((roots / 2)) same-size pairs with one root" ||
    bad "$wrong inconsistent checkpoint pairs"
# The check is no formality: the proof of the smallest size to the second
# largest does not carry it to the largest.
first=$(grep -v '^0\.' "$T/cplist" | head -n 1)
last=$(tail -n 1 "$T/cplist")
second=$(cut -d . -f 1 "$T/cplist" | uniq | tail -n 2 | head -n 1)
curl -fs "$B_URL/v1/log/consistency?old=${first%%.*}&new=$second" |
    jq -r '.proof[]' >"$T/proof"
expect 1 "not consistent" "a proof to size $second does not verify against the checkpoint of size ${last%%.*}" \
    $C log verify-consistency --verifier-key "$VKEY" "$T/cps/$first" \
    "$T/cps/$last" "$T/proof"
note "checkpoints checked"

# ---- revocation: a list posted through A refuses on B ----
on A 201 "\"serial\": \"$SB\"" "officer B registers through node A" \
    POST /v1/certs --key "$T/b.key" --keyid "$SB" --str chain "$T/b.chain"
on A 201 "\"serial\": \"$SHCM\"" "the city authority registers through node A" \
    POST /v1/certs --key "$T/hcm.key" --keyid "$SHCM" --str chain "$T/hcm.chain"
on B 200 '"crls"' "node B authenticates officer B (and keeps its chain 1 s)" \
    GET /v1/revocations --key "$T/b.key" --keyid "$SB"
on A 201 "\"revoked\": [\"$SB\"]" "the city authority revokes B through node A" \
    POST /v1/revocations --key "$T/hcm.key" --keyid "$SHCM" --str crl "$T/hcm-1.crl"
sleep 1.5
on B 403 "revoked by $SHCM" "1.5 s later node B refuses officer B" \
    GET /v1/revocations --key "$T/b.key" --keyid "$SB"
on B 200 "sequence: 1" "... and serves the list" \
    GET /v1/revocations --key "$T/a.key" --keyid "$SA"
on B 403 "revoked by $SHCM" "... and refuses B's appends" \
    POST /v1/log/entries --key "$T/b.key" --keyid "$SB" --list entries "$T/a.entry"

for node in A B; do
	eval "pid=\$${node}_PID"
	kill -0 "$pid" 2>/dev/null && ok "node $node is still running" ||
	    bad "node $node exited: $(tail -n 5 "$T/$node.log")"
done
note "done"
finish
