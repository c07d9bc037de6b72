/* Internal text helpers: strict UTF-8 (RFC 3629: no overlongs, no
 * surrogates, at most U+10FFFF) and canonical decimal numbers. */
#ifndef COYEU_TEXT_H
#define COYEU_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/encoding.h"  /* cy_parse_u64, cy_b64_hash_decode */

/* Decodes one code point from s (len > 0).  Returns its length in bytes,
 * or 0 for an invalid sequence. */
size_t cy_utf8_decode(const uint8_t *s, size_t len, uint32_t *cp);

/* 1 if s is valid UTF-8 holding no code point below U+0020 other than
 * (when newline is set) U+000A, else 0. */
int cy_utf8_text_ok(const uint8_t *s, size_t len, int newline);

/* Unicode White_Space (what Go's unicode.IsSpace accepts). */
int cy_unicode_is_space(uint32_t cp);

/* The next line of [*p, end), without its newline, advancing *p past it:
 * 0, or -1 at the end or when the last line has no newline. */
int cy_text_line(const uint8_t **p, const uint8_t *end, const char **line,
    size_t *len);

#endif
