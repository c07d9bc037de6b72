#!/usr/bin/env python3
"""notekey.py IDKEY ORIGIN: the note signer key (PRIVATE+KEY+...) of an
unprotected officer key file under ORIGIN, so that the CLI's `log append`
can add entries to a register coyeud signs with that key (tests only)."""
import base64
import hashlib
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def b64(s):
    return base64.b64decode(s + "=" * (-len(s) % 4))


def main():
    path, origin = sys.argv[1], sys.argv[2]
    seed = None
    for line in open(path, encoding="utf-8"):
        if line.startswith("sign: "):
            seed = b64(line[6:].strip())
    if seed is None or len(seed) != 32:
        sys.exit("notekey.py: no 32-byte sign: line in " + path)
    pub = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw)
    kid = hashlib.sha256(origin.encode() + b"\n\x01" + pub).digest()[:4]
    print("PRIVATE+KEY+%s+%s+%s" % (origin, kid.hex(),
          base64.b64encode(b"\x01" + seed).decode()))


main()
