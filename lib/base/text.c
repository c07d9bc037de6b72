#include <string.h>

#include "coyeu/encoding.h"
#include "base/text.h"

/* The one strict UTF-8 decoder of the library (canon.c uses it too).  Lead
 * bytes C0, C1 and F5-FF are refused outright, before any continuation
 * byte is read; overlongs, surrogates and code points past U+10FFFF too. */
size_t
cy_utf8_decode(const uint8_t *s, size_t len, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int
cy_utf8_text_ok(const uint8_t *s, size_t len, int newline)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if (s[i] < 0x80) {
			if (s[i] < 0x20 && !(newline && s[i] == '\n'))
				return 0;
			i++;
			continue;
		}
		if ((n = cy_utf8_decode(s + i, len - i, &cp)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

int
cy_unicode_is_space(uint32_t cp)
{
	switch (cp) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202f: case 0x205f: case 0x3000:
		return 1;
	}
	return cp >= 0x2000 && cp <= 0x200a;
}

int
cy_parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int
cy_b64_hash_decode(const char *s, size_t len, uint8_t out[32])
{
	uint8_t tmp[CY_B64_PADDED_LEN(32) / 4 * 3]; /* 33: room for any 44 */
	size_t got;

	if (len != CY_B64_PADDED_LEN(32) || cy_b64_decode(tmp, &got, s, len, 1) != 0 ||
	    got != 32)
		return -1;
	memcpy(out, tmp, 32);
	return 0;
}

int
cy_text_line(const uint8_t **p, const uint8_t *end, const char **line,
    size_t *len)
{
	const uint8_t *nl;

	if (*p >= end || (nl = memchr(*p, '\n', (size_t)(end - *p))) == NULL)
		return -1;
	*line = (const char *)*p;
	*len = (size_t)(nl - *p);
	*p = nl + 1;
	return 0;
}
