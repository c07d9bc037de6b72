#include <stdlib.h>
#include <string.h>

#include "coyeu/encoding.h"
#include "coyeu/header.h"
#include "coyeu/secret.h"
#include "base/crypto.h"

#define MAC_LINE_LEN (4 + CY_B64_UNPADDED_LEN(CY_HEADER_MAC_LEN) + 1)

static void
stanza_free(cy_stanza *s)
{
	size_t i;

	free(s->type);
	for (i = 0; i < s->nargs; i++)
		free(s->args[i]);
	free(s->args);
	free(s->body);
}

void
cy_header_free(cy_header *h)
{
	size_t i;

	for (i = 0; i < h->nstanzas; i++)
		stanza_free(&h->stanzas[i]);
	free(h->stanzas);
	cy_buf_free(&h->raw);
	memset(h, 0, sizeof(*h));
}

/* One line without its LF; NULL at end of input or without an LF. */
static const uint8_t *
next_line(const uint8_t *buf, size_t len, size_t *pos, size_t *linelen)
{
	const uint8_t *start = buf + *pos, *nl;

	if (*pos >= len)
		return NULL;
	if ((nl = memchr(start, '\n', len - *pos)) == NULL)
		return NULL;
	*linelen = (size_t)(nl - start);
	*pos += *linelen + 1;
	return start;
}

static int
arg_valid(const uint8_t *p, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] < 0x21 || p[i] > 0x7e)
			return 0;
	return 1;
}

static int
stanza_push(cy_header *h, cy_stanza **out)
{
	cy_stanza *s;

	if (h->nstanzas >= CY_STANZA_MAX)
		return CY_E_TOO_LARGE;
	s = realloc(h->stanzas, (h->nstanzas + 1) * sizeof(*s));
	if (s == NULL)
		return CY_E_NOMEM;
	h->stanzas = s;
	*out = &s[h->nstanzas++];
	memset(*out, 0, sizeof(**out));
	return 0;
}

/* "-> type arg…": every argument non-empty VCHAR, single spaces. */
static int
parse_stanza_line(cy_stanza *s, const uint8_t *line, size_t n, cy_error *err)
{
	size_t i = 3, start, k;
	char **args;

	if (n < 3 || memcmp(line, "-> ", 3) != 0)
		return cy_error_set(err, CY_E_HEADER, "malformed stanza line");
	for (k = 0;; k++) {
		start = i;
		while (i < n && line[i] != ' ')
			i++;
		if (!arg_valid(line + start, i - start))
			return cy_error_set(err, CY_E_HEADER,
			    "stanza argument %zu is empty or has an invalid character",
			    k + 1);
		if (k > CY_STANZA_MAX_ARGS)
			return cy_error_set(err, CY_E_HEADER,
			    "stanza has too many arguments");
		if (k == 0) {
			if ((s->type = strndup((const char *)line + start,
			    i - start)) == NULL)
				return CY_E_NOMEM;
		} else {
			args = realloc(s->args, (s->nargs + 1) * sizeof(*args));
			if (args == NULL)
				return CY_E_NOMEM;
			s->args = args;
			if ((args[s->nargs] = strndup((const char *)line + start,
			    i - start)) == NULL)
				return CY_E_NOMEM;
			s->nargs++;
		}
		if (i == n)
			return 0;
		i++; /* the single space; an empty argument fails above */
	}
}

/* Body lines: full 64-column lines, then one shorter (maybe empty) line. */
static int
parse_stanza_body(cy_stanza *s, const uint8_t *buf, size_t len, size_t *pos,
    cy_error *err)
{
	cy_buf b64 = CY_BUF_INIT;
	const uint8_t *line;
	size_t n, outlen;
	int r;

	for (;;) {
		if ((line = next_line(buf, len, pos, &n)) == NULL) {
			r = cy_error_set(err, CY_E_HEADER,
			    "header ends inside a stanza body");
			goto out;
		}
		if (n > CY_STANZA_COLUMNS) {
			r = cy_error_set(err, CY_E_HEADER,
			    "stanza body line longer than 64 columns");
			goto out;
		}
		cy_buf_append(&b64, line, n);
		if (n < CY_STANZA_COLUMNS)
			break;
	}
	if ((r = cy_buf_status(&b64)) != 0)
		goto out;
	if ((s->body = malloc(b64.len / 4 * 3 + 3)) == NULL) {
		r = CY_E_NOMEM;
		goto out;
	}
	if (cy_b64_decode(s->body, &outlen, (const char *)b64.data, b64.len,
	    0) != 0) {
		r = cy_error_set(err, CY_E_HEADER,
		    "stanza body is not canonical unpadded base64");
		goto out;
	}
	s->body_len = outlen;
	r = 0;
out:
	cy_buf_free(&b64);
	return r;
}

static int
parse_mac_line(cy_header *h, const uint8_t *line, size_t n, cy_error *err)
{
	size_t outlen;

	if (n != MAC_LINE_LEN - 1 || memcmp(line, "--- ", 4) != 0 ||
	    cy_b64_decode(h->mac, &outlen, (const char *)line + 4, n - 4,
	    0) != 0 || outlen != CY_HEADER_MAC_LEN)
		return cy_error_set(err, CY_E_HEADER, "malformed header MAC line");
	return 0;
}

int
cy_header_parse(const uint8_t *buf, size_t len, cy_header *h, size_t *used,
    cy_error *err)
{
	const uint8_t *line;
	size_t pos = 0, n, start;
	cy_stanza *s;
	int r;

	memset(h, 0, sizeof(*h));
	if (len > CY_HEADER_MAX)
		len = CY_HEADER_MAX;
	line = next_line(buf, len, &pos, &n);
	if (line == NULL || n + 1 != strlen(CY_HEADER_VERSION_LINE) ||
	    memcmp(line, CY_HEADER_VERSION_LINE, n) != 0) {
		r = cy_error_set(err, CY_E_HEADER,
		    "not an age v1 file (missing or unsupported version line)");
		goto out;
	}
	for (;;) {
		start = pos;
		if ((line = next_line(buf, len, &pos, &n)) == NULL) {
			r = cy_error_set(err, CY_E_HEADER,
			    len == CY_HEADER_MAX ? "header larger than 1 MiB" :
			    "header ends before the MAC line");
			goto out;
		}
		if (n >= 3 && memcmp(line, "---", 3) == 0) {
			if ((r = parse_mac_line(h, line, n, err)) != 0)
				goto out;
			cy_buf_append(&h->raw, buf, start + 3);
			break;
		}
		if ((r = stanza_push(h, &s)) != 0) {
			cy_error_set(err, r, "too many stanzas in the header");
			goto out;
		}
		s->raw_off = start;
		if ((r = parse_stanza_line(s, line, n, err)) != 0 ||
		    (r = parse_stanza_body(s, buf, len, &pos, err)) != 0)
			goto out;
		s->raw_len = pos - start;
	}
	if ((r = cy_buf_status(&h->raw)) != 0)
		goto out;
	*used = pos;
	r = 0;
out:
	if (r == CY_E_NOMEM)
		cy_error_set(err, r, "out of memory");
	if (r != 0)
		cy_header_free(h);
	return r;
}

int
cy_header_add(cy_header *h, const char *type, const char *const *args,
    size_t nargs, const uint8_t *body, size_t body_len)
{
	cy_stanza *s;
	cy_buf b64 = CY_BUF_INIT;
	size_t i, off;
	int r;

	if (h->raw.len == 0)
		cy_buf_puts(&h->raw, CY_HEADER_VERSION_LINE);
	if (nargs > CY_STANZA_MAX_ARGS)
		return CY_E_USAGE;
	if ((r = stanza_push(h, &s)) != 0)
		return r;
	s->raw_off = h->raw.len;
	if ((s->type = strdup(type)) == NULL ||
	    (nargs > 0 && (s->args = calloc(nargs, sizeof(char *))) == NULL) ||
	    (s->body = malloc(body_len + 1)) == NULL)
		return CY_E_NOMEM;
	for (i = 0; i < nargs; i++, s->nargs++)
		if ((s->args[i] = strdup(args[i])) == NULL)
			return CY_E_NOMEM;
	memcpy(s->body, body, body_len);
	s->body_len = body_len;

	cy_buf_printf(&h->raw, "-> %s", type);
	for (i = 0; i < nargs; i++)
		cy_buf_printf(&h->raw, " %s", args[i]);
	cy_buf_puts(&h->raw, "\n");
	cy_buf_b64(&b64, body, body_len);
	for (off = 0;; off += CY_STANZA_COLUMNS) {
		size_t n = b64.len - off;
		if (n > CY_STANZA_COLUMNS)
			n = CY_STANZA_COLUMNS;
		cy_buf_append(&h->raw, b64.data + off, n);
		cy_buf_puts(&h->raw, "\n");
		if (n < CY_STANZA_COLUMNS)
			break;
	}
	s->raw_len = h->raw.len - s->raw_off;
	r = cy_buf_status(&b64) ? CY_E_NOMEM : cy_buf_status(&h->raw);
	cy_buf_free(&b64);
	return r;
}

static int
header_mac(const cy_buf *raw, const uint8_t file_key[CY_FILE_KEY_LEN],
    uint8_t mac[CY_HEADER_MAC_LEN])
{
	uint8_t key[CY_SHA256_LEN];
	int r;

	if ((r = cy_hkdf_sha256(file_key, CY_FILE_KEY_LEN, NULL, 0, "header", key,
	    sizeof(key))) == 0)
		r = cy_hmac_sha256(key, sizeof(key), raw->data, raw->len, mac);
	cy_wipe(key, sizeof(key));
	return r;
}

int
cy_header_encode(cy_header *h, const uint8_t file_key[CY_FILE_KEY_LEN],
    cy_buf *out)
{
	int r;

	if (h->raw.len == 0)
		cy_buf_puts(&h->raw, CY_HEADER_VERSION_LINE);
	cy_buf_puts(&h->raw, "---");
	if ((r = cy_buf_status(&h->raw)) != 0)
		return r;
	if ((r = header_mac(&h->raw, file_key, h->mac)) != 0)
		return r;
	cy_buf_append(out, h->raw.data, h->raw.len);
	cy_buf_puts(out, " ");
	cy_buf_b64(out, h->mac, sizeof(h->mac));
	cy_buf_puts(out, "\n");
	return cy_buf_status(out);
}

int
cy_header_verify_mac(const cy_header *h, const uint8_t file_key[CY_FILE_KEY_LEN],
    cy_error *err)
{
	uint8_t mac[CY_HEADER_MAC_LEN];
	int r;

	if ((r = header_mac(&h->raw, file_key, mac)) != 0)
		return cy_error_set(err, r, "cannot compute the header MAC");
	r = cy_memeq(mac, h->mac, sizeof(mac)) ? 0 :
	    cy_error_set(err, CY_E_HMAC,
	    "header MAC mismatch: the file is damaged or was tampered with");
	cy_wipe(mac, sizeof(mac));
	return r;
}
