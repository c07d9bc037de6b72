/* coyeu — classified documents: age v1 files whose last stanza is
 * "-> coyeu.v1/label <mark>" carrying the encrypted, signed inner label
 * (label.h, docs/format.md).
 *
 * Sealing checks every recipient's chain, clearance and compartments, and
 * the sealer's clearance.  Opening verifies the header MAC, the label's
 * place, the signature, the sealer's chain at the label's creation time,
 * the outer mark, the stanza hash and the payload digest before any
 * plaintext is released.
 */
#ifndef COYEU_DOCUMENT_H
#define COYEU_DOCUMENT_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/age.h"
#include "coyeu/cert.h"
#include "coyeu/crl.h"
#include "coyeu/error.h"
#include "coyeu/idkey.h"
#include "coyeu/label.h"

/* What a verifier trusts: the pinned root and the revocation lists. */
typedef struct cy_trust {
	const cy_cert *root;
	const cy_crl *const *crls;
	size_t ncrls;
} cy_trust;

/* May `chain` receive (or seal) a document of `level` with these
 * compartments at time `at`?  Verifies the chain; then the leaf's
 * clearance and compartments.  *leaf (optional) gets the verified leaf.
 * Refusals are CY_E_POLICY / CY_E_REVOKED / CY_E_SIGNATURE naming the rule,
 * e.g. "lacks clearance TỐI MẬT (has MẬT)". */
int cy_doc_check_clearance(const cy_chain *chain, const cy_trust *trust,
    int level, const char *compartments, int64_t at, cy_cert **leaf,
    cy_error *err) CY_MUST_CHECK;

typedef struct cy_doc_seal_params {
	cy_label_params label;      /* recipients = their certificate serials */
	const cy_idkey *signer;
	const uint8_t (*seal_keys)[CY_X25519_KEY_LEN]; /* X25519, one per
	                                                * label recipient */
	int armor;
	int threads;
	cy_progress_fn *progress;
	void *progress_ctx;
	uint64_t size_hint;
} cy_doc_seal_params;

/* Seals in_fd into out_fd.  A seekable out_fd is written in one pass (the
 * label's space reserved, then filled); otherwise, or with armor, the
 * ciphertext (never the plaintext) is spooled to a temporary file first. */
int cy_doc_seal_fd(int in_fd, int out_fd, const cy_doc_seal_params *p,
    cy_error *err) CY_MUST_CHECK;

enum cy_doc_open_mode {
	CY_DOC_OPEN_STREAM = 0,  /* write while verifying: the caller keeps
	                          * the output private until success */
	CY_DOC_OPEN_VERIFY_FIRST,/* a verifying pass that keeps each stored
	                          * chunk's hash, then a writing pass that
	                          * writes a chunk only if its hash is the
	                          * kept one; over 256 GiB: CY_E_TOO_LARGE */
	CY_DOC_OPEN_LABEL_ONLY,  /* verify the header and label, no payload */
};

typedef struct cy_doc_open_params {
	cy_identity *const *identities;
	size_t nidentities;
	const cy_trust *trust;
	int mode;                /* enum cy_doc_open_mode */
	int threads;
	cy_progress_fn *progress;
	void *progress_ctx;
	uint64_t size_hint;
} cy_doc_open_params;

/* The result of opening: NULL label for a plain age file. */
typedef struct cy_doc_info {
	cy_label *label;
	cy_cert *signer;         /* the verified signer's certificate */
} cy_doc_info;

/* in_fd must be a regular file (callers spool pipes first).  On success
 * info holds what was verified; free it with cy_doc_info_free. */
int cy_doc_open_fd(int in_fd, int out_fd, const cy_doc_open_params *p,
    cy_doc_info *info, cy_error *err) CY_MUST_CHECK;
void cy_doc_info_free(cy_doc_info *info);

/* The header alone, no key: the outer mark ('A', 'B', 'C' or 0 for a plain
 * age file) and the stanzas.  Free h with cy_header_free. */
struct cy_header;
int cy_doc_inspect_fd(int in_fd, struct cy_header *h, char *mark,
    cy_error *err) CY_MUST_CHECK;

#endif
