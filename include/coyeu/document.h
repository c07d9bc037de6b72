/* coyeu — classified documents: age v1 files whose last stanza is
 * "-> coyeu.v1/label <mark>" carrying the encrypted, signed inner label
 * (label.h, docs/format.md).
 *
 * Sealing checks every recipient's chain, clearance and compartments, and
 * the sealer's clearance.  Opening verifies the header MAC, the label's
 * place, the signature, the sealer's chain at the label's creation time,
 * the outer mark, the stanza hash, one X25519 stanza per named recipient,
 * a creation time not in the future, the protection cap of the level,
 * the reader's own chain, clearance, compartments and place among the
 * recipients (when the caller knows the reader's chain) and the payload
 * digest before any plaintext is released.
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
CY_API int cy_doc_check_clearance(const cy_chain *chain, const cy_trust *trust,
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
CY_API int cy_doc_seal_fd(int in_fd, int out_fd, const cy_doc_seal_params *p,
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

/* How far in the future a label's creation time may be before opening
 * refuses it: the sealer's clock may run a little ahead of the reader's. */
#define CY_DOC_CLOCK_SKEW 300   /* seconds */

typedef struct cy_doc_open_params {
	cy_identity *const *identities;
	size_t nidentities;
	const cy_trust *trust;
	/* The reader's own chain, or NULL when unknown (its checks are then
	 * skipped; cy_doc_info.reader stays NULL to say so).  When given, it
	 * must verify now against trust, hold the label's level and
	 * compartments, certify the X25519 key of one of the identities, whose
	 * stanza yields the file key, and its serial must be a recipient. */
	const cy_chain *reader;
	int64_t now;             /* Unix seconds; 0: the system clock */
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
	cy_cert *reader;         /* the verified reader's, or NULL: unchecked */
	/* The sealer's certificate has expired since (its end, else 0): the
	 * creation time inside its validity is then only the sealer's claim,
	 * as no register attests it. */
	int64_t signer_expired;
	/* CY_E_REVOKED when a list from an authority above the sealer revokes
	 * its chain from a time after the creation time (a reason that keeps
	 * earlier signatures); the message says whose certificate, since when
	 * and why.  Lists from other authorities are not read. */
	cy_error signer_revoked;
} cy_doc_info;

/* in_fd must be a regular file (callers spool pipes first).  On success
 * info holds what was verified; free it with cy_doc_info_free. */
CY_API int cy_doc_open_fd(int in_fd, int out_fd, const cy_doc_open_params *p,
    cy_doc_info *info, cy_error *err) CY_MUST_CHECK;
CY_API void cy_doc_info_free(cy_doc_info *info);

/* The header alone, no key: the outer mark ('A', 'B', 'C' or 0 for a plain
 * age file) and the stanzas.  Free h with cy_header_free. */
struct cy_header;
CY_API int cy_doc_inspect_fd(int in_fd, struct cy_header *h, char *mark,
    cy_error *err) CY_MUST_CHECK;

#endif
