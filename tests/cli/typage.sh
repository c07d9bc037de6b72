#!/bin/sh
# Interoperability with typage (npm age-encryption, the age authors'
# TypeScript age; tests/interop/typage.mjs drives it), both directions:
#  1. plain age, the mlkem768x25519 hybrid recipient: coyeu seals and typage
#     opens, typage seals and coyeu opens, with keys made by either, binary
#     and armored, for 0 bytes to 1 MiB; the wrong key refused by both;
#  2. classified documents: typage opens the age parts of a document with
#     the officer's identity from `coyeu id age-identity` and ignores the
#     coyeu.v1/label stanza (as the age spec asks of unknown stanzas), so it
#     recovers the payload, while checking nothing of the label: TUYỆT MẬT
#     sealed post-quantum (mlkem768x25519 stanzas) with `id age-identity
#     --pq`, never with the X25519 identity; TỐI MẬT to two hybrid officers;
#     a mixed group and --allow-classical, classical, with the X25519 ones.
#
# typage comes from `make deps` (BUILD/node).  Without it the test FAILS
# under CI=true and is skipped (exit 77, said loudly) elsewhere.
# Option lists ($PW, $WF) are split on purpose, and "a && ok || bad" means
# "bad unless a":
# shellcheck disable=SC2086,SC2015
. "${SRCDIR:-.}/tests/cli/lib/common.sh"
. "${SRCDIR:-.}/tests/cli/lib/pqofficer.sh"

TYPAGE=$SRCDIR/tests/interop/typage.mjs
COYEU_NODE_DIR=${COYEU_NODE_DIR:-$(dirname "$COYEU")/node}
export COYEU_NODE_DIR
if ! command -v node >/dev/null 2>&1 ||
    [ ! -f "$COYEU_NODE_DIR/node_modules/age-encryption/package.json" ]; then
	why="node or npm age-encryption (typage) is missing in $COYEU_NODE_DIR: run make deps"
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $why"
		exit 1
	fi
	echo "SKIPPED: $why"
	exit 77
fi
typage() { node "$TYPAGE" "$@"; }

NOT_YOURS='^coyeu: .*no identity matched any of the recipients: this file was not sealed to you$'
TYPAGE_NOT_YOURS="^typage: no identity matched any of the file's recipients\$"
pub_of() { sed -n 's/^# public key: //p' "$1"; }

# --- keys: two from coyeu keygen --pq, two from typage ---
"$COYEU" keygen --pq -o "$T/c1.key" 2>/dev/null || bad "coyeu keygen --pq"
"$COYEU" keygen --pq -o "$T/c2.key" 2>/dev/null || bad "coyeu keygen --pq"
for k in t1 t2; do
	expect_status 0 "typage keygen --pq" typage keygen --pq &&
		cp "$T/stdout" "$T/$k.key"
done
C1=$(pub_of "$T/c1.key"); C2=$(pub_of "$T/c2.key")
T1=$(pub_of "$T/t1.key"); T2=$(pub_of "$T/t2.key")
for p in "$C1" "$C2" "$T1" "$T2"; do
	echo "$p" | grep -Eq '^age1pq1[a-z0-9]{1952}$' && ok ||
		bad "not an age1pq1 recipient: $(echo "$p" | head -c 40)…"
done

# coyeu_to_typage DESC IN 'SEAL-ARGS' KEY…: coyeu seals, typage opens with
# each key alone.
coyeu_to_typage() {
	desc=$1 in=$2 args=$3
	shift 3
	rm -f "$T/c.age"
	# shellcheck disable=SC2086
	expect_status 0 "$desc: coyeu seal" "$COYEU" seal $args -o "$T/c.age" \
	    "$in" || return
	for k in "$@"; do
		rm -f "$T/c.out"
		expect_status 0 "$desc: typage decrypt -i $k" \
		    typage decrypt -i "$T/$k.key" -o "$T/c.out" "$T/c.age" &&
			same "$desc: coyeu seal, typage decrypt -i $k" "$in" "$T/c.out"
	done
}
# typage_to_coyeu DESC IN 'ENCRYPT-ARGS' KEY…: the other way.
typage_to_coyeu() {
	desc=$1 in=$2 args=$3
	shift 3
	rm -f "$T/t.age"
	# shellcheck disable=SC2086
	expect_status 0 "$desc: typage encrypt" typage encrypt $args \
	    -o "$T/t.age" "$in" || return
	grep -aq '^-> mlkem768x25519 ' "$T/t.age" ||
		grep -q '^-----BEGIN AGE ENCRYPTED FILE-----$' "$T/t.age" && ok ||
		bad "$desc: typage wrote neither a hybrid stanza nor armor"
	for k in "$@"; do
		rm -f "$T/t.out"
		expect_status 0 "$desc: coyeu open -i $k" \
		    "$COYEU" open -i "$T/$k.key" -o "$T/t.out" "$T/t.age" &&
			same "$desc: typage encrypt, coyeu open -i $k" "$in" "$T/t.out"
	done
}

# --- 1. plain age, hybrid recipients, both ways ---
for size in 0 1 65536 65537 1048576; do
	random_file "$T/plain" "$size"
	coyeu_to_typage "$size bytes" "$T/plain" "-r $C1 -r $T1" c1 t1
	typage_to_coyeu "$size bytes" "$T/plain" "-r $T2 -r $C2" c2 t2
done
random_file "$T/plain" 70000
coyeu_to_typage "armored" "$T/plain" "-a -r $T1" t1
head -n 1 "$T/c.age" | grep -q '^-----BEGIN AGE ENCRYPTED FILE-----$' && ok ||
	bad "coyeu seal -a did not armor"
typage_to_coyeu "armored" "$T/plain" "-a -r $C1" c1
printf '%s\n%s\n' "$C2" "$T2" >"$T/recipients"
typage_to_coyeu "recipients file" "$T/plain" "-R $T/recipients" c2 t2
coyeu_to_typage "recipients file" "$T/plain" "-R $T/recipients" c2 t2

# The wrong key: each side refuses the other's file, exit 1, no output.
"$COYEU" seal -r "$C1" -o "$T/c.age" "$T/plain" || bad "coyeu seal -r C1"
rm -f "$T/out"
expect_status 1 "typage decrypt with another key" \
    typage decrypt -i "$T/t2.key" -o "$T/out" "$T/c.age"
stderr_has "typage, wrong key" "$TYPAGE_NOT_YOURS"
[ ! -e "$T/out" ] && ok || bad "typage wrote output for the wrong key"
typage encrypt -r "$T1" -o "$T/t.age" "$T/plain" || bad "typage encrypt -r T1"
expect_status 1 "coyeu open with another key" \
    "$COYEU" open -i "$T/c2.key" -o "$T/out" "$T/t.age"
stderr_has "coyeu, wrong key" "$NOT_YOURS"
[ ! -e "$T/out" ] && ok || bad "coyeu wrote output for the wrong key"

# --- 2. classified documents ---
(umask 077 && printf 'pw\n' >"$T/pw")
PW="--passphrase-file $T/pw"
WF="--work-factor 10"
"$COYEU" authority init -o "$T/root.key" --cert-out "$T/root.cert" \
    --name Root --unit vn $PW $WF >/dev/null 2>&1 || bad "authority init"
# officer NAME LEVEL: NAME.key (coyeu id new), NAME.chain issued by the root.
officer() {
	"$COYEU" id new -o "$T/$1.key" $PW $WF >/dev/null 2>&1 &&
	"$COYEU" id request -k "$T/$1.key" $PW --name "$1" --unit vn/a \
	    -o "$T/$1.req" &&
	"$COYEU" cert issue -k "$T/root.key" -c "$T/root.cert" $PW \
	    --role officer --clearance "$2" -o "$T/$1.chain" "$T/$1.req" \
	    >/dev/null 2>&1 || bad "officer $1 ($2)"
}
# hybrid_officer NAME: the same, with the hybrid key certified (seal-pq-key)
# after the proof of possession (tests/cli/lib/pqofficer.sh).
hybrid_officer() {
	PQ_PASS=$PW pq_officer "$T/$1.key" "$1" vn/a "$T/root.key" \
	    "$T/root.cert" "$T/$1.chain" || bad "hybrid officer $1"
}
officer sealer tuyet-mat
officer reader tuyet-mat
hybrid_officer pqreader
# classified LEVEL DOC OUT [SEAL-OPTIONS]: sealer seals $T/plain (to
# whom the options say: --to CHAIN…).
classified() {
	lvl=$1 doc=$2 out=$3
	shift 3
	rm -f "$out"
	expect_status 0 "seal --level $lvl $doc" "$COYEU" seal --level "$lvl" \
	    --doc "$doc" -k "$T/sealer.key" -c "$T/sealer.chain" \
	    --trust "$T/root.cert" $PW "$@" -o "$out" "$T/plain"
}
# stanzas_are DESC FILE 'TYPES': the header's stanza types, as typage sees
# them without a key.
stanzas_are() {
	got=$(typage stanzas "$2" | tr '\n' ' ')
	[ "$got" = "$3 " ] && ok || bad "$1: stanzas '$got', expected '$3'"
}
# typage_opens DESC FILE IDENTITY: typage recovers $T/plain from FILE.
typage_opens() {
	rm -f "$T/out"
	expect_status 0 "$1: typage decrypt" \
	    typage decrypt -i "$3" -o "$T/out" "$2" &&
		same "$1: the payload typage recovered" "$T/plain" "$T/out"
}
# typage_refuses DESC FILE IDENTITY: no identity matched, no output.
typage_refuses() {
	rm -f "$T/out"
	expect_status 1 "$1: typage decrypt" \
	    typage decrypt -i "$3" -o "$T/out" "$2"
	stderr_has "$1" "$TYPAGE_NOT_YOURS"
	[ ! -e "$T/out" ] && ok || bad "$1: typage wrote output"
}
random_file "$T/plain" 200000
for who in reader pqreader; do
	for kind in pq classical; do
		[ "$who.$kind" = reader.pq ] && continue
		expect_status 0 "id age-identity --$kind ($who)" "$COYEU" \
		    id age-identity --$kind -k "$T/$who.key" $PW \
		    -o "$T/$who.$kind.key"
	done
done
expect_status 0 "id age-identity, both kinds" "$COYEU" id age-identity \
    -k "$T/pqreader.key" $PW -o "$T/pqreader.both.key"
grep -Eq '^AGE-SECRET-KEY-PQ-1[A-Z0-9]{58}$' "$T/pqreader.pq.key" &&
	[ "$(grep -c '^AGE-SECRET-KEY-' "$T/pqreader.pq.key")" -eq 1 ] && ok ||
	bad "id age-identity --pq: not one AGE-SECRET-KEY-PQ-1 line"
[ "$(grep -c '^AGE-SECRET-KEY-' "$T/pqreader.both.key")" -eq 2 ] && ok ||
	bad "id age-identity without --pq/--classical: not both identities"

# A TUYỆT MẬT document sealed post-quantum: an mlkem768x25519 stanza and
# the label stanza.  typage skips the label stanza (its hybrid identity
# looks only at mlkem768x25519 stanzas) and recovers the payload with the
# officer's exported hybrid identity; the X25519 identity matches nothing.
classified tuyet-mat A/1 "$T/a.age" --to "$T/pqreader.chain"
grep -q '^ *post-quantum: yes (mlkem768x25519)$' "$T/stdout" "$T/stderr" && ok ||
	bad "seal TUYỆT MẬT did not say post-quantum: yes (mlkem768x25519)"
stanzas_are "TUYỆT MẬT" "$T/a.age" "mlkem768x25519 coyeu.v1/label"
typage_opens "TUYỆT MẬT, id age-identity --pq" "$T/a.age" "$T/pqreader.pq.key"
typage_opens "TUYỆT MẬT, both identities" "$T/a.age" "$T/pqreader.both.key"
typage_refuses "TUYỆT MẬT, the X25519 identity" "$T/a.age" \
    "$T/pqreader.classical.key"
typage_refuses "TUYỆT MẬT, someone else's hybrid key" "$T/a.age" "$T/t1.key"
# coyeu itself opens it, verified, with the officer's key.
rm -f "$T/out"
expect_status 0 "coyeu open -k (TUYỆT MẬT, post-quantum)" "$COYEU" open \
    -k "$T/pqreader.key" --trust "$T/root.cert" $PW -o "$T/out" "$T/a.age" &&
	same "coyeu open -k" "$T/plain" "$T/out"

# Two post-quantum recipients at TỐI MẬT: hybrid for both, each opens.
hybrid_officer pqreader2
"$COYEU" id age-identity --pq -k "$T/pqreader2.key" $PW \
    -o "$T/pqreader2.pq.key" 2>/dev/null || bad "id age-identity --pq (2)"
classified toi-mat B/2 "$T/b2.age" --to "$T/pqreader.chain" \
    --to "$T/pqreader2.chain"
stanzas_are "TỐI MẬT, two hybrid" "$T/b2.age" \
    "mlkem768x25519 mlkem768x25519 coyeu.v1/label"
typage_opens "TỐI MẬT, first hybrid recipient" "$T/b2.age" "$T/pqreader.pq.key"
typage_opens "TỐI MẬT, second hybrid recipient" "$T/b2.age" "$T/pqreader2.pq.key"

# A mixed group at TỐI MẬT is classical (X25519 for everyone, never a mix):
# typage opens it with the X25519 identities, not with the hybrid one.
classified toi-mat B/3 "$T/b3.age" --to "$T/pqreader.chain" \
    --to "$T/reader.chain"
grep -q '^ *post-quantum: no' "$T/stdout" "$T/stderr" && ok ||
	bad "a mixed TỐI MẬT group did not say post-quantum: no"
stanzas_are "TỐI MẬT, mixed group" "$T/b3.age" "X25519 X25519 coyeu.v1/label"
typage_opens "TỐI MẬT mixed, the hybrid officer's X25519 identity" \
    "$T/b3.age" "$T/pqreader.classical.key"
typage_opens "TỐI MẬT mixed, the classical officer" "$T/b3.age" \
    "$T/reader.classical.key"
typage_refuses "TỐI MẬT mixed, a hybrid identity" "$T/b3.age" \
    "$T/pqreader.pq.key"

# TUYỆT MẬT to a recipient without seal-pq-key, with --allow-classical:
# classical stanzas, which typage opens with the X25519 identity.
classified tuyet-mat A/4 "$T/a4.age" --allow-classical --to "$T/reader.chain"
stanzas_are "TUYỆT MẬT --allow-classical" "$T/a4.age" "X25519 coyeu.v1/label"
typage_opens "TUYỆT MẬT --allow-classical" "$T/a4.age" "$T/reader.classical.key"

# A plain file typage seals to the hybrid key of the officer's certificate
# opens with the identity coyeu exported.
grep -m 1 '^seal-pq-key: ' "$T/pqreader.chain" | sed 's/^seal-pq-key: //' \
    >"$T/pqreader.recipient"
typage_to_coyeu "to the certificate's seal-pq-key" "$T/plain" \
    "-R $T/pqreader.recipient" pqreader.pq

# A classical document (X25519 stanza and the label stanza): typage opens
# it with the reader's X25519 identity; the label stanza is skipped.
classified toi-mat B/1 "$T/b.age" --to "$T/reader.chain"
[ "$(typage stanzas "$T/b.age" | tr '\n' ' ')" = "X25519 coyeu.v1/label " ] &&
	ok || bad "TỐI MẬT stanzas: $(typage stanzas "$T/b.age" | tr '\n' ' ')"
typage_opens "TỐI MẬT, classical" "$T/b.age" "$T/reader.classical.key"
typage_refuses "TỐI MẬT, classical, another key" "$T/b.age" "$T/t1.key"

finish
