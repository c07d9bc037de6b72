#!/bin/sh
# Issue 8, item 7: opening to standard output reads the input twice (a
# verifying pass, then the pass that writes).  A recipient who may write to
# the input file and knows its file key rewrites chunks between the passes
# with forgeries whose Poly1305 tags verify; not one forged byte may reach
# standard output, and the exit status is 1.  Also for armored input, and
# for a file truncated between the passes.
#
# The window is hit without any hook in coyeu: race.py starts `coyeu open`
# with its standard output on a pipe and waits for the first byte, which
# only the writing pass produces.  coyeu then cannot run ahead of the pipe by
# more than its pipeline (4 batches of 16 chunks, 4 MiB) and the pipe's
# buffer, so the chunks rewritten from 6 MiB on are read after the rewrite.
# Option lists ($OPEN, $SEAL) are split on purpose, and "a && ok || bad"
# means "bad unless a holds":
# shellcheck disable=SC2086,SC2015
. "${SRCDIR:-.}/tests/cli/lib/common.sh"

PY=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import cryptography' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
	bad "python3 with the cryptography module is needed (Debian: python3-cryptography; make deps)"
	finish; exit 1
fi

cp "${SRCDIR:-.}/tests/cli/lib/agekey.py" "$T/" && cd "$T" || exit 1
echo pw >pw
PW="--passphrase-file pw"
WF="--work-factor 10"

setup() {
	"$COYEU" authority init -o root.key --cert-out root.cert --name Root \
	    --unit vn $PW $WF &&
	    cp root.cert root.chain || return 1
	for n in sealer r1; do
		"$COYEU" id new -o $n.key $PW $WF &&
		    "$COYEU" id request -k $n.key --name $n --unit vn/$n \
		    -o $n.req $PW &&
		    "$COYEU" cert issue -k root.key -c root.chain --role officer \
		    --clearance mat $PW -o $n.chain $n.req || return 1
	done
	"$COYEU" id age-identity $PW -k r1.key -o r1.agekey
}
setup >setup.log 2>&1 || { bad "set-up: $(tail -5 setup.log)"; finish; exit 1; }

# 10 MiB of genuine text: 160 chunks; the forged chunks start at 6 MiB.
"$PY" -c 'import sys
line = b"genuine text of the sealed document, line %07d\n"
sys.stdout.buffer.write(b"".join(line % i for i in range(10 << 20 >> 6))[:10 << 20])' \
    >doc.txt || { bad "cannot make the plaintext"; finish; exit 1; }
SEAL="$COYEU seal $PW -k sealer.key -c sealer.chain --trust root.cert --level mat --doc 7/R --to r1.chain"
OPEN="$COYEU open $PW -k r1.key --trust root.cert"
$SEAL -o doc.age doc.txt 2>seal.err && $SEAL -a -o doc.asc doc.txt 2>>seal.err ||
	{ bad "seal: $(cat seal.err)"; finish; exit 1; }

# race.py MODE IDENTITY FILE -- CMD...: runs CMD with its standard output on
# a pipe; after its first byte, rewrites FILE in place as MODE says:
#   forge     chunks 96.. re-encrypted under the file key with forged text
#             (valid tags: only the sealer's signed digest can tell)
#   truncate  the file cut after chunk 96
# Standard output goes to out.bin, standard error to err.txt; prints the
# exit status.
cat >race.py <<'EOF'
import base64, os, subprocess, sys
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey, X25519PublicKey)
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import serialization
from agekey import bech32_bytes

CHUNK, STORED, FIRST = 65536, 65536 + 16, 96
BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----\n"
END = b"-----END AGE ENCRYPTED FILE-----\n"


def hkdf(ikm, salt, info):
    return HKDF(SHA256(), 32, salt, info).derive(ikm)


def b64d(s):
    return base64.b64decode(s + b"=" * (-len(s) % 4))


def secret(path):
    s = [l for l in open(path).read().split()
         if l.startswith("AGE-SECRET-KEY-1")][0]
    return X25519PrivateKey.from_private_bytes(bech32_bytes(s))


def file_key(sk, header):
    pub = sk.public_key().public_bytes(serialization.Encoding.Raw,
                                       serialization.PublicFormat.Raw)
    lines = header.split(b"\n")
    for i, l in enumerate(lines):
        if l.startswith(b"-> X25519 "):
            share = b64d(l.split(b" ")[2])
            key = hkdf(sk.exchange(X25519PublicKey.from_public_bytes(share)),
                       share + pub, b"age-encryption.org/v1/X25519")
            try:
                return ChaCha20Poly1305(key).decrypt(bytes(12),
                                                     b64d(lines[i + 1]), None)
            except Exception:
                pass
    sys.exit("race.py: no stanza for this identity")


def forged(sk, data, mode):
    """data rewritten as MODE says."""
    end = data.index(b"\n", data.index(b"\n---") + 1) + 1
    if mode == "truncate":
        return data[:end + 16 + FIRST * STORED]
    nonce, pl = data[end:end + 16], data[end + 16:]
    a = ChaCha20Poly1305(hkdf(file_key(sk, data[:end]), nonce, b"payload"))
    n = (len(pl) + STORED - 1) // STORED
    out = bytearray(pl[:FIRST * STORED])
    for i in range(FIRST, n):
        size = len(pl[i * STORED:(i + 1) * STORED]) - 16
        text = (b"FORGED! " * (size // 8 + 1))[:size]
        out += a.encrypt(i.to_bytes(11, "big") + bytes([i == n - 1]), text,
                         None)
    return data[:end] + nonce + bytes(out)


def rewrite(sk, path, mode):
    old = data = open(path, "rb").read()
    armored = data.startswith(BEGIN)
    if armored:
        body = data[len(BEGIN):-len(END)]
        width = body.index(b"\n")
        data = base64.b64decode(body)
    new = forged(sk, data, mode)
    if armored:
        s = base64.b64encode(new)
        new = BEGIN + b"".join(s[i:i + width] + b"\n"
                               for i in range(0, len(s), width)) + END
    assert len(new) <= len(old)
    fd = os.open(path, os.O_WRONLY)
    if len(new) < len(old):
        os.ftruncate(fd, len(new))
    else:
        # In place, from the first change, as a writer does: the reader's
        # mapping sees it.
        at = 0
        while new[at:at + CHUNK] == old[at:at + CHUNK]:
            at += CHUNK
        while new[at] == old[at]:
            at += 1
        assert at > 5 << 20
        os.pwrite(fd, new[at:], at)
    os.close(fd)


def main():
    mode, ident, path = sys.argv[1:4]
    sk = secret(ident)
    with open("out.bin", "wb") as out, open("err.txt", "wb") as err:
        p = subprocess.Popen(sys.argv[5:], stdout=subprocess.PIPE, stderr=err)
        first = p.stdout.read(1)
        if first:
            rewrite(sk, path, mode)
        out.write(first + p.stdout.read())
        print(p.wait())


main()
EOF

# prefix_of_genuine DESC: out.bin is a start of doc.txt, without one
# forged byte.
prefix_of_genuine() {
	got=$(file_size out.bin)
	if grep -q 'FORGED!' out.bin; then
		bad "$1: forged text reached standard output"
	elif [ "$got" -gt 0 ] && ! cmp -s -n "$got" out.bin doc.txt; then
		bad "$1: standard output is not the genuine text"
	else
		ok
	fi
}

# Not racing: the pipe receives the whole document.
{ $OPEN doc.age 2>err.txt && echo finished >err.ok; } | cat >out.bin
[ -f err.ok ] && cmp -s out.bin doc.txt && ok ||
	bad "open to a pipe: $(cat err.txt)"

# The forgery is what the attack needs: valid tags, only the digest differs.
cp doc.age whole.age && "$PY" -c '
import sys; sys.argv[1:] = ["forge", "r1.agekey", "whole.age"]
exec(open("race.py").read().replace("\nmain()\n", "\n"))
rewrite(secret("r1.agekey"), "whole.age", "forge")' &&
    run_st $OPEN -o forged.out whole.age
[ "$st" = 1 ] && grep -q 'payload digest mismatch' "$T/stderr" && ok ||
	bad "the forged file: exit $st, not a digest mismatch: $(cat "$T/stderr")"

# race FILE MODE WORDS: the race on FILE; exit 1, WORDS in the error, and
# nothing but genuine text on standard output.
race() {
	cp "$1" race.in
	rc=$("$PY" race.py "$2" r1.agekey race.in -- $OPEN race.in) ||
		{ bad "race.py $2 $1"; return; }
	[ "$rc" = 1 ] && ok ||
		bad "$2 $1 between the passes: exit $rc, expected 1: $(cat err.txt)"
	grep -q "^coyeu: .*$3" err.txt && ok ||
		bad "$2 $1 between the passes: the error lacks '$3': $(cat err.txt)"
	prefix_of_genuine "$2 $1 between the passes"
}
race doc.age forge 'the input changed between the verifying pass and the output pass'
race doc.asc forge 'the input changed between the verifying pass and the output pass'
race doc.age truncate 'shrank'

finish
