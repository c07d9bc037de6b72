/* c2sp.org/tlog-witness: the add-checkpoint body, the witness's decision,
 * and what a log does with the answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/encoding.h"
#include "coyeu/witness.h"
#include "base/text.h"

#define HASH_B64_LEN CY_B64_PADDED_LEN(CY_HASH_LEN) /* 44 */
#define OLD_PREFIX "old "
#define SIZE_LINE_MAX 21 /* 2^64 - 1 in decimal, and its newline */

static const char em_dash_space[] = "\xe2\x80\x94 "; /* U+2014, space */

static const uint8_t *
find_nl(const uint8_t *p, const uint8_t *end)
{
	return memchr(p, '\n', (size_t)(end - p));
}

/* The old size line, "old <canonical decimal>". */
static int
parse_old(const uint8_t **p, const uint8_t *end, uint64_t *old, cy_error *err)
{
	const char *line;
	size_t n, k = sizeof(OLD_PREFIX) - 1;

	if (cy_text_line(p, end, &line, &n) != 0 || n < k ||
	    memcmp(line, OLD_PREFIX, k) != 0 ||
	    cy_parse_u64(line + k, n - k, old) != 0)
		return cy_error_set(err, CY_E_FORMAT, "the body must start with "
		    "\"old <size>\" (a decimal without leading zeroes) and a newline");
	return 0;
}

/* Proof lines up to the blank line. */
static int
parse_proof(const uint8_t **p, const uint8_t *end, cy_witness_request *out,
    cy_error *err)
{
	const char *line;
	size_t n;

	for (;;) {
		if (cy_text_line(p, end, &line, &n) != 0)
			return cy_error_set(err, CY_E_FORMAT,
			    "the body has no blank line before the checkpoint");
		if (n == 0)
			return 0;
		if (out->nproof == CY_WITNESS_PROOF_MAX)
			return cy_error_set(err, CY_E_FORMAT,
			    "a consistency proof has at most %d lines",
			    CY_WITNESS_PROOF_MAX);
		if (n != HASH_B64_LEN ||
		    cy_b64_hash_decode(line, n, out->proof[out->nproof]) != 0)
			return cy_error_set(err, CY_E_FORMAT, "consistency proof "
			    "line %zu is not a base64 SHA-256 hash", out->nproof + 1);
		out->nproof++;
	}
}

int
cy_witness_request_parse(const uint8_t *body, size_t len,
    cy_witness_request *out, cy_error *err)
{
	const uint8_t *p = body, *end = body + len, *nl;
	int r;

	memset(out, 0, sizeof(*out));
	if (len > CY_WITNESS_BODY_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE,
		    "an add-checkpoint body is at most %d bytes", CY_WITNESS_BODY_MAX);
	if ((r = parse_old(&p, end, &out->old_size, err)) != 0 ||
	    (r = parse_proof(&p, end, out, err)) != 0)
		return r;
	if (p == end || (nl = find_nl(p, end)) == NULL || nl == p ||
	    (size_t)(nl - p) > CY_ORIGIN_MAX)
		return cy_error_set(err, CY_E_FORMAT, "the checkpoint after the "
		    "blank line has no origin line (1 to %d bytes)", CY_ORIGIN_MAX);
	memcpy(out->origin, p, (size_t)(nl - p));
	if (memchr(out->origin, '\0', (size_t)(nl - p)) != NULL)
		return cy_error_set(err, CY_E_FORMAT, "the origin holds a NUL");
	out->note = p;
	out->note_len = (size_t)(end - p);
	return 0;
}

int
cy_witness_request_build(uint64_t old_size, const uint8_t proof[][CY_HASH_LEN],
    size_t n, const uint8_t *note, size_t note_len, cy_buf *out, cy_error *err)
{
	char b64[HASH_B64_LEN + 1];
	size_t i;

	if (n > CY_WITNESS_PROOF_MAX)
		return cy_error_set(err, CY_E_USAGE,
		    "a consistency proof has at most %d hashes", CY_WITNESS_PROOF_MAX);
	if (note_len > CY_NOTE_MAX)
		return cy_error_set(err, CY_E_USAGE, "the checkpoint is too large");
	cy_buf_printf(out, OLD_PREFIX "%llu\n", (unsigned long long)old_size);
	for (i = 0; i < n; i++) {
		cy_b64_encode(b64, proof[i], CY_HASH_LEN, 1);
		cy_buf_printf(out, "%s\n", b64);
	}
	cy_buf_puts(out, "\n");
	cy_buf_append(out, note, note_len);
	return cy_buf_status(out) != 0 ?
	    cy_error_set(err, CY_E_NOMEM, "out of memory") : 0;
}

/* Sets the answer and returns code (err already set). */
static int
refuse(cy_witness_result *res, int status, int code)
{
	res->status = status;
	return code;
}

/* The proof from the held tree (state; size rq->old_size) to c. */
static int
check_proof(const cy_witness_request *rq, const cy_witness_state *state,
    const cy_checkpoint *c, cy_witness_result *res, cy_error *err)
{
	uint8_t empty[CY_HASH_LEN];

	if (rq->old_size == 0) {
		if (rq->nproof != 0)
			return refuse(res, 422, cy_error_set(err, CY_E_PROOF,
			    "the proof from size 0 must be empty"));
		cy_merkle_empty_root(empty);
		if (c->size == 0 && memcmp(c->root, empty, CY_HASH_LEN) != 0)
			return refuse(res, 422, cy_error_set(err, CY_E_PROOF,
			    "a checkpoint of size 0 must have the empty tree's root"));
		return 0;
	}
	if (rq->old_size == c->size) {
		if (memcmp(state->root, c->root, CY_HASH_LEN) != 0) {
			res->size = state->size;
			return refuse(res, 409, cy_error_set(err, CY_E_POLICY,
			    "the log shows a second tree of size %llu: its root "
			    "differs from the one cosigned (a fork)",
			    (unsigned long long)c->size));
		}
		if (rq->nproof != 0)
			return refuse(res, 422, cy_error_set(err, CY_E_PROOF,
			    "the proof between equal sizes must be empty"));
		return 0;
	}
	if (cy_merkle_verify_consistency(NULL, rq->old_size, c->size,
	    state->root, c->root, (const uint8_t (*)[CY_HASH_LEN])rq->proof,
	    rq->nproof, err) != 0) {
		cy_error_wrap(err, "the consistency proof from size %llu to %llu "
		    "does not verify", (unsigned long long)rq->old_size,
		    (unsigned long long)c->size);
		return refuse(res, 422, CY_E_PROOF);
	}
	return 0;
}

int
cy_witness_add(const cy_witness_request *rq, const cy_note_verifier *log,
    const cy_witness_state *state, const cy_note_signer *witness, uint64_t now,
    cy_buf *cosig, cy_witness_result *res, cy_error *err)
{
	uint64_t held = state != NULL ? state->size : 0;
	size_t text_len;
	int r;

	memset(res, 0, sizeof(*res));
	if (log == NULL || strcmp(rq->origin, cy_note_verifier_name(log)) != 0)
		return refuse(res, 404, cy_error_set(err, CY_E_NOT_FOUND,
		    "this witness does not witness the log \"%s\"", rq->origin));
	if ((r = cy_note_open(rq->note, rq->note_len, &log, 1, &text_len,
	    err)) != 0)
		return refuse(res, r == CY_E_SIGNATURE ? 403 : 400, r);
	if ((r = cy_checkpoint_parse(rq->note, text_len, &res->checkpoint,
	    err)) != 0)
		return refuse(res, 400, r);
	if (strcmp(res->checkpoint.origin, cy_note_verifier_name(log)) != 0)
		return refuse(res, 404, cy_error_set(err, CY_E_NOT_FOUND,
		    "this witness does not witness the log \"%s\"",
		    res->checkpoint.origin));
	if (rq->old_size > res->checkpoint.size)
		return refuse(res, 400, cy_error_set(err, CY_E_FORMAT,
		    "the old size %llu is above the checkpoint's size %llu",
		    (unsigned long long)rq->old_size,
		    (unsigned long long)res->checkpoint.size));
	if (rq->old_size != held) {
		res->size = held;
		return refuse(res, 409, cy_error_set(err, CY_E_POLICY,
		    "the witness last cosigned size %llu of \"%s\", not %llu",
		    (unsigned long long)held, rq->origin,
		    (unsigned long long)rq->old_size));
	}
	if ((r = check_proof(rq, state, &res->checkpoint, res, err)) != 0)
		return r;
	if ((r = cy_note_cosign(rq->note, text_len, now, witness, cosig,
	    err)) != 0)
		return refuse(res, 500, r);
	res->status = 200;
	return 0;
}

int
cy_witness_state_format(const cy_witness_state *st, const uint8_t *note,
    size_t note_len, cy_buf *out, cy_error *err)
{
	char b64[HASH_B64_LEN + 1];

	cy_b64_encode(b64, st->root, CY_HASH_LEN, 1);
	cy_buf_printf(out, "%llu\n%s\n", (unsigned long long)st->size, b64);
	cy_buf_append(out, note, note_len);
	return cy_buf_status(out) != 0 ?
	    cy_error_set(err, CY_E_NOMEM, "out of memory") : 0;
}

int
cy_witness_state_parse(const uint8_t *data, size_t len, cy_witness_state *out,
    const uint8_t **note, size_t *note_len, cy_error *err)
{
	const uint8_t *p = data, *end = data + len;
	const char *line;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (len > CY_WITNESS_BODY_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE, "witness state too large");
	if (cy_text_line(&p, end, &line, &n) != 0 ||
	    cy_parse_u64(line, n, &out->size) != 0 ||
	    cy_text_line(&p, end, &line, &n) != 0 ||
	    cy_b64_hash_decode(line, n, out->root) != 0)
		return cy_error_set(err, CY_E_FORMAT, "a witness state reads "
		    "\"<size>\\n<base64 root>\\n<checkpoint>\"");
	if (note != NULL) {
		*note = p;
		*note_len = (size_t)(end - p);
	}
	return 0;
}

int
cy_witness_size_parse(const uint8_t *body, size_t len, uint64_t *size,
    cy_error *err)
{
	*size = 0;
	if (len < 2 || len > SIZE_LINE_MAX || body[len - 1] != '\n' ||
	    cy_parse_u64((const char *)body, len - 1, size) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "a witness's size answer is a decimal and a newline");
	return 0;
}

/* SHA-256(name || 0x0A || alg || key)[:4], as note.c computes key IDs. */
static int
key_id(const char *name, uint8_t alg, const uint8_t key[32], uint32_t *id,
    cy_error *err)
{
	uint8_t buf[CY_NOTE_NAME_MAX + 2 + 32], h[CY_HASH_LEN];
	size_t n = strlen(name);

	memcpy(buf, name, n);
	buf[n] = '\n';
	buf[n + 1] = alg;
	memcpy(buf + n + 2, key, 32);
	if (cy_sha256(NULL, buf, n + 2 + 32, h) != 0)
		return cy_error_set(err, CY_E_CRYPTO, "SHA-256 failed");
	*id = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 |
	    h[3];
	return 0;
}

int
cy_witness_key_parse(const char *s, size_t len, cy_note_verifier **out,
    cy_error *err)
{
	char name[CY_NOTE_NAME_MAX + 1], note_form[CY_NOTE_KEY_STR_MAX],
	    back[CY_NOTE_KEY_STR_MAX], b64[CY_B64_PADDED_LEN(33) + 1];
	const char *p1, *p2, *end;
	uint8_t raw[CY_B64_PADDED_LEN(64)];
	uint32_t id;
	size_t n;
	int r;

	*out = NULL;
	if (len > 0 && s[len - 1] == '\n')
		len--;
	end = s + len;
	if ((p1 = memchr(s, '+', len)) == NULL ||
	    (p2 = memchr(p1 + 1, '+', (size_t)(end - p1 - 1))) == NULL ||
	    (size_t)(p1 - s) > CY_NOTE_NAME_MAX ||
	    (size_t)(end - p2 - 1) > CY_B64_PADDED_LEN(33) ||
	    cy_b64_decode(raw, &n, p2 + 1, (size_t)(end - p2 - 1), 1) != 0 ||
	    n != 33)
		return cy_error_set(err, CY_E_FORMAT, "a witness key reads "
		    "<name>+<hex8>+<base64 of a type byte and 32 bytes>");
	if (raw[0] != 0x04)
		return cy_note_verifier_parse(s, len, out, err);
	/* The cosignature form: the same key as a note verifier, whose
	 * cosignature string must give back what was written. */
	memcpy(name, s, (size_t)(p1 - s));
	name[p1 - s] = '\0';
	if (memchr(name, '\0', (size_t)(p1 - s)) != NULL)
		return cy_error_set(err, CY_E_FORMAT, "the key name holds a NUL");
	if ((r = key_id(name, 0x01, raw + 1, &id, err)) != 0)
		return r;
	raw[0] = 0x01;
	cy_b64_encode(b64, raw, 33, 1);
	snprintf(note_form, sizeof(note_form), "%s+%08x+%s", name, id, b64);
	if ((r = cy_note_verifier_parse(note_form, strlen(note_form), out,
	    err)) != 0)
		return r;
	cy_note_verifier_cosig_string(*out, back);
	if (strlen(back) != len || memcmp(back, s, len) != 0) {
		cy_note_verifier_free(*out);
		*out = NULL;
		return cy_error_set(err, CY_E_FORMAT,
		    "the witness key's ID does not match its name and key");
	}
	return 0;
}

/* The key ID of w's cosignatures (type 0x04). */
static int
cosig_id(const cy_note_verifier *w, uint32_t *id, cy_error *err)
{
	return key_id(cy_note_verifier_name(w), 0x04, cy_note_verifier_key(w),
	    id, err);
}

/* Whether the signature line [p, end) is by w's cosignature key. */
static int
line_is_by(const uint8_t *p, const uint8_t *end, const char *name,
    uint32_t id)
{
	size_t k = sizeof(em_dash_space) - 1, nlen = strlen(name);
	uint8_t raw[6];
	size_t n;

	if ((size_t)(end - p) < k + nlen + 1 + 8 ||
	    memcmp(p, em_dash_space, k) != 0 ||
	    memcmp(p + k, name, nlen) != 0 || p[k + nlen] != ' ')
		return 0;
	if (cy_b64_decode(raw, &n, (const char *)p + k + nlen + 1, 8, 0) != 0 ||
	    n != 6)
		return 0;
	return ((uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
	    (uint32_t)raw[2] << 8 | raw[3]) == id;
}

int
cy_witness_cosig_verify(const uint8_t *note, size_t len,
    const cy_note_verifier *log, const cy_note_verifier *witness, uint64_t *t,
    cy_error *err)
{
	const char *name = cy_note_verifier_name(witness);
	const uint8_t *p, *end = note + len, *nl;
	size_t text_len;
	uint32_t id;
	int r, found = 0;

	*t = 0;
	if ((r = cy_note_open(note, len, &log, 1, &text_len, err)) != 0 ||
	    (r = cosig_id(witness, &id, err)) != 0)
		return r;
	for (p = note + text_len + 1; p < end && !found; p = nl + 1) {
		nl = find_nl(p, end);
		found = line_is_by(p, nl, name, id);
	}
	if (!found)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "the checkpoint carries no cosignature by witness %s", name);
	if ((r = cy_note_cosig_verify(note, len, text_len, witness, t, err)) != 0)
		cy_error_wrap(err, "witness %s", name);
	return r;
}

int
cy_witness_response_take(const uint8_t *note, size_t note_len,
    const cy_note_verifier *log, const uint8_t *resp, size_t resp_len,
    const cy_note_verifier *witness, cy_buf *line, uint64_t *t, cy_error *err)
{
	const char *name = cy_note_verifier_name(witness);
	const uint8_t *p, *end = resp + resp_len, *nl;
	cy_buf both = CY_BUF_INIT;
	size_t text_len;
	uint32_t id;
	int r;

	*t = 0;
	if (resp_len > CY_WITNESS_RESPONSE_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE,
		    "the witness's answer is over %d bytes", CY_WITNESS_RESPONSE_MAX);
	if ((r = cy_note_open(note, note_len, &log, 1, &text_len, err)) != 0 ||
	    (r = cosig_id(witness, &id, err)) != 0)
		return r;
	for (p = resp; p < end; p = nl + 1) {
		if ((nl = find_nl(p, end)) == NULL ||
		    (size_t)(nl - p) < sizeof(em_dash_space) ||
		    memcmp(p, em_dash_space, sizeof(em_dash_space) - 1) != 0)
			return cy_error_set(err, CY_E_FORMAT, "the witness's answer "
			    "is not signature lines (\"— <name> <base64>\\n\")");
		if (!line_is_by(p, nl, name, id))
			continue; /* another key's: ignored, as the spec says */
		/* Checked as the note it makes with the checkpoint. */
		both.len = 0;
		cy_buf_append(&both, note, text_len + 1);
		cy_buf_append(&both, p, (size_t)(nl + 1 - p));
		if (cy_buf_status(&both) != 0) {
			r = cy_error_set(err, CY_E_NOMEM, "out of memory");
			goto out;
		}
		if ((r = cy_note_cosig_verify(both.data, both.len, text_len,
		    witness, t, err)) != 0) {
			cy_error_wrap(err, "witness %s", name);
			goto out;
		}
		cy_buf_append(line, p, (size_t)(nl + 1 - p));
		r = cy_buf_status(line) != 0 ?
		    cy_error_set(err, CY_E_NOMEM, "out of memory") : 0;
		goto out;
	}
	r = cy_error_set(err, CY_E_SIGNATURE,
	    "the witness answered no cosignature by %s", name);
out:
	cy_buf_free(&both);
	return r;
}
