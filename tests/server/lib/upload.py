#!/usr/bin/env python3
"""Rewrites a POST /v1/documents body (coyeu send --dry-run) the way an
attacker would, for tests/server/exchange.sh:

  upload.py MODE IN OUT [KEY ACTOR]
    resign     every entry made again by KEY naming ACTOR (another officer
               uploading the sealer's file and label as its own)
    drop-last  the last copy.issue entry left out
    label      doc.register made again by KEY/ACTOR with another label-sha256
    tamper     one byte of the sealed file's payload flipped

Entries are made with `$COYEU log entry` (the fields of the original, in
any order: the form puts them in order)."""
import base64
import json
import os
import subprocess
import sys

SKIP = ("version", "type", "time", "actor", "actor-key", "signature")


def parse(entry):
    fields, typ = {}, None
    for line in entry.split("\n"):
        if ": " not in line:
            continue
        k, v = line.split(": ", 1)
        if k == "type":
            typ = v
        elif k not in SKIP:
            fields[k] = v
    return typ, fields


def remake(entry, key, actor, change=None):
    typ, fields = parse(entry)
    fields.update(change or {})
    args = [os.environ["COYEU"], "log", "entry", "--type", typ, "-k", key,
            "actor=" + actor] + ["%s=%s" % kv for kv in fields.items()]
    return subprocess.run(args, check=True, capture_output=True).stdout.decode()


def main():
    mode, src, dst = sys.argv[1:4]
    body = json.load(open(src))
    if mode == "resign":
        key, actor = sys.argv[4:6]
        body["entries"] = [remake(e, key, actor) for e in body["entries"]]
    elif mode == "drop-last":
        body["entries"].pop()
    elif mode == "label":
        key, actor = sys.argv[4:6]
        body["entries"][0] = remake(body["entries"][0], key, actor,
                                    {"label-sha256": "0" * 64})
    elif mode == "tamper":
        f = bytearray(base64.b64decode(body["file"]))
        f[len(f) - 20] ^= 1
        body["file"] = base64.b64encode(bytes(f)).decode()
    else:
        sys.exit("unknown mode " + mode)
    json.dump(body, open(dst, "w"))


main()
