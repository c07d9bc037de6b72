/* coyeu — certificate requests (docs/certificates.md).
 *
 * A request carries the subject's name, unit and public keys, and is
 * signed by the subject's own signing key: proof that whoever asks for the
 * certificate holds the key.  The issuing authority adds role, clearance,
 * compartments and validity (cert.h).
 */
#ifndef COYEU_REQUEST_H
#define COYEU_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/error.h"
#include "coyeu/idkey.h"

#define CY_REQUEST_VERSION "coyeu.v1/request"
#define CY_REQUEST_MAX (16 * 1024)

typedef struct cy_request cy_request;

CY_API int cy_request_create(const cy_idkey *key, const char *name,
    const char *unit, int64_t now, cy_request **out,
    cy_error *err) CY_MUST_CHECK;
/* Parses a request and checks its signature by its own signing key. */
CY_API int cy_request_parse(const uint8_t *in, size_t len, cy_request **out,
    cy_error *err) CY_MUST_CHECK;
CY_API void cy_request_free(cy_request *req);

CY_API const uint8_t *cy_request_bytes(const cy_request *req, size_t *len);
CY_API const char *cy_request_name(const cy_request *req);
CY_API const char *cy_request_unit(const cy_request *req);
CY_API int64_t cy_request_time(const cy_request *req);
CY_API const uint8_t *cy_request_sign_public(const cy_request *req);
CY_API const uint8_t *cy_request_seal_public(const cy_request *req);

#endif
