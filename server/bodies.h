/* coyeud — the JSON bodies of the signed routes, parsed apart from any
 * request so that fuzz/fuzz_bodies.c runs them on any bytes.  Every error
 * is CY_E_FORMAT with the reason a 400 answer gives. */
#ifndef COYEUD_BODIES_H
#define COYEUD_BODIES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "coyeu/error.h"

/* The body as a JSON object (duplicate keys refused); *out is the
 * caller's to json_decref. */
int cyd_body_parse(const uint8_t *body, size_t len, json_t **out,
    cy_error *err);
/* obj's string member `name`: its text (inside obj) and length. */
int cyd_body_member(json_t *obj, const char *name, const char **text,
    size_t *len, cy_error *err);
/* {"entries": [ "<entry>", … ]}: 1 to max strings; ptrs and lens (max
 * each) point into obj; *n how many. */
int cyd_body_entries(json_t *obj, size_t max, const uint8_t **ptrs,
    size_t *lens, size_t *n, cy_error *err);

#endif
