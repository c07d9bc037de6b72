#!/bin/sh
# Command-line proof of classified documents (issue 4): a TỐI MẬT document
# sealed by an officer of one unit to two cleared officers of another,
# opened by coyeu and by Debian's age; refused when anyone tampers with
# the bytes, when a recipient who knows the file key forges content, stanzas
# or label (python3-cryptography plays that recipient), and at sealing for
# every rule a party can break.
#
# Run from the project root by `make cli-test` with $COYEU set.
# Option lists ($PW, $SEAL, …) are split on purpose, and "a && b || fail"
# means "fail unless both hold":
# shellcheck disable=SC2086,SC2015
set -u
: "${COYEU:?set COYEU to the coyeu binary}"
# The malicious recipient's forgeries (section 5) use python3-cryptography.
# Debian's python3 has it after `make deps`, whatever python3 is first on
# the PATH.
PY=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import cryptography' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || {
	echo "FAIL: python3 with the cryptography module is needed" \
	    "(Debian: python3-cryptography; make deps)" >&2
	exit 1
}

T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
cp "${SRCDIR:-.}/tests/cli/lib/agekey.py" "$T/" || exit 1
cd "$T" || exit 1

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok   $*"; }

# run CMD...: exit code in $rc, output in out.bin / err.txt.
run() {
	"$@" >out.bin 2>err.txt
	rc=$?
}
# Standard input from a pipe.
run_piped() {
	src=$1; shift
	# shellcheck disable=SC2002
	cat "$src" | "$@" >out.bin 2>err.txt
	rc=$?
}
# Standard output into a pipe (rc kept).
run_to_pipe() {
	{ "$@" 2>err.txt; echo $? >rc.txt; } | cat >out.bin
	rc=$(cat rc.txt)
}
expect_ok() {
	[ "$rc" -eq 0 ] || fail "$1: exit $rc: $(cat err.txt)"
}
# expect_refused WHAT CODE WORDS...: exit CODE, each of WORDS in the error,
# nothing on standard output and nothing left in the output directory o/.
expect_refused() {
	er_what=$1 er_code=$2
	shift 2
	[ "$rc" -eq "$er_code" ] ||
		fail "$er_what: exit $rc, expected $er_code: $(cat err.txt)"
	for er_w in "$@"; do
		grep -qF -- "$er_w" err.txt ||
			fail "$er_what: the error lacks '$er_w': $(cat err.txt)"
	done
	[ ! -s out.bin ] ||
		fail "$er_what: $(wc -c <out.bin) bytes on standard output"
	[ -z "$(ls -A o)" ] || fail "$er_what: output left behind: $(ls -A o)"
}
same() {
	cmp -s "$1" "$2" || fail "$3: $2 differs from $1"
}

echo pw >pw
PW="--passphrase-file pw"
WF="--work-factor 10"
mkdir o

# --- 1. set-up --------------------------------------------------------------
# The validity starts in the past so that an expired sealer can be issued.
SINCE=2024-01-01T00:00:00Z
run "$COYEU" authority init -o root.key --cert-out root.cert --name "Chính phủ" \
    --unit vn --compartments x,y --not-before $SINCE --days 7300 $PW $WF
expect_ok "root authority"
run "$COYEU" authority init -o other.key --cert-out other.cert \
    --name "Kẻ mạo danh" --unit vn $PW $WF
expect_ok "another root"

# new_key NAME UNIT: NAME.key and NAME.req.
new_key() {
	run "$COYEU" id new -o "$1.key" $PW $WF
	expect_ok "id new $1"
	run "$COYEU" id request -k "$1.key" --name "$1" --unit "$2" \
	    -o "$1.req" $PW
	expect_ok "id request $1"
}
# issue NAME ISSUER ROLE CLEARANCE [cert issue options]: NAME.chain.
issue() {
	name=$1 issuer=$2 role=$3 level=$4
	shift 4
	run "$COYEU" cert issue -k "$issuer.key" -c "$issuer.chain" \
	    --role "$role" --clearance "$level" "$@" $PW -o "$name.chain" \
	    "$name.req"
	expect_ok "cert issue $name"
}
# cert_field NAME FIELD: a field of NAME's own certificate.
cert_field() {
	"$PY" -c 'import json,sys
print(json.load(sys.stdin)["certificates"][0][sys.argv[1]])' "$2" \
	    <"$1.chain.json" || fail "no $2 in $1.chain"
}
cp root.cert root.chain
new_key city vn/hcm
issue city root authority tuyet-mat --compartments x,y --not-before $SINCE \
    --days 3650
new_key tuphap vn/hcm/so-tu-phap
issue tuphap city authority tuyet-mat --compartments x --not-before $SINCE \
    --days 3000
# The sealer, in one unit; the recipients, in another.
new_key sealer vn/hcm/so-noi-vu
issue sealer city officer toi-mat --compartments x
new_key r1 vn/hcm/so-tu-phap
issue r1 tuphap officer toi-mat
new_key r2 vn/hcm/so-tu-phap
issue r2 tuphap officer tuyet-mat --compartments x
new_key mat vn/hcm/so-tu-phap
issue mat tuphap officer mat
new_key nocomp vn/hcm/so-tu-phap
issue nocomp tuphap officer toi-mat
new_key revoked vn/hcm/so-tu-phap
issue revoked tuphap officer toi-mat
new_key expired vn/hcm/so-noi-vu
issue expired city officer toi-mat --not-before 2024-06-01T00:00:00Z --days 30
# An officer of the other root, who looks the same from outside.
cp other.cert other.chain
new_key alien vn/hcm/so-tu-phap
issue alien other officer tuyet-mat
for n in sealer r1 r2 mat revoked; do
	"$COYEU" cert show --json "$n.chain" >"$n.chain.json" ||
		fail "cert show $n"
done
run "$COYEU" cert revoke -k tuphap.key -c tuphap.chain \
    --serial "$(cert_field revoked serial)" --reason key-compromise --crl tuphap.crl $PW
expect_ok "cert revoke"
ok "set-up: root vn, authorities vn/hcm and vn/hcm/so-tu-phap, officers; another root"

# --- byte editors ------------------------------------------------------------
# tamper.py MODE IN OUT [OTHER]: what anyone can do to the bytes of a file.
cp "${SRCDIR:-.}/tests/cli/lib/tamper.py" . || exit 1

# forge.py MODE AGEIDENTITY IN OUT [ARG]: what a malicious recipient can do
# with the file key it unwraps: every forgery gets a valid header MAC, and
# Poly1305 tags, so only the sealer's signed label can expose it.
cp "${SRCDIR:-.}/tests/cli/lib/forge.py" . || exit 1

# --- 2. round trip -----------------------------------------------------------
# Three full 64 KiB chunks and a partial one, so that a middle chunk exists.
"$PY" -c 'import os,sys; sys.stdout.buffer.write(os.urandom(3 * 65536 + 1234))' \
    >doc.txt || fail "cannot make the plaintext"
DOC=123/UBND-VP
SEAL="$COYEU seal $PW -k sealer.key -c sealer.chain --trust root.cert"
OPEN="$COYEU open $PW --trust root.cert"

run $SEAL --level toi-mat --doc $DOC --to r1.chain --to r2.chain -o doc.age \
    doc.txt
expect_ok "seal"
grep -qF "sealed TỐI MẬT document $DOC (outer mark B) for 2 recipients" \
    err.txt || fail "seal: no summary: $(cat err.txt)"
grep -qF "$DOC" doc.age && fail "the document number is visible in doc.age"
ok "seal TỐI MẬT $DOC to two officers of another unit; nothing in clear"

# label_summary WHAT: the verified label on standard error.
label_summary() {
	grep -qF "coyeu: TỐI MẬT document $DOC, verified" err.txt &&
	    grep -qF "from unit:      vn/hcm/so-noi-vu" err.txt &&
	    grep -qF "recipient 2:    $(cert_field r2 serial)" err.txt ||
		fail "$1: no label summary on standard error: $(cat err.txt)"
}
for who in r1 r2; do
	run $OPEN -k $who.key -o o/plain doc.age
	expect_ok "open $who -o"
	same doc.txt o/plain "open $who -o"
	[ ! -s out.bin ] || fail "open $who -o: output on standard output"
	label_summary "open $who -o"
	[ "$(stat -c %a o/plain)" = 600 ] || fail "open $who -o: mode not 0600"
	rm o/plain
	run $OPEN -k $who.key doc.age
	expect_ok "open $who to stdout"
	same doc.txt out.bin "open $who to stdout"
	label_summary "open $who to stdout"
	ok "$who opens to a file and to standard output; label TỐI MẬT on stderr"
done
run_piped doc.age $OPEN -k r2.key
expect_ok "open from a pipe"
same doc.txt out.bin "open from a pipe"
label_summary "open from a pipe"
ok "r2 opens from a pipe"

# Sealing to a pipe and with armor go through the ciphertext spool.
$SEAL --level toi-mat --doc $DOC --to r1.chain --to r2.chain <doc.txt \
    2>err.txt | cat >piped.age || fail "seal to a pipe: $(cat err.txt)"
run $SEAL --level toi-mat --doc $DOC -a --to r1.chain -o armored.age doc.txt
expect_ok "seal -a"
grep -q "^-----BEGIN AGE ENCRYPTED FILE-----" armored.age ||
	fail "seal -a: not armored"
for f in piped.age armored.age; do
	run $OPEN -k r1.key "$f"
	expect_ok "open $f"
	same doc.txt out.bin "open $f"
done
ok "sealed to a pipe and armored (-a): both open"

run "$COYEU" inspect doc.age
expect_ok "inspect"
grep -qx "outer mark: B (TỐI MẬT)" out.bin &&
    grep -qx "stanza 3: coyeu.v1/label" out.bin ||
	fail "inspect: no mark B: $(cat out.bin)"
grep -qF "$DOC" out.bin && fail "inspect without a key shows the label"
run "$COYEU" inspect --json doc.age
expect_ok "inspect --json"
"$PY" -c 'import json,sys; d=json.load(sys.stdin)
assert d["mark"] == "B", d
assert d["stanzas"] == ["X25519", "X25519", "coyeu.v1/label"], d' <out.bin ||
	fail "inspect --json: $(cat out.bin)"
ok "inspect without a key: outer mark B and the stanza types only"
run "$COYEU" inspect $PW -k r1.key --trust root.cert doc.age
expect_ok "inspect -k"
grep -qF "coyeu: TỐI MẬT document $DOC, verified" out.bin &&
    grep -qF "sealed by:      sealer (serial $(cert_field sealer serial))" \
    out.bin || fail "inspect -k: no label: $(cat out.bin)"
run "$COYEU" inspect $PW -k r2.key --trust root.cert --json doc.age
expect_ok "inspect -k --json"
"$PY" -m json.tool <out.bin >/dev/null || fail "inspect --json: not JSON"
"$PY" -c 'import json,sys; d=json.load(sys.stdin)
assert d["document"] == sys.argv[1] and d["level"] == "toi-mat", d
assert d["mark"] == "B" and d["unit"] == "vn/hcm/so-noi-vu", d
assert d["recipients"] == sys.argv[2:4], d
assert d["signer"]["serial"] == sys.argv[4], d' \
    "$DOC" "$(cert_field r1 serial)" "$(cert_field r2 serial)" \
    "$(cert_field sealer serial)" <out.bin || fail "inspect -k --json: $(cat out.bin)"
ok "inspect -k: the verified label (text and --json)"

# --- 3. compatibility with age ----------------------------------------------
# Debian's age 1.1 knows no post-quantum identity and refuses a file with
# one: --classical writes the X25519 line alone.
for who in r1 r2; do
	run "$COYEU" id age-identity --classical $PW -k $who.key -o $who.agekey
	expect_ok "id age-identity $who"
	[ "$(stat -c %a $who.agekey)" = 600 ] || fail "$who.agekey is not 0600"
	run age -d -i $who.agekey doc.age
	expect_ok "age -d $who"
	same doc.txt out.bin "age -d -i $who.agekey"
done
run age -d -i r1.agekey armored.age
expect_ok "age -d armored"
same doc.txt out.bin "age -d armored"
run "$COYEU" id age-identity --classical $PW -k r1.key -o r1.agekey
[ "$rc" -eq 1 ] && grep -qF "already exists" err.txt ||
	fail "id age-identity overwrote r1.agekey (exit $rc)"
ok "Debian's age opens the X25519 part with coyeu id age-identity (0600)"

# --- 4. tampering --------------------------------------------------------------
# refused_open WHAT FILE WHO WORDS...: each officer in WHO is refused, to a
# file and to standard output; the first also from a pipe.
refused_open() {
	ro_what=$1 ro_file=$2 ro_who=$3
	shift 3
	for ro_k in $ro_who; do
		run $OPEN -k "$ro_k.key" -o o/plain "$ro_file"
		expect_refused "$ro_what ($ro_k, -o)" 1 "$@"
		run $OPEN -k "$ro_k.key" "$ro_file"
		expect_refused "$ro_what ($ro_k, stdout)" 1 "$@"
		# A pipe named by -o is written in place, not renamed: it
		# must get nothing either.
		run_to_pipe $OPEN -k "$ro_k.key" -o /dev/stdout "$ro_file"
		expect_refused "$ro_what ($ro_k, -o /dev/stdout)" 1 "$@"
	done
	ro_k=${ro_who%% *}
	run_piped "$ro_file" $OPEN -k "$ro_k.key"
	expect_refused "$ro_what ($ro_k, pipe)" 1 "$@"
	ok "$ro_what: refused for $ro_who ($*)"
}
tamper() {
	"$PY" tamper.py "$@" || fail "tamper.py $1"
}
MAC="header MAC mismatch"
run $SEAL --level toi-mat --doc 124/UBND-VP --to r1.chain --to r2.chain \
    -o doc2.age doc.txt
expect_ok "seal a second document"

for part in line body; do
	tamper x25519-$part doc.age t.age
	refused_open "a byte of r1's X25519 stanza $part, for r1" t.age r1 \
	    "no identity matched"
	refused_open "a byte of r1's X25519 stanza $part, for r2" t.age r2 "$MAC"
done
# MODE|what is done|the error's key words, for r1 and r2
while IFS='|' read -r mode what words <&3; do
	tamper "$mode" doc.age t.age doc2.age
	refused_open "$what" t.age "r1 r2" "$words"
done 3<<EOF
label-line|a byte of the label stanza line|$MAC
label-body|a byte of the label stanza body|$MAC
mark-A|the outer mark B changed to A|$MAC
mac|a byte of the header MAC|$MAC
nonce|a byte of the payload nonce|chunk 0 failed authentication
chunk-first|a byte of the first chunk|chunk 0 failed authentication
chunk-middle|a byte of a middle chunk|chunk 2 failed authentication
chunk-last|a byte of the last chunk|chunk 3 failed authentication
label-from|the label stanza of another document, same recipients|$MAC
remove-label|the label stanza removed|$MAC
label-first|the label stanza moved first|the label stanza is not the last stanza
swap-x25519|the recipients' stanzas swapped|$MAC
two-labels|a second label stanza|two label stanzas
truncate-byte|the last byte cut off|chunk 3 failed authentication
truncate-chunk|the last chunk cut off|the file is truncated
append|a byte appended|chunk 3 failed authentication
EOF

# --- 5. a malicious recipient who knows the file key -------------------------
# Each forgery below has a valid header MAC and valid chunk tags (stock age
# opens it); only the sealer's signed label can expose it.
forge() {
	"$PY" forge.py "$1" r1.agekey doc.age t.age ${2:+"$2"} ||
		fail "forge.py $1"
}
echo "lệnh giả mạo" >forged.txt
forge reseal forged.txt
run age -d -i r2.agekey t.age
expect_ok "age -d of the re-sealed content"
same forged.txt out.bin "the forgery is a valid age file"
refused_open "r1 re-seals other content under the sealer's label" t.age \
    "r1 r2" "payload digest mismatch"
forge rewrap "$(cert_field mat seal_key)"
refused_open "r1 wraps the file key for an outsider" t.age "mat r2" \
    "the recipient stanzas differ from those the sealer signed"
forge label-from doc2.age
refused_open "r1 moves the signed label of another document" t.age "r1 r2" \
    "the recipient stanzas differ from those the sealer signed"
forge edit-label
refused_open "r1 edits the signed label" t.age "r1 r2" \
    "the label's signature does not verify"
forge mark C
refused_open "r1 changes the outer mark to C" t.age "r1 r2" \
    "the outer mark C does not match the label's level TỐI MẬT"
# A recipient can always re-encrypt what it has read as a plain age file;
# such a file claims no label and no sealer.
forge strip
run $OPEN -k r2.key t.age
expect_ok "the label stripped"
grep -qF "plain age file (no classification label)" err.txt &&
    ! grep -qF "TỐI MẬT" err.txt || fail "the stripped file claims a label"
ok "r1 strips the label: opens only as a plain age file, claiming nothing"

# --- 6. refusals ---------------------------------------------------------------
# refused_seal WHAT CODE WORDS... -- SEAL ARGS...
refused_seal() {
	rs_what=$1 rs_code=$2
	shift 2
	rs_words=""
	while [ "$1" != -- ]; do
		rs_words="$rs_words$1
"
		shift
	done
	shift
	run "$@" -o o/sealed doc.txt
	rs_ifs=$IFS
	IFS='
'
	set -f; expect_refused "$rs_what" "$rs_code" $rs_words; set +f
	IFS=$rs_ifs
	ok "$rs_what: refused, exit $rs_code ($(head -n 1 err.txt))"
}
TOIMAT="--level toi-mat --doc $DOC"
refused_seal "an under-cleared recipient" 1 "--to mat.chain: " \
    "lacks clearance TỐI MẬT (has MẬT)" -- \
    $SEAL $TOIMAT --to r1.chain --to mat.chain
refused_seal "a recipient named twice" 2 "is already a recipient" -- \
    $SEAL $TOIMAT --to r1.chain --to r1.chain
refused_seal "a recipient without the compartment" 1 \
    "--to nocomp.chain: " "lacks compartment x" -- \
    $SEAL $TOIMAT --compartments x --to r2.chain --to nocomp.chain
run $SEAL $TOIMAT --compartments x --to r2.chain -o o/sealed doc.txt
expect_ok "seal --compartments x to r2"
rm o/sealed
refused_seal "a revoked recipient" 1 "--to revoked.chain: " \
    "revoked by $(cert_field r1 issuer)" "key-compromise" -- \
    $SEAL $TOIMAT --crl tuphap.crl --to r1.chain --to revoked.chain
run $SEAL $TOIMAT --to revoked.chain -o o/sealed doc.txt
expect_ok "seal to the revoked officer without the list"
rm o/sealed
refused_seal "an expired recipient" 1 "--to expired.chain: " \
    "expired at 2024-07-01T00:00:00Z" -- \
    $SEAL $TOIMAT --to expired.chain
refused_seal "a recipient of another root" 1 "--to alien.chain: " \
    "another root" -- $SEAL $TOIMAT --to alien.chain
refused_seal "an expired sealer" 1 "sealer refused" \
    "expired at 2024-07-01T00:00:00Z" -- \
    "$COYEU" seal $PW -k expired.key -c expired.chain --trust root.cert \
    $TOIMAT --to r1.chain
refused_seal "a sealer below the level" 1 "sealer refused" \
    "mat (serial $(cert_field mat serial)) lacks clearance TỐI MẬT (has MẬT)" -- \
    "$COYEU" seal $PW -k mat.key -c mat.chain --trust root.cert \
    $TOIMAT --to r1.chain
refused_seal "a sealer without the compartment" 1 "sealer refused" \
    "lacks compartment y" -- $SEAL $TOIMAT --compartments y --to r1.chain
refused_seal "an untrusted root" 1 "sealer refused" "another root" -- \
    "$COYEU" seal $PW -k sealer.key -c sealer.chain --trust other.cert \
    $TOIMAT --to r1.chain
refused_seal "a key that is not the chain's" 1 \
    "sealer refused (-k r1.key, -c sealer.chain)" "the signing key does not belong to the sealer's certificate" -- \
    "$COYEU" seal $PW -k r1.key -c sealer.chain --trust root.cert \
    $TOIMAT --to r1.chain
refused_seal "--protect-until beyond 20 years" 2 "--protect-until" \
    "more than 20 years after creation for TỐI MẬT" -- \
    $SEAL $TOIMAT --protect-until 2099-01-01T00:00:00Z --to r1.chain
refused_seal "--protect-until in the past" 2 "--protect-until" -- \
    $SEAL $TOIMAT --protect-until 2025-01-01T00:00:00Z --to r1.chain
refused_seal "an unknown level" 2 "unknown level 'mật'" -- \
    "$COYEU" seal $PW -k sealer.key -c sealer.chain --trust root.cert \
    --level mật --doc $DOC --to r1.chain

run $SEAL $TOIMAT --protect-until 2030-01-01T00:00:00Z --to r1.chain \
    -o short.age doc.txt
expect_ok "seal --protect-until 2030"
run "$COYEU" inspect $PW -k r1.key --trust root.cert short.age
expect_ok "inspect short.age"
grep -qF "protect until:  2030-01-01T00:00:00Z" out.bin ||
	fail "--protect-until not in the label: $(cat out.bin)"
ok "--protect-until may shorten protection"

# Revocation takes effect at its time when the key stayed with its holder
# (left-unit): what the officer sealed before still opens, with a note;
# a compromised key's documents do not open, whatever their date.
for n in leaver thief; do
	new_key $n vn/hcm/so-noi-vu
	issue $n city officer toi-mat
	"$COYEU" cert show --json "$n.chain" >"$n.chain.json" || fail "show $n"
	run "$COYEU" seal $PW -k $n.key -c $n.chain --trust root.cert $TOIMAT \
	    --to r1.chain -o $n.age doc.txt
	expect_ok "seal by $n"
done
sleep 1 # the revocations must start after `created` (whole seconds)
run "$COYEU" cert revoke -k city.key -c city.chain --reason left-unit \
    --serial "$(cert_field leaver serial)" --crl city.crl $PW
expect_ok "cert revoke --reason left-unit"
run "$COYEU" cert revoke -k city.key -c city.chain --reason key-compromise \
    --since 2024-06-01T00:00:00Z --serial "$(cert_field thief serial)" \
    --crl city.crl $PW
expect_ok "cert revoke --reason key-compromise --since"
run "$COYEU" cert show city.crl
grep -q "left-unit since .* (earlier signatures stand)" out.bin &&
    grep -q "key-compromise since 2024-06-01T00:00:00Z$" out.bin ||
	fail "cert show of the dated list: $(cat out.bin)"
run $OPEN -k r1.key --crl city.crl -o o/leaver.txt leaver.age
expect_ok "open a document sealed before its sealer left"
same doc.txt o/leaver.txt "open after left-unit"
rm o/leaver.txt
grep -qF "note: leaver's certificate is revoked since" err.txt &&
    grep -qF "(left-unit); this document says it was sealed before" err.txt ||
	fail "no note on the revoked sealer: $(cat err.txt)"
ok "a sealer who left the unit: earlier documents open, with a note"
refused_seal "a sealer who left the unit, sealing after" 1 "sealer refused" \
    "reason: left-unit" -- "$COYEU" seal $PW -k leaver.key -c leaver.chain \
    --trust root.cert --crl city.crl $TOIMAT --to r1.chain
OPEN_PLAIN=$OPEN
OPEN="$OPEN --crl city.crl"
refused_open "a document by a compromised key, sealed before the revocation" \
    thief.age "r1" "revoked by $(cert_field thief issuer) since 2024-06-01" \
    "reason: key-compromise"
OPEN=$OPEN_PLAIN

refused_open "a cleared officer who is not a recipient" doc.age "mat sealer" \
    "no identity matched"
OPEN="$COYEU open $PW --trust other.cert"
refused_open "opened against an untrusted root" doc.age "r1" "sealer:" \
    "another root"
OPEN="$COYEU open $PW"
refused_open "opened without --trust" doc.age "r1" \
    "a trusted root is needed to verify a classified document"

run age -r "$(cert_field r1 seal_key)" -o plain.age doc.txt
expect_ok "age -r"
run "$COYEU" open $PW -k r1.key -o o/plain plain.age
expect_ok "open -k of a plain age file"
same doc.txt o/plain "open -k of a plain age file"
grep -qF "plain age file (no classification label)" err.txt ||
	fail "open -k plain: $(cat err.txt)"
rm o/plain
run "$COYEU" inspect plain.age
grep -qx "outer mark: none (a plain age file)" out.bin ||
	fail "inspect plain.age: $(cat out.bin)"
ok "a plain age file opens with -k as plain age; inspect shows no mark"

# --- 7. help ---------------------------------------------------------------------
for cmd in seal open inspect "id age-identity"; do
	run "$COYEU" $cmd --help
	expect_ok "$cmd --help"
	grep -q "^usage: coyeu $cmd" out.bin || fail "$cmd --help: no usage"
	ok "coyeu $cmd --help"
done
echo "classified: all checks passed"
