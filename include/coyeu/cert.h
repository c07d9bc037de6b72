/* coyeu — certificates of the hierarchical authority, chains and their
 * verification (docs/certificates.md).
 *
 * A certificate is a canonical text record (canon.h) signed with its
 * issuer's Ed25519 key.  It binds a person or service (name, unit, role,
 * clearance, compartments, validity) to a signing key and a sealing key
 * (X25519), and optionally a post-quantum hybrid sealing key.
 * An authority's certificate also says what it may issue: a unit subtree
 * and a highest level.  The root authority signs its own certificate; users
 * pin it as the trust anchor.
 *
 * A chain is the leaf certificate followed by its issuers up to (not
 * including) the root, separated by one blank line.
 */
#ifndef COYEU_CERT_H
#define COYEU_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/buf.h"
#include "coyeu/error.h"
#include "coyeu/idkey.h"

#define CY_CERT_VERSION "coyeu.v1/cert"
#define CY_CERT_MAX (16 * 1024)    /* one certificate, bytes */
#define CY_CHAIN_MAX 8             /* certificates in a chain, root excluded */
#define CY_CHAIN_FILE_MAX (CY_CHAIN_MAX * (CY_CERT_MAX + 1))
#define CY_SERIAL_LEN 16           /* random bytes */
#define CY_SERIAL_HEX_LEN 32       /* lowercase hex characters */
#define CY_UNIT_MAX 255            /* bytes in a unit path */
#define CY_NAME_MAX 256            /* bytes in a subject name */
#define CY_COMPARTMENTS_MAX 1024   /* bytes in the compartment list */

enum cy_role {
	CY_ROLE_AUTHORITY = 1, /* issues certificates */
	CY_ROLE_REGISTRY = 2,  /* a coyeud registry */
	CY_ROLE_OFFICER = 3,   /* a person */
};

/* "authority", "registry", "officer" <-> enum cy_role (0 / NULL if not). */
CY_API int cy_role_parse(const char *p, size_t len);
CY_API const char *cy_role_name(int role);

/* A unit path: segments of [a-z0-9-]+ separated by '/', e.g.
 * "vn/hcm/van-phong-thanh-uy", at most CY_UNIT_MAX bytes. */
CY_API int cy_unit_valid(const char *p, size_t len);
/* The same as an error (CY_E_USAGE) saying what a unit path looks like. */
CY_API int cy_unit_check(const char *unit, cy_error *err) CY_MUST_CHECK;
/* A subject name: 1 to CY_NAME_MAX bytes, a canonical text value (canon.h);
 * CY_E_USAGE saying what is wrong. */
CY_API int cy_name_check(const char *name, cy_error *err) CY_MUST_CHECK;
/* 1 when unit `child` is `parent` or lies beneath it, by whole segments:
 * vn/hcm contains vn/hcm and vn/hcm/x, but not vn/hn nor vn/hcmx. */
CY_API int cy_unit_contains(const char *parent, const char *child);
/* 32 lowercase hex digits. */
CY_API int cy_serial_valid(const char *p, size_t len);
/* A compartment name: [a-z0-9-]+ (a list item for canon.h's list calls). */
CY_API int cy_compartment_valid(const char *p, size_t len);

typedef struct cy_cert cy_cert;

/* Parses one certificate filling all of in[0..len): syntax and the rules
 * that concern the certificate alone.  Does not check the signature: that
 * takes the issuer (cy_chain_verify). */
CY_API int cy_cert_parse(const uint8_t *in, size_t len, cy_cert **out,
    cy_error *err) CY_MUST_CHECK;
CY_API int cy_cert_dup(const cy_cert *c, cy_cert **out,
    cy_error *err) CY_MUST_CHECK;
CY_API void cy_cert_free(cy_cert *c);

/* The exact encoded bytes (signature line included). */
CY_API const uint8_t *cy_cert_bytes(const cy_cert *c, size_t *len);
CY_API const char *cy_cert_serial(const cy_cert *c);      /* 32 hex digits */
CY_API const char *cy_cert_issuer(const cy_cert *c);      /* issuer's serial */
CY_API const char *cy_cert_name(const cy_cert *c);        /* UTF-8, NFC */
CY_API const char *cy_cert_unit(const cy_cert *c);
CY_API int cy_cert_role(const cy_cert *c);                /* enum cy_role */
CY_API int cy_cert_clearance(const cy_cert *c);           /* enum cy_level */
CY_API const char *cy_cert_compartments(const cy_cert *c); /* "a,b" or "" */
CY_API int cy_cert_has_compartment(const cy_cert *c, const char *name);
CY_API int64_t cy_cert_not_before(const cy_cert *c);      /* Unix seconds */
CY_API int64_t cy_cert_not_after(const cy_cert *c);
CY_API const uint8_t *cy_cert_sign_public(const cy_cert *c); /* 32 bytes */
CY_API const uint8_t *cy_cert_seal_public(const cy_cert *c); /* 32 bytes,
    X25519 */
/* The same key as an age recipient, "age1…" (cy_recipient_parse takes it). */
CY_API const char *cy_cert_seal_recipient(const cy_cert *c);
/* The optional post-quantum hybrid sealing key (field seal-pq-key): the
 * CY_KEY_PQ_PUBLIC_LEN raw bytes (cy_recipient_pq takes them) and the
 * "age1pq1…" string (cy_recipient_parse takes it); NULL when the
 * certificate has none.  Parsing checked it as FIPS 203 requires. */
CY_API const uint8_t *cy_cert_seal_pq_public(const cy_cert *c);
CY_API const char *cy_cert_seal_pq_recipient(const cy_cert *c);
/* Authorities only (NULL / 0 otherwise): the subtree and highest level
 * this authority may issue. */
CY_API const char *cy_cert_may_issue_unit(const cy_cert *c);
CY_API int cy_cert_may_issue_level(const cy_cert *c);
/* 1 when the certificate names itself as issuer (a root). */
CY_API int cy_cert_is_self_signed(const cy_cert *c);

/* What to certify.  The keys usually come from a request (request.h). */
typedef struct cy_cert_params {
	const char *name;
	const char *unit;
	int role;                  /* enum cy_role */
	int clearance;             /* enum cy_level */
	const char *compartments;  /* canonical list ("a,b"); NULL = none */
	int64_t not_before;
	int64_t not_after;
	const uint8_t *sign_public; /* CY_SIGN_PUBLIC_LEN */
	const uint8_t *seal_public; /* CY_SEAL_PUBLIC_LEN */
	/* CY_KEY_PQ_PUBLIC_LEN (ML-KEM-768 ek || X25519), NULL = none.  Only
	 * with proof that the subject holds it (request.h,
	 * cy_request_pq_check). */
	const uint8_t *seal_pq_public;
	const char *may_issue_unit; /* authorities: NULL = the unit itself */
	int may_issue_level;        /* authorities: 0 = the clearance */
} cy_cert_params;

/* Issues a certificate signed with issuer_key.  issuer NULL makes a
 * self-signed root (then issuer_key must hold p->sign_public).  Otherwise
 * issuer_key must match the issuer certificate, the issuer must be valid at
 * `now`, and every chain rule must hold, exactly as cy_chain_verify will
 * check it: refusals are CY_E_POLICY with the rule in the message.  The
 * serial is 128 random bits. */
CY_API int cy_cert_issue(const cy_cert_params *p, const cy_cert *issuer,
    const cy_idkey *issuer_key, int64_t now, cy_cert **out,
    cy_error *err) CY_MUST_CHECK;

/* --- chains --- */
typedef struct cy_chain cy_chain;

/* Parses a chain file: 1 to CY_CHAIN_MAX certificates separated by single
 * blank lines; nothing before, between or after.  Errors name the
 * certificate: "certificate 2: line 5: …". */
CY_API int cy_chain_parse(const uint8_t *in, size_t len, cy_chain **out,
    cy_error *err) CY_MUST_CHECK;
CY_API void cy_chain_free(cy_chain *ch);
CY_API size_t cy_chain_len(const cy_chain *ch);
/* Certificate i, 0 = the leaf. */
CY_API const cy_cert *cy_chain_get(const cy_chain *ch, size_t i);

/* Appends the chain file for a newly issued leaf: leaf, then the issuer's
 * chain without its self-signed root. */
CY_API int cy_chain_encode(const cy_cert *leaf, const cy_chain *issuer_chain,
    cy_buf *out, cy_error *err) CY_MUST_CHECK;

struct cy_crl;

/* Verifies a chain against the pinned root at time `at` (Unix seconds),
 * honouring the revocation lists (crl.h) given: every signature, issuer
 * order, no loops, each issuer an authority whose may-issue subtree holds
 * the subject's unit (and subtree, for an authority) and whose level is at
 * least the subject's clearance (and may-issue level), compartments within
 * the issuer's, validity nested and covering `at`, nothing revoked by any
 * authority above it.  The first failure is returned with the certificate
 * and the rule: "certificate 2 (serial …): unit vn/hn is outside the
 * issuer's subtree vn/hcm" (CY_E_POLICY, CY_E_SIGNATURE, CY_E_REVOKED,
 * CY_E_FORMAT).  A chain holding just the root's own certificate verifies
 * as the root.  On success *leaf (if leaf is not NULL) receives a copy of
 * the verified leaf, for the caller to free. */
CY_API int cy_chain_verify(const cy_chain *chain, const cy_cert *root,
    const struct cy_crl *const *crls, size_t ncrls, int64_t at,
    cy_cert **leaf, cy_error *err) CY_MUST_CHECK;

/* For a chain that verified at some time: 1 when a list from an authority
 * in its path (signature checked, the newest per authority, as
 * cy_chain_verify picks them) revokes one of its certificates at any time
 * (so a revocation whose reason keeps earlier signatures, taking effect
 * later); *cert (in chain or root), *since and *reason (in the list) then
 * say which, from when and why.  0 when none does. */
CY_API int cy_chain_revoked_ever(const cy_chain *chain, const cy_cert *root,
    const struct cy_crl *const *crls, size_t ncrls, const cy_cert **cert,
    int64_t *since, const char **reason) CY_MUST_CHECK;

#endif
