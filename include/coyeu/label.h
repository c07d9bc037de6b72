/* coyeu — the inner label of a classified document (DESIGN.md §3).
 *
 * A canonical text record (canon.h), encrypted inside the header's last
 * stanza "-> coyeu.v1/label <mark>".  Fields, in this order:
 *
 *   version: coyeu.v1/label
 *   document: <document number, UTF-8 NFC>
 *   level: mat | toi-mat | tuyet-mat
 *   unit: <originating unit path>
 *   created: <RFC 3339 UTC>
 *   protect-until: <RFC 3339 UTC>
 *   copy: original | <N>/<M> <sao-y|sao-luc|trich-sao>
 *   recipient: <certificate serial>          (one line each, at least one)
 *   handling: only-named-recipient           (optional)
 *   classical: allowed                       (optional; TUYỆT MẬT only: the
 *                                             sealer's --allow-classical)
 *   compartments: <sorted list, maybe empty>
 *   signer: <base64 of the signer's certificate chain file>
 *   stanzas-sha256: <hex SHA-256 of the header bytes of every stanza before
 *                    the label stanza>
 *   payload-digest: <hex SHA-256("coyeu.v1/payload" || payload nonce ||
 *                    SHA-256(chunk 0) || SHA-256(chunk 1) || ...)>
 *   signature: <base64 Ed25519 over every preceding byte of the label>
 *
 * Every field has a fixed length once the sealing parameters are known, so
 * a writer can reserve the label's space before streaming the payload.
 */
#ifndef COYEU_LABEL_H
#define COYEU_LABEL_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/buf.h"
#include "coyeu/error.h"
#include "coyeu/header.h" /* CY_LABEL_STANZA */
#include "coyeu/idkey.h"

#define CY_LABEL_VERSION "coyeu.v1/label"
#define CY_LABEL_HKDF_INFO "coyeu.v1/label"
#define CY_PAYLOAD_DIGEST_PREFIX "coyeu.v1/payload"
#define CY_LABEL_DIGEST_LEN 32
#define CY_LABEL_MAX (256 * 1024)   /* plaintext label, bytes */
#define CY_LABEL_RECIPIENTS_MAX 1024
#define CY_LABEL_DOCUMENT_MAX 128   /* bytes of a document number */
#define CY_HANDLING_ONLY_NAMED "only-named-recipient"
#define CY_COPY_ORIGINAL "original"
#define CY_CLASSICAL_ALLOWED "allowed"

typedef struct cy_label_params {
	const char *document;
	int level;                 /* enum cy_level (level.h) */
	const char *unit;
	int64_t created;           /* Unix seconds */
	int64_t protect_until;
	const char *copy;          /* NULL: "original" */
	const char *const *recipients; /* certificate serials */
	size_t nrecipients;
	int only_named;
	/* TUYỆT MẬT sealed classically with the sealer's leave
	 * (cy_doc_seal_params.allow_classical): "classical: allowed". */
	int classical_allowed;
	const char *compartments;  /* canonical list, "" for none */
	const uint8_t *signer_chain; /* the signer's chain file bytes */
	size_t signer_chain_len;
} cy_label_params;

/* The rules of the document number (1 to CY_LABEL_DOCUMENT_MAX bytes, a
 * canonical text value) and of the copy (NULL or "original", or "N/M form"
 * with 1 <= N <= M): CY_E_USAGE saying what is wrong.  cy_label_build
 * applies them too; a caller checks them first to refuse before any work. */
CY_API int cy_label_document_check(const char *doc,
    cy_error *err) CY_MUST_CHECK;
CY_API int cy_label_copy_check(const char *copy, cy_error *err) CY_MUST_CHECK;

/* Length of the label text these parameters produce (fixed, digests
 * included), so the stanza can be reserved before the payload. */
CY_API int cy_label_size(const cy_label_params *p, size_t *len, cy_error *err)
    CY_MUST_CHECK;
/* Writes the complete signed label text. */
CY_API int cy_label_build(const cy_label_params *p,
    const uint8_t stanzas_sha256[CY_LABEL_DIGEST_LEN],
    const uint8_t payload_digest[CY_LABEL_DIGEST_LEN], const cy_idkey *signer,
    cy_buf *out, cy_error *err) CY_MUST_CHECK;

typedef struct cy_label cy_label;

/* Parses a label; errors are CY_E_FORMAT naming the line and rule.  Does not
 * check the signature (that needs the signer's verified key). */
CY_API int cy_label_parse(const uint8_t *in, size_t len, cy_label **out,
    cy_error *err) CY_MUST_CHECK;
CY_API void cy_label_free(cy_label *l);
/* Checks the signature with the signer's Ed25519 public key. */
CY_API int cy_label_verify_signature(const cy_label *l,
    const uint8_t pub[CY_SIGN_PUBLIC_LEN], cy_error *err) CY_MUST_CHECK;

CY_API const char *cy_label_document(const cy_label *l);
CY_API int cy_label_level(const cy_label *l);
CY_API const char *cy_label_unit(const cy_label *l);
CY_API int64_t cy_label_created(const cy_label *l);
CY_API int64_t cy_label_protect_until(const cy_label *l);
CY_API const char *cy_label_copy(const cy_label *l);
CY_API size_t cy_label_recipient_count(const cy_label *l);
CY_API const char *cy_label_recipient(const cy_label *l, size_t i);
CY_API int cy_label_only_named(const cy_label *l);
/* 1 when the label records "classical: allowed" (TUYỆT MẬT only). */
CY_API int cy_label_classical_allowed(const cy_label *l);
CY_API const char *cy_label_compartments(const cy_label *l);
CY_API const uint8_t *cy_label_signer_chain(const cy_label *l, size_t *len);
CY_API const uint8_t *cy_label_stanzas_sha256(const cy_label *l);
CY_API const uint8_t *cy_label_payload_digest(const cy_label *l);
/* The label text exactly as parsed. */
CY_API const uint8_t *cy_label_bytes(const cy_label *l, size_t *len);

#endif
