# tamper.py MODE IN OUT [OTHER]: what anyone can do to the bytes of a file
# (tests/cli/classified.sh, opencheck.sh).
import sys

B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
CHUNK = 65536 + 16


def parse(data):
    """(stanzas as lists of lines, MAC line, payload) of an age file."""
    end = data.index(b"\n", data.index(b"\n---") + 1) + 1
    lines = data[:end].split(b"\n")[:-1]
    assert lines[0] == b"age-encryption.org/v1"
    stanzas = []
    for line in lines[1:-1]:
        if line.startswith(b"-> "):
            stanzas.append([line])
        else:
            stanzas[-1].append(line)
    return stanzas, lines[-1], data[end:]


def join(stanzas, mac, payload):
    lines = [b"age-encryption.org/v1"] + [l for s in stanzas for l in s]
    return b"\n".join(lines + [mac]) + b"\n" + payload


def label_index(stanzas):
    return [s[0].startswith(b"-> coyeu.v1/label") for s in stanzas].index(True)


def b64_next(line, i):
    """line with its i-th base64 character replaced by another valid one
    (i inside a full 64-column line or a MAC, so every bit counts)."""
    return line[:i] + bytes([B64[(B64.index(line[i]) + 1) % 64]]) + line[i + 1:]


def main():
    mode, src, dst = sys.argv[1:4]
    data = open(src, "rb").read()
    st, mac, pl = parse(data)
    li = label_index(st)
    nchunks = (len(pl) - 16 + CHUNK - 1) // CHUNK
    chunk = {"chunk-first": 0, "chunk-middle": nchunks // 2,
             "chunk-last": nchunks - 1}
    if mode == "label-line":
        st[li][0] = st[li][0].replace(b"label", b"lobel")
    elif mode == "label-body":
        st[li][1] = b64_next(st[li][1], 30)
    elif mode == "x25519-line":
        st[0][0] = b64_next(st[0][0], 20)
    elif mode == "x25519-body":
        st[0][1] = b64_next(st[0][1], 20)
    elif mode == "mac":
        mac = b64_next(mac, 20)
    elif mode == "mark-A":
        st[li][0] = st[li][0][:-1] + b"A"
    elif mode == "nonce":
        pl = pl[:5] + bytes([pl[5] ^ 1]) + pl[6:]
    elif mode in chunk:
        off = 16 + chunk[mode] * CHUNK + 100
        pl = pl[:off] + bytes([pl[off] ^ 0x80]) + pl[off + 1:]
    elif mode == "remove-label":
        del st[li]
    elif mode == "label-first":
        st.insert(0, st.pop(li))
    elif mode == "swap-x25519":
        st[0], st[1] = st[1], st[0]
    elif mode == "two-labels":
        st.append(list(st[li]))
    elif mode == "label-from":
        other, _, _ = parse(open(sys.argv[4], "rb").read())
        st[li] = other[label_index(other)]
    elif mode == "truncate-byte":
        pl = pl[:-1]
    elif mode == "truncate-chunk":
        pl = pl[:16 + (nchunks - 1) * CHUNK]
    elif mode == "append":
        pl += b"\0"
    else:
        sys.exit("tamper.py: unknown mode " + mode)
    out = join(st, mac, pl)
    assert out != data and len(st) > 0
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main()
