/* The age engine's input and output: fd or memory, armor on the fly. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "age/ageio.h"
#include "coyeu/file.h"
#include "coyeu/secret.h"

#define SRC_READ_SIZE 65536

static ssize_t
raw_read(struct cy_src *s, uint8_t *out, size_t len, cy_error *err)
{
	ssize_t n;

	if (s->source != NULL) {
		if ((n = s->source->pread(s->source->ctx, out, len, s->srcpos,
		    err)) > 0)
			s->srcpos += (uint64_t)n;
		return n;
	}
	if (s->mem != NULL || s->fd < 0) {
		n = (ssize_t)(len < s->memlen - s->mempos ? len :
		    s->memlen - s->mempos);
		memcpy(out, s->mem + s->mempos, (size_t)n);
		s->mempos += (size_t)n;
		return n;
	}
	do {
		n = read(s->fd, out, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return cy_error_set(err, CY_E_IO, "read: %s", strerror(errno));
	return n;
}

static void
src_compact(struct cy_src *s)
{
	if (s->pos == s->buf.len) {
		s->buf.len = 0;
		s->pos = 0;
	}
}

/* Appends more (decoded) input to s->buf; sets eof at the end. */
static int
src_fill(struct cy_src *s, cy_error *err)
{
	uint8_t raw[SRC_READ_SIZE];
	ssize_t n;
	int r = 0;

	if (s->eof)
		return 0;
	src_compact(s);
	if ((n = raw_read(s, raw, sizeof(raw), err)) < 0)
		return (int)n;
	if (n == 0) {
		s->eof = 1;
		if (s->armor != NULL)
			r = cy_armor_dec_final(s->armor, &s->buf, err);
	} else if (s->armor != NULL) {
		r = cy_armor_dec_update(s->armor, raw, (size_t)n, &s->buf, err);
	} else {
		cy_buf_append(&s->buf, raw, (size_t)n);
	}
	/* Only what was read: a small payload's 64 KiB are not wiped. */
	cy_wipe(raw, n > 0 ? (size_t)n : 0);
	if (r == 0 && cy_buf_status(&s->buf) != 0)
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
	return r;
}

ssize_t
cy_src_read(void *ctx, uint8_t *out, size_t len, cy_error *err)
{
	struct cy_src *s = ctx;
	size_t got = 0, n;
	ssize_t m;
	int r;

	while (got < len) {
		if (s->pos < s->buf.len) {
			n = s->buf.len - s->pos;
			if (n > len - got)
				n = len - got;
			memcpy(out + got, s->buf.data + s->pos, n);
			s->pos += n;
			got += n;
			continue;
		}
		if (s->eof)
			break;
		if (s->armor == NULL && len - got >= SRC_READ_SIZE) {
			/* Large plain reads skip the extra copy. */
			if ((m = raw_read(s, out + got, len - got, err)) < 0)
				return m;
			if (m == 0)
				s->eof = 1;
			got += (size_t)m;
			continue;
		}
		if ((r = src_fill(s, err)) != 0)
			return r;
	}
	return (ssize_t)got;
}

/* Peeks at the start and, when it is ASCII armor, decodes from there on. */
static int
src_detect_armor(struct cy_src *s, cy_error *err)
{
	cy_buf peeked = CY_BUF_INIT;
	int r;

	while (!s->eof && s->buf.len < CY_ARMOR_PEEK)
		if ((r = src_fill(s, err)) != 0)
			return r;
	if (!cy_armor_detect(s->buf.data, s->buf.len))
		return 0;
	if ((s->armor = cy_armor_dec_new()) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	/* Re-run what was peeked through the decoder. */
	peeked = s->buf;
	memset(&s->buf, 0, sizeof(s->buf));
	r = cy_armor_dec_update(s->armor, peeked.data, peeked.len, &s->buf, err);
	if (r == 0 && s->eof)
		r = cy_armor_dec_final(s->armor, &s->buf, err);
	cy_buf_free(&peeked);
	return r;
}

int
cy_src_open(struct cy_src *s, int fd, const uint8_t *mem, size_t memlen,
    int detect_armor, cy_error *err)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->mem = mem;
	s->memlen = memlen;
	return detect_armor ? src_detect_armor(s, err) : 0;
}

int
cy_src_open_source(struct cy_src *s, const cy_source *src, int detect_armor,
    cy_error *err)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->source = src;
	return detect_armor ? src_detect_armor(s, err) : 0;
}

/* The rest of an in-memory, unarmored input, for the zero-copy payload
 * path; NULL otherwise.  The bytes count as consumed. */
static const uint8_t *
cy_src_map(struct cy_src *s, size_t *len)
{
	size_t at;

	if (s->mem == NULL || s->armor != NULL)
		return NULL;
	at = s->mempos - (s->buf.len - s->pos);
	s->buf.len = s->pos = 0;
	s->mempos = s->memlen;
	s->eof = 1;
	*len = s->memlen - at;
	return s->mem + at;
}

void
cy_stream_plumb(cy_stream_params *sp, struct cy_src *in, struct cy_sink *out,
    int threads, cy_progress_fn *progress, void *ctx, uint64_t size_hint)
{
	sp->map = cy_src_map(in, &sp->map_len);
	sp->map_release = in->mapped;
	sp->read = cy_src_read;
	sp->read_ctx = in;
	sp->write = cy_sink_write;
	sp->write_ctx = out;
	sp->threads = threads;
	sp->progress = progress;
	sp->progress_ctx = ctx;
	sp->size_hint = size_hint;
}

void
cy_src_close(struct cy_src *s)
{
	cy_armor_dec_free(s->armor);
	cy_buf_free(&s->buf);
}

/* Reads the header through its MAC line into hdr. */
int
cy_src_read_header(struct cy_src *s, cy_buf *hdr, cy_error *err)
{
	uint8_t *nl;
	size_t n;
	int r;

	for (;;) {
		if (s->pos < s->buf.len &&
		    (nl = memchr(s->buf.data + s->pos, '\n',
		    s->buf.len - s->pos)) != NULL) {
			n = (size_t)(nl - (s->buf.data + s->pos)) + 1;
			cy_buf_append(hdr, s->buf.data + s->pos, n);
			s->pos += n;
			if (cy_buf_status(hdr) != 0)
				return cy_error_set(err, CY_E_NOMEM, "out of memory");
			/* A line of the header starting "---" is the last. */
			if (n >= 3 && memcmp(hdr->data + hdr->len - n, "---", 3) == 0)
				return 0;
			continue;
		}
		if (hdr->len + (s->buf.len - s->pos) > CY_HEADER_MAX)
			return cy_error_set(err, CY_E_HEADER,
			    "header larger than 1 MiB");
		if (s->eof) {
			/* Hand the rest to the parser for a precise message. */
			cy_buf_append(hdr, s->buf.data + s->pos,
			    s->buf.len - s->pos);
			s->pos = s->buf.len;
			return 0;
		}
		/* Keep unconsumed bytes: move them to the front first. */
		if (s->pos > 0) {
			memmove(s->buf.data, s->buf.data + s->pos,
			    s->buf.len - s->pos);
			s->buf.len -= s->pos;
			s->pos = 0;
		}
		if ((r = src_fill(s, err)) != 0)
			return r;
	}
}

static int
sink_flush(struct cy_sink *k, const uint8_t *p, size_t len, cy_error *err)
{
	if (k->mem != NULL) {
		cy_buf_append(k->mem, p, len);
		return cy_buf_status(k->mem) ?
		    cy_error_set(err, CY_E_NOMEM, "out of memory") : 0;
	}
	if (cy_write_all(k->fd, p, len) != 0)
		return cy_error_set(err, CY_E_IO, "write: %s", strerror(errno));
	return 0;
}

int
cy_sink_write(void *ctx, const uint8_t *p, size_t len, cy_error *err)
{
	struct cy_sink *k = ctx;
	int r;

	if (k->armor == NULL)
		return sink_flush(k, p, len, err);
	k->tmp.len = 0;
	cy_armor_enc_update(k->armor, p, len, &k->tmp);
	if (cy_buf_status(&k->tmp) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	r = sink_flush(k, k->tmp.data, k->tmp.len, err);
	return r;
}

int
cy_sink_finish(struct cy_sink *k, cy_error *err)
{
	if (k->armor == NULL)
		return 0;
	k->tmp.len = 0;
	cy_armor_enc_final(k->armor, &k->tmp);
	if (cy_buf_status(&k->tmp) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return sink_flush(k, k->tmp.data, k->tmp.len, err);
}

void
cy_sink_close(struct cy_sink *k)
{
	cy_armor_enc_free(k->armor);
	cy_buf_free(&k->tmp);
}

