#!/bin/sh
# The register served: /checkpoint and every tile byte for byte as
# `coyeu log export-tiles` writes them, a mirror of the served tiles that
# `coyeu log verify-tiles` accepts, /v1/log/proof receipts that `coyeu log
# verify-proof` accepts, /v1/log/consistency as `coyeu log consistency`,
# the cache headers, and the refused tile and query forms (traversal,
# encoded, non-canonical, beyond the tree).
. "${SRCDIR:-.}/tests/server/lib.sh"
sqlite_only
make_authority
write_config "$T/c.conf"
$D init --config "$T/c.conf" >"$T/init.out" 2>&1 || { bad "init"; cat "$T/init.out"; exit 1; }
VK=$(sed -n 's/^verifier key: //p' "$T/init.out")
DB=$T/reg.db
ACTOR=0123456789abcdef0123456789abcdef
DOC=fedcba9876543210fedcba9876543210

# entries FROM TO: release entries FROM..TO-1 signed by an officer key.
$C id new --unprotected -o "$T/off.key" >/dev/null 2>&1
mkdir "$T/e"
entries() {
	i=$1
	while [ $i -lt $2 ]; do
		$C log entry --type release -k "$T/off.key" -o "$T/e/$i" \
		    actor=$ACTOR doc-id=$DOC copy-id=$(printf %032x $i) \
		    recipient=$ACTOR request-sha256=$(printf %064x $i) ||
		    { bad "log entry $i"; exit 1; }
		i=$((i + 1))
	done
}
# The CLI appends beside the server, with the same key as a note key.
python3 "$SRCDIR/tests/server/notekey.py" "$T/reg.key" coyeu.vn/hcm/register \
    >"$T/note.key" && chmod 600 "$T/note.key" || { bad "note key"; exit 1; }
append() {
	$C log append --key "$T/note.key" --no-receipts "$DB" "$@" >/dev/null ||
	    { bad "log append"; exit 1; }
}

start_server "$T/c.conf"
expect_http "checkpoint of the empty register" 200 "coyeu.vn/hcm/register" \
	GET /checkpoint
grep -qi '^Cache-Control: no-cache' "$T/headers" &&
	ok "checkpoint: Cache-Control no-cache" || bad "checkpoint cache header"

entries 0 300
append $(i=0; while [ $i -lt 3 ]; do echo "$T/e/$i"; i=$((i + 1)); done)
append $(i=3; while [ $i -lt 300 ]; do echo "$T/e/$i"; i=$((i + 1)); done)
expect_http "healthz sees the appends" 200 '"size":300' GET /healthz

# ---- tiles and checkpoint, byte for byte ----
$C log export-tiles "$DB" "$T/tiles" >/dev/null || bad "export-tiles"
n=0; diff=0
for f in $(cd "$T/tiles" && find tile -type f | sort); do
	http GET "/$f"
	n=$((n + 1))
	if [ "$STATUS" != 200 ] || ! cmp -s "$T/body" "$T/tiles/$f"; then
		diff=$((diff + 1)); echo "differs: $f ($STATUS)"
	fi
	mkdir -p "$T/mirror/$(dirname "$f")"
	cp "$T/body" "$T/mirror/$f"
done
[ $n -ge 5 ] && [ $diff -eq 0 ] && ok "$n tiles served as export-tiles writes them" ||
	bad "tiles differ ($diff of $n)"
http GET /checkpoint
cmp -s "$T/body" "$T/tiles/checkpoint" && ok "checkpoint as export-tiles" ||
	bad "checkpoint differs"
cp "$T/body" "$T/mirror/checkpoint"
expect 0 "" "verify-tiles accepts the served tiles" \
	$C log verify-tiles --verifier-key "$VK" "$T/mirror"
http GET /tile/0/001.p/44
[ "$STATUS" = 200 ] && [ "$(wc -c <"$T/body")" = $((44 * 32)) ] &&
	ok "partial tile 0/001.p/44" || bad "partial tile ($STATUS)"
grep -qi '^Cache-Control: public, max-age=31536000, immutable' "$T/headers" &&
	ok "tiles: immutable" || bad "tile cache header"
grep -qi '^Content-Type: application/octet-stream' "$T/headers" &&
	ok "tiles: octet-stream" || bad "tile content type"
http GET /tile/0/001.p/20
cmp -s "$T/body" "$T/tiles/tile/0/001.p/44" && bad "p/20 equals p/44" ||
	{ head -c 640 "$T/tiles/tile/0/001.p/44" | cmp -s - "$T/body" &&
	ok "a narrower partial is the prefix" || bad "partial prefix"; }
http GET /tile/entries/001.p/3
[ "$STATUS" = 200 ] && ok "entry bundle partial" || bad "entry bundle partial ($STATUS)"

# ---- refused tile paths ----
for p in /tile/0/001.p/45 /tile/0/002 /tile/1/001 /tile/0/x000/001 \
    /tile/0/1 /tile/0/0001 /tile/00/000 /tile/8/000 /tile/0/000.p/0 \
    /tile/0/000.p/256 /tile/0/000.p/07 /tile/0/000.p/ /tile/0/000/ \
    /tile/entries/002 /tile/entries/001.p/45 /tile/x/000 /tile/ \
    /tile/0/-01 /tile/0/000.q/3; do
	expect_http "tile $p is not there" 404 '"error":"not-found"' GET "$p"
done
for p in /tile/0/../0/000 /tile/0/./000 /tile//0/000 /tile/0/%2e%2e/000 \
    /tile/0/%2E%2e/000 /tile/%2f0/000 /tile/0%2F000 /tile/0/000%00 \
    '/tile/0/..%2f..%2fetc/passwd' /tile/.. ; do
	expect_http "traversal $p" 400 '"error":"bad-request"' GET "$p" --path-as-is
done

# ---- proofs ----
expect_http "proof of entry 5" 200 '"index":5,"size":300' GET '/v1/log/proof?index=5'
python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["receipt"])' \
    "$T/body" >"$T/5.proof"
expect 0 "" "verify-proof accepts the receipt" \
	$C log verify-proof --verifier-key "$VK" --entry "$T/e/5" "$T/5.proof"
expect 1 "" "the receipt is not entry 6's" \
	$C log verify-proof --verifier-key "$VK" --entry "$T/e/6" "$T/5.proof"
expect_http "proof at an older size" 200 '"index":1,"size":3' \
	GET '/v1/log/proof?index=1&size=3'
expect_http "proof needs index" 400 'give index=N' GET /v1/log/proof
expect_http "proof: index not a number" 400 'index must be a decimal number' \
	GET '/v1/log/proof?index=1x'
expect_http "proof: index -1" 400 'index must be a decimal number' \
	GET '/v1/log/proof?index=-1'
expect_http "proof: index beyond" 404 '"error":"not-found"' \
	GET '/v1/log/proof?index=300'
expect_http "proof: no checkpoint of size 7" 404 '"error":"not-found"' \
	GET '/v1/log/proof?index=1&size=7'

expect_http "consistency 3 -> latest" 200 '"old":3,"new":300,"proof":[' \
	GET '/v1/log/consistency?old=3'
python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["proof"]))' \
    "$T/body" >"$T/served.proof"
$C log consistency --old 3 "$DB" >"$T/cli.proof"
cmp -s "$T/served.proof" "$T/cli.proof" && ok "consistency proof as the CLI's" ||
	bad "consistency proof differs"
grep -q '"checkpoint":"coyeu.vn/hcm/register\\n300\\n' "$T/body" &&
	ok "consistency carries the new checkpoint" || bad "consistency checkpoint"
expect_http "consistency 0 -> 3" 200 '"old":0,"new":3,"proof":[]' \
	GET '/v1/log/consistency?old=0&new=3'
expect_http "consistency old > new" 400 'old 300 is above new 3' \
	GET '/v1/log/consistency?old=300&new=3'
expect_http "consistency needs old" 400 'give old=N' GET /v1/log/consistency
expect_http "consistency: no checkpoint of size 5" 404 '"error":"not-found"' \
	GET '/v1/log/consistency?old=1&new=5'
stop_server
[ "$SERVER_RC" = 0 ] && ok "exit 0" || bad "exit $SERVER_RC"
finish
