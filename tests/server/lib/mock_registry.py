#!/usr/bin/env python3
"""A stand-in registry for tests/server/client.sh: the routes coyeu's
client uses (docs/coyeud.md), its register kept by the real `coyeu log`
commands, so its receipts are genuine unless --tamper says otherwise.
It checks that requests carry the signature headers and a right
Content-Digest, not the signature itself (coyeud's tests do that).

  mock_registry.py --coyeu BIN --dir DIR --port-file F [--tamper MODE]
                   [--refuse] [--origin NAME] [--chain FILE] [--port N]
                   [--tls CERT KEY]

DIR holds reg.db and reg.key (made on first start, or reused).  MODE:
  proof   a hash of each receipt's inclusion proof flipped
  index   each receipt for the entry before (or after) it
  key     receipts from another register with another key
"""
import argparse, base64, hashlib, http.server, json, os, re, subprocess, sys
import tempfile, threading

a = argparse.ArgumentParser()
a.add_argument("--coyeu", required=True)
a.add_argument("--dir", required=True)
a.add_argument("--port-file", required=True)
a.add_argument("--port", type=int, default=0)
a.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), default=None)
a.add_argument("--origin", default="registry.test/mock")
a.add_argument("--chain", default=None)
a.add_argument("--tamper", default=None, choices=["proof", "index", "key"])
a.add_argument("--refuse", action="store_true")
a.add_argument("--refuse-reason", default=None,
               help="the reason --refuse gives (default: names the keyid)")
a.add_argument("--garbage", action="store_true",
               help="answer every request 200 with text that is not JSON")
args = a.parse_args()

lock = threading.Lock()
DB = os.path.join(args.dir, "reg.db")
KEY = os.path.join(args.dir, "reg.key")


def init_register(db, key, origin):
    if os.path.exists(db):
        out = subprocess.run([args.coyeu, "log", "checkpoint", db],
                             capture_output=True, text=True, check=True).stdout
    else:
        out = subprocess.run([args.coyeu, "log", "init", "--key", key,
                              "--origin", origin, db],
                             capture_output=True, text=True, check=True).stdout
    m = re.search(r"^verifier key: (\S+)$", out, re.M)
    if m:
        with open(db + ".vkey", "w") as f:
            f.write(m.group(1))
    with open(db + ".vkey") as f:
        return f.read().strip()


VKEY = init_register(DB, KEY, args.origin)
OTHER = None
if args.tamper == "key":
    OTHER = (os.path.join(args.dir, "other.db"), os.path.join(args.dir, "other.key"))
    init_register(OTHER[0], OTHER[1], args.origin)


def append(db, key, entries):
    """Appends with `coyeu log append`; returns [(index, receipt)]."""
    with tempfile.TemporaryDirectory() as d:
        files = []
        for i, e in enumerate(entries):
            p = os.path.join(d, "e%05d" % i)
            with open(p, "w") as f:
                f.write(e)
            files.append(p)
        r = subprocess.run([args.coyeu, "log", "append", "--key", key, db] + files,
                           capture_output=True, text=True)
        if r.returncode != 0:
            return None, r.stderr.strip().replace("coyeu: ", "", 1)
        out = []
        for line in r.stdout.splitlines():
            idx, p = line.split(" ", 1)
            with open(p + ".tlog-proof") as f:
                out.append((int(idx), f.read()))
        return out, None


def flip_b64(line):
    raw = bytearray(base64.b64decode(line))
    raw[0] ^= 1
    return base64.b64encode(bytes(raw)).decode()


def flip_proof(receipt):
    """Flips the first proof hash; with none (a one-entry tree), the
    checkpoint's root hash."""
    lines = receipt.split("\n")
    blank = lines.index("")
    for i in range(1, blank):
        if lines[i].startswith("index "):
            if i + 1 < blank:
                lines[i + 1] = flip_b64(lines[i + 1])
                return "\n".join(lines)
    lines[blank + 3] = flip_b64(lines[blank + 3])
    return "\n".join(lines)


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def refuse(self, status, code, reason):
        self.answer(status, {"error": code, "reason": reason})

    def note_connection(self):
        # One line per request: the client's port, so a test can count
        # connections (keep-alive).
        with lock, open(os.path.join(args.dir, "connections"), "a") as f:
            f.write("%d\n" % self.client_address[1])

    def garbage(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = b"<html>hello</html>\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.note_connection()
        if args.garbage:
            return self.garbage()
        if self.path == "/v1/registry":
            chain = open(args.chain).read() if args.chain else ""
            return self.answer(200, {"origin": args.origin, "verifier_key": VKEY,
                                     "chain": chain, "witness_keys": []})
        self.refuse(404, "not-found", "no route GET " + self.path)

    def signed_body(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        for h in ("Signature-Input", "Signature", "Content-Digest"):
            if not self.headers.get(h):
                self.refuse(401, "unauthenticated", "no %s header" % h)
                return None
        if "keyid=" not in self.headers["Signature-Input"]:
            self.refuse(401, "unauthenticated", "the signature has no keyid")
            return None
        want = "sha-256=:%s:" % base64.b64encode(hashlib.sha256(body).digest()).decode()
        if self.headers["Content-Digest"] != want:
            self.refuse(401, "unauthenticated", "Content-Digest does not match the body")
            return None
        if self.headers.get("Content-Type") != "application/json":
            self.refuse(400, "bad-request", "Content-Type is not application/json")
            return None
        if args.refuse and args.refuse_reason is not None:
            self.refuse(403, "forbidden", args.refuse_reason)
            return None
        if args.refuse:
            self.refuse(403, "forbidden", "officer %s is outside unit vn/mock"
                        % re.search(r'keyid="([^"]*)"', self.headers["Signature-Input"]).group(1))
            return None
        try:
            return json.loads(body)
        except ValueError:
            self.refuse(400, "bad-request", "malformed JSON")
            return None

    def do_POST(self):
        self.note_connection()
        if args.garbage:
            return self.garbage()
        req = self.signed_body()
        if req is None:
            return
        if self.path == "/v1/log/entries":
            with lock:
                got, why = append(DB, KEY, req["entries"])
                if got is None:
                    return self.refuse(409 if "already" in why else 400,
                                       "conflict" if "already" in why else "bad-request", why)
                if args.tamper == "key":
                    got, why = append(OTHER[0], OTHER[1], req["entries"])
            items = []
            for i, (idx, rec) in enumerate(got):
                if args.tamper == "proof":
                    rec = flip_proof(rec)
                elif args.tamper == "index":
                    j = i - 1 if i > 0 else (i + 1 if len(got) > 1 else i)
                    rec = got[j][1]
                items.append({"index": idx, "receipt": rec})
            return self.answer(200, {"entries": items})
        if self.path == "/v1/certs":
            chain = req["chain"]
            serial = re.search(r"^serial: ([0-9a-f]{32})$", chain, re.M).group(1)
            name = re.search(r"^name: (.*)$", chain, re.M).group(1)
            unit = re.search(r"^unit: (.*)$", chain, re.M).group(1)
            with open(os.path.join(args.dir, "registered-" + serial), "w") as f:
                f.write(chain)
            return self.answer(201, {"serial": serial, "name": name, "unit": unit,
                                     "role": "officer", "clearance": "mat"})
        if self.path == "/v1/revocations":
            crl = req["crl"]
            with open(os.path.join(args.dir, "posted.crl"), "w") as f:
                f.write(crl)
            revoked = re.findall(r"^revoked: ([0-9a-f]{32})", crl, re.M)
            return self.answer(201, {"revoked": revoked,
                                     "entries": [{"index": i, "receipt": ""}
                                                 for i in range(len(revoked))]})
        self.refuse(404, "not-found", "no route POST " + self.path)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), H)
if args.tls:
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.tls[0], args.tls[1])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(args.port_file + ".tmp", args.port_file)
srv.serve_forever()
