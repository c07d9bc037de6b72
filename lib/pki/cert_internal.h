/* coyeu — certificate internals shared by cert.c (parse, issue) and
 * chain.c (chains, verification). */
#ifndef COYEU_LIB_CERT_INTERNAL_H
#define COYEU_LIB_CERT_INTERNAL_H

#include "coyeu/cert.h"

/* Parses the certificate at the start of in.  With used not NULL a blank
 * line ends it (a chain); else it must fill the input. */
int cy_cert_parse_at(const uint8_t *in, size_t len, size_t *used,
    cy_cert **out, cy_error *err) CY_MUST_CHECK;
/* The chain rules between a certificate and its issuer, signature aside;
 * CY_E_POLICY with the rule broken. */
int cy_cert_check_issued(const cy_cert *c, const cy_cert *issuer,
    cy_error *err) CY_MUST_CHECK;
/* issuer's key signed c (and c names issuer's serial). */
int cy_cert_check_signature(const cy_cert *c, const cy_cert *issuer,
    cy_error *err) CY_MUST_CHECK;
/* c is valid at time at. */
int cy_cert_check_time(const cy_cert *c, int64_t at,
    cy_error *err) CY_MUST_CHECK;

#endif
