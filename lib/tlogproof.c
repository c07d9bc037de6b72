/* C2SP tlog-proof receipts. */
#include <string.h>

#include "coyeu/encoding.h"
#include "coyeu/tlogproof.h"

/* The next line (without LF) or NULL at the end or without an LF. */
static const char *
line_at(const uint8_t *in, size_t len, size_t *pos, size_t *n)
{
	const uint8_t *p = in + *pos, *nl;

	if (*pos >= len || (nl = memchr(p, '\n', len - *pos)) == NULL)
		return NULL;
	*n = (size_t)(nl - p);
	*pos += *n + 1;
	return (const char *)p;
}

static int
parse_index(const char *p, size_t n, uint64_t *v)
{
	size_t i;

	if (n == 0 || n > 19 || (p[0] == '0' && n > 1))
		return -1;
	for (*v = 0, i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		*v = *v * 10 + (uint64_t)(p[i] - '0');
	}
	return *v > INT64_MAX ? -1 : 0;
}

int
cy_tlog_proof_parse(const uint8_t *in, size_t len, cy_tlog_proof *p,
    cy_error *err)
{
	const char *l;
	size_t pos = 0, n, got;

	memset(p, 0, sizeof(*p));
	if (len > CY_TLOG_PROOF_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE, "tlog-proof: too large");
	if ((l = line_at(in, len, &pos, &n)) == NULL ||
	    n != strlen(CY_TLOG_PROOF_HEADER) ||
	    memcmp(l, CY_TLOG_PROOF_HEADER, n) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "tlog-proof: the first line must be %s", CY_TLOG_PROOF_HEADER);
	if ((l = line_at(in, len, &pos, &n)) != NULL && n > 6 &&
	    memcmp(l, "extra ", 6) == 0) {
		if (n - 6 > CY_B64_PADDED_LEN(CY_TLOG_PROOF_EXTRA_MAX) ||
		    cy_b64_decode(p->extra, &p->extra_len, l + 6, n - 6, 1) != 0)
			return cy_error_set(err, CY_E_FORMAT,
			    "tlog-proof: extra is not base64");
		p->has_extra = 1;
		l = line_at(in, len, &pos, &n);
	}
	if (l == NULL || n < 7 || memcmp(l, "index ", 6) != 0 ||
	    parse_index(l + 6, n - 6, &p->index) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "tlog-proof: expected 'index N' (decimal, no leading zero)");
	for (;;) {
		if ((l = line_at(in, len, &pos, &n)) == NULL)
			return cy_error_set(err, CY_E_FORMAT,
			    "tlog-proof: no blank line before the checkpoint");
		if (n == 0)
			break;
		if (p->nhashes == CY_TLOG_PROOF_MAX_HASHES)
			return cy_error_set(err, CY_E_FORMAT,
			    "tlog-proof: more than %d proof hashes",
			    CY_TLOG_PROOF_MAX_HASHES);
		if (n != CY_B64_PADDED_LEN(32) ||
		    cy_b64_decode(p->hashes[p->nhashes], &got, l, n, 1) != 0 ||
		    got != 32)
			return cy_error_set(err, CY_E_FORMAT,
			    "tlog-proof: proof line %zu is not a base64 SHA-256 hash",
			    p->nhashes + 1);
		p->nhashes++;
	}
	if (pos >= len)
		return cy_error_set(err, CY_E_FORMAT,
		    "tlog-proof: the checkpoint is missing");
	p->checkpoint = in + pos;
	p->checkpoint_len = len - pos;
	return 0;
}

int
cy_tlog_proof_format(const cy_tlog_proof *p, const uint8_t *checkpoint,
    size_t checkpoint_len, cy_buf *out)
{
	char b64[CY_B64_PADDED_LEN(CY_TLOG_PROOF_EXTRA_MAX) + 1];
	size_t i;

	cy_buf_printf(out, "%s\n", CY_TLOG_PROOF_HEADER);
	if (p->has_extra) {
		cy_b64_encode(b64, p->extra, p->extra_len, 1);
		cy_buf_printf(out, "extra %s\n", b64);
	}
	cy_buf_printf(out, "index %llu\n", (unsigned long long)p->index);
	for (i = 0; i < p->nhashes; i++) {
		cy_b64_encode(b64, p->hashes[i], 32, 1);
		cy_buf_printf(out, "%s\n", b64);
	}
	cy_buf_puts(out, "\n");
	cy_buf_append(out, checkpoint, checkpoint_len);
	return cy_buf_status(out);
}
