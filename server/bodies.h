/* coyeud — the JSON bodies of the signed routes, parsed apart from any
 * request so that fuzz/fuzz_bodies.c runs them on any bytes.  Every error
 * is CY_E_FORMAT with the reason a 400 answer gives. */
#ifndef COYEUD_BODIES_H
#define COYEUD_BODIES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "coyeu/buf.h"
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

/* obj's string member `name` as standard base64 (padded), decoded into
 * out: at most max bytes. */
int cyd_body_b64(json_t *obj, const char *name, size_t max, cy_buf *out,
    cy_error *err);

/* POST /v1/documents (docs/exchange.md): the sealed file (at most
 * file_max bytes), the label (at most CY_LABEL_MAX), 2 to entries_max
 * entries (pointing into the JSON object), and one sealed secret (at most
 * CY_RELEASE_SEALED_MAX bytes) per copy-id, copy-ids distinct. */
struct cyd_doc_secret {
	char copy_id[33];
	cy_buf sealed;
};
struct cyd_doc_body {
	json_t *json;
	cy_buf file, label;
	const uint8_t **entries;
	size_t *lens, nentries;
	struct cyd_doc_secret *secrets;
	size_t nsecrets;
};
int cyd_body_document(const uint8_t *body, size_t len, size_t file_max,
    size_t entries_max, struct cyd_doc_body *out, cy_error *err);
/* The same shape with 1 to entries_max entries: POST
 * /v1/documents/{doc-id}/copies (one copy.issue, one secret). */
int cyd_body_upload(const uint8_t *body, size_t len, size_t file_max,
    size_t entries_max, struct cyd_doc_body *b, cy_error *err);
/* POST /v1/documents/{doc-id}/reseal: the same shape with one entry
 * (doc.reseal), one sealed secret per copy (at most
 * CY_LABEL_RECIPIENTS_MAX), and "record", the reseal record in clear (at
 * most CY_RESEAL_MAX bytes) into *record. */
int cyd_body_reseal(const uint8_t *body, size_t len, size_t file_max,
    struct cyd_doc_body *b, cy_buf *record, cy_error *err);
void cyd_body_document_free(struct cyd_doc_body *b);

#endif
