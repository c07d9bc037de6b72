/* coyeu — signed HTTP requests: RFC 9421 HTTP Message Signatures with
 * Ed25519, and RFC 9530 Content-Digest (sha-256).  docs/coyeud.md.
 *
 * coyeu's profile: one signature labelled "sig1", alg="ed25519",
 * keyid = the officer's certificate serial, covering "@method"
 * "@target-uri" and, when the request has a body, "content-digest" and
 * "content-type"; parameters created, nonce, keyid and alg.  The library
 * builds and checks signature bases for any component list (the RFC's own
 * examples use others); cy_httpsig_check_profile says whether a parsed
 * signature follows coyeu's profile.
 *
 * The library keeps no state: remembering nonces is the caller's (the
 * daemon keeps them in its store, shared by every node). */
#ifndef COYEU_HTTPSIG_H
#define COYEU_HTTPSIG_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/buf.h"
#include "coyeu/error.h"
#include "coyeu/key.h"

#define CY_HTTPSIG_WINDOW 300        /* seconds either side of now */
#define CY_HTTPSIG_HEADER_MAX 4096   /* Signature-Input, Signature */
#define CY_HTTPSIG_COMPONENTS_MAX 16
#define CY_HTTPSIG_NONCE_MIN 16      /* characters: at least 96 random bits */
#define CY_HTTPSIG_NONCE_MAX 64
#define CY_HTTPSIG_LABEL "sig1"

/* The values of a request's components, as the signer and the verifier
 * see them.  component(ctx, name) returns the value of a derived
 * component ("@method", "@target-uri", "@authority", "@path", "@query",
 * "@scheme", "@request-target") or of a header field (lower-case name,
 * its value with multiple lines combined as RFC 9421 §2.1 says), or NULL
 * when the request has none.  When it answers NULL for "@authority",
 * "@scheme", "@path", "@query" or "@request-target", the library derives
 * the value from "@target-uri" (RFC 9421 §2.2), so a component function
 * needs only "@method", "@target-uri" and the header fields.  A value is
 * used before the next call, so one scratch buffer is enough. */
typedef const char *cy_httpsig_component_fn(void *ctx, const char *name);

/* A simple request: method, target URI, and optional body headers; its
 * component function answers @method, @target-uri, content-type,
 * content-digest, and the extra headers (name/value pairs, lower-case
 * names); the other derived components come from the target URI. */
typedef struct cy_httpsig_request {
	const char *method;         /* "POST" */
	const char *target_uri;     /* "https://reg.example:8443/v1/log/entries" */
	const char *content_type;   /* NULL when there is no body */
	const char *content_digest; /* NULL when there is no body */
	const char *const *headers; /* extra: name, value, …, NULL; may be NULL */
} cy_httpsig_request;

CY_API const char *cy_httpsig_request_component(void *req, const char *name);

/* RFC 9530: the Content-Digest field value of body, "sha-256=:<base64>:"
 * (NUL-terminated in out). */
CY_API int cy_httpsig_digest(const uint8_t *body, size_t len, cy_buf *out,
    cy_error *err) CY_MUST_CHECK;
/* Checks a Content-Digest field value against body: it must hold a
 * sha-256 member (others are ignored) equal to the body's digest.
 * CY_E_FORMAT: malformed or no sha-256; CY_E_SIGNATURE: another body. */
CY_API int cy_httpsig_digest_check(const char *field, const uint8_t *body,
    size_t len, cy_error *err) CY_MUST_CHECK;

/* What to sign. */
typedef struct cy_httpsig_params {
	const char *const *components; /* e.g. "@method", …, NULL-terminated */
	const char *keyid;             /* the certificate serial; NULL: none */
	int64_t created;               /* Unix seconds; 0: no created */
	const char *nonce;             /* NULL: a fresh random one; "": none */
	const char *label;             /* NULL: "sig1" */
	const char *alg;               /* NULL: no alg parameter */
} cy_httpsig_params;

/* Signs: sets the Signature-Input and Signature field values (each
 * NUL-terminated).  Parameters go in the order created, keyid, alg,
 * nonce (the RFC's examples: created, keyid). */
CY_API int cy_httpsig_sign(cy_httpsig_component_fn *component, void *ctx,
    const cy_httpsig_params *p, const cy_key *key, cy_buf *signature_input,
    cy_buf *signature, cy_error *err) CY_MUST_CHECK;
/* Signs a cy_httpsig_request with coyeu's profile (components chosen by
 * whether it has a body; created = now; a fresh nonce). */
CY_API int cy_httpsig_sign_request(const cy_httpsig_request *req,
    const char *keyid, int64_t now, const cy_key *key,
    cy_buf *signature_input, cy_buf *signature, cy_error *err) CY_MUST_CHECK;

/* A parsed signature (one label of the two fields). */
typedef struct cy_httpsig cy_httpsig;

/* Parses the Signature-Input and Signature field values (RFC 8941
 * dictionaries) and takes the signature labelled `label` (NULL: the only
 * one; more than one is refused).  Every member is checked, not only the
 * one taken.  CY_E_FORMAT says what and where (component parameters,
 * unknown signature parameters and unknown derived components are
 * refused, not ignored); CY_E_TOO_LARGE: a field over
 * CY_HTTPSIG_HEADER_MAX bytes, over CY_HTTPSIG_COMPONENTS_MAX components. */
CY_API int cy_httpsig_parse(const char *signature_input, const char *signature,
    const char *label, cy_httpsig **out, cy_error *err) CY_MUST_CHECK;
CY_API void cy_httpsig_free(cy_httpsig *h);
CY_API const char *cy_httpsig_keyid(const cy_httpsig *h);  /* NULL: none */
CY_API const char *cy_httpsig_nonce(const cy_httpsig *h);  /* NULL: none */
CY_API const char *cy_httpsig_alg(const cy_httpsig *h);    /* NULL: none */
CY_API int cy_httpsig_has_created(const cy_httpsig *h);
CY_API int64_t cy_httpsig_created(const cy_httpsig *h);
CY_API size_t cy_httpsig_component_count(const cy_httpsig *h);
CY_API const char *cy_httpsig_component_name(const cy_httpsig *h, size_t i);
CY_API int cy_httpsig_covers(const cy_httpsig *h, const char *name);

/* The signature base (RFC 9421 §2.5) of h's components over the request
 * (NUL-terminated; no trailing newline).  CY_E_FORMAT when the request
 * lacks a covered component or a value holds a control character. */
CY_API int cy_httpsig_base(const cy_httpsig *h,
    cy_httpsig_component_fn *component, void *ctx, cy_buf *out,
    cy_error *err) CY_MUST_CHECK;

/* coyeu's profile: alg is ed25519 (or absent), keyid and a nonce of
 * CY_HTTPSIG_NONCE_MIN..MAX characters are present, created is present and
 * within `window` seconds of now, and the components cover @method,
 * @target-uri and, when has_body, content-digest and content-type; an
 * expires, if any, is not past.  CY_E_POLICY with the rule broken (an
 * authentication failure: the daemon answers 401). */
CY_API int cy_httpsig_check_profile(const cy_httpsig *h, int has_body,
    int64_t now, int window, cy_error *err) CY_MUST_CHECK;

/* Verifies the Ed25519 signature over the signature base of the request
 * with the given public key (CY_E_SIGNATURE when it does not match). */
CY_API int cy_httpsig_verify(const cy_httpsig *h,
    cy_httpsig_component_fn *component, void *ctx,
    const uint8_t pub[CY_KEY_SIGN_PUBLIC_LEN], cy_error *err) CY_MUST_CHECK;

#endif
