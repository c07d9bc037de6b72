/* Certificate requests, signed by the key they ask a certificate for. */
#include <stdlib.h>
#include <string.h>

#include "coyeu/canon.h"
#include "coyeu/cert.h"
#include "coyeu/request.h"
#include "pki/signed.h"

struct cy_request {
	uint8_t *bytes;
	size_t len;
	size_t signed_len;
	char *name;
	char *unit;
	int64_t time;
	uint8_t sign_pk[CY_SIGN_PUBLIC_LEN];
	uint8_t seal_pk[CY_SEAL_PUBLIC_LEN];
	uint8_t sig[CY_SIGNATURE_LEN];
};

enum { F_VERSION, F_NAME, F_UNIT, F_SIGN_KEY, F_SEAL_KEY, F_TIME,
    F_SIGNATURE, NFIELDS };

static const cy_canon_field request_fields[NFIELDS] = {
	{"version", 0},
	{"name", 0},
	{"unit", 0},
	{"sign-key", 0},
	{"seal-key", 0},
	{"time", 0},
	{"signature", 0},
};

void
cy_request_free(cy_request *req)
{
	if (req == NULL)
		return;
	free(req->bytes);
	free(req->name);
	free(req->unit);
	free(req);
}

static int
parse_fields(cy_request *q, const cy_canon_record *r, cy_error *err)
{
	const cy_canon_value *name = cy_canon_get(r, F_NAME);
	const cy_canon_value *unit = cy_canon_get(r, F_UNIT);
	int rc;

	if ((rc = cy_signed_version(r, F_VERSION, CY_REQUEST_VERSION,
	    err)) != 0)
		return rc;
	if (name->len > CY_NAME_MAX)
		return cy_error_set(err, CY_E_FORMAT, "name: longer than %d bytes",
		    CY_NAME_MAX);
	if (!cy_unit_valid(unit->value, unit->len))
		return cy_error_set(err, CY_E_FORMAT,
		    "unit: expected segments of a-z, 0-9, '-' separated by '/'");
	if ((q->name = cy_canon_strdup(name)) == NULL ||
	    (q->unit = cy_canon_strdup(unit)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((rc = cy_canon_get_b64(cy_canon_get(r, F_SIGN_KEY), q->sign_pk,
	    CY_SIGN_PUBLIC_LEN, "sign-key", err)) != 0 ||
	    (rc = cy_signed_recipient(r, F_SEAL_KEY, q->seal_pk, err)) != 0 ||
	    (rc = cy_signed_time(r, F_TIME, "time", &q->time, err)) != 0 ||
	    (rc = cy_signed_split(r, F_SIGNATURE, q->sig, &q->signed_len,
	    err)) != 0)
		return rc;
	if (cy_idkey_verify(q->sign_pk, q->bytes, q->signed_len, q->sig) != 0)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "the request's signature does not verify with its own "
		    "sign-key (no proof of possession)");
	return 0;
}

int
cy_request_parse(const uint8_t *in, size_t len, cy_request **out,
    cy_error *err)
{
	cy_canon_record *r = NULL;
	cy_request *q = NULL;
	int rc;

	*out = NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		rc = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	q->len = len;
	if ((rc = cy_signed_parse_copy(in, len, CY_REQUEST_MAX, "request",
	    request_fields, NFIELDS, &q->bytes, &r, err)) != 0 ||
	    (rc = parse_fields(q, r, err)) != 0)
		goto out;
	*out = q;
	q = NULL;
out:
	cy_canon_record_free(r);
	cy_request_free(q);
	return rc;
}

int
cy_request_create(const cy_idkey *key, const char *name, const char *unit,
    int64_t now, cy_request **out, cy_error *err)
{
	cy_buf b = CY_BUF_INIT;
	int rc;

	*out = NULL;
	if ((rc = cy_name_check(name, err)) != 0 ||
	    (rc = cy_unit_check(unit, err)) != 0)
		goto out;
	if ((rc = cy_canon_put(&b, "version", CY_REQUEST_VERSION, err)) != 0 ||
	    (rc = cy_canon_put(&b, "name", name, err)) != 0 ||
	    (rc = cy_canon_put(&b, "unit", unit, err)) != 0 ||
	    (rc = cy_canon_put_b64(&b, "sign-key", cy_idkey_sign_public(key),
	    CY_SIGN_PUBLIC_LEN, err)) != 0 ||
	    (rc = cy_signed_put_recipient(&b, "seal-key",
	    cy_idkey_seal_public(key), err)) != 0 ||
	    (rc = cy_canon_put_time(&b, "time", now, err)) != 0 ||
	    (rc = cy_signed_finish(&b, key, err)) != 0)
		goto out;
	rc = cy_request_parse(b.data, b.len, out, err);
out:
	cy_buf_free(&b);
	return rc;
}

const uint8_t *
cy_request_bytes(const cy_request *req, size_t *len)
{
	*len = req->len;
	return req->bytes;
}

const char *cy_request_name(const cy_request *req) { return req->name; }
const char *cy_request_unit(const cy_request *req) { return req->unit; }
int64_t cy_request_time(const cy_request *req) { return req->time; }

const uint8_t *
cy_request_sign_public(const cy_request *req)
{
	return req->sign_pk;
}

const uint8_t *
cy_request_seal_public(const cy_request *req)
{
	return req->seal_pk;
}
