/* The reseal record (document.h, docs/format.md "Re-sealing"): canonical
 * text, fixed field order, signed by the resealer; and what opening checks
 * of the reseal stanza that carries it. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "coyeu/canon.h"
#include "coyeu/encoding.h"
#include "coyeu/secret.h"
#include "age/recipient.h"
#include "base/crypto.h"
#include "doc/docint.h"
#include "doc/docseal.h"
#include "doc/reseal.h"
#include "pki/signed.h"

enum {
	F_VERSION, F_LABEL, F_OLD, F_NEW, F_RECIPIENT, F_TIME, F_RESEALER,
	F_SIGNATURE, F_COUNT
};

static const cy_canon_field reseal_fields[F_COUNT] = {
	{"version", 0},
	{"label-sha256", 0},
	{"old-stanzas-sha256", 0},
	{"new-stanzas-sha256", 0},
	{"recipient", CY_CANON_REPEAT},
	{"resealed", 0},
	{"resealer", 0},
	{"signature", 0},
};

/* "OLD NEW": two serials and one space. */
#define PAIR_LEN (2 * CY_SERIAL_HEX_LEN + 1)

struct cy_doc_reseal {
	uint8_t *text;
	size_t len;
	uint8_t text_sha[CY_SHA256_LEN];  /* doc.reseal's record-sha256 */
	cy_canon_record *rec;
	uint8_t label_sha[CY_SHA256_LEN], old_sha[CY_SHA256_LEN],
	    new_sha[CY_SHA256_LEN];
	char (*old)[CY_SERIAL_HEX_LEN + 1];
	char (*new)[CY_SERIAL_HEX_LEN + 1];
	size_t n;
	int64_t time;
	uint8_t *chain;
	size_t chain_len;
	uint8_t signature[CY_SIGNATURE_LEN];
	size_t signed_len;
	cy_cert *resealer;  /* set once verified */
};

int
cy_doc_stanza_crypt(const uint8_t *file_key, const uint8_t *salt,
    size_t salt_len, const char *info, const uint8_t *in, size_t len,
    uint8_t *out, int seal)
{
	static const uint8_t zero_nonce[CY_AEAD_NONCE_LEN];
	uint8_t key[CY_AEAD_KEY_LEN];
	int r;

	if ((r = cy_hkdf_sha256(file_key, CY_FILE_KEY_LEN, salt, salt_len,
	    info, key, sizeof(key))) == 0)
		r = seal ? cy_aead_seal(key, zero_nonce, in, len, out) :
		    cy_aead_open(key, zero_nonce, in, len, out);
	cy_wipe(key, sizeof(key));
	return r;
}

static int
put_hex(cy_buf *b, const char *key, const uint8_t d[CY_SHA256_LEN],
    cy_error *err)
{
	char hex[2 * CY_SHA256_LEN + 1];

	cy_hex_encode(hex, d, CY_SHA256_LEN);
	return cy_canon_put(b, key, hex, err);
}

int
cy_doc_reseal_build(const struct cy_doc_reseal_text *t, const cy_idkey *signer,
    cy_buf *out, cy_error *err)
{
	char pair[PAIR_LEN + 1];
	cy_buf chain = CY_BUF_INIT;
	size_t i, start = out->len;
	int r;

	cy_buf_b64(&chain, t->chain, t->chain_len);
	if ((r = cy_buf_status(&chain)) != 0) {
		r = cy_error_set(err, r, "out of memory");
		goto out;
	}
	if ((r = cy_canon_put(out, "version", CY_RESEAL_VERSION, err)) != 0 ||
	    (r = put_hex(out, "label-sha256", t->label_sha256, err)) != 0 ||
	    (r = put_hex(out, "old-stanzas-sha256", t->old_sha256, err)) != 0 ||
	    (r = put_hex(out, "new-stanzas-sha256", t->new_sha256, err)) != 0)
		goto out;
	for (i = 0; i < t->n; i++) {
		snprintf(pair, sizeof(pair), "%s %s", t->old[i], t->new[i]);
		if ((r = cy_canon_put(out, "recipient", pair, err)) != 0)
			goto out;
	}
	if ((r = cy_canon_put_time(out, "resealed", t->time, err)) != 0 ||
	    (r = cy_canon_putn(out, "resealer", (const char *)chain.data,
	    chain.len, err)) != 0)
		goto out;
	r = cy_signed_append(out, start, signer, "the reseal record", err);
out:
	cy_buf_free(&chain);
	return r;
}

static int
get_hex(const cy_canon_record *rec, int field, uint8_t out[CY_SHA256_LEN],
    cy_error *err)
{
	const cy_canon_value *v = cy_canon_get(rec, (size_t)field);

	if (cy_hex_decode(out, CY_SHA256_LEN, v->value, v->len) != 0 ||
	    !cy_canon_is_token(v->value, v->len))
		return cy_error_set(err, CY_E_FORMAT,
		    "reseal record: %s must be 64 lowercase hex digits",
		    reseal_fields[field].key);
	return 0;
}

/* Each recipient line: the label's serial, a space, the new serial; no
 * serial twice on either side. */
static int
get_pairs(cy_doc_reseal *rs, cy_error *err)
{
	const cy_canon_value *v;
	size_t i, j;

	rs->n = cy_canon_count(rs->rec, F_RECIPIENT);
	if (rs->n > CY_LABEL_RECIPIENTS_MAX)
		return cy_error_set(err, CY_E_FORMAT,
		    "reseal record: more than %d recipients",
		    CY_LABEL_RECIPIENTS_MAX);
	if ((rs->old = calloc(rs->n, sizeof(*rs->old))) == NULL ||
	    (rs->new = calloc(rs->n, sizeof(*rs->new))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	for (i = 0; i < rs->n; i++) {
		v = cy_canon_get_nth(rs->rec, F_RECIPIENT, i);
		if (v->len != PAIR_LEN || v->value[CY_SERIAL_HEX_LEN] != ' ' ||
		    !cy_serial_valid(v->value, CY_SERIAL_HEX_LEN) ||
		    !cy_serial_valid(v->value + CY_SERIAL_HEX_LEN + 1,
		    CY_SERIAL_HEX_LEN))
			return cy_error_set(err, CY_E_FORMAT,
			    "reseal record: recipient %zu must be two "
			    "certificate serials (%d hex digits) and a space",
			    i + 1, CY_SERIAL_HEX_LEN);
		memcpy(rs->old[i], v->value, CY_SERIAL_HEX_LEN);
		memcpy(rs->new[i], v->value + CY_SERIAL_HEX_LEN + 1,
		    CY_SERIAL_HEX_LEN);
		/* At most CY_LABEL_RECIPIENTS_MAX lines: the square is small. */
		for (j = 0; j < i; j++)
			if (strcmp(rs->old[j], rs->old[i]) == 0 ||
			    strcmp(rs->new[j], rs->new[i]) == 0)
				return cy_error_set(err, CY_E_FORMAT,
				    "reseal record: recipients %zu and %zu name "
				    "the same certificate", j + 1, i + 1);
	}
	return 0;
}

static int
reseal_fields_check(cy_doc_reseal *rs, cy_error *err)
{
	const cy_canon_value *v;
	size_t n;
	int r;

	if ((r = cy_signed_version(rs->rec, F_VERSION, CY_RESEAL_VERSION,
	    err)) != 0 ||
	    (r = get_hex(rs->rec, F_LABEL, rs->label_sha, err)) != 0 ||
	    (r = get_hex(rs->rec, F_OLD, rs->old_sha, err)) != 0 ||
	    (r = get_hex(rs->rec, F_NEW, rs->new_sha, err)) != 0 ||
	    (r = cy_signed_time(rs->rec, F_TIME, "reseal record: resealed",
	    &rs->time, err)) != 0 ||
	    (r = cy_signed_split(rs->rec, F_SIGNATURE, rs->signature,
	    &rs->signed_len, err)) != 0)
		return r;
	v = cy_canon_get(rs->rec, F_RESEALER);
	if ((rs->chain = malloc(v->len + 1)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if (cy_b64_decode(rs->chain, &n, v->value, v->len, 0) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "reseal record: resealer is not canonical base64");
	rs->chain_len = n;
	return get_pairs(rs, err);
}

int
cy_doc_reseal_parse(const uint8_t *in, size_t len, cy_doc_reseal **out,
    cy_error *err)
{
	cy_doc_reseal *rs;
	int r;

	*out = NULL;
	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((r = cy_signed_parse_copy(in, len, CY_RESEAL_MAX,
	    "reseal record", reseal_fields, F_COUNT, &rs->text, &rs->rec,
	    err)) != 0) {
		cy_error_wrap(err, "reseal record");
		goto out;
	}
	rs->len = len;
	cy_sha256_digest(rs->text, len, rs->text_sha);
	r = reseal_fields_check(rs, err);
out:
	if (r != 0) {
		cy_doc_reseal_free(rs);
		return r;
	}
	*out = rs;
	return 0;
}

void
cy_doc_reseal_free(cy_doc_reseal *rs)
{
	if (rs == NULL)
		return;
	cy_canon_record_free(rs->rec);
	/* It names the document's holders: it travelled encrypted. */
	if (rs->text != NULL)
		cy_wipe(rs->text, rs->len);
	free(rs->text);
	free(rs->old);
	free(rs->new);
	free(rs->chain);
	cy_cert_free(rs->resealer);
	free(rs);
}

const uint8_t *
cy_doc_reseal_bytes(const cy_doc_reseal *rs, size_t *len)
{
	*len = rs->len;
	return rs->text;
}

const uint8_t *cy_doc_reseal_sha256(const cy_doc_reseal *rs) { return rs->text_sha; }
const uint8_t *cy_doc_reseal_label_sha256(const cy_doc_reseal *rs) { return rs->label_sha; }
const uint8_t *cy_doc_reseal_old_sha256(const cy_doc_reseal *rs) { return rs->old_sha; }
const uint8_t *cy_doc_reseal_new_sha256(const cy_doc_reseal *rs) { return rs->new_sha; }
size_t cy_doc_reseal_count(const cy_doc_reseal *rs) { return rs->n; }
int64_t cy_doc_reseal_time(const cy_doc_reseal *rs) { return rs->time; }
const cy_cert *cy_doc_reseal_resealer(const cy_doc_reseal *rs) { return rs->resealer; }

const char *
cy_doc_reseal_old_serial(const cy_doc_reseal *rs, size_t i)
{
	return i < rs->n ? rs->old[i] : NULL;
}

const char *
cy_doc_reseal_new_serial(const cy_doc_reseal *rs, size_t i)
{
	return i < rs->n ? rs->new[i] : NULL;
}

const uint8_t *
cy_doc_reseal_chain(const cy_doc_reseal *rs, size_t *len)
{
	*len = rs->chain_len;
	return rs->chain;
}

/* --- opening --- */

size_t
cy_doc_reseal_split(const cy_header *h, size_t label_idx)
{
	if (label_idx > 0 &&
	    strcmp(h->stanzas[label_idx - 1].type, CY_RESEAL_STANZA) == 0)
		return label_idx - 1;
	return label_idx;
}

int
cy_doc_reseal_is_hybrid(const cy_stanza *s)
{
	return strcmp(s->type, CY_DOC_PQ_STANZA) == 0 ||
	    strcmp(s->type, CY_DOC_RELEASE_PQ_STANZA) == 0;
}

/* The record binds this label, the stanzas it replaced (the label's) and
 * the stanzas in the file, one hybrid stanza per label recipient, in the
 * label's order. */
static int
check_binding(const cy_doc_reseal *rs, const cy_header *h, size_t nrcpt,
    const uint8_t now_sha[CY_SHA256_LEN], const cy_label *l, cy_error *err)
{
	uint8_t label_sha[CY_SHA256_LEN];
	const uint8_t *text;
	size_t i, len;

	text = cy_label_bytes(l, &len);
	cy_sha256_digest(text, len, label_sha);
	if (!cy_memeq(label_sha, rs->label_sha, CY_SHA256_LEN) ||
	    !cy_memeq(rs->old_sha, cy_label_stanzas_sha256(l), CY_SHA256_LEN))
		return cy_error_set(err, CY_E_SIGNATURE, "the reseal record is "
		    "another document's (its label-sha256 or "
		    "old-stanzas-sha256 is not this label's): the file was "
		    "tampered with");
	if (!cy_memeq(now_sha, rs->new_sha, CY_SHA256_LEN))
		return cy_error_set(err, CY_E_SIGNATURE, "the recipient stanzas "
		    "differ from those the resealer signed "
		    "(new-stanzas-sha256): the file was tampered with");
	if (rs->n != cy_label_recipient_count(l) || nrcpt != rs->n)
		return cy_error_set(err, CY_E_POLICY, "the label names %zu "
		    "recipients, the reseal record maps %zu and the header "
		    "holds %zu recipient stanzas: each named recipient must "
		    "have exactly one", cy_label_recipient_count(l), rs->n,
		    nrcpt);
	for (i = 0; i < rs->n; i++) {
		if (strcmp(rs->old[i], cy_label_recipient(l, i)) != 0)
			return cy_error_set(err, CY_E_SIGNATURE, "the reseal "
			    "record's recipient %zu is %s, the label's %s: the "
			    "record does not follow the label", i + 1,
			    rs->old[i], cy_label_recipient(l, i));
		if (!cy_doc_reseal_is_hybrid(&h->stanzas[i]))
			return cy_error_set(err, CY_E_POLICY, "stanza %zu of a "
			    "resealed document is %.32s, not %s or %s: a reseal "
			    "puts post-quantum stanzas only", i + 1,
			    h->stanzas[i].type, CY_DOC_PQ_STANZA,
			    CY_DOC_RELEASE_PQ_STANZA);
	}
	return 0;
}

/* The resealer: the label's signer or a holder, before or after. */
static int
entitled(const cy_doc_reseal *rs, const char *serial,
    const char *signer_serial)
{
	size_t i;

	if (strcmp(serial, signer_serial) == 0)
		return 1;
	for (i = 0; i < rs->n; i++)
		if (strcmp(serial, rs->old[i]) == 0 ||
		    strcmp(serial, rs->new[i]) == 0)
			return 1;
	return 0;
}

/* The resealer's chain at the record's time, its signature, its right to
 * reseal; the time between the label's creation and now. */
static int
check_resealer(cy_doc_reseal *rs, const cy_label *l, const cy_trust *trust,
    int64_t now, cy_error *err)
{
	char t1[CY_TIME_STR_MAX], t2[CY_TIME_STR_MAX];
	const uint8_t *signer_bytes;
	cy_chain *chain = NULL, *signer = NULL;
	cy_policy_party party;
	size_t len;
	int r;

	if (rs->time < cy_label_created(l) ||
	    (rs->time > now && rs->time - now > CY_DOC_CLOCK_SKEW))
		return cy_error_set(err, CY_E_POLICY, "the reseal time %s is "
		    "not between the label's creation %s and now",
		    cy_time_str(rs->time, t1),
		    cy_time_str(cy_label_created(l), t2));
	if ((r = cy_chain_parse(rs->chain, rs->chain_len, &chain, err)) != 0) {
		cy_error_wrap(err, "the resealer's certificate chain");
		goto out;
	}
	if ((r = cy_doc_party(chain, trust, rs->time, &rs->resealer, &party,
	    err)) != 0) {
		cy_error_wrap(err, "resealer");
		goto out;
	}
	if (crypto_sign_verify_detached(rs->signature, rs->text,
	    rs->signed_len, cy_cert_sign_public(rs->resealer)) != 0) {
		r = cy_error_set(err, CY_E_SIGNATURE, "the reseal record's "
		    "signature does not verify: the record was altered or not "
		    "made by its stated resealer");
		goto out;
	}
	signer_bytes = cy_label_signer_chain(l, &len);
	if ((r = cy_chain_parse(signer_bytes, len, &signer, err)) != 0)
		goto out;
	if (!entitled(rs, cy_cert_serial(rs->resealer),
	    cy_cert_serial(cy_chain_get(signer, 0))))
		r = cy_error_set(err, CY_E_POLICY, "the resealer %s (serial "
		    "%s) is neither the sealer nor a recipient of the document: "
		    "only a holder may reseal it", cy_cert_name(rs->resealer),
		    cy_cert_serial(rs->resealer));
out:
	if (r != 0) {
		cy_cert_free(rs->resealer);
		rs->resealer = NULL;
	}
	cy_chain_free(chain);
	cy_chain_free(signer);
	return r;
}

int
cy_doc_reseal_verify(const cy_header *h, size_t nrcpt,
    const uint8_t *file_key, const cy_label *l, const cy_trust *trust,
    int64_t now, cy_doc_reseal **out, cy_error *err)
{
	const cy_stanza *s = &h->stanzas[nrcpt];
	uint8_t now_sha[CY_SHA256_LEN], *text = NULL;
	size_t len;
	int r;

	*out = NULL;
	if (s->nargs != 0 || s->body_len < CY_AEAD_TAG_LEN ||
	    s->body_len > CY_RESEAL_MAX + CY_AEAD_TAG_LEN)
		return cy_error_set(err, CY_E_HEADER, "malformed reseal "
		    "stanza: no arguments and a record of at most %d bytes",
		    CY_RESEAL_MAX);
	len = s->body_len - CY_AEAD_TAG_LEN;
	if ((text = malloc(len + 1)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	/* Keyed by the stanzas it signs: moved to another file, it does not
	 * decrypt. */
	cy_doc_stanzas_digest(h, nrcpt, now_sha);
	if (cy_doc_stanza_crypt(file_key, now_sha, sizeof(now_sha),
	    CY_RESEAL_HKDF_INFO, s->body, s->body_len, text, 0) != 0) {
		r = cy_error_set(err, CY_E_SIGNATURE, "the reseal record does "
		    "not decrypt: the file was tampered with, or the record is "
		    "another file's");
		goto out;
	}
	r = cy_doc_reseal_verify_text(text, len, h, nrcpt, l, trust, now, out,
	    err);
out:
	cy_wipe(text, len);
	free(text);
	return r;
}

int
cy_doc_reseal_verify_text(const uint8_t *text, size_t len,
    const cy_header *h, size_t nrcpt, const cy_label *l,
    const cy_trust *trust, int64_t now, cy_doc_reseal **out, cy_error *err)
{
	uint8_t now_sha[CY_SHA256_LEN];
	cy_doc_reseal *rs = NULL;
	int r;

	*out = NULL;
	cy_doc_stanzas_digest(h, nrcpt, now_sha);
	if ((r = cy_doc_reseal_parse(text, len, &rs, err)) != 0 ||
	    (r = check_binding(rs, h, nrcpt, now_sha, l, err)) != 0 ||
	    (r = check_resealer(rs, l, trust, now, err)) != 0)
		goto out;
	*out = rs;
	rs = NULL;
out:
	cy_doc_reseal_free(rs);
	return r;
}

void
cy_doc_reseal_map(const cy_doc_reseal *rs, const char **serials, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < rs->n; i++)
		serials[i] = rs->new[i];
}

int
cy_doc_reseal_check_reader(const cy_doc_reseal *rs, const cy_header *h,
    size_t nrcpt, cy_identity *const *ids, size_t nids,
    const cy_cert *leaf, const uint8_t *file_key, cy_error *err)
{
	uint8_t *key;
	size_t i, j;
	int r = 0, opened = 0;

	if ((key = cy_secret_alloc(CY_FILE_KEY_LEN)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	for (i = 0; i < nrcpt && i < rs->n && r == 0; i++)
		for (j = 0; j < nids && r == 0; j++) {
			if (ids[j]->unwrap(ids[j], &h->stanzas[i], key,
			    NULL) != 0 || !cy_memeq(key, file_key,
			    CY_FILE_KEY_LEN))
				continue;
			opened = 1;
			if (strcmp(rs->new[i], cy_cert_serial(leaf)) != 0)
				r = cy_error_set(err, CY_E_POLICY, "stanza %zu "
				    "was resealed for serial %s (the label's %s), "
				    "not for the reader (serial %s)", i + 1,
				    rs->new[i], rs->old[i], cy_cert_serial(leaf));
		}
	if (r == 0 && !opened)
		r = cy_error_set(err, CY_E_POLICY, "no resealed stanza yields "
		    "the file key to the reader's key (serial %s)",
		    cy_cert_serial(leaf));
	cy_secret_free(key);
	return r;
}
