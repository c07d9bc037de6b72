/* coyeu — register entries: canonical text records, one per security
 * event, signed by the acting officer (DESIGN.md §6, docs/register.md).
 *
 *   version: coyeu.v1/entry
 *   type: <one of the types below>
 *   time: <RFC 3339 UTC>
 *   actor: <the acting officer's certificate serial>
 *   actor-key: <base64 Ed25519 public key of that certificate>
 *   <the type's fields, in the type's order>
 *   signature: <base64 Ed25519 over every preceding byte>
 *
 * An entry names documents by number and ID, never by title or content.
 */
#ifndef COYEU_ENTRY_H
#define COYEU_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/buf.h"
#include "coyeu/error.h"
#include "coyeu/idkey.h"

#define CY_ENTRY_VERSION "coyeu.v1/entry"
#define CY_ENTRY_MAX (64 * 1024)       /* bytes in one entry */
#define CY_ENTRY_FIELDS_MAX 16         /* type-specific fields */

/* The types and their fields (in order; "+" marks a repeatable field,
 * "?" an optional one):
 *   cert.issue       serial, subject-unit, role, clearance, issuer
 *   cert.revoke      serial, issuer, reason
 *   doc.register     document, doc-id, level, unit, recipient+
 *   copy.issue       document, doc-id, copy, recipient
 *   release          document, doc-id, copy, recipient
 *   recall           document, doc-id, reason
 *   destroy          document, doc-id, reason
 *   approve          document, doc-id, action
 *   item.transition  item, kind, from, to, note?
 */
size_t cy_entry_type_count(void);
const char *cy_entry_type_name(size_t i);
/* The field names of a type, NULL-terminated, with their marks ("+", "?")
 * appended; NULL for an unknown type. */
const char *const *cy_entry_type_fields(const char *type);

typedef struct cy_entry_field {
	const char *key;
	const char *value;
} cy_entry_field;

/* Builds and signs an entry.  fields are given as key=value pairs in any
 * order (a repeatable key several times, in the order wanted); the entry
 * lists them in the type's order.  Unknown, missing or repeated fields,
 * and values the canonical rules refuse, are CY_E_USAGE naming the field. */
int cy_entry_create(const char *type, int64_t time, const char *actor,
    const cy_entry_field *fields, size_t nfields, const cy_idkey *key,
    cy_buf *out, cy_error *err) CY_MUST_CHECK;

typedef struct cy_entry cy_entry;

/* Parses and checks the schema and the signature (with the embedded
 * actor-key).  Binding actor-key to the actor's certificate is the
 * caller's business (the chain).  Errors: CY_E_FORMAT, CY_E_SIGNATURE. */
int cy_entry_parse(const uint8_t *in, size_t len, cy_entry **out,
    cy_error *err) CY_MUST_CHECK;
void cy_entry_free(cy_entry *e);
const char *cy_entry_type(const cy_entry *e);
int64_t cy_entry_time(const cy_entry *e);
const char *cy_entry_actor(const cy_entry *e);
const uint8_t *cy_entry_actor_key(const cy_entry *e);   /* 32 bytes */
/* The first value of field `key`, or NULL. */
const char *cy_entry_get(const cy_entry *e, const char *key);
size_t cy_entry_count(const cy_entry *e, const char *key);
const char *cy_entry_get_nth(const cy_entry *e, const char *key, size_t n);

#endif
