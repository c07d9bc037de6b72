/* The inner label: canonical text, fixed field order, Ed25519-signed. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "coyeu/canon.h"
#include "coyeu/cert.h"
#include "coyeu/encoding.h"
#include "coyeu/label.h"
#include "coyeu/level.h"
#include "coyeu/secret.h"
#include "pki/signed.h"

enum {
	F_VERSION, F_DOCUMENT, F_LEVEL, F_UNIT, F_CREATED, F_PROTECT, F_COPY,
	F_RECIPIENT, F_HANDLING, F_CLASSICAL, F_COMPARTMENTS, F_SIGNER, F_STANZAS,
	F_PAYLOAD, F_SIGNATURE, F_COUNT
};

static const cy_canon_field label_fields[F_COUNT] = {
	{"version", 0},
	{"document", 0},
	{"level", 0},
	{"unit", 0},
	{"created", 0},
	{"protect-until", 0},
	{"copy", 0},
	{"recipient", CY_CANON_REPEAT},
	{"handling", CY_CANON_OPTIONAL},
	{"classical", CY_CANON_OPTIONAL},
	{"compartments", CY_CANON_EMPTY},
	{"signer", 0},
	{"stanzas-sha256", 0},
	{"payload-digest", 0},
	{"signature", 0},
};

struct cy_label {
	uint8_t *text;
	size_t len;
	cy_canon_record *rec;
	char *document, *unit, *copy, *compartments;
	char **recipients;
	size_t nrecipients;
	int level, only_named, classical_allowed;
	int64_t created, protect_until;
	uint8_t *chain;
	size_t chain_len;
	uint8_t stanzas[CY_LABEL_DIGEST_LEN], payload[CY_LABEL_DIGEST_LEN];
	uint8_t signature[CY_SIGNATURE_LEN];
	size_t signed_len;
};

static int
put_hex(cy_buf *b, const char *key, const uint8_t d[CY_LABEL_DIGEST_LEN],
    cy_error *err)
{
	char hex[2 * CY_LABEL_DIGEST_LEN + 1];

	cy_hex_encode(hex, d, CY_LABEL_DIGEST_LEN);
	return cy_canon_put(b, key, hex, err);
}

/* copy: "original" or "N/M form" with 1 <= N <= M. */
static int
copy_valid(const char *s, size_t len)
{
	static const char *const forms[] = {"sao-y", "sao-luc", "trich-sao"};
	unsigned long n, m;
	char tmp[64], *end, *sp;
	size_t i;

	if (len == strlen(CY_COPY_ORIGINAL) &&
	    memcmp(s, CY_COPY_ORIGINAL, len) == 0)
		return 1;
	if (len == 0 || len >= sizeof(tmp) || s[0] < '1' || s[0] > '9')
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	n = strtoul(tmp, &end, 10);
	if (*end != '/' || end[1] < '1' || end[1] > '9')
		return 0;
	m = strtoul(end + 1, &sp, 10);
	if (*sp != ' ' || n < 1 || n > m || m > 1000000)
		return 0;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strcmp(sp + 1, forms[i]) == 0)
			return 1;
	return 0;
}

/* The index of the first recipient that is not a certificate serial, or n. */
static size_t
bad_serial(const char *const *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!cy_serial_valid(r[i], strlen(r[i])))
			return i;
	return n;
}

/* The index of a serial named twice, or n. */
static size_t
duplicate_recipient(const char *const *r, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(r[i], r[j]) == 0)
				return i;
	return n;
}

/* protect-until after created, and within the level's cap (level.h). */
static int
check_protect(int level, int64_t created, int64_t until, int code,
    const char *ctx, cy_error *err)
{
	if (until <= created)
		return cy_error_set(err, code,
		    "%sprotect-until is not after the creation time", ctx);
	if (until > cy_level_protect_limit(level, created))
		return cy_error_set(err, code,
		    "%sprotect-until is more than %d years after the creation "
		    "time (the cap for %s)", ctx, cy_level_protect_years(level),
		    cy_level_display(level));
	return 0;
}

int
cy_label_document_check(const char *doc, cy_error *err)
{
	size_t len = doc != NULL ? strlen(doc) : 0;

	if (len == 0)
		return cy_error_set(err, CY_E_USAGE, "the document number is empty");
	if (len > CY_LABEL_DOCUMENT_MAX)
		return cy_error_set(err, CY_E_USAGE, "the document number has %zu "
		    "bytes, more than %d", len, CY_LABEL_DOCUMENT_MAX);
	return cy_canon_check_param(doc, len, "the document number", err);
}

int
cy_label_copy_check(const char *copy, cy_error *err)
{
	if (copy != NULL && !copy_valid(copy, strlen(copy)))
		return cy_error_set(err, CY_E_USAGE, "invalid copy '%.64s' "
		    "(original, or N/M sao-y|sao-luc|trich-sao with 1 <= N <= M)",
		    copy);
	return 0;
}

static int
check_params(const cy_label_params *p, cy_error *err)
{
	size_t dup;
	int r;

	if ((r = cy_label_document_check(p->document, err)) != 0)
		return r;
	if (cy_level_name(p->level) == NULL)
		return cy_error_set(err, CY_E_USAGE, "invalid level");
	if (p->nrecipients == 0 || p->nrecipients > CY_LABEL_RECIPIENTS_MAX)
		return cy_error_set(err, CY_E_USAGE,
		    "a label names 1 to %d recipients", CY_LABEL_RECIPIENTS_MAX);
	if ((dup = bad_serial(p->recipients, p->nrecipients)) != p->nrecipients)
		return cy_error_set(err, CY_E_USAGE,
		    "recipient '%.64s' is not a certificate serial (%d hex digits)",
		    p->recipients[dup], CY_SERIAL_HEX_LEN);
	if ((dup = duplicate_recipient(p->recipients, p->nrecipients)) !=
	    p->nrecipients)
		return cy_error_set(err, CY_E_USAGE,
		    "recipient %s is named twice", p->recipients[dup]);
	if ((r = cy_label_copy_check(p->copy, err)) != 0)
		return r;
	if (p->compartments != NULL &&
	    cy_canon_list_check(p->compartments, strlen(p->compartments),
	    cy_compartment_valid, "compartments", err) != 0) {
		/* The caller's parameters, not outside input. */
		if (err != NULL)
			err->code = CY_E_USAGE;
		return CY_E_USAGE;
	}
	if (p->classical_allowed && p->level != CY_LEVEL_TUYET_MAT)
		return cy_error_set(err, CY_E_USAGE, "only a TUYỆT MẬT label "
		    "records classical sealing (classical: allowed)");
	return check_protect(p->level, p->created, p->protect_until, CY_E_USAGE,
	    "", err);
}

/* Everything before the signature line, with the given digests. */
static int
label_body(const cy_label_params *p, const uint8_t *stanzas,
    const uint8_t *payload, cy_buf *out, cy_error *err)
{
	cy_buf chain = CY_BUF_INIT;
	size_t i;
	int r;

	if ((r = check_params(p, err)) != 0)
		return r;
	cy_buf_b64(&chain, p->signer_chain, p->signer_chain_len);
	if ((r = cy_buf_status(&chain)) != 0)
		goto out;
	if ((r = cy_canon_put(out, "version", CY_LABEL_VERSION, err)) != 0 ||
	    (r = cy_canon_put(out, "document", p->document, err)) != 0 ||
	    (r = cy_canon_put(out, "level", cy_level_name(p->level), err)) != 0 ||
	    (r = cy_canon_put(out, "unit", p->unit, err)) != 0 ||
	    (r = cy_canon_put_time(out, "created", p->created, err)) != 0 ||
	    (r = cy_canon_put_time(out, "protect-until", p->protect_until,
	    err)) != 0 ||
	    (r = cy_canon_put(out, "copy", p->copy ? p->copy : CY_COPY_ORIGINAL,
	    err)) != 0)
		goto out;
	for (i = 0; i < p->nrecipients; i++)
		if ((r = cy_canon_put(out, "recipient", p->recipients[i],
		    err)) != 0)
			goto out;
	if ((p->only_named && (r = cy_canon_put(out, "handling",
	    CY_HANDLING_ONLY_NAMED, err)) != 0) ||
	    (p->classical_allowed && (r = cy_canon_put(out, "classical",
	    CY_CLASSICAL_ALLOWED, err)) != 0) ||
	    (r = cy_canon_put(out, "compartments",
	    p->compartments ? p->compartments : "", err)) != 0 ||
	    (r = cy_canon_putn(out, "signer", (const char *)chain.data,
	    chain.len, err)) != 0 ||
	    (r = put_hex(out, "stanzas-sha256", stanzas, err)) != 0 ||
	    (r = put_hex(out, "payload-digest", payload, err)) != 0)
		goto out;
	r = cy_buf_status(out);
out:
	cy_buf_free(&chain);
	return r;
}

int
cy_label_size(const cy_label_params *p, size_t *len, cy_error *err)
{
	static const uint8_t zero[CY_LABEL_DIGEST_LEN];
	cy_buf b = CY_BUF_INIT;
	int r;

	if ((r = label_body(p, zero, zero, &b, err)) == 0)
		*len = b.len + strlen("signature: ") +
		    CY_B64_UNPADDED_LEN(CY_SIGNATURE_LEN) + 1;
	cy_buf_free(&b);
	return r;
}

int
cy_label_build(const cy_label_params *p,
    const uint8_t stanzas_sha256[CY_LABEL_DIGEST_LEN],
    const uint8_t payload_digest[CY_LABEL_DIGEST_LEN], const cy_idkey *signer,
    cy_buf *out, cy_error *err)
{
	size_t start = out->len;
	int r;

	if ((r = label_body(p, stanzas_sha256, payload_digest, out, err)) != 0)
		return r;
	return cy_signed_append(out, start, signer, "the label", err);
}

static int
get_hex(const cy_canon_record *rec, int field, uint8_t out[CY_LABEL_DIGEST_LEN],
    cy_error *err)
{
	const cy_canon_value *v = cy_canon_get(rec, (size_t)field);

	if (cy_hex_decode(out, CY_LABEL_DIGEST_LEN, v->value, v->len) != 0 ||
	    !cy_canon_is_token(v->value, v->len))
		return cy_error_set(err, CY_E_FORMAT,
		    "label: %s must be 64 lowercase hex digits",
		    label_fields[field].key);
	return 0;
}

static int
get_time(const cy_canon_record *rec, int field, int64_t *t, cy_error *err)
{
	const cy_canon_value *v = cy_canon_get(rec, (size_t)field);

	if (cy_canon_time_parse(v->value, v->len, t, err) != 0)
		return cy_error_wrap(err, "label: %s", label_fields[field].key);
	return 0;
}

static int
label_strings(cy_label *l, cy_error *err)
{
	const cy_canon_value *v;
	size_t i;

	l->nrecipients = cy_canon_count(l->rec, F_RECIPIENT);
	if (l->nrecipients > CY_LABEL_RECIPIENTS_MAX)
		return cy_error_set(err, CY_E_FORMAT, "label: too many recipients");
	if ((l->recipients = calloc(l->nrecipients, sizeof(char *))) == NULL)
		return CY_E_NOMEM;
	for (i = 0; i < l->nrecipients; i++) {
		v = cy_canon_get_nth(l->rec, F_RECIPIENT, i);
		if ((l->recipients[i] = cy_canon_strdup(v)) == NULL)
			return CY_E_NOMEM;
	}
	if (bad_serial((const char *const *)l->recipients, l->nrecipients) !=
	    l->nrecipients)
		return cy_error_set(err, CY_E_FORMAT,
		    "label: a recipient is not a certificate serial");
	if (duplicate_recipient((const char *const *)l->recipients,
	    l->nrecipients) != l->nrecipients)
		return cy_error_set(err, CY_E_FORMAT,
		    "label: a recipient is named twice");
	if ((l->document = cy_canon_strdup(cy_canon_get(l->rec, F_DOCUMENT))) == NULL ||
	    (l->unit = cy_canon_strdup(cy_canon_get(l->rec, F_UNIT))) == NULL ||
	    (l->copy = cy_canon_strdup(cy_canon_get(l->rec, F_COPY))) == NULL ||
	    (l->compartments = cy_canon_strdup(cy_canon_get(l->rec,
	    F_COMPARTMENTS))) == NULL)
		return CY_E_NOMEM;
	return 0;
}

static int
label_fields_check(cy_label *l, cy_error *err)
{
	const cy_canon_value *v;
	size_t n;
	int r;

	if (!cy_canon_value_is(cy_canon_get(l->rec, F_VERSION), CY_LABEL_VERSION))
		return cy_error_set(err, CY_E_FORMAT,
		    "label: unsupported version (expected %s)", CY_LABEL_VERSION);
	v = cy_canon_get(l->rec, F_LEVEL);
	if ((l->level = cy_level_parse(v->value, v->len)) == 0)
		return cy_error_set(err, CY_E_FORMAT, "label: unknown level");
	v = cy_canon_get(l->rec, F_DOCUMENT);
	if (v->len > CY_LABEL_DOCUMENT_MAX)
		return cy_error_set(err, CY_E_FORMAT,
		    "label: the document number is longer than %d bytes",
		    CY_LABEL_DOCUMENT_MAX);
	v = cy_canon_get(l->rec, F_COMPARTMENTS);
	if ((r = cy_canon_list_check(v->value, v->len, cy_compartment_valid,
	    "label: compartments", err)) != 0)
		return r;
	v = cy_canon_get(l->rec, F_HANDLING);
	if (v != NULL && !cy_canon_value_is(v, CY_HANDLING_ONLY_NAMED))
		return cy_error_set(err, CY_E_FORMAT, "label: unknown handling");
	l->only_named = v != NULL;
	v = cy_canon_get(l->rec, F_CLASSICAL);
	if (v != NULL && !cy_canon_value_is(v, CY_CLASSICAL_ALLOWED))
		return cy_error_set(err, CY_E_FORMAT, "label: unknown classical "
		    "(only \"%s\")", CY_CLASSICAL_ALLOWED);
	if (v != NULL && l->level != CY_LEVEL_TUYET_MAT)
		return cy_error_set(err, CY_E_FORMAT, "label: classical: %s "
		    "on a %s label (only TUYỆT MẬT records it)",
		    CY_CLASSICAL_ALLOWED, cy_level_display(l->level));
	l->classical_allowed = v != NULL;
	v = cy_canon_get(l->rec, F_COPY);
	if (!copy_valid(v->value, v->len))
		return cy_error_set(err, CY_E_FORMAT, "label: invalid copy");
	v = cy_canon_get(l->rec, F_SIGNER);
	if ((l->chain = malloc(v->len + 1)) == NULL)
		return CY_E_NOMEM;
	if (cy_b64_decode(l->chain, &n, v->value, v->len, 0) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "label: signer is not canonical base64");
	l->chain_len = n;
	if ((r = get_hex(l->rec, F_STANZAS, l->stanzas, err)) != 0 ||
	    (r = get_hex(l->rec, F_PAYLOAD, l->payload, err)) != 0 ||
	    (r = get_time(l->rec, F_CREATED, &l->created, err)) != 0 ||
	    (r = get_time(l->rec, F_PROTECT, &l->protect_until, err)) != 0)
		return r;
	if ((r = check_protect(l->level, l->created, l->protect_until,
	    CY_E_FORMAT, "label: ", err)) != 0)
		return r;
	v = cy_canon_get(l->rec, F_SIGNATURE);
	if ((r = cy_canon_get_b64(v, l->signature, CY_SIGNATURE_LEN,
	    "label: signature", err)) != 0)
		return r;
	l->signed_len = v->offset;
	return label_strings(l, err);
}

int
cy_label_parse(const uint8_t *in, size_t len, cy_label **out, cy_error *err)
{
	cy_label *l;
	int r;

	*out = NULL;
	if (len > CY_LABEL_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE, "label larger than %d bytes",
		    CY_LABEL_MAX);
	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->text = malloc(len + 1)) == NULL) {
		free(l);
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	}
	memcpy(l->text, in, len);
	l->text[len] = '\0';
	l->len = len;
	if ((r = cy_canon_parse(l->text, len, label_fields, F_COUNT, 0, &l->rec,
	    NULL, err)) != 0) {
		cy_error_wrap(err, "label");
		goto out;
	}
	r = label_fields_check(l, err);
	if (r == CY_E_NOMEM)
		cy_error_set(err, r, "out of memory");
out:
	if (r != 0) {
		cy_label_free(l);
		return r;
	}
	*out = l;
	return 0;
}

void
cy_label_free(cy_label *l)
{
	size_t i;

	if (l == NULL)
		return;
	cy_canon_record_free(l->rec);
	for (i = 0; l->recipients != NULL && i < l->nrecipients; i++)
		free(l->recipients[i]);
	free(l->recipients);
	free(l->document);
	free(l->unit);
	free(l->copy);
	free(l->compartments);
	free(l->chain);
	/* The inner label is itself classified: it was sent encrypted. */
	if (l->text != NULL)
		cy_wipe(l->text, l->len);
	free(l->text);
	free(l);
}

int
cy_label_verify_signature(const cy_label *l,
    const uint8_t pub[CY_SIGN_PUBLIC_LEN], cy_error *err)
{
	if (crypto_sign_verify_detached(l->signature, l->text, l->signed_len,
	    pub) != 0)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "the label's signature does not verify: the document was altered or not sealed by its stated signer");
	return 0;
}

const char *cy_label_document(const cy_label *l) { return l->document; }
int cy_label_level(const cy_label *l) { return l->level; }
const char *cy_label_unit(const cy_label *l) { return l->unit; }
int64_t cy_label_created(const cy_label *l) { return l->created; }
int64_t cy_label_protect_until(const cy_label *l) { return l->protect_until; }
const char *cy_label_copy(const cy_label *l) { return l->copy; }
size_t cy_label_recipient_count(const cy_label *l) { return l->nrecipients; }
const char *cy_label_recipient(const cy_label *l, size_t i) { return l->recipients[i]; }
int cy_label_only_named(const cy_label *l) { return l->only_named; }
int cy_label_classical_allowed(const cy_label *l) { return l->classical_allowed; }
const char *cy_label_compartments(const cy_label *l) { return l->compartments; }
const uint8_t *cy_label_stanzas_sha256(const cy_label *l) { return l->stanzas; }
const uint8_t *cy_label_payload_digest(const cy_label *l) { return l->payload; }

const uint8_t *
cy_label_signer_chain(const cy_label *l, size_t *len)
{
	*len = l->chain_len;
	return l->chain;
}

const uint8_t *
cy_label_bytes(const cy_label *l, size_t *len)
{
	*len = l->len;
	return l->text;
}
