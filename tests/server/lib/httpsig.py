# httpsig.py [OPTIONS] METHOD URL: sends one request to coyeud signed as
# RFC 9421 with coyeu's profile (docs/coyeud.md, "Signed requests"), or
# forged the ways an attacker would (tests/server/auth.sh).  Prints the
# status on the first line, then the body (JSON
# re-spelled as Python's json.dumps does: "k": "v", "k": ["a"]).
#
#   --key FILE        an unprotected officer key (coyeu id new --unprotected)
#   --keyid SERIAL    the signer's certificate serial
#   --str NAME FILE   body member NAME: FILE's text (JSON string)
#   --list NAME FILE  body member NAME: an array, FILE's text appended
#   --raw FILE        the body as FILE's bytes (instead of --str/--list)
#   --unsigned        no Signature headers at all
#   --repeat N        send it N times, each with a fresh nonce (a flood)
#   --parallel N      send the very same signed request N times at once
#                     (a replay racing the original), one status a line
# Forgeries:
#   --nonce N         this nonce (a replay sends one twice)
#   --created-offset S  created = now + S
#   --components "C …"  cover these components instead of the profile's
#   --sign-url URL    sign this @target-uri, send to URL
#   --sign-body FILE  sign and digest FILE, send the real body
#   --digest VALUE    send this Content-Digest (signed as sent)
#   --flip            flip a bit of the signature
#   --sign-method M   sign method M, send METHOD
import base64, hashlib, http.client, json, os, sys, threading, time, urllib.parse
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

CT = "application/json"


def b64d(s):
    return base64.b64decode(s + "=" * (-len(s) % 4))


def load_key(path):
    """The Ed25519 seed of an unprotected key file ("sign: <b64>")."""
    with open(path) as f:
        for line in f:
            if line.startswith("sign: "):
                return Ed25519PrivateKey.from_private_bytes(
                    b64d(line[6:].strip()))
    sys.exit("httpsig.py: %s holds no sign: line" % path)


def digest(body):
    return "sha-256=:%s:" % base64.b64encode(
        hashlib.sha256(body).digest()).decode()


def sig_params(components, created, keyid, nonce):
    inner = " ".join('"%s"' % c for c in components)
    return '(%s);created=%d;keyid="%s";alg="ed25519";nonce="%s"' % (
        inner, created, keyid, nonce)


def signature_base(values, components, params):
    lines = ['"%s": %s' % (c, values[c]) for c in components]
    lines.append('"@signature-params": ' + params)
    return "\n".join(lines).encode()


def main():
    a = sys.argv[1:]
    opt = {"list": {}, "str": {}}
    pos = []
    one = ("--parallel", "--repeat", "--key", "--keyid", "--raw", "--nonce", "--created-offset",
           "--components", "--sign-url", "--sign-body", "--digest",
           "--sign-method")
    while a:
        x = a.pop(0)
        if x in one:
            opt[x[2:]] = a.pop(0)
        elif x in ("--str", "--list"):
            name, path = a.pop(0), a.pop(0)
            with open(path) as f:
                text = f.read()
            if x == "--str":
                opt["str"][name] = text
            else:
                opt["list"].setdefault(name, []).append(text)
        elif x in ("--unsigned", "--flip"):
            opt[x[2:]] = True
        else:
            pos.append(x)
    if len(pos) != 2:
        sys.exit("usage: httpsig.py [OPTIONS] METHOD URL")
    method, url = pos
    if "raw" in opt:
        with open(opt["raw"], "rb") as f:
            body = f.read()
    elif opt["str"] or opt["list"]:
        obj = dict(opt["str"])
        obj.update(opt["list"])
        body = json.dumps(obj).encode()
    else:
        body = b""

    for _ in range(int(opt.get("repeat", "1"))):
        send(opt, method, url, body)


def send(opt, method, url, body):
    headers = sign(opt, method, url, body)
    n = int(opt.get("parallel", "0"))
    if n == 0:
        status, text = exchange(method, url, body, headers)
        sys.stdout.write("%d\n%s\n" % (status, text))
        return
    barrier = threading.Barrier(n)
    out = [None] * n

    def one(i):
        conn, path = connect(url)
        barrier.wait()
        out[i] = request(conn, method, path, body, headers)[0]

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sys.stdout.write("".join("%d\n" % s for s in sorted(out)))


def sign(opt, method, url, body):
    headers = {}
    if body:
        headers["Content-Type"] = CT
        signed_body = body
        if "sign-body" in opt:
            with open(opt["sign-body"], "rb") as f:
                signed_body = f.read()
        headers["Content-Digest"] = opt.get("digest", digest(signed_body))
    if not opt.get("unsigned"):
        components = (opt["components"].split() if "components" in opt
                      else ["@method", "@target-uri"] +
                      (["content-digest", "content-type"] if body else []))
        created = int(time.time()) + int(opt.get("created-offset", "0"))
        nonce = opt.get("nonce") or base64.urlsafe_b64encode(
            os.urandom(18)).decode()
        values = {"@method": opt.get("sign-method", method),
                  "@target-uri": opt.get("sign-url", url),
                  "content-digest": headers.get("Content-Digest", ""),
                  "content-type": headers.get("Content-Type", "")}
        params = sig_params(components, created, opt["keyid"], nonce)
        sig = bytearray(load_key(opt["key"]).sign(
            signature_base(values, components, params)))
        if opt.get("flip"):
            sig[10] ^= 1
        headers["Signature-Input"] = "sig1=" + params
        headers["Signature"] = "sig1=:%s:" % base64.b64encode(
            bytes(sig)).decode()

    return headers


def connect(url):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.connect()
    return conn, u.path + ("?" + u.query if u.query else "")


def request(conn, method, path, body, headers):
    conn.request(method, path, body=body or None, headers=headers)
    r = conn.getresponse()
    text = r.read().decode("utf-8", "replace")
    try:  # one spelling of JSON for the tests' patterns
        text = json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        pass
    return r.status, text


def exchange(method, url, body, headers):
    conn, path = connect(url)
    return request(conn, method, path, body, headers)


main()
