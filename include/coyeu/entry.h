/* coyeu — register entries: canonical signed records of security events.
 *
 * An entry is a canonical text record (canon.h, docs/canonical-text.md)
 * whose fields come in a fixed order per type:
 *   version, type, time, actor, actor-key, <the type's fields>, signature
 * version is "coyeu.v1/entry"; the signature is Ed25519 by actor-key over
 * every byte before the signature line.  docs/register.md lists the types
 * and their fields.  Entries name documents by number and ID, never by
 * title or content.
 */
#ifndef COYEU_ENTRY_H
#define COYEU_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/buf.h"
#include "coyeu/error.h"
#include "coyeu/key.h"

/* Tile entry bundles carry 16-bit lengths: an entry is under 64 KiB. */
#define CY_ENTRY_MAX 65535
#define CY_ENTRY_TEXT_MAX 256  /* bytes in a free-text value */
#define CY_ENTRY_KEY_LEN 32    /* Ed25519 public key */
#define CY_ENTRY_SIG_LEN 64
#define CY_ENTRY_VERSION "coyeu.v1/entry"

typedef struct cy_entry_field {
	const char *name;
	const char *value;
} cy_entry_field;

/* Builds the canonical entry of `type` from fields given in any order
 * (everything but version, type, actor-key and signature), with the key's
 * signing public key as actor-key, signs it with the key (cy_key_sign), and
 * appends it to out. */
CY_API int cy_entry_create(const char *type, const cy_entry_field *fields,
    size_t n, const cy_key *key, cy_buf *out, cy_error *err) CY_MUST_CHECK;

/* Checks an entry's form and its signature.  Safe on any input. */
CY_API int cy_entry_verify(const uint8_t *data, size_t len,
    cy_error *err) CY_MUST_CHECK;
/* The same, also giving the entry's signed time (POSIX seconds). */
CY_API int cy_entry_verify_time(const uint8_t *data, size_t len, int64_t *t,
    cy_error *err) CY_MUST_CHECK;

/* An entry that cy_entry_check found well formed and signed: a copy of
 * its bytes and its signed time.  Only cy_entry_check makes one, so
 * holding one means the check passed; cy_log_append_checked takes it
 * instead of checking the signature again (a daemon that checked the
 * entry before deciding on it). */
typedef struct cy_entry_checked cy_entry_checked;

/* cy_entry_verify_time, keeping what it found in *out (free it with
 * cy_entry_checked_free); on failure *out is NULL. */
CY_API int cy_entry_check(const uint8_t *data, size_t len,
    cy_entry_checked **out, cy_error *err) CY_MUST_CHECK;
CY_API int64_t cy_entry_checked_time(const cy_entry_checked *c);
CY_API void cy_entry_checked_free(cy_entry_checked *c);

typedef struct cy_entry cy_entry;

/* Checks the form (not the signature) and gives access to the fields. */
CY_API int cy_entry_parse(const uint8_t *data, size_t len, cy_entry **out,
    cy_error *err) CY_MUST_CHECK;
CY_API const char *cy_entry_type(const cy_entry *e);
/* A field's value, or NULL when the entry does not have it. */
CY_API const char *cy_entry_get(const cy_entry *e, const char *name);
CY_API const uint8_t *cy_entry_actor_key(const cy_entry *e);
CY_API void cy_entry_free(cy_entry *e);

/* The entry types, NULL-terminated. */
CY_API const char *const *cy_entry_types(void);
/* The i-th field of a type, in canonical order, with what it holds (e.g.
 * "32 lowercase hex digits") and whether it may be left out.  -1 past the
 * last field or for an unknown type.  For help texts. */
CY_API int cy_entry_type_field(const char *type, size_t i, const char **name,
    const char **holds, int *optional);

#endif
