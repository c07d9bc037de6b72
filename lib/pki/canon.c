/* Canonical text records: see include/coyeu/canon.h for the rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "coyeu/canon.h"
#include "coyeu/encoding.h"
#include "coyeu/secret.h"
#include "base/text.h"

struct cy_canon_record {
	cy_canon_value *lines;
	size_t nlines;
	size_t cap;
	size_t nfields;
	size_t *first; /* index into lines, per field */
	size_t *count; /* occurrences, per field */
};

void
cy_canon_record_free(cy_canon_record *r)
{
	if (r == NULL)
		return;
	free(r->lines);
	free(r->first);
	free(r->count);
	free(r);
}

static int
record_push(cy_canon_record *r, size_t field, const char *v, size_t len,
    size_t offset)
{
	cy_canon_value *n;
	size_t cap;

	if (r->nlines == r->cap) {
		cap = r->cap ? r->cap * 2 : 16;
		if ((n = realloc(r->lines, cap * sizeof(*n))) == NULL)
			return CY_E_NOMEM;
		r->lines = n;
		r->cap = cap;
	}
	if (r->count[field]++ == 0)
		r->first[field] = r->nlines;
	r->lines[r->nlines].value = v;
	r->lines[r->nlines].len = len;
	r->lines[r->nlines].offset = offset;
	r->nlines++;
	return 0;
}

static cy_canon_record *
record_new(size_t nfields)
{
	cy_canon_record *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->nfields = nfields;
	r->first = calloc(nfields ? nfields : 1, sizeof(size_t));
	r->count = calloc(nfields ? nfields : 1, sizeof(size_t));
	if (r->first == NULL || r->count == NULL) {
		cy_canon_record_free(r);
		return NULL;
	}
	return r;
}

static int
key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

int
cy_canon_is_token(const char *p, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (!key_char(p[i]))
			return 0;
	return 1;
}

static int
find_field(const cy_canon_field *fields, size_t nfields, const char *key,
    size_t klen)
{
	size_t i;

	for (i = 0; i < nfields; i++)
		if (strlen(fields[i].key) == klen &&
		    memcmp(fields[i].key, key, klen) == 0)
			return (int)i;
	return -1;
}

/* Fields from..to-1 are all optional, else the first missing one. */
static int
first_missing(const cy_canon_field *fields, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		if (!(fields[i].flags & CY_CANON_OPTIONAL))
			return (int)i;
	return -1;
}

/* Splits one line into key and value, checking the punctuation. */
static int
split_line(const char *p, size_t n, size_t line, size_t *klen,
    const char **val, size_t *vlen, cy_error *err)
{
	size_t k = 0;

	if (memchr(p, '\r', n) != NULL)
		return cy_error_set(err, CY_E_FORMAT,
		    "line %zu: carriage return (CR); lines end with LF only",
		    line);
	while (k < n && key_char(p[k]))
		k++;
	if (k == 0 || k == n || p[k] != ':')
		return cy_error_set(err, CY_E_FORMAT,
		    "line %zu: expected 'key: value' with a key of a-z, 0-9, '-'",
		    line);
	if (k > CY_CANON_KEY_MAX)
		return cy_error_set(err, CY_E_FORMAT, "line %zu: key too long",
		    line);
	*klen = k;
	if (k + 1 == n) {
		*val = p + n;
		*vlen = 0;
		return 0;
	}
	if (p[k + 1] != ' ' || k + 2 == n)
		return cy_error_set(err, CY_E_FORMAT,
		    "line %zu: expected one space after '%.*s:' and a value "
		    "(an empty value is written '%.*s:')", line, (int)k, p,
		    (int)k, p);
	*val = p + k + 2;
	*vlen = n - k - 2;
	return 0;
}

/* Where field k may appear given the last field seen: checks order,
 * repetition and skipped mandatory fields. */
static int
check_order(const cy_canon_field *fields, const cy_canon_record *r, int last,
    size_t k, size_t line, cy_error *err)
{
	int miss;

	if ((int)k == last && (fields[k].flags & CY_CANON_REPEAT))
		return 0;
	if (r->count[k] > 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "line %zu: field '%s' repeated", line, fields[k].key);
	if ((int)k < last)
		return cy_error_set(err, CY_E_FORMAT,
		    "line %zu: field '%s' out of order (it comes before '%s')",
		    line, fields[k].key, fields[last].key);
	if ((miss = first_missing(fields, (size_t)(last + 1), k)) >= 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "line %zu: missing field '%s' before '%s'", line,
		    fields[miss].key, fields[k].key);
	return 0;
}

static int
parse_line(const uint8_t *in, size_t pos, size_t n, size_t line,
    const cy_canon_field *fields, size_t nfields, cy_canon_record *r,
    int *last, cy_error *err)
{
	const char *p = (const char *)in + pos, *val = NULL;
	size_t klen = 0, vlen = 0;
	int k, rc;

	if ((rc = split_line(p, n, line, &klen, &val, &vlen, err)) != 0)
		return rc;
	if ((k = find_field(fields, nfields, p, klen)) < 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "line %zu: unknown field '%.*s'", line, (int)klen, p);
	if ((rc = check_order(fields, r, *last, (size_t)k, line, err)) != 0)
		return rc;
	if (vlen == 0 && !(fields[k].flags & CY_CANON_EMPTY))
		return cy_error_set(err, CY_E_FORMAT,
		    "line %zu: field '%s' is empty", line, fields[k].key);
	if ((rc = cy_canon_check_value(val, vlen, fields[k].key, err)) != 0)
		return cy_error_wrap(err, "line %zu", line);
	if (record_push(r, (size_t)k, val, vlen, pos) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	*last = k;
	return 0;
}

int
cy_canon_parse(const uint8_t *in, size_t len, const cy_canon_field *fields,
    size_t nfields, unsigned flags, cy_canon_record **out, size_t *used,
    cy_error *err)
{
	cy_canon_record *r = NULL;
	const uint8_t *eol;
	size_t pos = 0, line = 1;
	int last = -1, miss, rc;

	*out = NULL;
	if ((r = record_new(nfields)) == NULL) {
		rc = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	for (; pos < len; line++) {
		if ((eol = memchr(in + pos, '\n', len - pos)) == NULL) {
			rc = cy_error_set(err, CY_E_FORMAT,
			    "line %zu: no line end (every line ends with LF)",
			    line);
			goto out;
		}
		if (eol == in + pos) {
			if ((flags & CY_CANON_STOP_AT_BLANK) && r->nlines > 0)
				break;
			rc = cy_error_set(err, CY_E_FORMAT,
			    "line %zu: blank line", line);
			goto out;
		}
		if (r->nlines >= CY_CANON_LINES_MAX) {
			rc = cy_error_set(err, CY_E_TOO_LARGE,
			    "line %zu: more than %d lines", line,
			    CY_CANON_LINES_MAX);
			goto out;
		}
		rc = parse_line(in, pos, (size_t)(eol - (in + pos)), line,
		    fields, nfields, r, &last, err);
		if (rc != 0)
			goto out;
		pos = (size_t)(eol - in) + 1;
	}
	if (r->nlines == 0) {
		rc = cy_error_set(err, CY_E_FORMAT, "empty record");
		goto out;
	}
	if ((miss = first_missing(fields, (size_t)(last + 1), nfields)) >= 0) {
		rc = cy_error_set(err, CY_E_FORMAT,
		    "line %zu: missing field '%s'", line, fields[miss].key);
		goto out;
	}
	if (used == NULL && pos != len) {
		rc = cy_error_set(err, CY_E_FORMAT,
		    "line %zu: trailing data after the record", line);
		goto out;
	}
	if (used != NULL)
		*used = pos;
	*out = r;
	r = NULL;
	rc = 0;
out:
	cy_canon_record_free(r);
	return rc;
}

const cy_canon_value *
cy_canon_get(const cy_canon_record *r, size_t field)
{
	return cy_canon_get_nth(r, field, 0);
}

size_t
cy_canon_count(const cy_canon_record *r, size_t field)
{
	return field < r->nfields ? r->count[field] : 0;
}

const cy_canon_value *
cy_canon_get_nth(const cy_canon_record *r, size_t field, size_t nth)
{
	if (field >= r->nfields || nth >= r->count[field])
		return NULL;
	return &r->lines[r->first[field] + nth];
}

char *
cy_canon_strdup(const cy_canon_value *v)
{
	char *s;

	if ((s = malloc(v->len + 1)) == NULL)
		return NULL;
	memcpy(s, v->value, v->len);
	s[v->len] = '\0';
	return s;
}

int
cy_canon_value_is(const cy_canon_value *v, const char *s)
{
	return v != NULL && strlen(s) == v->len && memcmp(v->value, s, v->len) == 0;
}

/* --- values --- */

int
cy_canon_utf8_valid(const char *p, size_t len)
{
	const uint8_t *u = (const uint8_t *)p;
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if ((n = cy_utf8_decode(u + i, len - i, &cp)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

int
cy_canon_is_nfc(const char *p, size_t len, cy_error *err)
{
	UErrorCode uerr = U_ZERO_ERROR;
	const UNormalizer2 *nfc;
	UChar *u16 = NULL;
	int32_t u16len = 0;
	size_t i;
	int r;

	for (i = 0; i < len && !((unsigned char)p[i] & 0x80); i++)
		;
	if (i == len)
		return 1; /* ASCII is always NFC */
	if (len > INT32_MAX / 2)
		return cy_error_set(err, CY_E_TOO_LARGE, "text too long");
	if ((u16 = malloc((len + 1) * sizeof(UChar))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	u_strFromUTF8(u16, (int32_t)len + 1, &u16len, p, (int32_t)len, &uerr);
	if (U_FAILURE(uerr)) {
		r = cy_error_set(err, CY_E_FORMAT, "invalid UTF-8");
		goto out;
	}
	nfc = unorm2_getNFCInstance(&uerr);
	if (U_FAILURE(uerr)) {
		r = cy_error_set(err, CY_E_CRYPTO, "ICU: no NFC data: %s",
		    u_errorName(uerr));
		goto out;
	}
	r = unorm2_isNormalized(nfc, u16, u16len, &uerr) ? 1 : 0;
	if (U_FAILURE(uerr))
		r = cy_error_set(err, CY_E_FORMAT, "ICU: %s", u_errorName(uerr));
out:
	free(u16);
	return r;
}

const char *
cy_canon_char_refused(uint32_t cp)
{
	UChar32 c = (UChar32)cp;

	if (cp < 0x80) /* ASCII: only the C0 controls and DEL */
		return cp < 0x20 || cp == 0x7f ? "control character" : NULL;
	if (u_charType(c) == U_CONTROL_CHAR)
		return "control character";
	if (u_hasBinaryProperty(c, UCHAR_BIDI_CONTROL))
		return "bidirectional control";
	if (u_charType(c) == U_FORMAT_CHAR)
		return "invisible format character";
	if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
		return "default-ignorable, shown as nothing";
	if (u_hasBinaryProperty(c, UCHAR_WHITE_SPACE))
		return "a space or line break other than U+0020 SPACE";
	if (u_hasBinaryProperty(c, UCHAR_NONCHARACTER_CODE_POINT))
		return "noncharacter";
	return NULL;
}

void
cy_canon_char_name(uint32_t cp, char *out, size_t cap)
{
	static const UCharNameChoice choices[] = {U_UNICODE_CHAR_NAME,
	    U_CHAR_NAME_ALIAS, U_EXTENDED_CHAR_NAME};
	UErrorCode uerr;
	size_t i;

	if (cap == 0)
		return;
	out[0] = '\0';
	if (cap > INT32_MAX)
		cap = INT32_MAX;
	for (i = 0; i < sizeof(choices) / sizeof(choices[0]) && out[0] == '\0';
	    i++) {
		uerr = U_ZERO_ERROR;
		u_charName((UChar32)cp, choices[i], out, (int32_t)cap, &uerr);
		if (U_FAILURE(uerr) || uerr == U_STRING_NOT_TERMINATED_WARNING)
			out[0] = '\0';
	}
}

/* The code points of a value: well-formed UTF-8 and none refused. */
static int
check_chars(const char *p, size_t len, const char *what, cy_error *err)
{
	const uint8_t *u = (const uint8_t *)p;
	char name[CY_CANON_CHAR_NAME_MAX];
	const char *why;
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if ((n = cy_utf8_decode(u + i, len - i, &cp)) == 0)
			return cy_error_set(err, CY_E_FORMAT,
			    "%s: invalid UTF-8 at byte %zu", what, i);
		if ((why = cy_canon_char_refused(cp)) != NULL) {
			cy_canon_char_name(cp, name, sizeof(name));
			return cy_error_set(err, CY_E_FORMAT,
			    "%s: contains U+%04X %s (%s); remove it", what,
			    (unsigned)cp, name, why);
		}
		i += n;
	}
	return 0;
}

int
cy_canon_check_param(const char *p, size_t len, const char *what,
    cy_error *err)
{
	if (cy_canon_check_value(p, len, what, err) == 0)
		return 0;
	if (err != NULL)
		err->code = CY_E_USAGE;
	return CY_E_USAGE;
}

int
cy_canon_check_value(const char *p, size_t len, const char *what,
    cy_error *err)
{
	int r;

	if (len > 0 && (p[0] == ' ' || p[len - 1] == ' '))
		return cy_error_set(err, CY_E_FORMAT,
		    "%s: space at the start or end of the value", what);
	if ((r = check_chars(p, len, what, err)) != 0)
		return r;
	if ((r = cy_canon_is_nfc(p, len, err)) < 0)
		return cy_error_wrap(err, "%s", what);
	if (r == 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "%s: text is not in Unicode NFC (composed) form", what);
	return 0;
}

int
cy_canon_get_b64(const cy_canon_value *v, uint8_t *out, size_t n,
    const char *what, cy_error *err)
{
	uint8_t tmp[128];
	size_t got;
	int r = 0;

	if (n > sizeof(tmp) || v->len != CY_B64_UNPADDED_LEN(n) ||
	    cy_b64_decode(tmp, &got, v->value, v->len, 0) != 0 || got != n)
		r = cy_error_set(err, CY_E_FORMAT,
		    "%s: expected %zu bytes in unpadded base64", what, n);
	else
		memcpy(out, tmp, n);
	cy_wipe(tmp, sizeof(tmp)); /* values may be secret keys */
	return r;
}

/* --- writing --- */

int
cy_canon_putn(cy_buf *b, const char *key, const char *value, size_t len,
    cy_error *err)
{
	size_t klen = strlen(key);
	int r;

	if (!cy_canon_is_token(key, klen) || klen > CY_CANON_KEY_MAX)
		return cy_error_set(err, CY_E_USAGE, "bad field name '%s'", key);
	if ((r = cy_canon_check_value(value, len, key, err)) != 0)
		return r;
	cy_buf_append(b, key, klen);
	if (len > 0) {
		cy_buf_append(b, ": ", 2);
		cy_buf_append(b, value, len);
	} else {
		cy_buf_append(b, ":", 1);
	}
	cy_buf_append(b, "\n", 1);
	if (cy_buf_status(b) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

int
cy_canon_put(cy_buf *b, const char *key, const char *value, cy_error *err)
{
	return cy_canon_putn(b, key, value, strlen(value), err);
}

int
cy_canon_put_b64(cy_buf *b, const char *key, const uint8_t *data, size_t len,
    cy_error *err)
{
	char tmp[CY_B64_UNPADDED_LEN(128) + 1];

	if (len > 128)
		return cy_error_set(err, CY_E_USAGE, "%s: value too long", key);
	cy_b64_encode(tmp, data, len, 0);
	return cy_canon_put(b, key, tmp, err);
}

int
cy_canon_put_time(cy_buf *b, const char *key, int64_t t, cy_error *err)
{
	char tmp[CY_CANON_TIME_LEN + 1];
	int r;

	if ((r = cy_canon_time_format(t, tmp, err)) != 0)
		return cy_error_wrap(err, "%s", key);
	return cy_canon_put(b, key, tmp, err);
}

/* --- lists --- */

static int
item_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* The item starting at p (up to end): its length. */
static size_t
item_len(const char *p, const char *end)
{
	const char *c = memchr(p, ',', (size_t)(end - p));

	return (size_t)((c ? c : end) - p);
}

int
cy_canon_list_check(const char *p, size_t len, cy_canon_item_fn *item_ok,
    const char *what, cy_error *err)
{
	const char *end = p + len, *prev = NULL;
	size_t n, prevlen = 0;

	if (len == 0)
		return 0;
	for (;;) {
		n = item_len(p, end);
		if (n == 0 || !item_ok(p, n))
			return cy_error_set(err, CY_E_FORMAT,
			    "%s: bad item '%.*s'", what, (int)n, p);
		if (prev != NULL && item_cmp(prev, prevlen, p, n) >= 0)
			return cy_error_set(err, CY_E_FORMAT,
			    "%s: items must be sorted and unique ('%.*s' after '%.*s')",
			    what, (int)n, p, (int)prevlen, prev);
		prev = p;
		prevlen = n;
		if (p + n == end)
			return 0;
		p += n + 1;
	}
}

struct span {
	const char *p;
	size_t len;
};

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return item_cmp(x->p, x->len, y->p, y->len);
}

int
cy_canon_list_normalize(const char *in, cy_canon_item_fn *item_ok,
    const char *what, char **out, cy_error *err)
{
	const char *p = in, *end = in + strlen(in);
	struct span *items = NULL;
	size_t n = 0, i, len;
	cy_buf b = CY_BUF_INIT;
	int r;

	*out = NULL;
	if ((items = calloc(strlen(in) / 2 + 1, sizeof(*items))) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	while (p < end) {
		len = item_len(p, end);
		if (len == 0 || !item_ok(p, len)) {
			r = cy_error_set(err, CY_E_USAGE, "%s: bad item '%.*s'",
			    what, (int)len, p);
			goto out;
		}
		items[n].p = p;
		items[n++].len = len;
		if (p + len == end)
			break;
		p += len + 1;
		if (p == end) {
			r = cy_error_set(err, CY_E_USAGE, "%s: empty item", what);
			goto out;
		}
	}
	qsort(items, n, sizeof(*items), span_cmp);
	cy_buf_puts(&b, "");
	for (i = 0; i < n; i++) {
		if (i > 0 && span_cmp(&items[i - 1], &items[i]) == 0)
			continue;
		if (b.len > 0)
			cy_buf_append(&b, ",", 1);
		cy_buf_append(&b, items[i].p, items[i].len);
	}
	if ((r = cy_buf_status(&b)) != 0) {
		cy_error_set(err, r, "out of memory");
		goto out;
	}
	*out = (char *)cy_buf_take(&b, NULL);
out:
	free(items);
	cy_buf_free(&b);
	return r;
}

int
cy_canon_list_contains(const char *list, size_t len, const char *item,
    size_t ilen)
{
	const char *p = list, *end = list + len;
	size_t n;

	while (p < end) {
		n = item_len(p, end);
		if (n == ilen && memcmp(p, item, n) == 0)
			return 1;
		p += n + 1;
	}
	return 0;
}

int
cy_canon_list_subset(const char *a, size_t alen, const char *b, size_t blen,
    const char **missing, size_t *mlen)
{
	const char *p = a, *end = a + alen;
	size_t n;

	while (p < end) {
		n = item_len(p, end);
		if (!cy_canon_list_contains(b, blen, p, n)) {
			if (missing != NULL) {
				*missing = p;
				*mlen = n;
			}
			return 0;
		}
		p += n + 1;
	}
	return 1;
}

/* --- times --- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int
digits(const char *p, size_t n, unsigned *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned)(p[i] - '0');
	}
	return 0;
}

static unsigned
month_days(unsigned y, unsigned m)
{
	static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int
cy_canon_time_parse(const char *p, size_t len, int64_t *t, cy_error *err)
{
	unsigned y, mo, d, h, mi, s;

	if (len != CY_CANON_TIME_LEN || p[4] != '-' || p[7] != '-' ||
	    p[10] != 'T' || p[13] != ':' || p[16] != ':' || p[19] != 'Z' ||
	    digits(p, 4, &y) || digits(p + 5, 2, &mo) || digits(p + 8, 2, &d) ||
	    digits(p + 11, 2, &h) || digits(p + 14, 2, &mi) ||
	    digits(p + 17, 2, &s))
		goto bad;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) ||
	    h > 23 || mi > 59 || s > 59)
		goto bad;
	*t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return 0;
bad:
	return cy_error_set(err, CY_E_FORMAT,
	    "bad time '%.*s' (expected UTC like 2026-11-25T00:00:00Z)",
	    (int)(len > 40 ? 40 : len), p);
}

int
cy_canon_time_format(int64_t t, char out[CY_CANON_TIME_LEN + 1],
    cy_error *err)
{
	int64_t y, days, secs;
	unsigned m, d;
	char tmp[64];

	if (t < CY_CANON_TIME_MIN || t > CY_CANON_TIME_MAX)
		return cy_error_set(err, CY_E_USAGE, "time out of range");
	days = t / 86400;
	secs = t % 86400;
	civil_from_days(days, &y, &m, &d);
	snprintf(tmp, sizeof(tmp), "%04d-%02u-%02uT%02u:%02u:%02uZ", (int)y,
	    m, d, (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60),
	    (unsigned)(secs % 60));
	memcpy(out, tmp, CY_CANON_TIME_LEN + 1);
	return 0;
}
