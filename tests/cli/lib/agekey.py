"""For the command-line tests that play a malicious recipient: the raw
bytes of a Bech32 age key (AGE-SECRET-KEY-1… or age1…), checksum ignored."""

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_bytes(s):
    acc = bits = 0
    out = bytearray()
    for c in s[s.rindex("1") + 1:-6].lower():
        acc, bits = (acc << 5) | CHARSET.index(c), bits + 5
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    return bytes(out)
