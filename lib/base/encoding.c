#include <string.h>

#include "coyeu/encoding.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
cy_b64_encode(char *out, const uint8_t *in, size_t n, int padded)
{
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		if (padded) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		if (padded)
			out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
cy_b64_decode(uint8_t *out, size_t *outlen, const char *in, size_t len,
    int padded)
{
	size_t i, o = 0, body = len, rem;
	uint32_t acc = 0;
	int bits = 0, v;

	if (padded) {
		if (len % 4 != 0)
			return CY_E_FORMAT;
		if (len > 0 && in[len - 1] == '=')
			body--;
		if (len > 1 && in[len - 2] == '=')
			body--;
	}
	rem = body % 4;
	if (rem == 1)
		return CY_E_FORMAT;
	if (padded && rem != 0 && body + (4 - rem) != len)
		return CY_E_FORMAT;
	for (i = 0; i < body; i++) {
		if ((v = b64_value(in[i])) < 0)
			return CY_E_FORMAT;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Non-canonical: leftover bits must be zero. */
	if (acc != 0)
		return CY_E_FORMAT;
	*outlen = o;
	return 0;
}

void
cy_hex_encode(char *out, const uint8_t *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
cy_hex_decode(uint8_t *out, size_t n, const char *in, size_t len)
{
	size_t i;
	int hi, lo;

	if (len != 2 * n)
		return CY_E_FORMAT;
	for (i = 0; i < n; i++) {
		hi = hex_value(in[2 * i]);
		lo = hex_value(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return CY_E_FORMAT;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
