/* Sealing a classified document: every party verified and asked about
 * (policy.h) before cy_doc_seal_fd may write a byte. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coyeu/canon.h"
#include "coyeu/level.h"
#include "coyeu/secret.h"
#include "base/crypto.h"
#include "age/release_raw.h"
#include "doc/docseal.h"

struct cy_doc_sealing {
	const cy_idkey *signer;
	cy_cert *signer_leaf;
	cy_buf chain;               /* the signer's chain file */
	char *document, *copy, *compartments;
	int level, only_named;
	int64_t created, protect_until;
	cy_cert **leaves;
	const char **serials;
	uint8_t (*keys)[CY_X25519_KEY_LEN];
	const uint8_t **pq_keys;    /* the leaves' hybrid keys, or NULL */
	size_t n;
	int pq;                     /* the file is post-quantum */
	char *pq_reason;            /* why not, when not */
	/* Registry-mediated: the doc-id, each copy's id and R. */
	char *doc_id;
	char (*copy_ids)[CY_RELEASE_ID_SIZE];
	uint8_t (*secrets)[CY_RELEASE_SECRET_LEN];  /* guarded memory */
	/* The signed label of the last successful cy_doc_seal_fd; behind a
	 * pointer, as sealing gets the sealing const. */
	cy_buf *label;
};

int
cy_doc_party(const cy_chain *chain, const cy_trust *trust, int64_t at,
    cy_cert **leaf, cy_policy_party *party, cy_error *err)
{
	int r;

	if ((r = cy_chain_verify(chain, trust->root, trust->crls, trust->ncrls,
	    at, leaf, err)) != 0)
		return r;
	if (cy_policy_party_from_cert(*leaf, trust->crls, trust->ncrls,
	    party) != 0)
		return cy_error_set(err, CY_E_USAGE, "bad revocation lists");
	return 0;
}

void
cy_doc_policy_doc(const cy_label *l, const char **serials, cy_policy_doc *d)
{
	size_t i, n = cy_label_recipient_count(l);

	for (i = 0; i < n && i < CY_LABEL_RECIPIENTS_MAX; i++)
		serials[i] = cy_label_recipient(l, i);
	memset(d, 0, sizeof(*d));
	d->level = cy_label_level(l);
	d->unit = cy_label_unit(l);
	d->compartments = cy_label_compartments(l);
	d->only_named = cy_label_only_named(l);
	d->recipients = serials;
	d->nrecipients = i;
	d->created = cy_label_created(l);
	d->protect_until = cy_label_protect_until(l);
	d->state = CY_DOC_LIVE;
}

void
cy_doc_sealing_free(cy_doc_sealing *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; s->leaves != NULL && i < s->n; i++)
		cy_cert_free(s->leaves[i]);
	cy_cert_free(s->signer_leaf);
	cy_buf_free(&s->chain);
	free(s->document);
	free(s->copy);
	free(s->compartments);
	free(s->leaves);
	free(s->serials);
	free(s->keys);
	free(s->pq_keys);
	free(s->pq_reason);
	free(s->doc_id);
	free(s->copy_ids);
	cy_secret_free(s->secrets);
	if (s->label != NULL)
		cy_buf_free(s->label);
	free(s->label);
	free(s);
}

/* The chain file, as it was read: each certificate, a blank line between. */
static int
chain_text(const cy_chain *ch, cy_buf *out, cy_error *err)
{
	const uint8_t *b;
	size_t i, len;

	for (i = 0; i < cy_chain_len(ch); i++) {
		if (i > 0)
			cy_buf_append(out, "\n", 1);
		b = cy_cert_bytes(cy_chain_get(ch, i), &len);
		cy_buf_append(out, b, len);
	}
	return cy_buf_status(out) ?
	    cy_error_set(err, CY_E_NOMEM, "out of memory") : 0;
}

static int
dup_or_null(const char *in, char **out)
{
	*out = NULL;
	return in != NULL && (*out = strdup(in)) == NULL ? CY_E_NOMEM : 0;
}

/* The choices that need no key: the label's rules, the cap. */
static int
take_params(cy_doc_sealing *s, const cy_doc_seal_params *p, cy_error *err)
{
	cy_error why;
	int r;

	if (p->signer == NULL || p->signer_chain == NULL || p->trust == NULL ||
	    p->trust->root == NULL || p->nrecipients == 0 ||
	    p->recipients == NULL || p->nrecipients > CY_LABEL_RECIPIENTS_MAX)
		return cy_error_set(err, CY_E_USAGE, "sealing needs a signer, "
		    "its chain, a trusted root and 1 to %d recipients",
		    CY_LABEL_RECIPIENTS_MAX);
	if (cy_level_name(p->level) == NULL)
		return cy_error_set(err, CY_E_USAGE, "unknown level %d",
		    p->level);
	if ((r = cy_label_document_check(p->document, err)) != 0 ||
	    (r = cy_label_copy_check(p->copy, err)) != 0 ||
	    (r = cy_canon_list_normalize(p->compartments != NULL ?
	    p->compartments : "", cy_compartment_valid, "compartments",
	    &s->compartments, err)) != 0)
		return r;
	s->level = p->level;
	s->only_named = p->only_named != 0;
	s->created = p->now != 0 ? p->now : (int64_t)time(NULL);
	s->protect_until = p->protect_until != 0 ? p->protect_until :
	    cy_level_protect_limit(p->level, s->created);
	if (cy_policy_protect_check(s->level, s->created, s->protect_until,
	    &why) != 0)
		return cy_error_set(err, CY_E_USAGE, "%s", why.msg);
	if (p->release_doc_id != NULL &&
	    cy_release_id_check(p->release_doc_id, NULL) != 0)
		return cy_error_set(err, CY_E_USAGE, "the document's release id "
		    "must be %d lowercase hex digits (cy_release_id_new)",
		    CY_RELEASE_ID_LEN);
	if (dup_or_null(p->document, &s->document) != 0 ||
	    dup_or_null(p->copy, &s->copy) != 0 ||
	    dup_or_null(p->release_doc_id, &s->doc_id) != 0 ||
	    (s->label = calloc(1, sizeof(*s->label))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

/* The sealer: a verified chain whose leaf's key is the signing key. */
static int
take_signer(cy_doc_sealing *s, const cy_doc_seal_params *p,
    cy_policy_party *sealer, cy_error *err)
{
	int r;

	if ((r = cy_doc_party(p->signer_chain, p->trust, s->created,
	    &s->signer_leaf, sealer, err)) != 0)
		return r;
	if (memcmp(cy_cert_sign_public(s->signer_leaf),
	    cy_idkey_sign_public(p->signer), CY_SIGN_PUBLIC_LEN) != 0)
		return cy_error_set(err, CY_E_POLICY, "the signing key does not "
		    "belong to the sealer's certificate (serial %s)",
		    cy_cert_serial(s->signer_leaf));
	s->signer = p->signer;
	return chain_text(p->signer_chain, &s->chain, err);
}

/* Recipient i: a verified chain, named once; its key and serial. */
static int
take_recipient(cy_doc_sealing *s, const cy_doc_seal_params *p, size_t i,
    cy_policy_party *party, cy_error *err)
{
	size_t j;
	int r;

	s->n = i + 1;
	if ((r = cy_doc_party(p->recipients[i], p->trust, s->created,
	    &s->leaves[i], party, err)) != 0)
		return r;
	s->serials[i] = cy_cert_serial(s->leaves[i]);
	memcpy(s->keys[i], cy_cert_seal_public(s->leaves[i]), CY_X25519_KEY_LEN);
	s->pq_keys[i] = cy_cert_seal_pq_public(s->leaves[i]);
	for (j = 0; j < i; j++)
		if (strcmp(s->serials[j], s->serials[i]) == 0)
			return cy_error_set(err, CY_E_USAGE, "%s (serial %s) is "
			    "already a recipient (recipient %zu)",
			    cy_cert_name(s->leaves[i]), s->serials[i], j + 1);
	return 0;
}

/* The policy's rules for sealing, at the time of sealing: the sealer
 * alone (target NULL), or with one recipient. */
static int
ask_policy(const cy_doc_sealing *s, const cy_policy_party *sealer,
    const cy_policy_party *target, cy_error *err)
{
	cy_policy_doc d;
	cy_policy_request rq;

	memset(&d, 0, sizeof(d));
	d.level = s->level;
	d.unit = cy_cert_unit(s->signer_leaf);
	d.compartments = s->compartments;
	d.only_named = s->only_named;
	d.recipients = s->serials;
	d.nrecipients = s->n;
	d.created = s->created;
	d.protect_until = s->protect_until;
	d.state = CY_DOC_LIVE;
	memset(&rq, 0, sizeof(rq));
	rq.action = CY_ACT_SEAL;
	rq.time = s->created;
	rq.actor = sealer;
	rq.target = target;
	rq.doc = &d;
	return cy_policy_check(&rq, err);
}

static int
alloc_parties(cy_doc_sealing *s, size_t n)
{
	s->leaves = calloc(n, sizeof(*s->leaves));
	s->serials = calloc(n, sizeof(*s->serials));
	s->keys = calloc(n, sizeof(*s->keys));
	s->pq_keys = calloc(n, sizeof(*s->pq_keys));
	return s->leaves && s->serials && s->keys && s->pq_keys ? 0 :
	    CY_E_NOMEM;
}

/* Registry-mediated: a fresh copy-id and R for each recipient. */
static int
draw_copies(cy_doc_sealing *s, size_t n, cy_error *err)
{
	size_t i;
	int r;

	if (s->doc_id == NULL)
		return 0;
	if ((s->copy_ids = calloc(n, sizeof(*s->copy_ids))) == NULL ||
	    (s->secrets = cy_secret_alloc(n * sizeof(*s->secrets))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	cy_random(s->secrets, n * sizeof(*s->secrets));
	for (i = 0; i < n; i++)
		if ((r = cy_release_id_new(s->copy_ids[i], err)) != 0)
			return r;
	return 0;
}

static int
set_reason(cy_doc_sealing *s, cy_error *err, const char *fmt, ...)
    CY_PRINTF(3, 4);

static int
set_reason(cy_doc_sealing *s, cy_error *err, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if ((s->pq_reason = strdup(buf)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

/* Post-quantum or classical, for the whole file (as age: a file is only
 * as strong as its weakest stanza against a quantum computer).  TUYỆT
 * MẬT must be post-quantum unless the sealer allows classical, which the
 * label then records; TỐI MẬT and MẬT are post-quantum when every
 * recipient can be.  *who is the first recipient without a hybrid key. */
static int
choose_pq(cy_doc_sealing *s, const cy_doc_seal_params *p, size_t *who,
    cy_error *err)
{
	size_t i, missing = 0, first = s->n;
	const cy_cert *c;

	for (i = 0; i < s->n; i++)
		if (s->pq_keys[i] == NULL && missing++ == 0)
			first = i;
	if (p->pq == CY_DOC_PQ_NEVER) {
		if (s->level == CY_LEVEL_TUYET_MAT && !p->allow_classical)
			return cy_error_set(err, CY_E_USAGE, "TUYỆT MẬT is sealed "
			    "post-quantum: sealing it classically needs "
			    "--allow-classical (allow_classical)");
		return set_reason(s, err, "classical sealing was asked for");
	}
	if (missing == 0) {
		s->pq = 1;
		return 0;
	}
	c = s->leaves[first];
	if (s->level == CY_LEVEL_TUYET_MAT && !p->allow_classical) {
		*who = first;
		return cy_error_set(err, CY_E_POLICY, "recipient %s (serial %s) "
		    "has no post-quantum sealing key: TUYỆT MẬT is sealed "
		    "post-quantum; have the officer re-keyed (coyeu id add-pq, "
		    "cert challenge/prove/issue) or seal with --allow-classical",
		    cy_cert_name(c), cy_cert_serial(c));
	}
	if (missing == 1)
		return set_reason(s, err, "recipient %s (serial %s) has no "
		    "post-quantum sealing key", cy_cert_name(c),
		    cy_cert_serial(c));
	return set_reason(s, err, "recipient %s (serial %s) and %zu other%s "
	    "have no post-quantum sealing key", cy_cert_name(c),
	    cy_cert_serial(c), missing - 1, missing == 2 ? "" : "s");
}

/* In order, each refusal naming whom: the parameters, the sealer, then
 * each recipient's chain, uniqueness and the policy. */
int
cy_doc_seal_prepare(const cy_doc_seal_params *p, cy_doc_sealing **out,
    size_t *refused, cy_error *err)
{
	cy_doc_sealing *s = NULL;
	cy_policy_party sealer, party;
	size_t who = CY_DOC_REFUSED_SEALER, i;
	int r;

	*out = NULL;
	if (p == NULL || (s = calloc(1, sizeof(*s))) == NULL) {
		r = cy_error_set(err, p == NULL ? CY_E_USAGE : CY_E_NOMEM,
		    p == NULL ? "no sealing parameters" : "out of memory");
		goto out;
	}
	if ((r = take_params(s, p, err)) != 0 ||
	    (r = take_signer(s, p, &sealer, err)) != 0 ||
	    (r = ask_policy(s, &sealer, NULL, err)) != 0)
		goto out;
	if (alloc_parties(s, p->nrecipients) != 0) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = draw_copies(s, p->nrecipients, err)) != 0)
		goto out;
	for (i = 0; i < p->nrecipients; i++) {
		who = i;
		if ((r = take_recipient(s, p, i, &party, err)) != 0 ||
		    (r = ask_policy(s, &sealer, &party, err)) != 0)
			goto out;
	}
	who = CY_DOC_REFUSED_SEALER;
	if ((r = choose_pq(s, p, &who, err)) != 0)
		goto out;
	*out = s;
	s = NULL;
out:
	if (refused != NULL)
		*refused = who;
	cy_doc_sealing_free(s);
	return r;
}

size_t
cy_doc_sealing_count(const cy_doc_sealing *s)
{
	return s->n;
}

const cy_cert *
cy_doc_sealing_recipient(const cy_doc_sealing *s, size_t i)
{
	return i < s->n ? s->leaves[i] : NULL;
}

const cy_cert *
cy_doc_sealing_signer(const cy_doc_sealing *s)
{
	return s->signer_leaf;
}

int64_t
cy_doc_sealing_created(const cy_doc_sealing *s)
{
	return s->created;
}

int64_t
cy_doc_sealing_protect_until(const cy_doc_sealing *s)
{
	return s->protect_until;
}

int
cy_doc_sealing_pq(const cy_doc_sealing *s)
{
	return s->pq;
}

const char *
cy_doc_sealing_pq_reason(const cy_doc_sealing *s)
{
	return s->pq ? NULL : s->pq_reason;
}

const char *
cy_doc_sealing_copy_id(const cy_doc_sealing *s, size_t i)
{
	return s->copy_ids != NULL && i < s->n ? s->copy_ids[i] : NULL;
}

const uint8_t *
cy_doc_sealing_release_secret(const cy_doc_sealing *s, size_t i)
{
	return s->secrets != NULL && i < s->n ? s->secrets[i] : NULL;
}

int
cy_doc_sealing_release_seal(const cy_doc_sealing *s, size_t i,
    const uint8_t pub[CY_X25519_KEY_LEN], cy_buf *out, cy_error *err)
{
	const uint8_t *r = cy_doc_sealing_release_secret(s, i);

	if (r == NULL)
		return cy_error_set(err, CY_E_USAGE, "no release secret for "
		    "recipient %zu: the sealing is not registry-mediated or has "
		    "fewer recipients", i);
	return cy_release_secret_seal(r, s->doc_id, s->copy_ids[i],
	    pub, out, err);
}

const uint8_t *
cy_doc_sealing_label(const cy_doc_sealing *s, size_t *len)
{
	if (s->label == NULL || s->label->len == 0)
		return NULL;
	if (len != NULL)
		*len = s->label->len;
	return s->label->data;
}

int
cy_doc_seal_fd(int in_fd, int out_fd, const cy_doc_sealing *s,
    const cy_doc_seal_io *io, cy_error *err)
{
	struct cy_doc_raw_seal raw;
	int r;

	if (s == NULL)
		return cy_error_set(err, CY_E_USAGE, "nothing prepared to seal");
	memset(&raw, 0, sizeof(raw));
	raw.label.document = s->document;
	raw.label.level = s->level;
	raw.label.unit = cy_cert_unit(s->signer_leaf);
	raw.label.created = s->created;
	raw.label.protect_until = s->protect_until;
	raw.label.copy = s->copy;
	raw.label.recipients = s->serials;
	raw.label.nrecipients = s->n;
	raw.label.only_named = s->only_named;
	raw.label.classical_allowed = !s->pq && s->level == CY_LEVEL_TUYET_MAT;
	raw.label.compartments = s->compartments;
	raw.label.signer_chain = s->chain.data;
	raw.label.signer_chain_len = s->chain.len;
	raw.signer = s->signer;
	raw.seal_keys = (const uint8_t (*)[CY_X25519_KEY_LEN])s->keys;
	raw.seal_pq_keys = s->pq ? s->pq_keys : NULL;
	raw.release_doc_id = s->doc_id;
	raw.copy_ids = (const char (*)[CY_RELEASE_ID_SIZE])s->copy_ids;
	raw.release_secrets =
	    (const uint8_t (*)[CY_RELEASE_SECRET_LEN])s->secrets;
	raw.label_out = s->label;
	if (io != NULL)
		raw.io = *io;
	cy_buf_free(s->label);
	if ((r = cy_doc_seal_raw_fd(in_fd, out_fd, &raw, err)) != 0)
		cy_buf_free(s->label);
	return r;
}
