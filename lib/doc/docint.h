/* coyeu — internal: the pieces of document.c that the registry's upload
 * check (upload.c) shares with opening, so both verify a label alike.
 * Not exported. */
#ifndef COYEU_DOCINT_H
#define COYEU_DOCINT_H

#include <stddef.h>
#include <stdint.h>

#include "age/stream.h"
#include "base/crypto.h"
#include "coyeu/cert.h"
#include "coyeu/document.h"
#include "coyeu/header.h"
#include "coyeu/label.h"

/* The label stanza: last, once, mark A, B or C, a plausible body size.
 * 0 with *idx and *mark; CY_E_NOT_FOUND (err untouched) when there is
 * none; CY_E_HEADER otherwise. */
int cy_doc_find_label(const cy_header *h, size_t *idx, char *mark,
    cy_error *err) CY_MUST_CHECK;

/* SHA-256 of the header bytes of the stanzas before stanza `upto`: what
 * the label's stanzas-sha256 signs. */
void cy_doc_stanzas_digest(const cy_header *h, size_t upto,
    uint8_t out[CY_SHA256_LEN]);

/* The payload digest (label.h) over the stored chunks, fed by the
 * stream's hash callback. */
struct cy_doc_digest {
	cy_sha256_ctx *ctx;
	uint8_t (*keep)[CY_SHA256_LEN]; /* the chunks' hashes, or NULL */
	uint64_t n, cap;                /* chunks seen; room in keep */
};
int cy_doc_digest_start(struct cy_doc_digest *d,
    const uint8_t nonce[CY_STREAM_NONCE_LEN]) CY_MUST_CHECK;
cy_stream_hash_fn cy_doc_digest_chunk;

/* What a label's signer must be, without any key: the outer mark is the
 * label's level, the signer chain verifies against trust at the creation
 * time (*signer gets its leaf; *chain, when not NULL, the chain), the
 * signature verifies with the leaf, and the policy lets the signer seal
 * the document then (SEAL, no target). */
int cy_doc_label_signer(const cy_label *l, char mark, const cy_trust *trust,
    cy_cert **signer, cy_chain **chain, cy_error *err) CY_MUST_CHECK;

/* The kinds of recipient stanza a classified document may hold
 * (cy_doc_stanza_kind: -1 for another type). */
enum {
	CY_DOC_KIND_X25519, CY_DOC_KIND_REL, CY_DOC_KIND_HYBRID,
	CY_DOC_KIND_REL_PQ, CY_DOC_KINDS
};
#define CY_DOC_KIND_PQ(k) ((k) >= CY_DOC_KIND_HYBRID)
#define CY_DOC_KIND_RELEASE(k) \
	((k) == CY_DOC_KIND_REL || (k) == CY_DOC_KIND_REL_PQ)
int cy_doc_stanza_kind(const char *type);

/* Stanzas h->stanzas[0..n) are all of one known kind (*kind; -1 when
 * n is 0), else CY_E_POLICY naming the mix ("the header mixes 1 X25519
 * and 1 mlkem768x25519 stanzas: …"); a classical TUYỆT MẬT file needs
 * the label's "classical: allowed" (CY_E_POLICY). */
int cy_doc_kinds_check(const cy_header *h, size_t n, const cy_label *l,
    int *kind, cy_error *err) CY_MUST_CHECK;

#endif
