/* Revocation lists: parsing, signature check, extension. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/canon.h"
#include "coyeu/crl.h"
#include "coyeu/secret.h"
#include "pki/signed.h"

struct crl_entry {
	char serial[CY_SERIAL_HEX_LEN + 1];
	char reason[CY_CRL_REASON_MAX + 1];
	int64_t since;
};

struct cy_crl {
	uint8_t *bytes;
	size_t len;
	size_t signed_len;
	char issuer[CY_SERIAL_HEX_LEN + 1];
	uint64_t sequence;
	int64_t time;
	struct crl_entry *e; /* sorted by serial */
	size_t n;
	uint8_t sig[CY_SIGNATURE_LEN];
};

enum { F_VERSION, F_ISSUER, F_SEQUENCE, F_TIME, F_REVOKED, F_SIGNATURE,
    NFIELDS };

static const cy_canon_field crl_fields[NFIELDS] = {
	{"version", 0},
	{"issuer", 0},
	{"sequence", 0},
	{"time", 0},
	{"revoked", CY_CANON_REPEAT | CY_CANON_OPTIONAL},
	{"signature", 0},
};

void
cy_crl_free(cy_crl *crl)
{
	if (crl == NULL)
		return;
	free(crl->bytes);
	free(crl->e);
	free(crl);
}

/* A decimal without leading zeros, 1 to CY_CRL_SEQUENCE_MAX. */
static int
parse_sequence(const cy_canon_value *v, uint64_t *seq, cy_error *err)
{
	size_t i;

	*seq = 0;
	if (v->len == 0 || v->len > 12 || v->value[0] == '0')
		goto bad;
	for (i = 0; i < v->len; i++) {
		if (v->value[i] < '0' || v->value[i] > '9')
			goto bad;
		*seq = *seq * 10 + (uint64_t)(v->value[i] - '0');
	}
	return 0;
bad:
	return cy_error_set(err, CY_E_FORMAT,
	    "sequence: expected a number from 1 to %llu without leading zeros",
	    (unsigned long long)CY_CRL_SEQUENCE_MAX);
}

int
cy_crl_reason_valid(const char *p, size_t len)
{
	return len <= CY_CRL_REASON_MAX && cy_canon_is_token(p, len);
}

/* The reasons under which the key stayed with its holder: what the
 * certificate signed before `since` still stands.  Any other reason,
 * unknown ones included, revokes at every time (fail closed): a thief
 * could date a signature as early as they like. */
static const char *const past_kept[] = {"superseded", "left-unit",
    "cessation"};

int
cy_crl_reason_keeps_past(const char *reason)
{
	size_t i;

	for (i = 0; i < sizeof(past_kept) / sizeof(past_kept[0]); i++)
		if (strcmp(reason, past_kept[i]) == 0)
			return 1;
	return 0;
}

/* "SERIAL REASON SINCE", serials strictly ascending. */
static int
parse_entry(cy_crl *crl, const cy_canon_value *v, size_t i, cy_error *err)
{
	struct crl_entry *e = &crl->e[i];
	const char *reason = v->value + CY_SERIAL_HEX_LEN + 1, *sp;
	size_t rlen;

	sp = v->len > CY_SERIAL_HEX_LEN + 1 ?
	    memchr(reason, ' ', v->len - CY_SERIAL_HEX_LEN - 1) : NULL;
	rlen = sp != NULL ? (size_t)(sp - reason) : 0;
	if (sp == NULL || !cy_serial_valid(v->value, CY_SERIAL_HEX_LEN) ||
	    v->value[CY_SERIAL_HEX_LEN] != ' ' || !cy_crl_reason_valid(reason, rlen) ||
	    cy_canon_time_parse(sp + 1, v->len - (size_t)(sp + 1 - v->value),
	    &e->since, NULL) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "revoked entry %zu: expected 'SERIAL REASON SINCE' (32 "
		    "lowercase hex digits, a reason of a-z, 0-9, '-', an RFC 3339 "
		    "UTC time, separated by single spaces)", i + 1);
	memcpy(e->serial, v->value, CY_SERIAL_HEX_LEN);
	memcpy(e->reason, reason, rlen);
	if (i > 0 && strcmp(crl->e[i - 1].serial, e->serial) >= 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "revoked entry %zu: serials must be sorted and unique", i + 1);
	if (e->since > crl->time)
		return cy_error_set(err, CY_E_FORMAT,
		    "revoked entry %zu: takes effect after the list was made", i + 1);
	return 0;
}

static int
parse_fields(cy_crl *crl, const cy_canon_record *r, cy_error *err)
{
	size_t i;
	int rc;

	if ((rc = cy_signed_version(r, F_VERSION, CY_CRL_VERSION, err)) != 0 ||
	    (rc = cy_signed_serial(r, F_ISSUER, "issuer", crl->issuer,
	    err)) != 0 ||
	    (rc = parse_sequence(cy_canon_get(r, F_SEQUENCE), &crl->sequence,
	    err)) != 0 ||
	    (rc = cy_signed_time(r, F_TIME, "time", &crl->time, err)) != 0 ||
	    (rc = cy_signed_split(r, F_SIGNATURE, crl->sig, &crl->signed_len,
	    err)) != 0)
		return rc;
	crl->n = cy_canon_count(r, F_REVOKED);
	if (crl->n > 0 && (crl->e = calloc(crl->n, sizeof(*crl->e))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	for (i = 0; i < crl->n; i++)
		if ((rc = parse_entry(crl, cy_canon_get_nth(r, F_REVOKED, i), i,
		    err)) != 0)
			return rc;
	return 0;
}

int
cy_crl_parse(const uint8_t *in, size_t len, cy_crl **out, cy_error *err)
{
	cy_canon_record *r = NULL;
	cy_crl *crl = NULL;
	int rc;

	*out = NULL;
	if ((crl = calloc(1, sizeof(*crl))) == NULL) {
		rc = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	crl->len = len;
	if ((rc = cy_signed_parse_copy(in, len, CY_CRL_MAX, "revocation list",
	    crl_fields, NFIELDS, &crl->bytes, &r, err)) != 0 ||
	    (rc = parse_fields(crl, r, err)) != 0)
		goto out;
	*out = crl;
	crl = NULL;
out:
	cy_canon_record_free(r);
	cy_crl_free(crl);
	return rc;
}

int
cy_crl_check_signature(const cy_crl *crl, const cy_cert *issuer,
    cy_error *err)
{
	if (strcmp(crl->issuer, cy_cert_serial(issuer)) != 0)
		return cy_error_set(err, CY_E_POLICY,
		    "the list is from %s, not from %s", crl->issuer,
		    cy_cert_serial(issuer));
	if (cy_idkey_verify(cy_cert_sign_public(issuer), crl->bytes,
	    crl->signed_len, crl->sig) != 0)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "signature does not verify with the key of %s", crl->issuer);
	return 0;
}

const uint8_t *
cy_crl_bytes(const cy_crl *crl, size_t *len)
{
	*len = crl->len;
	return crl->bytes;
}

const char *cy_crl_issuer(const cy_crl *crl) { return crl->issuer; }
uint64_t cy_crl_sequence(const cy_crl *crl) { return crl->sequence; }
int64_t cy_crl_time(const cy_crl *crl) { return crl->time; }
size_t cy_crl_count(const cy_crl *crl) { return crl->n; }

static int
entry_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct crl_entry *)elem)->serial);
}

static const struct crl_entry *
find(const cy_crl *crl, const char *serial)
{
	if (crl->n == 0)
		return NULL;
	return bsearch(serial, crl->e, crl->n, sizeof(*crl->e), entry_cmp);
}

void
cy_crl_entry(const cy_crl *crl, size_t i, const char **serial,
    const char **reason, int64_t *since)
{
	*serial = crl->e[i].serial;
	*reason = crl->e[i].reason;
	*since = crl->e[i].since;
}

int
cy_crl_lookup(const cy_crl *crl, const char *serial, const char **reason,
    int64_t *since)
{
	const struct crl_entry *e = find(crl, serial);

	if (e != NULL && reason != NULL)
		*reason = e->reason;
	if (e != NULL && since != NULL)
		*since = e->since;
	return e != NULL;
}

int
cy_crl_revokes(const cy_crl *crl, const char *serial, int64_t at,
    const char **reason)
{
	const struct crl_entry *e = find(crl, serial);

	if (e == NULL || (cy_crl_reason_keeps_past(e->reason) && at < e->since))
		return 0;
	if (reason != NULL)
		*reason = e->reason;
	return 1;
}

/* --- succession --- */

/* 1 when entry n revokes at every time entry o does: the same serial, and
 * either n revokes at all times or both keep the past and n from no later
 * than o. */
static int
entry_covers(const struct crl_entry *n, const struct crl_entry *o)
{
	if (!cy_crl_reason_keeps_past(n->reason))
		return 1;
	return cy_crl_reason_keeps_past(o->reason) && n->since <= o->since;
}

/* Every entry of prev is in next, no weaker (both sorted by serial). */
static int
check_kept(const cy_crl *prev, const cy_crl *next, cy_error *err)
{
	const struct crl_entry *n;
	size_t i;

	for (i = 0; i < prev->n; i++) {
		if ((n = find(next, prev->e[i].serial)) == NULL)
			return cy_error_set(err, CY_E_REVOKED,
			    "sequence %llu of %s drops %s, which sequence %llu "
			    "revokes (%s): revocation is permanent, so the "
			    "authority signed a list that would un-revoke it; "
			    "keep the older list and report it",
			    (unsigned long long)next->sequence, next->issuer,
			    prev->e[i].serial, (unsigned long long)prev->sequence,
			    prev->e[i].reason);
		if (!entry_covers(n, &prev->e[i]))
			return cy_error_set(err, CY_E_REVOKED,
			    "sequence %llu of %s weakens the revocation of %s "
			    "(%s, was %s in sequence %llu): revocation is "
			    "permanent; keep the older list and report it",
			    (unsigned long long)next->sequence, next->issuer,
			    n->serial, n->reason, prev->e[i].reason,
			    (unsigned long long)prev->sequence);
	}
	return 0;
}

int
cy_crl_check_successor(const cy_crl *prev, const cy_crl *next,
    uint64_t max_jump, cy_error *err)
{
	if (strcmp(prev->issuer, next->issuer) != 0)
		return cy_error_set(err, CY_E_USAGE,
		    "lists of two authorities (%s, %s)", prev->issuer,
		    next->issuer);
	if (next->sequence < prev->sequence)
		return cy_error_set(err, CY_E_POLICY,
		    "sequence %llu is older than sequence %llu, which it "
		    "cannot replace", (unsigned long long)next->sequence,
		    (unsigned long long)prev->sequence);
	if (next->sequence == prev->sequence)
		return prev->len == next->len &&
		    memcmp(prev->bytes, next->bytes, prev->len) == 0 ? 0 :
		    cy_error_set(err, CY_E_REVOKED,
		    "two different revocation lists from %s carry sequence "
		    "%llu: the authority signed both; report it", prev->issuer,
		    (unsigned long long)prev->sequence);
	if (next->sequence - prev->sequence > max_jump)
		return cy_error_set(err, CY_E_TOO_LARGE,
		    "sequence %llu of %s jumps %llu past sequence %llu (more "
		    "than %llu lists in between): a list that far ahead would "
		    "shut out the authority's next real ones",
		    (unsigned long long)next->sequence, next->issuer,
		    (unsigned long long)(next->sequence - prev->sequence),
		    (unsigned long long)prev->sequence,
		    (unsigned long long)max_jump);
	return check_kept(prev, next, err);
}

/* --- extending --- */

static int
check_extend(const cy_crl *prev, const cy_cert *issuer, const cy_idkey *key,
    const char *serial, const char *reason, int64_t since, int64_t now,
    cy_error *err)
{
	int rc;

	if (cy_cert_role(issuer) != CY_ROLE_AUTHORITY)
		return cy_error_set(err, CY_E_POLICY,
		    "only an authority publishes revocation lists");
	if (!cy_memeq(cy_idkey_sign_public(key), cy_cert_sign_public(issuer),
	    CY_SIGN_PUBLIC_LEN))
		return cy_error_set(err, CY_E_POLICY,
		    "the key does not belong to the issuer's certificate");
	if (serial != NULL && !cy_serial_valid(serial, strlen(serial)))
		return cy_error_set(err, CY_E_USAGE,
		    "serial: expected %d lowercase hex digits", CY_SERIAL_HEX_LEN);
	if (serial != NULL && !cy_crl_reason_valid(reason, strlen(reason)))
		return cy_error_set(err, CY_E_USAGE,
		    "reason: expected 1 to %d characters of a-z, 0-9, '-'",
		    CY_CRL_REASON_MAX);
	if (serial != NULL && since > now)
		return cy_error_set(err, CY_E_USAGE,
		    "a revocation takes effect now or in the past, not later");
	if (prev == NULL)
		return 0;
	if ((rc = cy_crl_check_signature(prev, issuer, err)) != 0)
		return cy_error_wrap(err, "the existing revocation list");
	if (prev->sequence >= CY_CRL_SEQUENCE_MAX)
		return cy_error_set(err, CY_E_POLICY, "sequence exhausted");
	if (serial != NULL && cy_crl_lookup(prev, serial, NULL, NULL))
		return cy_error_set(err, CY_E_USAGE,
		    "%s is already revoked in sequence %llu", serial,
		    (unsigned long long)prev->sequence);
	return 0;
}

static int
put_entry(cy_buf *b, const char *serial, const char *reason, int64_t since,
    cy_error *err)
{
	char t[CY_CANON_TIME_LEN + 1];
	int rc;

	if ((rc = cy_canon_time_format(since, t, err)) != 0)
		return rc;
	cy_buf_printf(b, "revoked: %s %s %s\n", serial, reason, t);
	return 0;
}

int
cy_crl_extend(const cy_crl *prev, const cy_cert *issuer, const cy_idkey *key,
    const cy_crl_revocation *add, int64_t now, cy_crl **out, cy_error *err)
{
	const char *serial = add != NULL ? add->serial : NULL;
	const char *reason = add != NULL && add->reason != NULL ? add->reason :
	    "unspecified";
	int64_t since = add != NULL && add->since != 0 ? add->since : now;
	cy_buf b = CY_BUF_INIT;
	size_t i, n = prev ? prev->n : 0;
	int rc, added = serial == NULL;

	*out = NULL;
	if ((rc = check_extend(prev, issuer, key, serial, reason, since, now,
	    err)) != 0)
		goto out;
	if ((rc = cy_canon_put(&b, "version", CY_CRL_VERSION, err)) != 0 ||
	    (rc = cy_canon_put(&b, "issuer", cy_cert_serial(issuer), err)) != 0)
		goto out;
	cy_buf_printf(&b, "sequence: %" PRIu64 "\n",
	    prev ? prev->sequence + 1 : 1);
	if ((rc = cy_canon_put_time(&b, "time", now, err)) != 0)
		goto out;
	for (i = 0; i <= n && rc == 0; i++) {
		if (!added && (i == n || strcmp(serial, prev->e[i].serial) < 0)) {
			rc = put_entry(&b, serial, reason, since, err);
			added = 1;
		}
		if (i < n && rc == 0)
			rc = put_entry(&b, prev->e[i].serial, prev->e[i].reason,
			    prev->e[i].since, err);
	}
	if (rc != 0 || (rc = cy_signed_finish(&b, key, err)) != 0)
		goto out;
	rc = cy_crl_parse(b.data, b.len, out, err);
out:
	cy_buf_free(&b);
	return rc;
}
