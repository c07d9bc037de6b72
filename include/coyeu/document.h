/* coyeu — classified documents: age v1 files whose last stanza is
 * "-> coyeu.v1/label <mark>" carrying the encrypted, signed inner label
 * (label.h, docs/format.md).
 *
 * Sealing verifies the sealer's and every recipient's chain and asks the
 * policy (policy.h) about each: the library derives the recipients' keys
 * and serials from the verified leaves, so a caller cannot seal to an
 * uncleared recipient even by mistake.  Opening verifies the header MAC,
 * the label's place, the signature, the sealer's chain and the policy's
 * sealing rules at the label's creation time, the outer mark, the stanza
 * hash, one X25519 stanza per named recipient (or one release stanza
 * each, release.h: stanza i is recipient i's copy), a creation time not
 * in the future, the protection cap of the level, the reader's own chain
 * and the policy's opening rules (clearance, compartments, validity,
 * revocation, named recipient; when the caller knows the reader's chain)
 * and the payload digest before any plaintext is released.
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
#include "coyeu/source.h"

/* What a verifier trusts: the pinned root and the revocation lists. */
typedef struct cy_trust {
	const cy_cert *root;
	const cy_crl *const *crls;
	size_t ncrls;
} cy_trust;

/* --- sealing ---
 *
 * Two steps, so that every check is done before any input is read:
 * cy_doc_seal_prepare verifies the sealer and every recipient and yields a
 * cy_doc_sealing, the only thing cy_doc_seal_fd accepts.  There is no
 * public way to seal a classified document to a raw key or serial: keys
 * and serials come from the chains that verified. */

/* What the sealer chooses; the rest comes from the verified chains. */
typedef struct cy_doc_seal_params {
	const char *document;       /* document number (label.h's rules) */
	int level;                  /* enum cy_level */
	const char *copy;           /* NULL: "original" */
	const char *compartments;   /* a list (normalised); NULL or "" */
	int only_named;             /* handling: only-named-recipient */
	int64_t protect_until;      /* 0: the level's cap */
	int64_t now;                /* the time of sealing, the label's
	                             * `created`; 0: the system clock */
	const cy_idkey *signer;     /* borrowed until the sealing is freed */
	const cy_chain *signer_chain;
	const cy_chain *const *recipients; /* one chain each */
	size_t nrecipients;         /* 1 to CY_LABEL_RECIPIENTS_MAX */
	const cy_trust *trust;
	/* Registry-mediated (DESIGN.md §5, release.h): when not NULL, the
	 * document's id (cy_release_id_new), and each recipient gets a
	 * coyeu.v1/release stanza, in the order given (which is the label's
	 * recipient order: stanza i is recipient i's copy), with a fresh
	 * copy-id and a fresh R that cy_doc_sealing_copy_id and
	 * cy_doc_sealing_release_secret give.  NULL: X25519 stanzas. */
	const char *release_doc_id;
	/* Post-quantum (docs/format.md, *Post-quantum sealing*): a file is
	 * all hybrid stanzas (mlkem768x25519, or coyeu.v1/release-pq) or all
	 * classical.  TUYỆT MẬT is hybrid and refuses a recipient whose
	 * certificate has no seal-pq-key, unless allow_classical, which
	 * seals it classically and records "classical: allowed" in the label.
	 * TỐI MẬT and MẬT are hybrid when every recipient has a hybrid key,
	 * else classical.  pq: 0 for these rules, CY_DOC_PQ_NEVER for
	 * classical (at TUYỆT MẬT only with allow_classical). */
	int allow_classical;
	int pq;
} cy_doc_seal_params;

#define CY_DOC_PQ_NEVER 1

/* cy_doc_seal_prepare's *refused when the sealer, or the parameters, are
 * refused rather than a recipient. */
#define CY_DOC_REFUSED_SEALER ((size_t)-1)

typedef struct cy_doc_sealing cy_doc_sealing;

/* Checks everything, at p->now: the parameters (document number, copy,
 * compartments, protect-until within the level's cap), the sealer's chain
 * against p->trust and that p->signer is its leaf's key, every
 * recipient's chain, no recipient twice, then cy_policy_decide(SEAL) for
 * the sealer and for each recipient (role, validity, revocation, unit,
 * clearance, compartments: policy.h).  On success *out holds the
 * verified leaves and the X25519 keys and serials they certify.  On a
 * refusal *refused (may be NULL) is the index of the recipient refused,
 * or CY_DOC_REFUSED_SEALER; err says why ("recipient Trần Thị Bình
 * (serial …) lacks clearance TỐI MẬT (has MẬT)"); CY_E_USAGE for a
 * parameter or a recipient named twice, else CY_E_POLICY, CY_E_REVOKED,
 * CY_E_SIGNATURE or CY_E_FORMAT. */
CY_API int cy_doc_seal_prepare(const cy_doc_seal_params *p,
    cy_doc_sealing **out, size_t *refused, cy_error *err) CY_MUST_CHECK;
CY_API void cy_doc_sealing_free(cy_doc_sealing *s);
/* The verified leaves, in the order given, and the label's values. */
CY_API size_t cy_doc_sealing_count(const cy_doc_sealing *s);
CY_API const cy_cert *cy_doc_sealing_recipient(const cy_doc_sealing *s,
    size_t i);
CY_API const cy_cert *cy_doc_sealing_signer(const cy_doc_sealing *s);
CY_API int64_t cy_doc_sealing_created(const cy_doc_sealing *s);
CY_API int64_t cy_doc_sealing_protect_until(const cy_doc_sealing *s);
/* 1 when the file will be post-quantum (hybrid stanzas), else 0; then
 * cy_doc_sealing_pq_reason says why ("recipient NAME (serial …) has no
 * post-quantum sealing key", …; NULL when post-quantum). */
CY_API int cy_doc_sealing_pq(const cy_doc_sealing *s);
CY_API const char *cy_doc_sealing_pq_reason(const cy_doc_sealing *s);
/* Registry-mediated sealings: recipient i's copy-id; NULL otherwise. */
CY_API const char *cy_doc_sealing_copy_id(const cy_doc_sealing *s, size_t i);
/* Recipient i's R sealed to pub (the registry's sealing key) for the
 * document and copy (release.h), into *out: R itself never leaves the
 * sealing, which keeps it in guarded memory and wipes it when freed.
 * CY_E_USAGE when the sealing is not registry-mediated or i is out of
 * range. */
CY_API int cy_doc_sealing_release_seal(const cy_doc_sealing *s, size_t i,
    const uint8_t pub[CY_X25519_KEY_LEN], cy_buf *out,
    cy_error *err) CY_MUST_CHECK;
/* The signed inner label, once cy_doc_seal_fd has succeeded (NULL
 * before): what the sender uploads in clear to the registry. */
CY_API const uint8_t *cy_doc_sealing_label(const cy_doc_sealing *s,
    size_t *len);

/* How the sealed file is written. */
typedef struct cy_doc_seal_io {
	int armor;
	int threads;
	cy_progress_fn *progress;
	void *progress_ctx;
	uint64_t size_hint;
} cy_doc_seal_io;

/* Seals in_fd into out_fd as s says.  A seekable out_fd is written in one
 * pass (the label's space reserved, then filled); otherwise, or with
 * armor, the ciphertext (never the plaintext) is spooled to a temporary
 * file first.  io may be NULL (binary, all cores, no progress). */
CY_API int cy_doc_seal_fd(int in_fd, int out_fd, const cy_doc_sealing *s,
    const cy_doc_seal_io *io, cy_error *err) CY_MUST_CHECK;

/* --- opening --- */

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
	 * must verify now against trust, certify the X25519 key of one of the
	 * identities, whose stanza yields the file key, and pass
	 * cy_policy_decide(OPEN, offline): an officer, valid and not revoked
	 * now, holding the label's level and compartments, a named
	 * recipient.  Offline, the two-person rule for TUYỆT MẬT is the
	 * registry's, at key release (docs/policy.md). */
	const cy_chain *reader;
	int64_t now;             /* Unix seconds; 0: the system clock */
	int mode;                /* enum cy_doc_open_mode */
	int threads;
	cy_progress_fn *progress;
	void *progress_ctx;
	uint64_t size_hint;
	/* Registry-mediated: the SHA-256 (32 bytes) of the label registered
	 * for the document (doc.register's label-sha256), or NULL.  When
	 * given, the file must carry a label hashing to it (checked before
	 * any plaintext is released): else CY_E_SIGNATURE. */
	const uint8_t *label_sha256;
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
	/* 1 when the recipient stanzas are hybrid (mlkem768x25519 or
	 * coyeu.v1/release-pq): the file is post-quantum. */
	int post_quantum;
} cy_doc_info;

/* in_fd must be a regular file (callers spool pipes first).  On success
 * info holds what was verified; free it with cy_doc_info_free. */
CY_API int cy_doc_open_fd(int in_fd, int out_fd, const cy_doc_open_params *p,
    cy_doc_info *info, cy_error *err) CY_MUST_CHECK;
/* The same, reading the file from src by offset (source.h) instead of
 * mapping it: for a daemon's upload or spool, with no SIGBUS to guard
 * against.  Each pass re-reads src; the output pass still writes only
 * chunks that hash as the verifying pass saw them, so a source that
 * changes between passes stops the open. */
CY_API int cy_doc_open_source(const cy_source *src, int out_fd,
    const cy_doc_open_params *p, cy_doc_info *info,
    cy_error *err) CY_MUST_CHECK;
CY_API void cy_doc_info_free(cy_doc_info *info);

/* --- the registry's check of an uploaded document (no key) ---
 *
 * What a registry verifies of a registry-mediated file and the inner
 * label the sender uploads in clear beside it, without any key:
 * the header parses; the label stanza is last and its outer mark is the
 * label's level; every stanza before it is a release stanza, one per
 * label recipient, all for one doc-id, with distinct copy-ids; the
 * label's stanzas-sha256 matches the file's stanzas and its
 * payload-digest the file's stored chunks; the label's signature
 * verifies with its signer chain's leaf, the chain verifies against
 * trust at the label's creation time, and the policy lets the signer
 * seal it then (cy_policy_decide SEAL without a target).  The encrypted
 * label in the stanza cannot be compared without the file key: each
 * recipient compares its decrypted label with label_sha256 (the
 * registered hash) before any plaintext is released.  Caps: the label
 * at CY_LABEL_MAX, the file at max_size bytes (CY_E_TOO_LARGE).  The file
 * is read once, in order (cy_source_mem for a body in memory); other
 * refusals: CY_E_FORMAT for what does not parse or hang together,
 * CY_E_POLICY for a stanza that is not a release stanza, a stanza count
 * that is not the label's, a signer the policy refuses (or the chain's
 * own code, with "sealer: "), CY_E_SIGNATURE for a file that differs from
 * what the label signs; docs/format.md lists each.  *out is NULL on any
 * refusal. */
typedef struct cy_doc_upload cy_doc_upload;
CY_API int cy_doc_upload_check(const cy_source *file, uint64_t max_size,
    const uint8_t *label, size_t label_len, const cy_trust *trust,
    cy_doc_upload **out, cy_error *err) CY_MUST_CHECK;
CY_API void cy_doc_upload_free(cy_doc_upload *u);
CY_API const cy_label *cy_doc_upload_label(const cy_doc_upload *u);
CY_API const cy_cert *cy_doc_upload_signer(const cy_doc_upload *u);
CY_API const char *cy_doc_upload_doc_id(const cy_doc_upload *u);
/* Copy i's id: the release stanza of label recipient i. */
CY_API const char *cy_doc_upload_copy_id(const cy_doc_upload *u, size_t i);
/* SHA-256 of the label text and of the whole file, 32 bytes each. */
CY_API const uint8_t *cy_doc_upload_label_sha256(const cy_doc_upload *u);
CY_API const uint8_t *cy_doc_upload_sealed_sha256(const cy_doc_upload *u);

/* The header alone, no key: the outer mark ('A', 'B', 'C' or 0 for a plain
 * age file) and the stanzas.  Free h with cy_header_free. */
struct cy_header;
CY_API int cy_doc_inspect_fd(int in_fd, struct cy_header *h, char *mark,
    cy_error *err) CY_MUST_CHECK;

#endif
