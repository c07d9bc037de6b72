/* Re-sealing a classified document for the long term (document.h,
 * docs/format.md "Re-sealing"): the file key re-wrapped to the same
 * recipients' hybrid keys, the payload and the label kept byte for byte,
 * a signed reseal record between them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "age/ageio.h"
#include "age/recipient.h"
#include "age/release_raw.h"
#include "coyeu/file.h"
#include "coyeu/policy.h"
#include "coyeu/secret.h"
#include "base/crypto.h"
#include "doc/docint.h"
#include "doc/docseal.h"
#include "doc/reseal.h"
#include "pki/signed.h"

struct cy_doc_resealing {
	uint8_t *map;            /* the input, mapped */
	size_t maplen;
	const uint8_t *payload;  /* the input after its header */
	size_t payload_len;
	cy_doc_info info;        /* the input's label and sealer, verified */
	cy_cert *resealer;       /* the resealer's certificate, verified now */
	cy_header old;           /* its header */
	uint8_t *file_key;       /* guarded memory */
	cy_cert **leaves;        /* label recipient i's current certificate */
	const char **serials;    /* their serials */
	size_t n;
	cy_doc_reseal *record;
	cy_buf header;           /* the new header */
	/* Registry-held (release stanzas): the doc-id, each copy's id (kept)
	 * and its new R (guarded memory), which only the registry receives,
	 * sealed to its key. */
	char doc_id[CY_RELEASE_ID_SIZE];
	char (*copy_ids)[CY_RELEASE_ID_SIZE];
	uint8_t (*secrets)[CY_RELEASE_SECRET_LEN];
};

void
cy_doc_resealing_free(cy_doc_resealing *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	if (rs->map != NULL)
		munmap(rs->map, rs->maplen);
	cy_doc_info_free(&rs->info);
	cy_cert_free(rs->resealer);
	cy_header_free(&rs->old);
	cy_secret_free(rs->file_key);
	for (i = 0; rs->leaves != NULL && i < rs->n; i++)
		cy_cert_free(rs->leaves[i]);
	free(rs->leaves);
	free(rs->serials);
	cy_doc_reseal_free(rs->record);
	cy_buf_free(&rs->header);
	free(rs->copy_ids);
	cy_secret_free(rs->secrets);
	free(rs);
}

const cy_doc_reseal *
cy_doc_resealing_record(const cy_doc_resealing *rs)
{
	return rs->record;
}

const cy_label *
cy_doc_resealing_label(const cy_doc_resealing *rs)
{
	return rs->info.label;
}

const cy_cert *
cy_doc_resealing_recipient(const cy_doc_resealing *rs, size_t i)
{
	return i < rs->n ? rs->leaves[i] : NULL;
}

/* The input's header (binary), its label stanza, and what a reseal can
 * take: classical recipient stanzas, no reseal before. */
static int
read_header(cy_doc_resealing *rs, size_t *label_idx, cy_error *err)
{
	size_t used = 0, i;
	char mark;
	int r;

	if (rs->maplen < strlen(CY_HEADER_VERSION_LINE) ||
	    memcmp(rs->map, CY_HEADER_VERSION_LINE,
	    strlen(CY_HEADER_VERSION_LINE)) != 0)
		return cy_error_set(err, CY_E_USAGE, "the input is not a binary "
		    "age file (an armored file must be dearmored first)");
	if ((r = cy_header_parse(rs->map, rs->maplen, &rs->old, &used,
	    err)) != 0)
		return r;
	rs->payload = rs->map + used;
	rs->payload_len = rs->maplen - used;
	if ((r = cy_doc_find_label(&rs->old, label_idx, &mark, err)) ==
	    CY_E_NOT_FOUND)
		return cy_error_set(err, CY_E_USAGE, "the file has no label: "
		    "only a classified document is resealed (seal a plain file "
		    "again to age1pq1… recipients)");
	if (r != 0)
		return r;
	if (cy_doc_reseal_split(&rs->old, *label_idx) != *label_idx)
		return cy_error_set(err, CY_E_POLICY, "the document was resealed "
		    "already: it is post-quantum, and one reseal is the limit");
	for (i = 0; i < *label_idx; i++)
		if (cy_doc_reseal_is_hybrid(&rs->old.stanzas[i]))
			return cy_error_set(err, CY_E_POLICY, "the document is "
			    "sealed post-quantum already (stanza %zu is %s): "
			    "there is nothing to reseal", i + 1,
			    rs->old.stanzas[i].type);
	if (*label_idx == 0 ||
	    strcmp(rs->old.stanzas[0].type, CY_RELEASE_STANZA) != 0)
		return 0;
	/* Registry-held: the same copies, each under a fresh R. */
	if ((r = cy_doc_release_stanzas_check(&rs->old, *label_idx,
	    rs->doc_id, err)) != 0)
		return r;
	if ((rs->copy_ids = calloc(*label_idx, sizeof(*rs->copy_ids))) ==
	    NULL || (rs->secrets = cy_secret_alloc(*label_idx *
	    sizeof(*rs->secrets))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	for (i = 0; i < *label_idx; i++)
		memcpy(rs->copy_ids[i], rs->old.stanzas[i].args[1],
		    CY_RELEASE_ID_SIZE);
	cy_random(rs->secrets, *label_idx * sizeof(*rs->secrets));
	return 0;
}

/* What opening verifies of the label and the sealer, the file key and the
 * header MAC, and the payload digest over the stored chunks.  The
 * resealer is checked once the recipients are known (check_resealer): an
 * officer re-keyed since holds the document under a new serial. */
static int
verify_input(cy_doc_resealing *rs, const cy_doc_reseal_params *p,
    int64_t now, cy_error *err)
{
	cy_doc_open_params op;
	cy_open_params ap;
	cy_source src;
	struct cy_src in;
	int r;

	memset(&op, 0, sizeof(op));
	op.identities = p->identities;
	op.nidentities = p->nidentities;
	op.trust = p->trust;
	op.now = now;
	op.mode = CY_DOC_OPEN_LABEL_ONLY;
	if ((r = cy_source_mem(&src, rs->map, rs->maplen, err)) != 0 ||
	    (r = cy_doc_open_source(&src, -1, &op, &rs->info, err)) != 0)
		return r;
	memset(&ap, 0, sizeof(ap));
	ap.identities = p->identities;
	ap.nidentities = p->nidentities;
	if ((rs->file_key = cy_secret_alloc(CY_FILE_KEY_LEN)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((r = cy_age_unwrap(&rs->old, &ap, rs->file_key, err)) != 0 ||
	    (r = cy_header_verify_mac(&rs->old, rs->file_key, err)) != 0)
		return r;
	if ((r = cy_src_open(&in, -1, rs->payload, rs->payload_len, 0,
	    err)) != 0)
		return r;
	in.mapped = 1;
	r = cy_doc_payload_check(&in, rs->info.label, err);
	cy_src_close(&in);
	return r;
}

static const cy_cert *
previous_cert(const cy_doc_reseal_params *p, const char *serial)
{
	size_t i;

	for (i = 0; i < p->nprevious; i++)
		if (strcmp(cy_cert_serial(p->previous[i]), serial) == 0)
			return p->previous[i];
	return NULL;
}

/* The newest chain (by not-before) among the given ones of the officer
 * named and in unit, holding a hybrid key, other than serial's. */
static const cy_chain *
officer_chain(const cy_doc_reseal_params *p, const cy_cert *old)
{
	const cy_chain *best = NULL;
	const cy_cert *leaf;
	size_t i;

	for (i = 0; i < p->nrecipients; i++) {
		leaf = cy_chain_get(p->recipients[i], 0);
		if (strcmp(cy_cert_name(leaf), cy_cert_name(old)) != 0 ||
		    strcmp(cy_cert_unit(leaf), cy_cert_unit(old)) != 0 ||
		    cy_cert_seal_pq_public(leaf) == NULL)
			continue;
		if (best == NULL || cy_cert_not_before(leaf) >
		    cy_cert_not_before(cy_chain_get(best, 0)))
			best = p->recipients[i];
	}
	return best;
}

/* The chain for label serial `serial`: its own certificate when that has
 * a hybrid key, else the newest of the same officer (name and unit) that
 * has one: an officer re-keyed since has a new certificate.  The old
 * certificate comes from the chains given, or from p->previous. */
static int
find_chain(const cy_doc_reseal_params *p, const char *serial,
    const cy_chain **out, cy_error *err)
{
	const cy_cert *old = previous_cert(p, serial), *leaf;
	size_t i;

	*out = NULL;
	for (i = 0; i < p->nrecipients; i++) {
		leaf = cy_chain_get(p->recipients[i], 0);
		if (strcmp(cy_cert_serial(leaf), serial) != 0)
			continue;
		if (cy_cert_seal_pq_public(leaf) != NULL) {
			*out = p->recipients[i];
			return 0;
		}
		old = leaf;
	}
	if (old == NULL)
		return cy_error_set(err, CY_E_POLICY, "recipient serial %s: no "
		    "certificate chain for it (give -r CHAIN, or add it to the "
		    "keyring)", serial);
	if ((*out = officer_chain(p, old)) == NULL)
		return cy_error_set(err, CY_E_POLICY, "recipient %s (serial %s) "
		    "has no post-quantum sealing key: have the officer re-keyed "
		    "(coyeu id add-pq, cert challenge/prove/issue), then reseal "
		    "with the new chain (-r CHAIN)", cy_cert_name(old), serial);
	return 0;
}

/* The opening policy for party, the recipients being the new serials. */
static int
policy_open(const cy_doc_resealing *rs, const cy_policy_party *party,
    int mapped, int64_t now, cy_error *err)
{
	const char **serials;
	cy_policy_request rq;
	cy_policy_doc d;
	int r;

	if ((serials = calloc(CY_LABEL_RECIPIENTS_MAX, sizeof(*serials))) ==
	    NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	cy_doc_policy_doc(rs->info.label, serials, &d);
	if (mapped)
		memcpy(serials, rs->serials, rs->n * sizeof(*serials));
	memset(&rq, 0, sizeof(rq));
	rq.action = CY_ACT_OPEN;
	rq.time = now;
	rq.actor = party;
	rq.doc = &d;
	rq.offline = 1;
	r = cy_policy_check(&rq, err);
	free(serials);
	return r;
}

/* Label recipient i's current certificate: verified now, with a hybrid
 * key, not already holding another stanza. */
static int
take_recipient(cy_doc_resealing *rs, const cy_doc_reseal_params *p,
    size_t i, int64_t now, cy_policy_party *party, cy_error *err)
{
	const char *serial = cy_label_recipient(rs->info.label, i);
	const cy_chain *chain;
	size_t j;
	int r;

	if ((r = find_chain(p, serial, &chain, err)) != 0 ||
	    (r = cy_doc_party(chain, p->trust, now, &rs->leaves[i], party,
	    err)) != 0)
		return r;
	rs->serials[i] = cy_cert_serial(rs->leaves[i]);
	for (j = 0; j < i; j++)
		if (strcmp(rs->serials[j], rs->serials[i]) == 0)
			return cy_error_set(err, CY_E_POLICY, "%s (serial %s) "
			    "would hold the stanzas of recipients %zu and %zu",
			    cy_cert_name(rs->leaves[i]), rs->serials[i], j + 1,
			    i + 1);
	return 0;
}

static int
take_recipients(cy_doc_resealing *rs, const cy_doc_reseal_params *p,
    int64_t now, size_t *refused, cy_error *err)
{
	cy_policy_party *parties;
	size_t i;
	int r = 0;

	rs->n = cy_label_recipient_count(rs->info.label);
	rs->leaves = calloc(rs->n, sizeof(*rs->leaves));
	rs->serials = calloc(rs->n, sizeof(*rs->serials));
	parties = calloc(rs->n, sizeof(*parties));
	if (rs->leaves == NULL || rs->serials == NULL || parties == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < rs->n && r == 0; i++) {
		*refused = i;
		r = take_recipient(rs, p, i, now, &parties[i], err);
	}
	/* Once every serial is known: the policy names them. */
	for (i = 0; i < rs->n && r == 0; i++) {
		*refused = i;
		r = policy_open(rs, &parties[i], 1, now, err);
	}
out:
	free(parties);
	return r;
}

/* An identity certified by leaf (its X25519 sealing key, alone or under
 * a release stanza's R) that yields the file key from the old header. */
static int
holds_key(const cy_doc_resealing *rs, const cy_doc_reseal_params *p,
    const cy_cert *leaf, cy_error *err)
{
	cy_identity *const *id = p->identities;
	cy_open_params op;
	uint8_t *key;
	size_t i;
	int held = 0;

	if ((key = cy_secret_alloc(CY_FILE_KEY_LEN)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	memset(&op, 0, sizeof(op));
	op.nidentities = 1;
	for (i = 0; i < p->nidentities && !held; i++) {
		if ((id[i]->kind != CY_KIND_X25519 &&
		    id[i]->kind != CY_KIND_RELEASE) ||
		    memcmp(id[i]->pub, cy_cert_seal_public(leaf),
		    CY_X25519_KEY_LEN) != 0)
			continue;
		op.identities = &id[i];
		held = cy_age_unwrap(&rs->old, &op, key, NULL) == 0 &&
		    cy_memeq(key, rs->file_key, CY_FILE_KEY_LEN);
	}
	cy_secret_free(key);
	if (!held)
		return cy_error_set(err, CY_E_POLICY, "the resealer's key is not "
		    "the one certified in its chain (serial %s), or opens no "
		    "stanza: only a holder may reseal", cy_cert_serial(leaf));
	return 0;
}

/* The resealer: its chain verifies now and certifies the key that opened
 * the file; it is a holder, named by the label or, re-keyed, by the new
 * serials; the opening policy lets it read the document now. */
static int
check_resealer(cy_doc_resealing *rs, const cy_doc_reseal_params *p,
    int64_t now, cy_error *err)
{
	cy_policy_party party;
	const char *serial;
	size_t i;
	int r, named = 0, mapped = 0;

	if ((r = cy_doc_party(p->resealer, p->trust, now, &rs->resealer,
	    &party, err)) != 0 ||
	    (r = holds_key(rs, p, rs->resealer, err)) != 0)
		goto out;
	serial = cy_cert_serial(rs->resealer);
	for (i = 0; i < rs->n; i++) {
		named |= strcmp(cy_label_recipient(rs->info.label, i),
		    serial) == 0;
		mapped |= strcmp(rs->serials[i], serial) == 0;
	}
	if (!named && !mapped) {
		r = cy_error_set(err, CY_E_POLICY, "%s (serial %s) is not a "
		    "recipient of the document: only a holder may reseal it",
		    cy_cert_name(rs->resealer), serial);
		goto out;
	}
	r = policy_open(rs, &party, !named, now, err);
	if (r == 0 && memcmp(cy_cert_sign_public(rs->resealer),
	    cy_idkey_sign_public(p->signer), CY_SIGN_PUBLIC_LEN) != 0)
		r = cy_error_set(err, CY_E_POLICY, "the signing key does not "
		    "belong to the resealer's certificate (serial %s)", serial);
out:
	if (r != 0)
		cy_error_wrap(err, "resealer");
	return r;
}

/* The hybrid stanzas, in the label's order. */
static int
wrap_stanzas(const cy_doc_resealing *rs, cy_header *h, cy_error *err)
{
	cy_recipient *rc;
	size_t i;
	int r;

	memset(h, 0, sizeof(*h));
	for (i = 0; i < rs->n; i++) {
		r = rs->copy_ids != NULL ?
		    cy_release_pq_recipient(cy_cert_seal_pq_public(rs->leaves[i]),
		    rs->doc_id, rs->copy_ids[i], rs->secrets[i], &rc, err) :
		    cy_pq_recipient_from_pub(cy_cert_seal_pq_public(rs->leaves[i]),
		    &rc, err);
		if (r != 0)
			return r;
		r = rc->wrap(rc, rs->file_key, h, err);
		cy_recipient_free(rc);
		if (r != 0)
			return r;
	}
	return 0;
}

/* The record, signed by the resealer, for stanzas hashing to new_sha. */
static int
make_record(cy_doc_resealing *rs, const cy_doc_reseal_params *p,
    int64_t now, const uint8_t new_sha[CY_SHA256_LEN], cy_buf *out,
    cy_error *err)
{
	struct cy_doc_reseal_text t;
	uint8_t label_sha[CY_SHA256_LEN];
	cy_buf chain = CY_BUF_INIT;
	const char **old;
	const uint8_t *text;
	size_t len, i;
	int r;

	if ((old = calloc(rs->n, sizeof(*old))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	for (i = 0; i < rs->n; i++)
		old[i] = cy_label_recipient(rs->info.label, i);
	if ((r = cy_doc_chain_text(p->resealer, &chain, err)) != 0)
		goto out;
	text = cy_label_bytes(rs->info.label, &len);
	cy_sha256_digest(text, len, label_sha);
	memset(&t, 0, sizeof(t));
	t.label_sha256 = label_sha;
	t.old_sha256 = cy_label_stanzas_sha256(rs->info.label);
	t.new_sha256 = new_sha;
	t.old = old;
	t.new = rs->serials;
	t.n = rs->n;
	t.time = now;
	t.chain = chain.data;
	t.chain_len = chain.len;
	r = cy_doc_reseal_build(&t, p->signer, out, err);
out:
	free(old);
	cy_buf_free(&chain);
	return r;
}

/* The new header: the hybrid stanzas, the reseal stanza (the record
 * under a key from the file key and those stanzas' hash), the label
 * stanza as it was; the MAC under the same file key. */
static int
build_header(cy_doc_resealing *rs, const cy_doc_reseal_params *p,
    size_t label_idx, int64_t now, cy_error *err)
{
	const cy_stanza *label = &rs->old.stanzas[label_idx];
	uint8_t new_sha[CY_SHA256_LEN], *body = NULL;
	cy_buf text = CY_BUF_INIT;
	cy_header h;
	int r;

	if ((r = wrap_stanzas(rs, &h, err)) != 0)
		goto out;
	cy_doc_stanzas_digest(&h, h.nstanzas, new_sha);
	if ((r = make_record(rs, p, now, new_sha, &text, err)) != 0)
		goto out;
	if ((r = cy_doc_reseal_parse(text.data, text.len, &rs->record,
	    err)) != 0)
		goto out;
	if ((body = malloc(text.len + CY_AEAD_TAG_LEN)) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = cy_doc_stanza_crypt(rs->file_key, new_sha, sizeof(new_sha),
	    CY_RESEAL_HKDF_INFO, text.data, text.len, body, 1)) != 0 ||
	    (r = cy_header_add(&h, CY_RESEAL_STANZA, NULL, 0, body,
	    text.len + CY_AEAD_TAG_LEN)) != 0 ||
	    (r = cy_header_add(&h, label->type,
	    (const char *const *)label->args, label->nargs, label->body,
	    label->body_len)) != 0 ||
	    (r = cy_header_encode(&h, rs->file_key, &rs->header)) != 0) {
		cy_error_set(err, r, "cannot build the resealed header");
		goto out;
	}
	if (rs->header.len > CY_HEADER_MAX)
		r = cy_error_set(err, CY_E_TOO_LARGE, "the resealed header would "
		    "be %zu bytes, over the %d a reader accepts: too many "
		    "recipients for post-quantum stanzas", rs->header.len,
		    CY_HEADER_MAX);
out:
	cy_header_free(&h);
	if (text.data != NULL)
		cy_wipe(text.data, text.len);
	cy_buf_free(&text);
	free(body);
	return r;
}

int
cy_doc_reseal_prepare(int in_fd, const cy_doc_reseal_params *p,
    cy_doc_resealing **out, size_t *refused, cy_error *err)
{
	cy_doc_resealing *rs = NULL;
	size_t who = CY_DOC_REFUSED_SEALER, label_idx = 0, start = 0;
	int64_t now;
	uint8_t *m;
	int r;

	*out = NULL;
	if (p == NULL || p->identities == NULL || p->nidentities == 0 ||
	    p->signer == NULL || p->resealer == NULL || p->trust == NULL ||
	    p->trust->root == NULL || (p->nrecipients > 0 &&
	    p->recipients == NULL) || (p->nprevious > 0 && p->previous == NULL)) {
		r = cy_error_set(err, CY_E_USAGE, "resealing needs the holder's "
		    "identities, signing key and chain, and a trusted root");
		goto out;
	}
	now = p->now != 0 ? p->now : (int64_t)time(NULL);
	if ((rs = calloc(1, sizeof(*rs))) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if ((m = cy_map_input(in_fd, &rs->maplen, &start)) == NULL) {
		r = cy_error_set(err, CY_E_IO, "the input must be a non-empty "
		    "regular file");
		goto out;
	}
	rs->map = m;
	/* Read from the descriptor's offset: the mapping starts before. */
	if (start != 0) {
		r = cy_error_set(err, CY_E_USAGE, "the input must be read from "
		    "its start");
		goto out;
	}
	if ((r = read_header(rs, &label_idx, err)) != 0 ||
	    (r = verify_input(rs, p, now, err)) != 0 ||
	    (r = take_recipients(rs, p, now, &who, err)) != 0)
		goto out;
	who = CY_DOC_REFUSED_SEALER;
	if ((r = check_resealer(rs, p, now, err)) != 0 ||
	    (r = build_header(rs, p, label_idx, now, err)) != 0)
		goto out;
	*out = rs;
	rs = NULL;
out:
	if (refused != NULL)
		*refused = who;
	cy_doc_resealing_free(rs);
	return r;
}

const char *
cy_doc_resealing_copy_id(const cy_doc_resealing *rs, size_t i)
{
	return rs->copy_ids != NULL && i < rs->n ? rs->copy_ids[i] : NULL;
}

int
cy_doc_resealing_release_seal(const cy_doc_resealing *rs, size_t i,
    const uint8_t pub[CY_X25519_KEY_LEN], cy_buf *out, cy_error *err)
{
	if (rs->copy_ids == NULL || i >= rs->n)
		return cy_error_set(err, CY_E_USAGE, "no release secret for "
		    "recipient %zu: the document is not registry-held or has "
		    "fewer recipients", i);
	return cy_release_secret_seal(rs->secrets[i], rs->doc_id,
	    rs->copy_ids[i], pub, out, err);
}

int
cy_doc_reseal_write(const cy_doc_resealing *rs, int out_fd, cy_error *err)
{
	if (cy_write_all(out_fd, rs->header.data, rs->header.len) != 0 ||
	    cy_write_all(out_fd, rs->payload, rs->payload_len) != 0)
		return cy_error_set(err, CY_E_IO, "cannot write the resealed "
		    "file: %s", strerror(errno));
	return 0;
}
