/* Bech32 (BIP 173, checksum constant 1) as age uses it.  Unlike BIP 173 there
 * is no 90-character limit: age's hybrid recipients run to ~2000 characters.
 * Decoding works in one pass with no heap copy, because the data is often a
 * secret key. */
#include <string.h>

#include "age/bech32.h"
#include "coyeu/secret.h"

#define BECH32_CHECKSUM_LEN 6

static const char bech32_charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t
polymod_step(uint32_t chk, unsigned v)
{
	static const uint32_t gen[5] = {
		0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3,
	};
	uint32_t top = chk >> 25;
	int i;

	chk = ((chk & 0x1ffffff) << 5) ^ v;
	for (i = 0; i < 5; i++)
		if ((top >> i) & 1)
			chk ^= gen[i];
	return chk;
}

/* The checksum state after the expanded hrp (already lowercase). */
static uint32_t
polymod_hrp(const char *hrp, size_t len)
{
	uint32_t chk = 1;
	size_t i;

	for (i = 0; i < len; i++)
		chk = polymod_step(chk, (unsigned char)hrp[i] >> 5);
	chk = polymod_step(chk, 0);
	for (i = 0; i < len; i++)
		chk = polymod_step(chk, (unsigned char)hrp[i] & 31);
	return chk;
}

static int
charset_value(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(bech32_charset, c);
	return p == NULL ? -1 : (int)(p - bech32_charset);
}

static char
to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static char
to_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

int
cy_bech32_encode(char *out, size_t outcap, const char *hrp,
    const uint8_t *data, size_t len, int upper)
{
	size_t hrplen, nchars, need, i, o = 0;
	uint32_t acc = 0, chk;
	int bits = 0;

	if (out == NULL || hrp == NULL || (data == NULL && len > 0))
		return CY_E_USAGE;
	hrplen = strlen(hrp);
	if (hrplen == 0 || hrplen > CY_BECH32_HRP_MAX || len > SIZE_MAX / 16)
		return CY_E_USAGE;
	for (i = 0; i < hrplen; i++) {
		unsigned char c = (unsigned char)hrp[i];
		if (c < 33 || c > 126 || (c >= 'A' && c <= 'Z'))
			return CY_E_USAGE;
	}
	nchars = (len * 8 + 4) / 5;
	need = hrplen + 1 + nchars + BECH32_CHECKSUM_LEN + 1;
	if (outcap < need)
		return CY_E_USAGE;

	memcpy(out, hrp, hrplen);
	o = hrplen;
	out[o++] = '1';
	chk = polymod_hrp(hrp, hrplen);
	for (i = 0; i < len; i++) {
		acc = (acc << 8 | data[i]) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			chk = polymod_step(chk, (acc >> bits) & 31);
			out[o++] = bech32_charset[(acc >> bits) & 31];
		}
	}
	if (bits > 0) {
		chk = polymod_step(chk, (acc << (5 - bits)) & 31);
		out[o++] = bech32_charset[(acc << (5 - bits)) & 31];
	}
	for (i = 0; i < BECH32_CHECKSUM_LEN; i++)
		chk = polymod_step(chk, 0);
	chk ^= 1;
	for (i = 0; i < BECH32_CHECKSUM_LEN; i++)
		out[o++] = bech32_charset[(chk >> (5 * (5 - i))) & 31];
	out[o] = '\0';
	if (upper)
		for (i = 0; i < o; i++)
			out[i] = to_upper(out[i]);
	cy_wipe(&acc, sizeof(acc));
	return 0;
}

/* Case and range of every character; finds the separator. */
static int
bech32_scan(const char *s, size_t n, size_t *sep, cy_error *err)
{
	int lower = 0, upper = 0;
	size_t i;

	*sep = n;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 33 || c > 126)
			return cy_error_set(err, CY_E_FORMAT,
			    "invalid character 0x%02x at position %zu in bech32 "
			    "string", c, i);
		lower |= c >= 'a' && c <= 'z';
		upper |= c >= 'A' && c <= 'Z';
		if (c == '1')
			*sep = i;
	}
	if (lower && upper)
		return cy_error_set(err, CY_E_FORMAT,
		    "mixed case in bech32 string");
	if (*sep == n)
		return cy_error_set(err, CY_E_FORMAT,
		    "missing separator '1' in bech32 string");
	if (*sep == 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "empty human-readable part in bech32 string");
	if (*sep > CY_BECH32_HRP_MAX)
		return cy_error_set(err, CY_E_FORMAT,
		    "bech32 human-readable part longer than %d characters",
		    CY_BECH32_HRP_MAX);
	if (n - *sep - 1 < BECH32_CHECKSUM_LEN)
		return cy_error_set(err, CY_E_FORMAT,
		    "bech32 data part shorter than its %d-character checksum",
		    BECH32_CHECKSUM_LEN);
	return 0;
}

int
cy_bech32_decode(const char *s, char hrp[CY_BECH32_HRP_MAX + 1],
    uint8_t *data, size_t datacap, size_t *datalen, cy_error *err)
{
	size_t n, sep, i, ndata, nbytes, o = 0;
	uint32_t acc = 0, chk;
	int bits = 0, v, rc;

	if (datalen != NULL)
		*datalen = 0;
	if (hrp != NULL)
		hrp[0] = '\0';
	if (s == NULL || hrp == NULL || datalen == NULL ||
	    (data == NULL && datacap > 0))
		return cy_error_set(err, CY_E_USAGE, "bech32: bad arguments");
	n = strlen(s);
	if ((rc = bech32_scan(s, n, &sep, err)) != 0)
		goto out;
	for (i = 0; i < sep; i++)
		hrp[i] = to_lower(s[i]);
	hrp[sep] = '\0';
	ndata = n - sep - 1 - BECH32_CHECKSUM_LEN;
	nbytes = ndata / 8 * 5 + (ndata % 8) * 5 / 8;
	if (nbytes > datacap) {
		rc = cy_error_set(err, CY_E_FORMAT,
		    "bech32 data is %zu bytes, more than the %zu expected",
		    nbytes, datacap);
		goto out;
	}
	chk = polymod_hrp(hrp, sep);
	for (i = sep + 1; i < n; i++) {
		if ((v = charset_value(to_lower(s[i]))) < 0) {
			rc = cy_error_set(err, CY_E_FORMAT,
			    "invalid bech32 character '%c' at position %zu",
			    s[i], i);
			goto out;
		}
		chk = polymod_step(chk, (unsigned)v);
		if (i >= n - BECH32_CHECKSUM_LEN)
			continue;
		acc = (acc << 5 | (uint32_t)v) & 0x1fff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			data[o++] = (uint8_t)(acc >> bits);
		}
	}
	if (chk != 1) {
		rc = cy_error_set(err, CY_E_FORMAT, "invalid bech32 checksum");
		goto out;
	}
	/* 8-bit data in 5-bit groups: fewer than 5 leftover bits, all zero. */
	if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0) {
		rc = cy_error_set(err, CY_E_FORMAT,
		    "non-zero or excess padding bits in bech32 data");
		goto out;
	}
	*datalen = o;
	rc = 0;
out:
	if (rc != 0 && data != NULL)
		cy_wipe(data, o);
	cy_wipe(&acc, sizeof(acc));
	return rc;
}
