/* coyeud — documents, copies, sealed secrets, files, mailboxes and the
 * law's registers as records of the store (docs/exchange.md, "The
 * store").  Records are JSON objects (jansson); the writes run inside a
 * writer job's hook, so they are durable with the entries that justify
 * them.  Loads return 1 (found), 0 (none) or a negative error. */
#ifndef COYEUD_DOCS_H
#define COYEUD_DOCS_H

#include <stdint.h>

#include <jansson.h>

#include "coyeu/buf.h"
#include "coyeu/error.h"
#include "coyeu/policy.h"
#include "coyeu/release.h"
#include "coyeu/store.h"
#include "coyeu/entry.h"
#include "coyeud.h"

/* Record kinds. */
#define CYD_REC_DOC "doc"
#define CYD_REC_COPY "copy"
#define CYD_REC_SHARE "share"
#define CYD_REC_FILE "file"
#define CYD_REC_INBOX "inbox"

/* The document record:
 *   doc_id, number, level ("mat"|"toi-mat"|"tuyet-mat"), unit, sender,
 *   sender_name, created, protect_until (Unix seconds), compartments,
 *   only_named (bool), recipients (array of serials, label order),
 *   copies (M), copies_allowed, copies_made, label (base64),
 *   label_sha256, sealed_sha256 (hex), index (of doc.register),
 *   register_entry (base64 of it), time (registered),
 *   state ("live"|"recalled"|"destroyed"|"declassified"),
 *   state_time, state_by, state_by_name, state_reason, state_index.
 * The copy record:
 *   doc_id, copy_id, copy ("N/M"), form, recipient, name, unit,
 *   file (sealed_sha256 of its file), index (of copy.issue), time,
 *   made_by, state ("delivered"|"received"|"recalled"|"destroyed"),
 *   received_time, received_index, integrity, opens, last_open_time,
 *   last_open_index, state_time, state_by, state_by_name, state_reason,
 *   state_index. */

/* An entry the caller signed, for a document route: it verifies, is of
 * `type` (NULL: any), its time is within CY_LOG_SKEW of the registry's
 * clock and its actor and actor-key are the caller's.  `what` names it in
 * the refusals ("the release entry", "entry 2").  On a refusal it answers
 * (400; 403 with a denied entry for another's entry) and returns -1; else
 * *out is the parsed entry (cy_entry_free), *time its time (time may be
 * NULL) and *checked (checked may be NULL) the proof of the check for the
 * writer job (cyd_job.checked; cy_entry_checked_free). */
int cyd_entry_own(cyd_request *rq, cyd_response *rs, const char *what,
    const char *type, const uint8_t *data, size_t len, cy_entry **out,
    int64_t *time, cy_entry_checked **checked);

/* The document id of the path (its first '*' segment) into id; on a
 * malformed one answers 404 and returns -1. */
int cyd_path_doc_id(cyd_request *rq, cyd_response *rs,
    char id[CY_RELEASE_ID_SIZE]);

/* A record's string field ("" when absent) and integer field (0). */
const char *cyd_jstr(const json_t *o, const char *name);
int64_t cyd_jnum(const json_t *o, const char *name);

int cyd_doc_load(cy_store *s, const char *doc_id, json_t **out,
    cy_error *err);
int cyd_doc_save(cy_store *s, const json_t *doc, cy_error *err);
int cyd_copy_load(cy_store *s, const char *doc_id, const char *copy_id,
    json_t **out, cy_error *err);
int cyd_copy_save(cy_store *s, const json_t *copy, cy_error *err);
/* The same, keeping the stored bytes in raw (emptied first); out may be
 * NULL (no parse).  A writer's hook that re-reads a record compares the
 * bytes with those its checks parsed instead of parsing them again. */
int cyd_doc_load_raw(cy_store *s, const char *doc_id, cy_buf *raw,
    json_t **out, cy_error *err);
int cyd_copy_load_raw(cy_store *s, const char *doc_id, const char *copy_id,
    cy_buf *raw, json_t **out, cy_error *err);
int cyd_record_parse(const cy_buf *raw, const char *kind, const char *key,
    json_t **out, cy_error *err);
/* Every copy of doc_id, by copy-id, as a JSON array. */
int cyd_copies_load(cy_store *s, const char *doc_id, json_t **out,
    cy_error *err);

/* R sealed to the registry, as the sender sent it. */
int cyd_share_put(cy_store *s, const char *doc_id, const char *copy_id,
    const uint8_t *sealed, size_t len, cy_error *err);
int cyd_share_get(cy_store *s, const char *doc_id, const char *copy_id,
    cy_buf *out, cy_error *err);
/* Deletes so that no byte survives once the store is scrubbed. */
int cyd_share_delete(cy_store *s, const char *doc_id, const char *copy_id,
    cy_error *err);

/* A sealed file by its SHA-256 (hex). */
int cyd_file_put(cy_store *s, const char *sealed_sha256, const char *doc_id,
    const uint8_t *file, size_t len, cy_error *err);
int cyd_file_get(cy_store *s, const char *sealed_sha256, cy_buf *out,
    cy_error *err);
int cyd_file_delete(cy_store *s, const char *sealed_sha256, cy_error *err);

/* The recipient's mailbox. */
int cyd_inbox_put(cy_store *s, const char *serial, const char *doc_id,
    const char *copy_id, int64_t time, cy_error *err);
/* The caller's copies, as {doc_id, copy_id} objects, by key. */
int cyd_inbox_list(cy_store *s, const char *serial, json_t **out,
    cy_error *err);

/* The law's registers: "outgoing", "incoming", "copies", "destroyed". */
int cyd_register_row(cy_store *s, const char *reg, const char *unit,
    uint64_t index, int64_t time, const json_t *row, cy_error *err);
/* The rows of reg whose unit is `unit` or below it, with from <= time <
 * to (0: no bound), by entry index, as a JSON array. */
int cyd_register_rows(cy_store *s, const char *reg, const char *unit,
    int64_t from, int64_t to, json_t **out, cy_error *err);

/* Parsed document records shared by the requests (cyd_server.docs): the
 * parse of raw (doc_id's stored bytes, as read now), from the cache when
 * the same bytes were parsed before.  *out is shared: read it, change only
 * a json_copy of it. */
typedef struct cyd_doc_cache cyd_doc_cache;
int cyd_doc_cache_new(cyd_doc_cache **out);
void cyd_doc_cache_free(cyd_doc_cache *c);
int cyd_doc_cache_parse(cyd_doc_cache *c, const char *doc_id,
    const cy_buf *raw, json_t **out, cy_error *err);

/* The policy's view of a registered document: *d borrows doc's strings
 * and serials (CY_LABEL_RECIPIENTS_MAX entries) receives the recipients;
 * scope is the originating authority's subtree (NULL: the unit). */
int cyd_doc_policy(const json_t *doc, const char **serials, const char *scope,
    cy_policy_doc *d, cy_error *err);

#endif
