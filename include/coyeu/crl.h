/* coyeu — revocation lists (docs/certificates.md).
 *
 * An authority publishes one list at a time: its serial, a sequence number
 * that grows by one with each new list, the time, and the serials it
 * revokes (sorted, each with a reason and the time it takes effect),
 * signed with its key.  Lists are
 * cumulative, so the one with the highest sequence is the whole truth; an
 * older list never overrides a newer one, and a newer one must keep every
 * revocation of the older (cy_crl_check_successor).  cy_chain_verify (cert.h) takes
 * the lists and checks their signatures against the chain it verifies.
 */
#ifndef COYEU_CRL_H
#define COYEU_CRL_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/cert.h"
#include "coyeu/error.h"
#include "coyeu/idkey.h"

#define CY_CRL_VERSION "coyeu.v1/crl"
#define CY_CRL_MAX (1024 * 1024)   /* bytes */
#define CY_CRL_REASON_MAX 64       /* bytes in a reason token */
#define CY_CRL_SEQUENCE_MAX 999999999999ULL
/* The most a list's sequence may run ahead of the one it replaces before a
 * holder must say it accepts the jump (keyring add --force): a list signed
 * far ahead (a billion) would shut out every real list that follows, and
 * burn the sequence space.  Ten thousand is a new list a day for 27
 * years. */
#define CY_CRL_SEQUENCE_JUMP_MAX 10000ULL

typedef struct cy_crl cy_crl;

/* Syntax only (sorted unique serials, reasons [a-z0-9-]+); the signature
 * is checked against the issuer by cy_crl_check_signature. */
CY_API int cy_crl_parse(const uint8_t *in, size_t len, cy_crl **out,
    cy_error *err) CY_MUST_CHECK;
CY_API void cy_crl_free(cy_crl *crl);
/* 0 when issuer is the list's issuer and its key signed the list. */
CY_API int cy_crl_check_signature(const cy_crl *crl, const cy_cert *issuer,
    cy_error *err) CY_MUST_CHECK;

CY_API const uint8_t *cy_crl_bytes(const cy_crl *crl, size_t *len);
CY_API const char *cy_crl_issuer(const cy_crl *crl);    /* serial */
CY_API uint64_t cy_crl_sequence(const cy_crl *crl);
CY_API int64_t cy_crl_time(const cy_crl *crl);
CY_API size_t cy_crl_count(const cy_crl *crl);
/* Entry i: serial, reason, and the time from which it takes effect. */
CY_API void cy_crl_entry(const cy_crl *crl, size_t i, const char **serial,
    const char **reason, int64_t *since);
/* 1 when the list names serial, at whatever time (reason and since set when
 * not NULL). */
CY_API int cy_crl_lookup(const cy_crl *crl, const char *serial,
    const char **reason,
    int64_t *since);
/* 1 when p[0..len) is a reason: 1 to CY_CRL_REASON_MAX of a-z, 0-9, '-'. */
CY_API int cy_crl_reason_valid(const char *p, size_t len);
/* 1 when the reason leaves the key with its holder (superseded, left-unit,
 * cessation): such a revocation takes effect at its `since` time, so what
 * the certificate signed before then still verifies.  Every other reason,
 * key-compromise and unknown ones included, revokes at every time. */
CY_API int cy_crl_reason_keeps_past(const char *reason);
/* 1 when the list revokes serial as of time `at` (see above). */
CY_API int cy_crl_revokes(const cy_crl *crl, const char *serial, int64_t at,
    const char **reason);

/* 0 when next may replace prev, two lists of one authority whose
 * signatures the caller has checked: next's sequence is higher by at most
 * max_jump (UINT64_MAX: any; else CY_E_TOO_LARGE), or the same and next
 * is the very same list; and next revokes every serial prev revokes, at
 * least from the same time (revocation is permanent: a serial is never
 * dropped, nor its revocation moved later or turned from one that revokes
 * at every time into one that keeps earlier signatures).  A list that
 * drops or weakens an entry, or a second list with the same sequence, is
 * CY_E_REVOKED; an older next CY_E_POLICY. */
CY_API int cy_crl_check_successor(const cy_crl *prev, const cy_crl *next,
    uint64_t max_jump, cy_error *err) CY_MUST_CHECK;

/* One revocation to add: reason NULL means "unspecified"; since 0 means
 * the list's time. */
typedef struct cy_crl_revocation {
	const char *serial;
	const char *reason;
	int64_t since;
} cy_crl_revocation;

/* Makes the next list: prev's entries (prev NULL: a first, empty list)
 * plus add (NULL: none added), sequence prev + 1, made at `now` and
 * signed with key, which must belong to issuer, an authority.  prev must
 * be the issuer's and carry its valid signature.  Refuses a serial already
 * listed, and a revocation taking effect after now. */
CY_API int cy_crl_extend(const cy_crl *prev, const cy_cert *issuer,
    const cy_idkey *key, const cy_crl_revocation *add, int64_t now,
    cy_crl **out, cy_error *err) CY_MUST_CHECK;

#endif
