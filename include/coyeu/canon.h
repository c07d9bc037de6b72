/* coyeu — canonical text records, the one encoding behind certificates,
 * requests, revocation lists, key files, labels and register entries.
 *
 * A record is a run of lines "key: value\n" whose keys follow a fixed order
 * given by a field table.  Exactly one byte string encodes a given record:
 *
 *   - lines end with LF alone; a CR anywhere is refused;
 *   - a key is [a-z0-9-]+, followed by ": " and the value, or by ":" and the
 *     line end when the value is empty (only for fields flagged
 *     CY_CANON_EMPTY);
 *   - a value is UTF-8 in Unicode NFC, with no leading or trailing space
 *     and none of the characters cy_canon_char_refused names: controls,
 *     bidirectional controls, invisible (format, default-ignorable)
 *     characters, spaces other than U+0020, noncharacters
 *     (docs/canonical-text.md);
 *   - fields appear in table order; unknown, repeated (unless flagged
 *     CY_CANON_REPEAT, then consecutive) and missing fields (unless flagged
 *     CY_CANON_OPTIONAL) are refused, each with the line number;
 *   - the record ends at the end of the input, or, with
 *     CY_CANON_STOP_AT_BLANK, at a blank line (so records can be stacked,
 *     as in a certificate chain).
 *
 * Signed records end with a "signature" field over every byte before its
 * line: cy_canon_value.offset gives that length.
 *
 * Also here: strict UTF-8 and NFC checks, sorted comma-separated lists, and
 * RFC 3339 UTC times ("2026-11-25T00:00:00Z"), which all records share.
 */
#ifndef COYEU_CANON_H
#define COYEU_CANON_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/buf.h"
#include "coyeu/error.h"

#define CY_CANON_KEY_MAX 32          /* longest key, bytes */
#define CY_CANON_LINES_MAX 65536     /* longest record, lines */
#define CY_CANON_TIME_LEN 20         /* "YYYY-MM-DDTHH:MM:SSZ" */
#define CY_CANON_TIME_MIN 0          /* 1970-01-01T00:00:00Z */
#define CY_CANON_TIME_MAX 253402300799LL /* 9999-12-31T23:59:59Z */

/* Field flags. */
enum {
	CY_CANON_OPTIONAL = 1, /* may be absent */
	CY_CANON_EMPTY = 2,    /* value may be empty ("key:") */
	CY_CANON_REPEAT = 4,   /* may occur several times in a row (0+ if
	                        * also OPTIONAL, else 1+) */
};

/* Parse flags. */
enum {
	CY_CANON_STOP_AT_BLANK = 1, /* a blank line ends the record */
};

typedef struct cy_canon_field {
	const char *key;
	unsigned flags;
} cy_canon_field;

/* One line of a parsed record.  value points into the parsed input (not
 * NUL-terminated); offset is where the line starts in the input. */
typedef struct cy_canon_value {
	const char *value;
	size_t len;
	size_t offset;
} cy_canon_value;

typedef struct cy_canon_record cy_canon_record;

/* Parses one record from in[0..len) against fields[0..nfields).  The record
 * keeps pointers into `in`, which must outlive it.
 *
 * used: bytes the record took, its final LF included (not the blank line
 * that ended it).  NULL means the record must fill the whole input.
 * Without CY_CANON_STOP_AT_BLANK a blank line is refused.
 *
 * Errors (CY_E_FORMAT) read "line N: …". */
CY_API int cy_canon_parse(const uint8_t *in, size_t len,
    const cy_canon_field *fields,
    size_t nfields, unsigned flags, cy_canon_record **out, size_t *used,
    cy_error *err) CY_MUST_CHECK;
CY_API void cy_canon_record_free(cy_canon_record *r);

/* The first occurrence of field i (its index in the table), or NULL when
 * absent.  cy_canon_get_nth walks a CY_CANON_REPEAT field. */
CY_API const cy_canon_value *cy_canon_get(const cy_canon_record *r,
    size_t field);
CY_API size_t cy_canon_count(const cy_canon_record *r, size_t field);
CY_API const cy_canon_value *cy_canon_get_nth(const cy_canon_record *r,
    size_t field,
    size_t nth);
/* A malloc'd NUL-terminated copy of a value (NULL when out of memory). */
CY_API char *cy_canon_strdup(const cy_canon_value *v);
/* 1 when v holds exactly the string s. */
CY_API int cy_canon_value_is(const cy_canon_value *v, const char *s);

/* --- writing --- */
/* Appends "key: value\n" (or "key:\n" for an empty value) after checking the
 * key's and value's syntax, so a writer cannot emit what the parser
 * refuses. */
CY_API int cy_canon_put(cy_buf *b, const char *key, const char *value,
    cy_error *err) CY_MUST_CHECK;
CY_API int cy_canon_putn(cy_buf *b, const char *key, const char *value,
    size_t len,
    cy_error *err) CY_MUST_CHECK;
/* The value is unpadded standard base64 of data. */
CY_API int cy_canon_put_b64(cy_buf *b, const char *key, const uint8_t *data,
    size_t len, cy_error *err) CY_MUST_CHECK;
CY_API int cy_canon_put_time(cy_buf *b, const char *key, int64_t t,
    cy_error *err) CY_MUST_CHECK;

/* --- values --- */
/* A value as the rules above allow it (UTF-8, NFC, no refused character,
 * no spaces at either end).  `what` names it in the error, which names a
 * refused character too: "name: contains U+202E RIGHT-TO-LEFT OVERRIDE
 * (bidirectional control); remove it". */
CY_API int cy_canon_check_value(const char *p, size_t len, const char *what,
    cy_error *err) CY_MUST_CHECK;
/* Why code point cp may not stand in a value ("control character",
 * "bidirectional control", …), or NULL when it may.  From the Unicode
 * properties in ICU: General_Category Cc and Cf, Bidi_Control,
 * Default_Ignorable_Code_Point, White_Space (U+0020 excepted),
 * Noncharacter_Code_Point. */
CY_API const char *cy_canon_char_refused(uint32_t cp);
#define CY_CANON_CHAR_NAME_MAX 96
/* The Unicode name of cp ("RIGHT-TO-LEFT OVERRIDE"), its corrected alias
 * when it has one, else ICU's label ("<control-0009>",
 * "<noncharacter-FFFE>", "<unassigned-0378>"). */
CY_API void cy_canon_char_name(uint32_t cp, char *out, size_t cap);
/* UTS #39 look-alikes: CY_E_POLICY when a word of the text (a run of
 * letters, marks and digits) mixes scripts beyond the "Highly Restrictive"
 * level (one script, or Latin with Han and kana, Han and Bopomofo, or Han
 * and Hangul), as "Nguyеn" with a Cyrillic е (U+0435) does; the error
 * names the word, both scripts and the character.  0 when no word does.
 * Words in different scripts ("Ivan Иванов") are fine. */
CY_API int cy_canon_check_scripts(const char *p, size_t len, const char *what,
    cy_error *err) CY_MUST_CHECK;
/* The same for a caller's parameter, not outside input: CY_E_USAGE. */
CY_API int cy_canon_check_param(const char *p, size_t len, const char *what,
    cy_error *err) CY_MUST_CHECK;
/* Well-formed UTF-8: no overlongs, surrogates or code points past U+10FFFF. */
CY_API int cy_canon_utf8_valid(const char *p, size_t len);
/* 1 when the (valid UTF-8) text is in NFC, 0 when not, negative on error. */
CY_API int cy_canon_is_nfc(const char *p, size_t len, cy_error *err);
/* 1 when p[0..len) is a non-empty run of [a-z0-9-]. */
CY_API int cy_canon_is_token(const char *p, size_t len);
/* The value decodes as unpadded base64 to exactly n bytes. */
CY_API int cy_canon_get_b64(const cy_canon_value *v, uint8_t *out, size_t n,
    const char *what, cy_error *err) CY_MUST_CHECK;

/* --- lists: "a,b,c", items strictly ascending by bytes (sorted, unique),
 * no spaces; the empty string is the empty list --- */
typedef int cy_canon_item_fn(const char *p, size_t len);
CY_API int cy_canon_list_check(const char *p, size_t len,
    cy_canon_item_fn *item_ok,
    const char *what, cy_error *err) CY_MUST_CHECK;
/* Sorts and de-duplicates a list typed by a person ("b,a,b" -> "a,b"),
 * checking each item; *out is malloc'd. */
CY_API int cy_canon_list_normalize(const char *in, cy_canon_item_fn *item_ok,
    const char *what, char **out, cy_error *err) CY_MUST_CHECK;
/* 1 when the (valid) list holds item. */
CY_API int cy_canon_list_contains(const char *list, size_t len,
    const char *item,
    size_t ilen);
/* 1 when every item of list a is in list b.  When missing is not NULL it
 * receives the first item of a absent from b (pointer, length). */
CY_API int cy_canon_list_subset(const char *a, size_t alen, const char *b,
    size_t blen, const char **missing, size_t *mlen);

/* --- times: RFC 3339, UTC, whole seconds, "Z" --- */
CY_API int cy_canon_time_parse(const char *p, size_t len, int64_t *t,
    cy_error *err) CY_MUST_CHECK;
/* out holds CY_CANON_TIME_LEN + 1 bytes; t within [TIME_MIN, TIME_MAX]. */
CY_API int cy_canon_time_format(int64_t t, char out[CY_CANON_TIME_LEN + 1],
    cy_error *err) CY_MUST_CHECK;

#endif
