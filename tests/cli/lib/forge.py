# forge.py MODE AGEIDENTITY IN OUT [ARG]: what a malicious recipient can do
# with the file key it unwraps (tests/cli/classified.sh, opencheck.sh).
import base64, hashlib, hmac, os, sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey, X25519PublicKey)
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from agekey import bech32_bytes
from tamper import parse

ZERO = bytes(12)
X25519_INFO = b"age-encryption.org/v1/X25519"


def hkdf(ikm, salt, info):
    return HKDF(SHA256(), 32, salt, info).derive(ikm)


def aead(key):
    return ChaCha20Poly1305(key)


def b64d(s):
    return base64.b64decode(s + b"=" * (-len(s) % 4))


def b64e(b):
    return base64.b64encode(b).rstrip(b"=")


def body_lines(b):
    s = b64e(b)
    lines = [s[i:i + 64] for i in range(0, len(s), 64)]
    return lines + [b""] if not lines or len(lines[-1]) == 64 else lines


def raw(pub):
    return pub.public_bytes(serialization.Encoding.Raw,
                            serialization.PublicFormat.Raw)


def file_key(sk, st):
    pub = raw(sk.public_key())
    for s in st:
        args = s[0].split(b" ")
        if args[1] == b"X25519":
            share = b64d(args[2])
            shared = sk.exchange(X25519PublicKey.from_public_bytes(share))
            key = hkdf(shared, share + pub, X25519_INFO)
            try:
                return aead(key).decrypt(ZERO, b64d(b"".join(s[1:])), None)
            except Exception:
                pass
    sys.exit("forge.py: no stanza for this identity")


def wrap_for(fk, pub):
    eph = X25519PrivateKey.generate()
    share = raw(eph.public_key())
    key = hkdf(eph.exchange(X25519PublicKey.from_public_bytes(pub)),
               share + pub, X25519_INFO)
    return [b"-> X25519 " + b64e(share)] + body_lines(
        aead(key).encrypt(ZERO, fk, None))


def label(fk, st):
    key = hkdf(fk, b"", b"coyeu.v1/label")
    return aead(key).decrypt(ZERO, b64d(b"".join(st[-1][1:])), None)


def set_label(fk, st, text):
    key = hkdf(fk, b"", b"coyeu.v1/label")
    st[-1] = [st[-1][0]] + body_lines(aead(key).encrypt(ZERO, text, None))


def payload(fk, plain):
    nonce = os.urandom(16)
    a = aead(hkdf(fk, nonce, b"payload"))
    chunks = [plain[i:i + 65536] for i in range(0, len(plain), 65536)]
    return nonce + b"".join(
        a.encrypt(i.to_bytes(11, "big") + bytes([i == len(chunks) - 1]), c,
                  None) for i, c in enumerate(chunks))


def header(fk, st):
    h = b"\n".join([b"age-encryption.org/v1"] + [l for s in st for l in s])
    h += b"\n---"
    mac = hmac.new(hkdf(fk, b"", b"header"), h, hashlib.sha256).digest()
    return h + b" " + b64e(mac) + b"\n"


def main():
    mode, ident, src, dst = sys.argv[1:5]
    arg = sys.argv[5] if len(sys.argv) > 5 else None
    line = [l for l in open(ident).read().split()
            if l.startswith("AGE-SECRET-KEY-1")][0]
    sk = X25519PrivateKey.from_private_bytes(bech32_bytes(line))
    st, _, pl = parse(open(src, "rb").read())
    fk = file_key(sk, st)
    if mode == "reseal":        # other content under the sealer's label
        pl = payload(fk, open(arg, "rb").read())
    elif mode == "rewrap":      # the file key wrapped for an outsider too
        st.insert(len(st) - 1, wrap_for(fk, bech32_bytes(arg)))
    elif mode == "label-from":  # another document's signed label
        other, _, _ = parse(open(arg, "rb").read())
        set_label(fk, st, label(file_key(sk, other), other))
    elif mode == "edit-label":  # the signed label with its number changed
        set_label(fk, st, label(fk, st).replace(b"\ndocument: ",
                                                b"\ndocument: 9", 1))
    elif mode == "mark":        # another outer mark
        st[-1][0] = st[-1][0][:-1] + arg.encode()
    elif mode == "strip":       # no label at all
        del st[-1]
    else:
        sys.exit("forge.py: unknown mode " + mode)
    open(dst, "wb").write(header(fk, st) + pl)


if __name__ == "__main__":
    main()
