/* Certificate chains: parsing, encoding and verification against a pinned
 * root and revocation lists. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/cert.h"
#include "coyeu/crl.h"
#include "pki/cert_internal.h"
#include "pki/signed.h"

struct cy_chain {
	cy_cert *certs[CY_CHAIN_MAX];
	size_t n;
};

void
cy_chain_free(cy_chain *ch)
{
	size_t i;

	if (ch == NULL)
		return;
	for (i = 0; i < ch->n; i++)
		cy_cert_free(ch->certs[i]);
	free(ch);
}

size_t
cy_chain_len(const cy_chain *ch)
{
	return ch->n;
}

const cy_cert *
cy_chain_get(const cy_chain *ch, size_t i)
{
	return i < ch->n ? ch->certs[i] : NULL;
}

int
cy_chain_parse(const uint8_t *in, size_t len, cy_chain **out, cy_error *err)
{
	cy_chain *ch = NULL;
	size_t pos = 0, used;
	int rc;

	*out = NULL;
	if (len > CY_CHAIN_FILE_MAX) {
		rc = cy_error_set(err, CY_E_TOO_LARGE,
		    "chain larger than %d bytes", CY_CHAIN_FILE_MAX);
		goto out;
	}
	if ((ch = calloc(1, sizeof(*ch))) == NULL) {
		rc = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		if (ch->n == CY_CHAIN_MAX) {
			rc = cy_error_set(err, CY_E_TOO_LARGE,
			    "chain longer than %d certificates (the depth cap)",
			    CY_CHAIN_MAX);
			goto out;
		}
		if ((rc = cy_cert_parse_at(in + pos, len - pos, &used,
		    &ch->certs[ch->n], err)) != 0) {
			cy_error_wrap(err, "certificate %zu", ch->n + 1);
			goto out;
		}
		ch->n++;
		pos += used;
		if (pos == len)
			break;
		/* A single blank line separates certificates; it must be
		 * followed by one. */
		if (++pos == len) {
			rc = cy_error_set(err, CY_E_FORMAT,
			    "trailing blank line after certificate %zu", ch->n);
			goto out;
		}
	}
	*out = ch;
	ch = NULL;
	rc = 0;
out:
	cy_chain_free(ch);
	return rc;
}

int
cy_chain_encode(const cy_cert *leaf, const cy_chain *issuer_chain,
    cy_buf *out, cy_error *err)
{
	const uint8_t *p;
	size_t i, len, n = 1;

	p = cy_cert_bytes(leaf, &len);
	cy_buf_append(out, p, len);
	for (i = 0; issuer_chain != NULL && i < issuer_chain->n; i++) {
		if (cy_cert_is_self_signed(issuer_chain->certs[i]))
			continue;
		if (++n > CY_CHAIN_MAX)
			return cy_error_set(err, CY_E_POLICY,
			    "the chain would be longer than %d certificates "
			    "(the depth cap)", CY_CHAIN_MAX);
		p = cy_cert_bytes(issuer_chain->certs[i], &len);
		cy_buf_append(out, "\n", 1);
		cy_buf_append(out, p, len);
	}
	return cy_buf_status(out) ?
	    cy_error_set(err, CY_E_NOMEM, "out of memory") : 0;
}

/* --- verification --- */

/* The path being verified: path[0] the leaf … path[n-1] the root. */
struct path {
	const cy_cert *c[CY_CHAIN_MAX + 1];
	size_t n;
	/* per element: the newest revocation list its authority published */
	const cy_crl *crl[CY_CHAIN_MAX + 1];
};

static int
fail_at(const struct path *p, size_t i, cy_error *err)
{
	if (i + 1 == p->n)
		return cy_error_wrap(err, "trusted root (serial %s)",
		    cy_cert_serial(p->c[i]));
	return cy_error_wrap(err, "certificate %zu (serial %s)", i + 1,
	    cy_cert_serial(p->c[i]));
}

static int
check_root(const cy_cert *root, cy_error *err)
{
	int rc;

	if (!cy_cert_is_self_signed(root) ||
	    cy_cert_role(root) != CY_ROLE_AUTHORITY)
		return cy_error_set(err, CY_E_POLICY,
		    "trusted root (serial %s): not a self-signed authority "
		    "certificate", cy_cert_serial(root));
	if ((rc = cy_cert_check_signature(root, root, err)) != 0)
		return cy_error_wrap(err, "trusted root (serial %s)",
		    cy_cert_serial(root));
	return 0;
}

/* Builds the path; refuses loops and a root inside the chain. */
static int
build_path(struct path *p, const cy_chain *chain, const cy_cert *root,
    cy_error *err)
{
	size_t i, j;
	size_t len, rlen;
	const uint8_t *b, *rb;

	memset(p, 0, sizeof(*p));
	if (chain->n == 1) {
		b = cy_cert_bytes(chain->certs[0], &len);
		rb = cy_cert_bytes(root, &rlen);
		if (len == rlen && memcmp(b, rb, len) == 0) {
			p->c[p->n++] = root; /* the root on its own */
			return 0;
		}
	}
	for (i = 0; i < chain->n; i++)
		p->c[p->n++] = chain->certs[i];
	p->c[p->n++] = root;
	for (i = 0; i + 1 < p->n; i++) {
		for (j = i + 1; j < p->n; j++)
			if (strcmp(cy_cert_serial(p->c[i]),
			    cy_cert_serial(p->c[j])) == 0)
				return cy_error_set(err, CY_E_POLICY,
				    "certificate %zu (serial %s) appears again "
				    "as %s: a loop", i + 1,
				    cy_cert_serial(p->c[i]),
				    j + 1 == p->n ? "the trusted root" :
				    "a later certificate");
		if (cy_cert_is_self_signed(p->c[i]))
			return cy_error_set(err, CY_E_POLICY,
			    "certificate %zu (serial %s) is self-signed but is "
			    "not the trusted root", i + 1,
			    cy_cert_serial(p->c[i]));
	}
	return 0;
}

/* Each link, from the root down: order, signature, rules, time. */
static int
check_links(const struct path *p, int64_t at, cy_error *err)
{
	size_t i = p->n - 1;
	const cy_cert *c, *is;

	if (cy_cert_check_time(p->c[i], at, err) != 0)
		return fail_at(p, i, err);
	while (i-- > 0) {
		c = p->c[i];
		is = p->c[i + 1];
		if (strcmp(cy_cert_issuer(c), cy_cert_serial(is)) != 0) {
			cy_error_set(err, CY_E_POLICY,
			    "issued by %s, but the next certificate is %s%s "
			    "(wrong order, a missing issuer, or another root)",
			    cy_cert_issuer(c), i + 2 == p->n ?
			    "the trusted root " : "", cy_cert_serial(is));
			return fail_at(p, i, err);
		}
		if (cy_cert_check_signature(c, is, err) != 0 ||
		    cy_cert_check_issued(c, is, err) != 0 ||
		    cy_cert_check_time(c, at, err) != 0)
			return fail_at(p, i, err);
	}
	return 0;
}

/* Keeps, per authority in the path, its newest list; a list whose issuer
 * is not in the path concerns another chain and is skipped.  Each list
 * must succeed the older ones (cy_crl_check_successor, any jump): a newer
 * list that drops or weakens a revocation, or two lists with one sequence,
 * fail closed. */
static int
pick_crls(struct path *p, const cy_crl *const *crls, size_t ncrls,
    cy_error *err)
{
	const cy_crl *old;
	size_t i, k;
	int newer, rc;

	for (k = 0; k < ncrls; k++) {
		for (i = 0; i < p->n; i++)
			if (strcmp(cy_crl_issuer(crls[k]),
			    cy_cert_serial(p->c[i])) == 0)
				break;
		if (i == p->n || cy_cert_role(p->c[i]) != CY_ROLE_AUTHORITY)
			continue;
		if (cy_crl_check_signature(crls[k], p->c[i], err) != 0)
			return cy_error_wrap(err,
			    "revocation list %zu (sequence %llu)", k + 1,
			    (unsigned long long)cy_crl_sequence(crls[k]));
		if ((old = p->crl[i]) == NULL) {
			p->crl[i] = crls[k];
			continue;
		}
		newer = cy_crl_sequence(crls[k]) > cy_crl_sequence(old);
		if ((rc = cy_crl_check_successor(newer ? old : crls[k],
		    newer ? crls[k] : old, UINT64_MAX, err)) != 0)
			return rc;
		if (newer)
			p->crl[i] = crls[k];
	}
	return 0;
}

/* From the root down, each certificate against the lists of every
 * authority at or above its issuer: revoking an authority cuts off all
 * beneath it.  The first revoked at `at` (*by: the revoking authority),
 * else p->n. */
static size_t
find_revoked(const struct path *p, int64_t at, size_t *by,
    const char **reason)
{
	const char *serial;
	size_t i = p->n, j;

	while (i-- > 0) {
		serial = cy_cert_serial(p->c[i]);
		for (j = i + 1 == p->n ? i : i + 1; j < p->n; j++)
			if (p->crl[j] != NULL &&
			    cy_crl_revokes(p->crl[j], serial, at, reason)) {
				*by = j;
				return i;
			}
	}
	return p->n;
}

static int
check_revoked(const struct path *p, int64_t at, cy_error *err)
{
	const char *reason = NULL;
	char t[CY_TIME_STR_MAX];
	int64_t since = 0;
	size_t i, j = 0;

	if ((i = find_revoked(p, at, &j, &reason)) == p->n)
		return 0;
	(void)cy_crl_lookup(p->crl[j], cy_cert_serial(p->c[i]), NULL, &since);
	cy_error_set(err, CY_E_REVOKED, "revoked by %s since %s (reason: %s)",
	    cy_cert_serial(p->c[j]), cy_time_str(since, t), reason);
	return fail_at(p, i, err);
}

int
cy_chain_revoked_ever(const cy_chain *chain, const cy_cert *root,
    const cy_crl *const *crls, size_t ncrls, const cy_cert **cert,
    int64_t *since, const char **reason)
{
	struct path p;
	cy_error ignored;
	size_t i, j = 0;

	/* Only lists from authorities in the path count, as in verification;
	 * INT64_MAX finds a revocation that takes effect at any time. */
	if (build_path(&p, chain, root, &ignored) != 0 ||
	    pick_crls(&p, crls, ncrls, &ignored) != 0 ||
	    (i = find_revoked(&p, INT64_MAX, &j, reason)) == p.n)
		return 0;
	*cert = p.c[i];
	(void)cy_crl_lookup(p.crl[j], cy_cert_serial(p.c[i]), NULL, since);
	return 1;
}

int
cy_chain_verify(const cy_chain *chain, const cy_cert *root,
    const cy_crl *const *crls, size_t ncrls, int64_t at, cy_cert **leaf,
    cy_error *err)
{
	struct path p;
	int rc;

	if (leaf != NULL)
		*leaf = NULL;
	if ((rc = check_root(root, err)) != 0 ||
	    (rc = build_path(&p, chain, root, err)) != 0 ||
	    (rc = check_links(&p, at, err)) != 0 ||
	    (rc = pick_crls(&p, crls, ncrls, err)) != 0 ||
	    (rc = check_revoked(&p, at, err)) != 0)
		return rc;
	return leaf != NULL ? cy_cert_dup(p.c[0], leaf, err) : 0;
}
