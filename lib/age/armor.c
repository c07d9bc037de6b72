/* age ASCII armor: strict PEM (RFC 7468 §3, label "AGE ENCRYPTED FILE").
 * The decoder is a byte-driven state machine holding at most one base64 line,
 * so armored files of any size decode in constant memory; the rules it
 * enforces are listed in docs/armor.md. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "age/armor.h"
#include "coyeu/encoding.h"

#define ARMOR_LINE_BYTES (CY_ARMOR_COLUMNS / 4 * 3) /* 48 */
#define ARMOR_BEGIN_LEN (sizeof(CY_ARMOR_BEGIN) - 1)
#define ARMOR_END_LEN (sizeof(CY_ARMOR_END) - 1)

/* The first bytes of every binary age file, whatever its version. */
static const char age_intro[] = "age-encryption.org/";

int
cy_armor_detect(const uint8_t *p, size_t n)
{
	size_t k = sizeof(age_intro) - 1;

	/* Anything that is not (a prefix of) the binary intro goes to the
	 * armor decoder, so leading garbage or a damaged begin line is
	 * reported as an armor error, not as a header error. */
	if (p == NULL || n == 0)
		return 0;
	if (n < k)
		k = n;
	return memcmp(p, age_intro, k) != 0;
}

enum armor_state {
	AS_LEAD,      /* whitespace before the begin line */
	AS_BEGIN,     /* inside the begin marker */
	AS_BEGIN_EOL, /* after the begin marker: the line ending */
	AS_LINE,      /* at the start of a line inside the block */
	AS_BODY,      /* inside a base64 line */
	AS_END,       /* inside the end marker */
	AS_END_EOL,   /* after the end marker: line ending or end of input */
	AS_TRAIL,     /* whitespace after the end line */
	AS_FAILED,
	AS_DONE,
};

struct cy_armor_dec {
	enum armor_state st;
	int crlf;              /* line ending chosen by the begin line */
	int cr;                /* a CR was read; LF must follow */
	int last;              /* a short or padded line was read */
	size_t pos;            /* characters matched or buffered */
	unsigned long long lineno;
	char line[CY_ARMOR_COLUMNS];
};

static int
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_b64(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
}

static int armor_fail(cy_armor_dec *d, cy_error *err, const char *fmt, ...)
    CY_PRINTF(3, 4);

static int
armor_fail(cy_armor_dec *d, cy_error *err, const char *fmt, ...)
{
	char msg[CY_ERROR_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->st = AS_FAILED;
	return cy_error_set(err, CY_E_ARMOR, "armor line %llu: %s", d->lineno,
	    msg);
}

static void
char_name(char *buf, size_t cap, uint8_t c)
{
	if (c == ' ')
		snprintf(buf, cap, "a space");
	else if (c == '\t')
		snprintf(buf, cap, "a tab");
	else if (c > 32 && c < 127)
		snprintf(buf, cap, "'%c'", c);
	else
		snprintf(buf, cap, "byte 0x%02x", c);
}

/* c is CR or LF.  1: the line ended; 0: a CR, waiting for its LF. */
static int
line_end(cy_armor_dec *d, uint8_t c, cy_error *err)
{
	if (c == '\r') {
		if (!d->crlf)
			return armor_fail(d, err, "CR in a file whose begin "
			    "line ends with LF (mixed line endings)");
		d->cr = 1;
		return 0;
	}
	if (d->crlf && !d->cr)
		return armor_fail(d, err, "LF without CR in a file whose begin "
		    "line ends with CRLF (mixed line endings)");
	d->cr = 0;
	return 1;
}

/* Decodes the buffered line (complete: its line ending was read). */
static int
finish_line(cy_armor_dec *d, cy_buf *out, cy_error *err)
{
	uint8_t bin[ARMOR_LINE_BYTES];
	size_t n;

	if (d->pos % 4 != 0)
		return armor_fail(d, err, "base64 line of %zu characters is "
		    "not padded to a multiple of 4", d->pos);
	if (cy_b64_decode(bin, &n, d->line, d->pos, 1) != 0)
		return armor_fail(d, err, "invalid base64: padding is allowed "
		    "only at the end of the last line, and unused bits must "
		    "be zero");
	if (d->pos < CY_ARMOR_COLUMNS || d->line[d->pos - 1] == '=')
		d->last = 1;
	cy_buf_append(out, bin, n);
	d->pos = 0;
	if (cy_buf_status(out) != 0)
		return cy_error_set(err, CY_E_NOMEM, "armor: out of memory");
	return 0;
}

static int
step_body(cy_armor_dec *d, uint8_t c, cy_buf *out, cy_error *err)
{
	char name[16];
	int r;

	if (c == '\r' || c == '\n') {
		if ((r = line_end(d, c, err)) <= 0)
			return r;
		d->st = AS_LINE;
		return finish_line(d, out, err);
	}
	if (!is_b64(c)) {
		char_name(name, sizeof(name), c);
		return armor_fail(d, err, "%s in a base64 line", name);
	}
	if (d->pos == CY_ARMOR_COLUMNS)
		return armor_fail(d, err, "line longer than %d columns",
		    CY_ARMOR_COLUMNS);
	d->line[d->pos++] = (char)c;
	return 0;
}

static int
step_line(cy_armor_dec *d, uint8_t c, cy_buf *out, cy_error *err)
{
	if (c == '-') {
		d->st = AS_END;
		d->pos = 1;
		return 0;
	}
	if (c == '\r' || c == '\n')
		return armor_fail(d, err, "empty line inside the armor");
	if (d->last)
		return armor_fail(d, err, "base64 line after a short or padded "
		    "line; expected the end line \"%s\"", CY_ARMOR_END);
	d->st = AS_BODY;
	d->pos = 0;
	return step_body(d, c, out, err);
}

static int
step_marker(cy_armor_dec *d, uint8_t c, const char *marker, size_t len,
    enum armor_state next, const char *what, cy_error *err)
{
	if (c != (uint8_t)marker[d->pos])
		return armor_fail(d, err, "not the armor %s line \"%s\"", what,
		    marker);
	if (++d->pos == len)
		d->st = next;
	return 0;
}

static int
step_after_marker(cy_armor_dec *d, uint8_t c, enum armor_state next,
    const char *what, cy_error *err)
{
	int r;

	if (c != '\r' && c != '\n')
		return armor_fail(d, err, "unexpected characters after the "
		    "%s line marker", what);
	if ((r = line_end(d, c, err)) <= 0)
		return r;
	d->st = next;
	return 0;
}

static int
step(cy_armor_dec *d, uint8_t c, cy_buf *out, cy_error *err)
{
	if (d->cr && c != '\n')
		return armor_fail(d, err, "CR not followed by LF");
	switch (d->st) {
	case AS_LEAD:
		if (is_space(c))
			return 0;
		d->st = AS_BEGIN;
		d->pos = 0;
		return step(d, c, out, err);
	case AS_BEGIN:
		return step_marker(d, c, CY_ARMOR_BEGIN, ARMOR_BEGIN_LEN,
		    AS_BEGIN_EOL, "begin", err);
	case AS_BEGIN_EOL:
		if (c == '\r' || c == '\n')
			if (!d->cr)
				d->crlf = c == '\r';
		return step_after_marker(d, c, AS_LINE, "begin", err);
	case AS_LINE:
		return step_line(d, c, out, err);
	case AS_BODY:
		return step_body(d, c, out, err);
	case AS_END:
		return step_marker(d, c, CY_ARMOR_END, ARMOR_END_LEN,
		    AS_END_EOL, "end", err);
	case AS_END_EOL:
		return step_after_marker(d, c, AS_TRAIL, "end", err);
	case AS_TRAIL:
		if (is_space(c))
			return 0;
		return armor_fail(d, err, "data after the end line");
	case AS_FAILED:
		return cy_error_set(err, CY_E_ARMOR,
		    "armor decoder used after an error");
	case AS_DONE:
		break;
	}
	return cy_error_set(err, CY_E_USAGE, "armor decoder used after final");
}

cy_armor_dec *
cy_armor_dec_new(void)
{
	cy_armor_dec *d = calloc(1, sizeof(*d));

	if (d != NULL) {
		d->st = AS_LEAD;
		d->lineno = 1;
	}
	return d;
}

int
cy_armor_dec_update(cy_armor_dec *d, const uint8_t *in, size_t len,
    cy_buf *out, cy_error *err)
{
	size_t i = 0, j, room;
	int rc;

	if (d == NULL || out == NULL || (in == NULL && len > 0))
		return cy_error_set(err, CY_E_USAGE, "armor: bad arguments");
	while (i < len) {
		/* Fast path: a run of base64 characters inside a line. */
		if (d->st == AS_BODY && !d->cr) {
			room = CY_ARMOR_COLUMNS - d->pos;
			for (j = i; j < len && j - i < room && is_b64(in[j]); j++)
				;
			memcpy(d->line + d->pos, in + i, j - i);
			d->pos += j - i;
			i = j;
			if (i == len)
				break;
		}
		if ((rc = step(d, in[i], out, err)) != 0)
			return rc;
		if (in[i++] == '\n')
			d->lineno++;
	}
	return 0;
}

int
cy_armor_dec_final(cy_armor_dec *d, cy_buf *out, cy_error *err)
{
	if (d == NULL || out == NULL)
		return cy_error_set(err, CY_E_USAGE, "armor: bad arguments");
	switch (d->st) {
	case AS_LEAD:
		return armor_fail(d, err, "no armor begin line \"%s\"",
		    CY_ARMOR_BEGIN);
	case AS_BEGIN:
		return armor_fail(d, err, "input ends inside the begin line");
	case AS_BEGIN_EOL:
	case AS_LINE:
	case AS_BODY:
		return armor_fail(d, err, "input ends without the end line "
		    "\"%s\"", CY_ARMOR_END);
	case AS_END:
		return armor_fail(d, err, "input ends inside the end line");
	case AS_END_EOL:
		if (d->cr)
			return armor_fail(d, err, "input ends after a CR "
			    "without its LF");
		break;
	case AS_TRAIL:
		break;
	case AS_FAILED:
		return cy_error_set(err, CY_E_ARMOR,
		    "armor decoder used after an error");
	case AS_DONE:
		return cy_error_set(err, CY_E_USAGE,
		    "armor decoder finished twice");
	}
	d->st = AS_DONE;
	return 0;
}

void
cy_armor_dec_free(cy_armor_dec *d)
{
	free(d);
}

struct cy_armor_enc {
	int started;
	size_t n;
	uint8_t pend[ARMOR_LINE_BYTES];
};

cy_armor_enc *
cy_armor_enc_new(void)
{
	return calloc(1, sizeof(cy_armor_enc));
}

static void
enc_line(cy_buf *out, const uint8_t *p, size_t n)
{
	char line[CY_ARMOR_COLUMNS + 2];
	size_t k;

	k = cy_b64_encode(line, p, n, 1);
	line[k++] = '\n';
	cy_buf_append(out, line, k);
}

static void
enc_begin(cy_armor_enc *e, cy_buf *out)
{
	if (!e->started)
		cy_buf_puts(out, CY_ARMOR_BEGIN "\n");
	e->started = 1;
}

void
cy_armor_enc_update(cy_armor_enc *e, const uint8_t *in, size_t len,
    cy_buf *out)
{
	size_t take;

	if (e == NULL || out == NULL || (in == NULL && len > 0))
		return;
	enc_begin(e, out);
	if (len == 0)
		return;
	if (e->n > 0) {
		take = ARMOR_LINE_BYTES - e->n;
		if (take > len)
			take = len;
		memcpy(e->pend + e->n, in, take);
		e->n += take;
		in += take;
		len -= take;
		if (e->n < ARMOR_LINE_BYTES)
			return;
		enc_line(out, e->pend, ARMOR_LINE_BYTES);
		e->n = 0;
	}
	for (; len >= ARMOR_LINE_BYTES; in += ARMOR_LINE_BYTES,
	    len -= ARMOR_LINE_BYTES)
		enc_line(out, in, ARMOR_LINE_BYTES);
	if (len > 0)
		memcpy(e->pend, in, len);
	e->n = len;
}

void
cy_armor_enc_final(cy_armor_enc *e, cy_buf *out)
{
	if (e == NULL || out == NULL)
		return;
	enc_begin(e, out);
	if (e->n > 0)
		enc_line(out, e->pend, e->n);
	cy_buf_puts(out, CY_ARMOR_END "\n");
	e->n = 0;
	e->started = 0;
}

void
cy_armor_enc_free(cy_armor_enc *e)
{
	free(e);
}
