#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "coyeu/age.h"
#include "coyeu/encoding.h"
#include "age/bech32.h"
#include "age/mlkem.h"
#include "pki/signed.h"

int
cy_signed_append(cy_buf *b, size_t start, const cy_key *k, const char *what,
    cy_error *err)
{
	uint8_t sig[CY_SIGNATURE_LEN];

	if (cy_buf_status(b) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if (cy_key_sign(k, b->data + start, b->len - start, sig, err) != 0)
		return cy_error_wrap(err, "cannot sign %s", what);
	return cy_canon_put_b64(b, "signature", sig, sizeof(sig), err);
}

int
cy_signed_finish(cy_buf *b, const cy_key *k, cy_error *err)
{
	return cy_signed_append(b, 0, k, "the record", err);
}

int
cy_signed_split(const cy_canon_record *r, size_t sig_field,
    uint8_t sig[CY_SIGNATURE_LEN], size_t *signed_len, cy_error *err)
{
	const cy_canon_value *v = cy_canon_get(r, sig_field);

	*signed_len = v->offset;
	return cy_canon_get_b64(v, sig, CY_SIGNATURE_LEN, "signature", err);
}

int
cy_signed_version(const cy_canon_record *r, size_t field, const char *want,
    cy_error *err)
{
	const cy_canon_value *v = cy_canon_get(r, field);

	if (cy_canon_value_is(v, want))
		return 0;
	return cy_error_set(err, CY_E_FORMAT,
	    "version '%.*s' is not '%s'", (int)(v->len > 40 ? 40 : v->len),
	    v->value, want);
}

int
cy_signed_serial(const cy_canon_record *r, size_t field, const char *what,
    char out[CY_SERIAL_HEX_LEN + 1], cy_error *err)
{
	const cy_canon_value *v = cy_canon_get(r, field);

	if (!cy_serial_valid(v->value, v->len))
		return cy_error_set(err, CY_E_FORMAT,
		    "%s: expected %d lowercase hex digits", what,
		    CY_SERIAL_HEX_LEN);
	memcpy(out, v->value, CY_SERIAL_HEX_LEN);
	out[CY_SERIAL_HEX_LEN] = '\0';
	return 0;
}

int
cy_signed_time(const cy_canon_record *r, size_t field, const char *what,
    int64_t *t, cy_error *err)
{
	const cy_canon_value *v = cy_canon_get(r, field);
	int rc;

	if ((rc = cy_canon_time_parse(v->value, v->len, t, err)) != 0)
		return cy_error_wrap(err, "%s", what);
	return 0;
}

/* The age recipient kinds a signed record carries. */
struct recipient_kind {
	const char *hrp;
	size_t len;
	const char *expected;  /* for messages */
};
static const struct recipient_kind x25519_kind = {
	"age", CY_SEAL_PUBLIC_LEN, "an age X25519 recipient (age1…, lowercase)"
};
static const struct recipient_kind pq_kind = {
	"age1pq", CY_KEY_PQ_PUBLIC_LEN,
	"an age post-quantum recipient (age1pq1…, lowercase)"
};

static int
put_recipient(cy_buf *b, const char *key, const struct recipient_kind *kind,
    const uint8_t *pk, cy_error *err)
{
	char s[CY_RECIPIENT_STR_MAX];

	if (cy_bech32_encode(s, sizeof(s), kind->hrp, pk, kind->len, 0) != 0)
		return cy_error_set(err, CY_E_CRYPTO, "cannot encode %s", key);
	return cy_canon_put(b, key, s, err);
}

/* Only the lowercase form age writes, which re-encodes to the same. */
static int
get_recipient(const cy_canon_value *v, const char *key,
    const struct recipient_kind *kind, uint8_t *pk, cy_error *err)
{
	char s[CY_RECIPIENT_STR_MAX], again[CY_RECIPIENT_STR_MAX];
	char hrp[CY_BECH32_HRP_MAX + 1];
	size_t n;

	if (v->len >= sizeof(s))
		goto bad;
	memcpy(s, v->value, v->len);
	s[v->len] = '\0';
	if (cy_bech32_decode(s, hrp, pk, kind->len, &n, NULL) != 0 ||
	    strcmp(hrp, kind->hrp) != 0 || n != kind->len ||
	    cy_bech32_encode(again, sizeof(again), kind->hrp, pk, n, 0) != 0 ||
	    strcmp(again, s) != 0)
		goto bad;
	return 0;
bad:
	return cy_error_set(err, CY_E_FORMAT, "%s: expected %s", key,
	    kind->expected);
}

int
cy_signed_put_recipient(cy_buf *b, const char *key,
    const uint8_t pk[CY_SEAL_PUBLIC_LEN], cy_error *err)
{
	return put_recipient(b, key, &x25519_kind, pk, err);
}

int
cy_signed_recipient(const cy_canon_record *r, size_t field,
    uint8_t pk[CY_SEAL_PUBLIC_LEN], cy_error *err)
{
	return get_recipient(cy_canon_get(r, field), "seal-key", &x25519_kind,
	    pk, err);
}

int
cy_signed_put_pq_recipient(cy_buf *b, const char *key,
    const uint8_t pk[CY_KEY_PQ_PUBLIC_LEN], cy_error *err)
{
	return put_recipient(b, key, &pq_kind, pk, err);
}

int
cy_signed_pq_field(const cy_canon_value *v, uint8_t **pk, char **str,
    cy_error *err)
{
	int rc;

	if (v == NULL)
		return 0;
	if ((*pk = malloc(CY_KEY_PQ_PUBLIC_LEN)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((rc = cy_signed_pq_recipient(v, "seal-pq-key", *pk, err)) != 0)
		return rc;
	if ((*str = cy_canon_strdup(v)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

int
cy_signed_pq_recipient(const cy_canon_value *v, const char *key,
    uint8_t pk[CY_KEY_PQ_PUBLIC_LEN], cy_error *err)
{
	int rc;

	if ((rc = get_recipient(v, key, &pq_kind, pk, err)) != 0)
		return rc;
	if (cy_mlkem768_ek_check(pk) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "%s: its ML-KEM-768 key has a coefficient not reduced modulo "
		    "q (FIPS 203 modulus check)", key);
	return 0;
}

void
cy_serial_new(char out[CY_SERIAL_HEX_LEN + 1])
{
	uint8_t raw[CY_SERIAL_LEN];

	randombytes_buf(raw, sizeof(raw));
	cy_hex_encode(out, raw, sizeof(raw));
}

const char *
cy_time_str(int64_t t, char out[CY_TIME_STR_MAX])
{
	if (cy_canon_time_format(t, out, NULL) != 0)
		memcpy(out, "?", 2);
	return out;
}

uint8_t *
cy_memdup(const uint8_t *in, size_t len)
{
	uint8_t *p;

	if ((p = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(p, in, len);
	p[len] = '\0';
	return p;
}

int
cy_signed_parse_copy(const uint8_t *in, size_t len, size_t cap,
    const char *what, const cy_canon_field *fields, size_t nfields,
    uint8_t **bytes, cy_canon_record **r, cy_error *err)
{
	int rc;

	*bytes = NULL;
	*r = NULL;
	if (len > cap)
		return cy_error_set(err, CY_E_TOO_LARGE, "%s larger than %zu bytes",
		    what, cap);
	if ((*bytes = cy_memdup(in, len)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((rc = cy_canon_parse(*bytes, len, fields, nfields, 0, r, NULL,
	    err)) != 0) {
		free(*bytes);
		*bytes = NULL;
	}
	return rc;
}
