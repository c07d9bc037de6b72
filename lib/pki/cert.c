/* Certificates: encoding, parsing, the issuing rules, issuing. */
#include <stdlib.h>
#include <string.h>

#include "coyeu/age.h"
#include "coyeu/canon.h"
#include "coyeu/cert.h"
#include "coyeu/level.h"
#include "coyeu/secret.h"
#include "pki/cert_internal.h"
#include "pki/signed.h"

struct cy_cert {
	uint8_t *bytes;
	size_t len;
	size_t signed_len;
	char serial[CY_SERIAL_HEX_LEN + 1];
	char issuer[CY_SERIAL_HEX_LEN + 1];
	char *name;
	char *unit;
	char *compartments;
	char *may_unit;      /* authorities only */
	int role;
	int clearance;
	int may_level;       /* authorities only */
	int64_t not_before;
	int64_t not_after;
	uint8_t sign_pk[CY_SIGN_PUBLIC_LEN];
	uint8_t seal_pk[CY_SEAL_PUBLIC_LEN];
	char seal_str[CY_RECIPIENT_STR_MAX]; /* age1… */
	uint8_t *seal_pq_pk;  /* CY_KEY_PQ_PUBLIC_LEN, NULL when none */
	char *seal_pq_str;    /* age1pq1…, NULL when none */
	uint8_t sig[CY_SIGNATURE_LEN];
};

enum {
	F_VERSION, F_SERIAL, F_NAME, F_UNIT, F_ROLE, F_CLEARANCE,
	F_COMPARTMENTS, F_NOT_BEFORE, F_NOT_AFTER, F_SIGN_KEY, F_SEAL_KEY,
	F_SEAL_PQ_KEY, F_ISSUER, F_MAY_ISSUE, F_SIGNATURE, NFIELDS
};

static const cy_canon_field cert_fields[NFIELDS] = {
	{"version", 0},
	{"serial", 0},
	{"name", 0},
	{"unit", 0},
	{"role", 0},
	{"clearance", 0},
	{"compartments", CY_CANON_EMPTY},
	{"not-before", 0},
	{"not-after", 0},
	{"sign-key", 0},
	{"seal-key", 0},
	{"seal-pq-key", CY_CANON_OPTIONAL},  /* the hybrid key, age1pq1… */
	{"issuer", 0},
	{"may-issue", CY_CANON_OPTIONAL},
	{"signature", 0},
};

static const char *const role_names[] = {NULL, "authority", "registry",
    "officer"};

int
cy_role_parse(const char *p, size_t len)
{
	int i;

	for (i = CY_ROLE_AUTHORITY; i <= CY_ROLE_OFFICER; i++)
		if (strlen(role_names[i]) == len &&
		    memcmp(role_names[i], p, len) == 0)
			return i;
	return 0;
}

const char *
cy_role_name(int role)
{
	return role >= CY_ROLE_AUTHORITY && role <= CY_ROLE_OFFICER ?
	    role_names[role] : NULL;
}

int
cy_unit_valid(const char *p, size_t len)
{
	size_t i, seg = 0;

	if (len == 0 || len > CY_UNIT_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (p[i] == '/') {
			if (seg == 0)
				return 0;
			seg = 0;
		} else if (cy_canon_is_token(p + i, 1)) {
			seg++;
		} else {
			return 0;
		}
	}
	return seg > 0;
}

int
cy_unit_check(const char *unit, cy_error *err)
{
	if (!cy_unit_valid(unit, strlen(unit)))
		return cy_error_set(err, CY_E_USAGE, "bad unit path '%.300s': "
		    "segments of a-z, 0-9, '-' separated by '/', like "
		    "vn/hcm/van-phong-thanh-uy (at most %d bytes)", unit,
		    CY_UNIT_MAX);
	return 0;
}

int
cy_name_check(const char *name, cy_error *err)
{
	size_t len = strlen(name);

	if (len == 0 || len > CY_NAME_MAX)
		return cy_error_set(err, CY_E_USAGE,
		    "the name must have 1 to %d bytes", CY_NAME_MAX);
	return cy_canon_check_param(name, len, "the name", err);
}

int
cy_unit_contains(const char *parent, const char *child)
{
	size_t n = strlen(parent);

	return strncmp(parent, child, n) == 0 &&
	    (child[n] == '\0' || child[n] == '/');
}

int
cy_serial_valid(const char *p, size_t len)
{
	size_t i;

	if (len != CY_SERIAL_HEX_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return 1;
}

int
cy_compartment_valid(const char *p, size_t len)
{
	return cy_canon_is_token(p, len);
}

void
cy_cert_free(cy_cert *c)
{
	if (c == NULL)
		return;
	free(c->bytes);
	free(c->name);
	free(c->unit);
	free(c->compartments);
	free(c->may_unit);
	free(c->seal_pq_pk);
	free(c->seal_pq_str);
	free(c);
}

/* "UNIT:LEVEL" of an authority's may-issue field. */
static int
parse_may_issue(cy_cert *c, const cy_canon_value *v, cy_error *err)
{
	const char *colon = memrchr(v->value, ':', v->len);
	size_t ulen;

	if (colon == NULL)
		goto bad;
	ulen = (size_t)(colon - v->value);
	c->may_level = cy_level_parse(colon + 1, v->len - ulen - 1);
	if (!cy_unit_valid(v->value, ulen) || c->may_level == 0)
		goto bad;
	if ((c->may_unit = strndup(v->value, ulen)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if (!cy_unit_contains(c->unit, c->may_unit))
		return cy_error_set(err, CY_E_POLICY,
		    "may-issue subtree %s is outside the authority's own unit %s",
		    c->may_unit, c->unit);
	if (c->may_level > c->clearance)
		return cy_error_set(err, CY_E_POLICY,
		    "may-issue level %s is above the authority's own clearance %s",
		    cy_level_name(c->may_level), cy_level_name(c->clearance));
	return 0;
bad:
	return cy_error_set(err, CY_E_FORMAT,
	    "may-issue: expected UNIT:LEVEL, like vn/hcm:toi-mat");
}

static int
parse_text_fields(cy_cert *c, const cy_canon_record *r, cy_error *err)
{
	const cy_canon_value *v;

	v = cy_canon_get(r, F_NAME);
	if (v->len > CY_NAME_MAX)
		return cy_error_set(err, CY_E_FORMAT, "name: longer than %d bytes",
		    CY_NAME_MAX);
	if ((c->name = cy_canon_strdup(v)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	v = cy_canon_get(r, F_UNIT);
	if (!cy_unit_valid(v->value, v->len))
		return cy_error_set(err, CY_E_FORMAT,
		    "unit: expected segments of a-z, 0-9, '-' separated by '/'");
	if ((c->unit = cy_canon_strdup(v)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	v = cy_canon_get(r, F_ROLE);
	if ((c->role = cy_role_parse(v->value, v->len)) == 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "role: expected authority, registry or officer");
	v = cy_canon_get(r, F_CLEARANCE);
	if ((c->clearance = cy_level_parse(v->value, v->len)) == 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "clearance: expected mat, toi-mat or tuyet-mat");
	v = cy_canon_get(r, F_COMPARTMENTS);
	if (v->len > CY_COMPARTMENTS_MAX)
		return cy_error_set(err, CY_E_FORMAT,
		    "compartments: longer than %d bytes", CY_COMPARTMENTS_MAX);
	if (cy_canon_list_check(v->value, v->len, cy_compartment_valid,
	    "compartments", err) != 0)
		return CY_E_FORMAT;
	if ((c->compartments = cy_canon_strdup(v)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

static int
parse_fields(cy_cert *c, const cy_canon_record *r, cy_error *err)
{
	const cy_canon_value *may = cy_canon_get(r, F_MAY_ISSUE);
	int rc;

	if ((rc = cy_signed_version(r, F_VERSION, CY_CERT_VERSION, err)) != 0 ||
	    (rc = cy_signed_serial(r, F_SERIAL, "serial", c->serial, err)) != 0 ||
	    (rc = parse_text_fields(c, r, err)) != 0 ||
	    (rc = cy_signed_time(r, F_NOT_BEFORE, "not-before", &c->not_before,
	    err)) != 0 ||
	    (rc = cy_signed_time(r, F_NOT_AFTER, "not-after", &c->not_after,
	    err)) != 0 ||
	    (rc = cy_canon_get_b64(cy_canon_get(r, F_SIGN_KEY), c->sign_pk,
	    CY_SIGN_PUBLIC_LEN, "sign-key", err)) != 0 ||
	    (rc = cy_signed_recipient(r, F_SEAL_KEY, c->seal_pk, err)) != 0 ||
	    (rc = cy_signed_pq_field(cy_canon_get(r, F_SEAL_PQ_KEY),
	    &c->seal_pq_pk, &c->seal_pq_str, err)) != 0 ||
	    (rc = cy_signed_serial(r, F_ISSUER, "issuer", c->issuer, err)) != 0 ||
	    (rc = cy_signed_split(r, F_SIGNATURE, c->sig, &c->signed_len,
	    err)) != 0)
		return rc;
	/* checked by cy_signed_recipient: a valid age1 string fits */
	memcpy(c->seal_str, cy_canon_get(r, F_SEAL_KEY)->value,
	    cy_canon_get(r, F_SEAL_KEY)->len);
	if (c->not_before >= c->not_after)
		return cy_error_set(err, CY_E_FORMAT,
		    "not-after is not later than not-before");
	if ((may != NULL) != (c->role == CY_ROLE_AUTHORITY))
		return cy_error_set(err, CY_E_FORMAT, may != NULL ?
		    "may-issue: only an authority's certificate has it" :
		    "may-issue: an authority's certificate must have it");
	return may != NULL ? parse_may_issue(c, may, err) : 0;
}

int
cy_cert_parse_at(const uint8_t *in, size_t len, size_t *used, cy_cert **out,
    cy_error *err)
{
	cy_canon_record *r = NULL;
	cy_cert *c = NULL;
	size_t n = len;
	int rc;

	*out = NULL;
	if (used == NULL && len > CY_CERT_MAX) {
		rc = cy_error_set(err, CY_E_TOO_LARGE,
		    "certificate larger than %d bytes", CY_CERT_MAX);
		goto out;
	}
	if ((rc = cy_canon_parse(in, len, cert_fields, NFIELDS,
	    used ? CY_CANON_STOP_AT_BLANK : 0, &r, used ? &n : NULL, err)) != 0)
		goto out;
	if (n > CY_CERT_MAX) {
		rc = cy_error_set(err, CY_E_TOO_LARGE,
		    "certificate larger than %d bytes", CY_CERT_MAX);
		goto out;
	}
	/* The record's values point into in; c keeps its own copy. */
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->bytes = cy_memdup(in, n)) == NULL) {
		rc = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	c->len = n;
	if ((rc = parse_fields(c, r, err)) != 0)
		goto out;
	if (used != NULL)
		*used = n;
	*out = c;
	c = NULL;
out:
	cy_canon_record_free(r);
	cy_cert_free(c);
	return rc;
}

int
cy_cert_parse(const uint8_t *in, size_t len, cy_cert **out, cy_error *err)
{
	return cy_cert_parse_at(in, len, NULL, out, err);
}

int
cy_cert_dup(const cy_cert *c, cy_cert **out, cy_error *err)
{
	return cy_cert_parse(c->bytes, c->len, out, err);
}

const uint8_t *
cy_cert_bytes(const cy_cert *c, size_t *len)
{
	*len = c->len;
	return c->bytes;
}

const char *cy_cert_serial(const cy_cert *c) { return c->serial; }
const char *cy_cert_issuer(const cy_cert *c) { return c->issuer; }
const char *cy_cert_name(const cy_cert *c) { return c->name; }
const char *cy_cert_unit(const cy_cert *c) { return c->unit; }
int cy_cert_role(const cy_cert *c) { return c->role; }
int cy_cert_clearance(const cy_cert *c) { return c->clearance; }
const char *cy_cert_compartments(const cy_cert *c) { return c->compartments; }
int64_t cy_cert_not_before(const cy_cert *c) { return c->not_before; }
int64_t cy_cert_not_after(const cy_cert *c) { return c->not_after; }
const uint8_t *cy_cert_sign_public(const cy_cert *c) { return c->sign_pk; }
const uint8_t *cy_cert_seal_public(const cy_cert *c) { return c->seal_pk; }
const char *cy_cert_seal_recipient(const cy_cert *c) { return c->seal_str; }
const uint8_t *cy_cert_seal_pq_public(const cy_cert *c) { return c->seal_pq_pk; }
const char *cy_cert_seal_pq_recipient(const cy_cert *c) { return c->seal_pq_str; }
const char *cy_cert_may_issue_unit(const cy_cert *c) { return c->may_unit; }
int cy_cert_may_issue_level(const cy_cert *c) { return c->may_level; }

int
cy_cert_has_compartment(const cy_cert *c, const char *name)
{
	return cy_canon_list_contains(c->compartments, strlen(c->compartments),
	    name, strlen(name));
}

int
cy_cert_is_self_signed(const cy_cert *c)
{
	return strcmp(c->serial, c->issuer) == 0;
}

/* --- the rules --- */

static int
check_issuer_grants(const cy_cert *c, const cy_cert *is, cy_error *err)
{
	const char *miss;
	size_t mlen;

	if (!cy_unit_contains(is->may_unit, c->unit))
		return cy_error_set(err, CY_E_POLICY,
		    "unit %s is outside the issuer's subtree %s", c->unit,
		    is->may_unit);
	if (c->clearance > is->may_level)
		return cy_error_set(err, CY_E_POLICY,
		    "clearance %s is above the issuer's level %s",
		    cy_level_name(c->clearance), cy_level_name(is->may_level));
	if (c->role == CY_ROLE_AUTHORITY &&
	    !cy_unit_contains(is->may_unit, c->may_unit))
		return cy_error_set(err, CY_E_POLICY,
		    "may-issue subtree %s is outside the issuer's subtree %s",
		    c->may_unit, is->may_unit);
	if (c->role == CY_ROLE_AUTHORITY && c->may_level > is->may_level)
		return cy_error_set(err, CY_E_POLICY,
		    "may-issue level %s is above the issuer's level %s",
		    cy_level_name(c->may_level), cy_level_name(is->may_level));
	if (!cy_canon_list_subset(c->compartments, strlen(c->compartments),
	    is->compartments, strlen(is->compartments), &miss, &mlen))
		return cy_error_set(err, CY_E_POLICY,
		    "compartment %.*s is not among the issuer's compartments (%s)",
		    (int)mlen, miss, is->compartments[0] ? is->compartments :
		    "none");
	return 0;
}

int
cy_cert_check_issued(const cy_cert *c, const cy_cert *is, cy_error *err)
{
	char t1[CY_TIME_STR_MAX], t2[CY_TIME_STR_MAX];
	int rc;

	if (is->role != CY_ROLE_AUTHORITY)
		return cy_error_set(err, CY_E_POLICY,
		    "issuer %s (serial %s) is %s %s, not an authority; only "
		    "authorities issue certificates", is->name, is->serial,
		    is->role == CY_ROLE_OFFICER ? "an" : "a",
		    cy_role_name(is->role));
	if ((rc = check_issuer_grants(c, is, err)) != 0)
		return rc;
	if (c->not_before < is->not_before)
		return cy_error_set(err, CY_E_POLICY,
		    "validity starts %s, before the issuer's (%s)",
		    cy_time_str(c->not_before, t1),
		    cy_time_str(is->not_before, t2));
	if (c->not_after > is->not_after)
		return cy_error_set(err, CY_E_POLICY,
		    "validity ends %s, after the issuer's (%s)",
		    cy_time_str(c->not_after, t1), cy_time_str(is->not_after, t2));
	return 0;
}

int
cy_cert_check_signature(const cy_cert *c, const cy_cert *is, cy_error *err)
{
	if (strcmp(c->issuer, is->serial) != 0)
		return cy_error_set(err, CY_E_POLICY,
		    "issued by %s, not by %s", c->issuer, is->serial);
	if (cy_idkey_verify(is->sign_pk, c->bytes, c->signed_len, c->sig) != 0)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "signature does not verify with the key of issuer %s",
		    is->serial);
	return 0;
}

int
cy_cert_check_time(const cy_cert *c, int64_t at, cy_error *err)
{
	char t1[CY_TIME_STR_MAX], t2[CY_TIME_STR_MAX];

	if (at < c->not_before)
		return cy_error_set(err, CY_E_POLICY,
		    "not yet valid: valid from %s (time checked: %s)",
		    cy_time_str(c->not_before, t1), cy_time_str(at, t2));
	if (at > c->not_after)
		return cy_error_set(err, CY_E_POLICY,
		    "expired at %s (time checked: %s)",
		    cy_time_str(c->not_after, t1), cy_time_str(at, t2));
	return 0;
}

/* --- issuing --- */

static int
encode_params(const cy_cert_params *p, const char *serial,
    const char *issuer, cy_buf *b, cy_error *err)
{
	int rc;

	if ((rc = cy_canon_put(b, "version", CY_CERT_VERSION, err)) != 0 ||
	    (rc = cy_canon_put(b, "serial", serial, err)) != 0 ||
	    (rc = cy_canon_put(b, "name", p->name, err)) != 0 ||
	    (rc = cy_canon_put(b, "unit", p->unit, err)) != 0 ||
	    (rc = cy_canon_put(b, "role", cy_role_name(p->role), err)) != 0 ||
	    (rc = cy_canon_put(b, "clearance", cy_level_name(p->clearance),
	    err)) != 0 ||
	    (rc = cy_canon_put(b, "compartments",
	    p->compartments ? p->compartments : "", err)) != 0 ||
	    (rc = cy_canon_put_time(b, "not-before", p->not_before, err)) != 0 ||
	    (rc = cy_canon_put_time(b, "not-after", p->not_after, err)) != 0 ||
	    (rc = cy_canon_put_b64(b, "sign-key", p->sign_public,
	    CY_SIGN_PUBLIC_LEN, err)) != 0 ||
	    (rc = cy_signed_put_recipient(b, "seal-key", p->seal_public,
	    err)) != 0 ||
	    (p->seal_pq_public != NULL &&
	    (rc = cy_signed_put_pq_recipient(b, "seal-pq-key", p->seal_pq_public,
	    err)) != 0) ||
	    (rc = cy_canon_put(b, "issuer", issuer, err)) != 0)
		return rc;
	if (p->role != CY_ROLE_AUTHORITY)
		return 0;
	if (!p->may_issue_unit || !p->may_issue_level)
		return cy_error_set(err, CY_E_USAGE, "may-issue missing");
	cy_buf_printf(b, "may-issue: %s:%s\n", p->may_issue_unit,
	    cy_level_name(p->may_issue_level));
	return cy_buf_status(b) ? cy_error_set(err, CY_E_NOMEM, "out of memory") : 0;
}

static int
check_params(const cy_cert_params *p, cy_error *err)
{
	if (p->name == NULL || p->name[0] == '\0' ||
	    strlen(p->name) > CY_NAME_MAX)
		return cy_error_set(err, CY_E_USAGE,
		    "the name must have 1 to %d bytes", CY_NAME_MAX);
	if (p->unit == NULL || !cy_unit_valid(p->unit, strlen(p->unit)))
		return cy_error_set(err, CY_E_USAGE, "bad unit path");
	if (!cy_role_name(p->role) || !cy_level_name(p->clearance))
		return cy_error_set(err, CY_E_USAGE, "bad role or clearance");
	if (p->may_issue_unit != NULL && p->role != CY_ROLE_AUTHORITY)
		return cy_error_set(err, CY_E_USAGE,
		    "only an authority's certificate says what it may issue");
	if (p->may_issue_unit != NULL &&
	    !cy_unit_valid(p->may_issue_unit, strlen(p->may_issue_unit)))
		return cy_error_set(err, CY_E_USAGE, "bad may-issue unit path");
	if (p->compartments != NULL &&
	    cy_canon_list_check(p->compartments, strlen(p->compartments),
	    cy_compartment_valid, "compartments", err) != 0)
		return CY_E_USAGE;
	if (p->not_before >= p->not_after)
		return cy_error_set(err, CY_E_USAGE,
		    "the validity ends before it starts");
	return 0;
}

static int
check_issuer_key(const cy_cert_params *p, const cy_cert *issuer,
    const cy_idkey *key, int64_t now, cy_error *err)
{
	const uint8_t *want = issuer ? issuer->sign_pk : p->sign_public;

	if (!cy_memeq(cy_idkey_sign_public(key), want, CY_SIGN_PUBLIC_LEN))
		return cy_error_set(err, CY_E_POLICY, issuer ?
		    "the key does not belong to the issuer's certificate" :
		    "the key does not match the root's signing key");
	if (issuer == NULL)
		return p->role == CY_ROLE_AUTHORITY ? 0 :
		    cy_error_set(err, CY_E_POLICY,
		    "a self-signed certificate must be an authority's");
	if (cy_cert_check_time(issuer, now, err) != 0)
		return cy_error_wrap(err, "issuer %s", issuer->serial);
	return 0;
}

int
cy_cert_issue(const cy_cert_params *p, const cy_cert *issuer,
    const cy_idkey *key, int64_t now, cy_cert **out, cy_error *err)
{
	char serial[CY_SERIAL_HEX_LEN + 1];
	cy_cert_params q = *p;
	cy_buf b = CY_BUF_INIT;
	cy_cert *c = NULL;
	int rc;

	*out = NULL;
	if (q.role == CY_ROLE_AUTHORITY && q.may_issue_unit == NULL)
		q.may_issue_unit = q.unit;
	if (q.role == CY_ROLE_AUTHORITY && q.may_issue_level == 0)
		q.may_issue_level = q.clearance;
	if ((rc = check_params(&q, err)) != 0 ||
	    (rc = check_issuer_key(&q, issuer, key, now, err)) != 0)
		goto out;
	cy_serial_new(serial);
	if ((rc = encode_params(&q, serial, issuer ? issuer->serial : serial,
	    &b, err)) != 0 ||
	    (rc = cy_signed_finish(&b, key, err)) != 0)
		goto out;
	/* Reading back applies every rule of a lone certificate. */
	if ((rc = cy_cert_parse(b.data, b.len, &c, err)) != 0)
		goto out;
	if (issuer != NULL && (rc = cy_cert_check_issued(c, issuer, err)) != 0)
		goto out;
	*out = c;
	c = NULL;
out:
	cy_cert_free(c);
	cy_buf_free(&b);
	return rc;
}
