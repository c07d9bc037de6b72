/* coyeu — error codes and error detail.
 *
 * Every library function returns 0 on success or a negative CY_E* code, and
 * fills an optional cy_error with a sentence saying what failed.  The library
 * never prints: callers decide what people see.
 */
#ifndef COYEU_ERROR_H
#define COYEU_ERROR_H

#include <stddef.h>

#define CY_ERROR_MSG_MAX 512

#if defined(__GNUC__) || defined(__clang__)
#define CY_MUST_CHECK __attribute__((warn_unused_result))
#define CY_PRINTF(a, b) __attribute__((format(printf, a, b)))
/* The library is built with -fvisibility=hidden: only what a public header
 * declares with CY_API is exported (scripts/check-api.sh checks it). */
#define CY_API __attribute__((visibility("default")))
#else
#define CY_MUST_CHECK
#define CY_PRINTF(a, b)
#define CY_API
#endif

enum cy_err {
	CY_OK = 0,
	CY_E_NOMEM = -1,      /* out of memory */
	CY_E_IO = -2,         /* read, write, open, rename failed */
	CY_E_USAGE = -3,      /* bad argument from the caller */
	CY_E_HEADER = -4,     /* age header does not parse */
	CY_E_ARMOR = -5,      /* ASCII armor does not parse */
	CY_E_HMAC = -6,       /* header MAC does not match */
	CY_E_NO_MATCH = -7,   /* no identity opens any stanza */
	CY_E_PAYLOAD = -8,    /* payload damaged, truncated or extended */
	CY_E_FORMAT = -9,     /* key, certificate, entry or other text malformed */
	CY_E_SIGNATURE = -10, /* a signature does not verify */
	CY_E_POLICY = -11,    /* refused by a rule: clearance, unit, validity */
	CY_E_REVOKED = -12,   /* a certificate in the chain is revoked */
	CY_E_CRYPTO = -13,    /* a primitive failed (bad point, library error) */
	CY_E_TOO_LARGE = -14, /* input over a size cap */
	CY_E_PASSPHRASE = -15, /* wrong passphrase */
	CY_E_NOT_FOUND = -16, /* no such item */
	CY_E_STORE = -17,     /* database error (trying again will not help) */
	CY_E_PROOF = -18,     /* a Merkle proof does not verify */
	CY_E_STORE_RETRY = -19, /* database busy, conflict or connection lost:
	                         * the whole transaction may be tried again */
};

typedef struct cy_error {
	int code;
	char msg[CY_ERROR_MSG_MAX];
} cy_error;

/* Sets err (if not NULL) and returns code, so callers can write
 * `return cy_error_set(err, CY_E_FORMAT, "...")`. */
CY_API int cy_error_set(cy_error *err, int code, const char *fmt,
    ...) CY_PRINTF(3, 4);

/* Prefixes the existing message with context: "label: <old message>". */
CY_API int cy_error_wrap(cy_error *err, const char *fmt, ...) CY_PRINTF(2, 3);

/* A short generic description of a code. */
CY_API const char *cy_strerror(int code);

/* Clears an error to CY_OK and an empty message. */
CY_API void cy_error_clear(cy_error *err);

#endif
