/* C2SP tlog-proof: format, parse, verify. */
#include <stdlib.h>
#include <string.h>

#include "coyeu/encoding.h"
#include "coyeu/tlogproof.h"
#include "base/text.h"

#define HASH_B64_LEN CY_B64_PADDED_LEN(CY_HASH_LEN)
#define INCLUSION_MAX 64 /* hashes in an inclusion proof of a 64-bit tree */

struct cy_tlogproof {
	uint64_t index;
	uint8_t hashes[INCLUSION_MAX][CY_HASH_LEN];
	size_t n;
	uint8_t *extra;
	size_t extra_len;
	uint8_t *note;
	size_t note_len;
};

int
cy_tlogproof_format(uint64_t index, const uint8_t proof[][CY_HASH_LEN],
    size_t n, const uint8_t *extra, size_t extra_len, const uint8_t *note,
    size_t note_len, cy_buf *out, cy_error *err)
{
	char b64[HASH_B64_LEN + 1];
	size_t i;

	if (n > INCLUSION_MAX || extra_len > CY_TLOGPROOF_EXTRA_MAX ||
	    (extra != NULL && extra_len == 0))
		return cy_error_set(err, CY_E_USAGE, "proof or extra data too large");
	cy_buf_puts(out, CY_TLOGPROOF_HEADER "\n");
	if (extra != NULL) {
		char *e = malloc(CY_B64_PADDED_LEN(extra_len) + 1);

		if (e == NULL)
			return cy_error_set(err, CY_E_NOMEM, "out of memory");
		cy_b64_encode(e, extra, extra_len, 1);
		cy_buf_printf(out, "extra %s\n", e);
		free(e);
	}
	cy_buf_printf(out, "index %llu\n", (unsigned long long)index);
	for (i = 0; i < n; i++) {
		cy_b64_encode(b64, proof[i], CY_HASH_LEN, 1);
		cy_buf_printf(out, "%s\n", b64);
	}
	cy_buf_puts(out, "\n");
	cy_buf_append(out, note, note_len);
	if (cy_buf_status(out) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

static int
has_prefix(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(line, prefix, n) == 0;
}

static int
parse_extra(cy_tlogproof *t, const char *b64, size_t len, cy_error *err)
{
	if (len == 0 || len > CY_B64_PADDED_LEN(CY_TLOGPROOF_EXTRA_MAX))
		return cy_error_set(err, CY_E_FORMAT, "extra data empty or too long");
	if ((t->extra = malloc(len / 4 * 3 + 1)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if (cy_b64_decode(t->extra, &t->extra_len, b64, len, 1) != 0)
		return cy_error_set(err, CY_E_FORMAT, "extra data is not base64");
	return 0;
}

static int
parse_body(cy_tlogproof *t, const uint8_t *in, size_t len, cy_error *err)
{
	const uint8_t *p = in, *end = in + len;
	const char *line;
	size_t n;
	int r;

	if (cy_text_line(&p, end, &line, &n) != 0 ||
	    n != strlen(CY_TLOGPROOF_HEADER) ||
	    memcmp(line, CY_TLOGPROOF_HEADER, n) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "not a tlog proof: the first line must be " CY_TLOGPROOF_HEADER);
	if (cy_text_line(&p, end, &line, &n) != 0)
		return cy_error_set(err, CY_E_FORMAT, "tlog proof has no index line");
	if (has_prefix(line, n, "extra ")) {
		if ((r = parse_extra(t, line + 6, n - 6, err)) != 0)
			return r;
		if (cy_text_line(&p, end, &line, &n) != 0)
			return cy_error_set(err, CY_E_FORMAT,
			    "tlog proof has no index line");
	}
	if (!has_prefix(line, n, "index ") ||
	    cy_parse_u64(line + 6, n - 6, &t->index) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "tlog proof index line must read \"index <decimal>\"");
	for (;;) {
		if (cy_text_line(&p, end, &line, &n) != 0)
			return cy_error_set(err, CY_E_FORMAT,
			    "tlog proof has no blank line before its checkpoint");
		if (n == 0)
			break;
		if (t->n == INCLUSION_MAX)
			return cy_error_set(err, CY_E_FORMAT,
			    "tlog proof has more than %d hashes", INCLUSION_MAX);
		if (cy_b64_hash_decode(line, n, t->hashes[t->n]) != 0)
			return cy_error_set(err, CY_E_FORMAT,
			    "tlog proof line %zu is not a base64 SHA-256 hash",
			    t->n + 1);
		t->n++;
	}
	if (p == end)
		return cy_error_set(err, CY_E_FORMAT, "tlog proof has no checkpoint");
	t->note_len = (size_t)(end - p);
	if ((t->note = malloc(t->note_len)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	memcpy(t->note, p, t->note_len);
	return 0;
}

int
cy_tlogproof_parse(const uint8_t *in, size_t len, cy_tlogproof **out,
    cy_error *err)
{
	cy_tlogproof *t;
	int r;

	*out = NULL;
	if (len > CY_TLOGPROOF_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE, "tlog proof too large");
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((r = parse_body(t, in, len, err)) != 0) {
		cy_tlogproof_free(t);
		return r;
	}
	*out = t;
	return 0;
}

uint64_t
cy_tlogproof_index(const cy_tlogproof *p)
{
	return p->index;
}

size_t
cy_tlogproof_hashes(const cy_tlogproof *p, const uint8_t (**hashes)[CY_HASH_LEN])
{
	*hashes = (const uint8_t (*)[CY_HASH_LEN])p->hashes;
	return p->n;
}

const uint8_t *
cy_tlogproof_extra(const cy_tlogproof *p, size_t *len)
{
	*len = p->extra_len;
	return p->extra;
}

const uint8_t *
cy_tlogproof_note(const cy_tlogproof *p, size_t *len)
{
	*len = p->note_len;
	return p->note;
}

void
cy_tlogproof_free(cy_tlogproof *p)
{
	if (p == NULL)
		return;
	free(p->extra);
	free(p->note);
	free(p);
}

int
cy_tlogproof_verify(const cy_tlogproof *p, const cy_note_verifier *v,
    const uint8_t *entry, size_t len, cy_checkpoint *cp, cy_error *err)
{
	uint8_t leaf[CY_HASH_LEN];
	cy_checkpoint c;
	int r;

	if ((r = cy_checkpoint_open(p->note, p->note_len, v, &c, err)) != 0) {
		cy_error_wrap(err, "checkpoint");
		return r;
	}
	if (cy_merkle_leaf_hash(NULL, entry, len, leaf) != 0)
		return cy_error_set(err, CY_E_CRYPTO, "SHA-256 failed");
	if ((r = cy_merkle_verify_inclusion(NULL, leaf, p->index, c.size,
	    (const uint8_t (*)[CY_HASH_LEN])p->hashes, p->n, c.root, err)) != 0) {
		cy_error_wrap(err, "entry %llu in the tree of size %llu",
		    (unsigned long long)p->index, (unsigned long long)c.size);
		return r;
	}
	if (cp != NULL)
		*cp = c;
	return 0;
}
