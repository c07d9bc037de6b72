/* coyeu — internal: what opening a classified document (document.c)
 * asks of a reseal record (reseal.c, docs/format.md "Re-sealing").
 * Not exported. */
#ifndef COYEU_DOC_RESEAL_H
#define COYEU_DOC_RESEAL_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/document.h"
#include "coyeu/header.h"
#include "coyeu/label.h"

/* The hybrid stanzas a resealed file's recipients hold: age's own, or the
 * registry-mediated hybrid release stanza. */
#define CY_DOC_PQ_STANZA "mlkem768x25519"
#define CY_DOC_RELEASE_PQ_STANZA "coyeu.v1/release-pq"

/* ChaCha20-Poly1305 under HKDF-SHA-256(file key, salt, info) with a zero
 * nonce, for a stanza body whose key is used once (the label, a reseal
 * record): seal (out = in || tag) or open (in includes the tag).  0, or
 * CY_E_CRYPTO. */
int cy_doc_stanza_crypt(const uint8_t *file_key, const uint8_t *salt,
    size_t salt_len, const char *info, const uint8_t *in, size_t len,
    uint8_t *out, int seal) CY_MUST_CHECK;

/* How many stanzas before the label stanza (at label_idx) are recipient
 * stanzas: label_idx, or label_idx - 1 when a reseal stanza stands just
 * before the label. */
size_t cy_doc_reseal_split(const cy_header *h, size_t label_idx);

/* The reseal stanza h->stanzas[nrcpt] of a file whose label l verified
 * (its signer included): decrypts and parses the record and checks that
 * it is this label's (label-sha256, old-stanzas-sha256), that it signs
 * the recipient stanzas h->stanzas[0..nrcpt) (new-stanzas-sha256), which
 * are hybrid, one per label recipient, that it maps the label's serials
 * in order, and that the resealer's chain verifies at the record's time
 * (not before the label's creation, not in the future), signed it and is
 * entitled (the label's signer, a named recipient, or a mapped one).
 * CY_E_HEADER for a malformed stanza, CY_E_FORMAT for a record that does
 * not parse, CY_E_SIGNATURE for one that does not bind this file,
 * CY_E_POLICY for a resealer not entitled, or the chain's code. */
int cy_doc_reseal_verify(const cy_header *h, size_t nrcpt,
    const uint8_t *file_key, const cy_label *l, const cy_trust *trust,
    int64_t now, cy_doc_reseal **out, cy_error *err) CY_MUST_CHECK;

/* The same checks of a record in clear (text), for the registry, which
 * has no file key: the caller compares the stanza's body length. */
int cy_doc_reseal_verify_text(const uint8_t *text, size_t len,
    const cy_header *h, size_t nrcpt, const cy_label *l,
    const cy_trust *trust, int64_t now, cy_doc_reseal **out,
    cy_error *err) CY_MUST_CHECK;

/* The policy's recipients after a reseal: serials[i] (the label's) becomes
 * the serial now holding stanza i. */
void cy_doc_reseal_map(const cy_doc_reseal *rs, const char **serials,
    size_t n);

/* The reader (leaf, its chain verified) opened stanza i with one of ids:
 * i's mapped serial must be the reader's. */
int cy_doc_reseal_check_reader(const cy_doc_reseal *rs, const cy_header *h,
    size_t nrcpt, cy_identity *const *ids, size_t nids,
    const cy_cert *leaf, const uint8_t *file_key, cy_error *err)
    CY_MUST_CHECK;

/* --- shared by the record (reseal_record.c) and the resealing
 * (reseal.c) --- */

/* 1 when s is a hybrid recipient stanza (either kind above). */
int cy_doc_reseal_is_hybrid(const cy_stanza *s);

/* What a record says, to build it. */
struct cy_doc_reseal_text {
	const uint8_t *label_sha256, *old_sha256, *new_sha256;
	const char *const *old, *const *new;  /* n serials each */
	size_t n;
	int64_t time;
	const uint8_t *chain;  /* the resealer's chain file */
	size_t chain_len;
};

/* Appends the record signed by signer (the resealer's key). */
int cy_doc_reseal_build(const struct cy_doc_reseal_text *t,
    const cy_idkey *signer, cy_buf *out, cy_error *err) CY_MUST_CHECK;

#endif
