/* Sealing and opening age v1 files: header, recipients, STREAM payload. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "armor.h"
#include "coyeu/age.h"
#include "coyeu/file.h"
#include "coyeu/header.h"
#include "coyeu/secret.h"
#include "recipient.h"
#include "stream.h"

#define SRC_READ_SIZE 65536

/* Input: a file descriptor or memory, maybe through the armor decoder. */
struct src {
	int fd;
	const uint8_t *mem;
	size_t memlen, mempos;
	cy_armor_dec *armor;
	cy_buf buf;     /* bytes read (decoded) and not yet consumed */
	size_t pos;
	int eof;
};

/* Output: a file descriptor or a buffer, maybe through the armor encoder. */
struct sink {
	int fd;
	cy_buf *mem;
	cy_armor_enc *armor;
	cy_buf tmp;
};

static ssize_t
raw_read(struct src *s, uint8_t *out, size_t len, cy_error *err)
{
	ssize_t n;

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
src_compact(struct src *s)
{
	if (s->pos == s->buf.len) {
		s->buf.len = 0;
		s->pos = 0;
	}
}

/* Appends more (decoded) input to s->buf; sets eof at the end. */
static int
src_fill(struct src *s, cy_error *err)
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
	cy_wipe(raw, sizeof(raw));
	if (r == 0 && cy_buf_status(&s->buf) != 0)
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
	return r;
}

static ssize_t
src_read(void *ctx, uint8_t *out, size_t len, cy_error *err)
{
	struct src *s = ctx;
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

static int
src_open(struct src *s, int fd, const uint8_t *mem, size_t memlen,
    int detect_armor, cy_error *err)
{
	cy_buf peeked = CY_BUF_INIT;
	int r;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->mem = mem;
	s->memlen = memlen;
	if (!detect_armor)
		return 0;
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

/* The rest of an in-memory, unarmored input, for the zero-copy payload
 * path; NULL otherwise.  The bytes count as consumed. */
static const uint8_t *
src_map(struct src *s, size_t *len)
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

static void
stream_input(cy_stream_params *sp, struct src *in)
{
	sp->map = src_map(in, &sp->map_len);
	sp->read = src_read;
	sp->read_ctx = in;
}

static void
src_close(struct src *s)
{
	cy_armor_dec_free(s->armor);
	cy_buf_free(&s->buf);
}

/* Reads the header through its MAC line into hdr. */
static int
src_read_header(struct src *s, cy_buf *hdr, cy_error *err)
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
sink_flush(struct sink *k, const uint8_t *p, size_t len, cy_error *err)
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

static int
sink_write(void *ctx, const uint8_t *p, size_t len, cy_error *err)
{
	struct sink *k = ctx;
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

static int
sink_finish(struct sink *k, cy_error *err)
{
	if (k->armor == NULL)
		return 0;
	k->tmp.len = 0;
	cy_armor_enc_final(k->armor, &k->tmp);
	if (cy_buf_status(&k->tmp) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return sink_flush(k, k->tmp.data, k->tmp.len, err);
}

static void
sink_close(struct sink *k)
{
	cy_armor_enc_free(k->armor);
	cy_buf_free(&k->tmp);
}

static int
seal_recipients(cy_header *h, const cy_seal_params *p,
    const uint8_t *file_key, cy_error *err)
{
	size_t i;
	int r;

	if (p->nrecipients == 0)
		return cy_error_set(err, CY_E_USAGE, "no recipients");
	for (i = 0; i < p->nrecipients; i++) {
		if (p->recipients[i]->kind == CY_KIND_SCRYPT) {
			if (p->nrecipients != 1)
				return cy_error_set(err, CY_E_USAGE,
				    "a passphrase cannot be combined with other recipients");
			r = cy_scrypt_wrap(p->recipients[i], file_key, h, err);
		} else {
			r = cy_x25519_wrap(p->recipients[i], file_key, h, err);
		}
		if (r != 0)
			return r;
	}
	return 0;
}

static int
seal(struct src *in, struct sink *out, const cy_seal_params *p, cy_error *err)
{
	cy_header h;
	cy_buf hdr = CY_BUF_INIT;
	uint8_t *file_key = NULL, nonce[CY_STREAM_NONCE_LEN];
	cy_stream_params sp;
	int r;

	memset(&h, 0, sizeof(h));
	memset(&sp, 0, sizeof(sp));
	if ((file_key = cy_secret_alloc(CY_FILE_KEY_LEN)) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	cy_random(file_key, CY_FILE_KEY_LEN);
	if ((r = seal_recipients(&h, p, file_key, err)) != 0)
		goto out;
	if ((r = cy_header_encode(&h, file_key, &hdr)) != 0) {
		cy_error_set(err, r, "cannot encode the header");
		goto out;
	}
	cy_random(nonce, sizeof(nonce));
	cy_buf_append(&hdr, nonce, sizeof(nonce));
	if ((r = cy_buf_status(&hdr)) != 0 ||
	    (r = sink_write(out, hdr.data, hdr.len, err)) != 0)
		goto out;
	if ((r = cy_stream_key(file_key, nonce, sp.key)) != 0)
		goto out;
	sp.threads = p->threads;
	stream_input(&sp, in);
	sp.write = sink_write;
	sp.write_ctx = out;
	sp.progress = p->progress;
	sp.progress_ctx = p->progress_ctx;
	sp.size_hint = p->size_hint;
	if ((r = cy_stream_run(&sp, err)) != 0)
		goto out;
	r = sink_finish(out, err);
out:
	cy_wipe(sp.key, sizeof(sp.key));
	cy_secret_free(file_key);
	cy_header_free(&h);
	cy_buf_free(&hdr);
	return r;
}

/* age: an scrypt stanza must be the only one (it proves who sealed). */
static int
check_scrypt_alone(const cy_header *h, cy_error *err)
{
	size_t i;

	for (i = 0; i < h->nstanzas; i++)
		if (strcmp(h->stanzas[i].type, CY_SCRYPT_STANZA) == 0 &&
		    h->nstanzas != 1)
			return cy_error_set(err, CY_E_HEADER,
			    "an scrypt stanza must be the only stanza in the header");
	return 0;
}

static int
unwrap_file_key(const cy_header *h, const cy_open_params *p, uint8_t *file_key,
    cy_error *err)
{
	const cy_identity *id;
	size_t i, j;
	int r;

	for (i = 0; i < p->nidentities; i++) {
		id = p->identities[i];
		for (j = 0; j < h->nstanzas; j++) {
			r = id->kind == CY_KIND_SCRYPT ?
			    cy_scrypt_unwrap(id, &h->stanzas[j], file_key, err) :
			    cy_x25519_unwrap(id, &h->stanzas[j], file_key, err);
			if (r != CY_E_NO_MATCH)
				return r;
		}
	}
	return cy_error_set(err, CY_E_NO_MATCH,
	    "no identity matched any of the recipients: this file was not sealed to you");
}

static int
open_file(struct src *in, struct sink *out, const cy_open_params *p,
    cy_error *err)
{
	cy_header h;
	cy_buf hdr = CY_BUF_INIT;
	uint8_t *file_key = NULL, nonce[CY_STREAM_NONCE_LEN];
	cy_stream_params sp;
	size_t used;
	ssize_t n;
	int r;

	memset(&h, 0, sizeof(h));
	memset(&sp, 0, sizeof(sp));
	if ((r = src_read_header(in, &hdr, err)) != 0)
		goto out;
	if ((r = cy_header_parse(hdr.data, hdr.len, &h, &used, err)) != 0)
		goto out;
	if (used != hdr.len) {
		r = cy_error_set(err, CY_E_HEADER, "malformed header");
		goto out;
	}
	if ((r = check_scrypt_alone(&h, err)) != 0)
		goto out;
	if ((file_key = cy_secret_alloc(CY_FILE_KEY_LEN)) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = unwrap_file_key(&h, p, file_key, err)) != 0 ||
	    (r = cy_header_verify_mac(&h, file_key, err)) != 0)
		goto out;
	if ((n = src_read(in, nonce, sizeof(nonce), err)) < 0) {
		r = (int)n;
		goto out;
	}
	if (n != sizeof(nonce)) {
		r = cy_error_set(err, CY_E_HEADER,
		    "the file is truncated: the payload nonce is missing");
		goto out;
	}
	if ((r = cy_stream_key(file_key, nonce, sp.key)) != 0)
		goto out;
	sp.decrypt = 1;
	sp.threads = p->threads;
	stream_input(&sp, in);
	sp.write = sink_write;
	sp.write_ctx = out;
	sp.progress = p->progress;
	sp.progress_ctx = p->progress_ctx;
	sp.size_hint = p->size_hint;
	r = cy_stream_run(&sp, err);
out:
	cy_wipe(sp.key, sizeof(sp.key));
	cy_secret_free(file_key);
	cy_header_free(&h);
	cy_buf_free(&hdr);
	return r;
}

static int
seal_io(int in_fd, const uint8_t *mem, size_t len, int out_fd, cy_buf *outbuf,
    const cy_seal_params *p, cy_error *err)
{
	struct src in;
	struct sink out = {out_fd, outbuf, NULL, CY_BUF_INIT};
	int r;

	if ((r = src_open(&in, in_fd, mem, len, 0, err)) != 0)
		goto out;
	if (p->armor && (out.armor = cy_armor_enc_new()) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	r = seal(&in, &out, p, err);
out:
	src_close(&in);
	sink_close(&out);
	return r;
}

static int
open_io(int in_fd, const uint8_t *mem, size_t len, int out_fd, cy_buf *outbuf,
    const cy_open_params *p, cy_error *err)
{
	struct src in;
	struct sink out = {out_fd, outbuf, NULL, CY_BUF_INIT};
	int r;

	if ((r = src_open(&in, in_fd, mem, len, 1, err)) == 0)
		r = open_file(&in, &out, p, err);
	src_close(&in);
	sink_close(&out);
	return r;
}

/* Maps a regular file's remaining bytes so the workers read the page cache
 * directly; returns NULL (use read()) for pipes, terminals, empty files. */
static void *
map_input(int fd, size_t *maplen, size_t *start)
{
	struct stat st;
	off_t at;
	void *m;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > SIZE_MAX ||
	    (at = lseek(fd, 0, SEEK_CUR)) < 0 || at >= st.st_size)
		return NULL;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return NULL;
	(void)madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	*maplen = (size_t)st.st_size;
	*start = (size_t)at;
	return m;
}

typedef int io_fn(int in_fd, const uint8_t *mem, size_t len, int out_fd,
    cy_buf *outbuf, const void *p, cy_error *err);

static int
run_fd(io_fn *fn, int in_fd, int out_fd, const void *p, cy_error *err)
{
	size_t maplen = 0, start = 0;
	uint8_t *m;
	int r;

	if ((m = map_input(in_fd, &maplen, &start)) == NULL)
		return fn(in_fd, NULL, 0, out_fd, NULL, p, err);
	r = fn(-1, m + start, maplen - start, out_fd, NULL, p, err);
	munmap(m, maplen);
	return r;
}

static int
seal_io_any(int in_fd, const uint8_t *mem, size_t len, int out_fd,
    cy_buf *outbuf, const void *p, cy_error *err)
{
	return seal_io(in_fd, mem, len, out_fd, outbuf, p, err);
}

static int
open_io_any(int in_fd, const uint8_t *mem, size_t len, int out_fd,
    cy_buf *outbuf, const void *p, cy_error *err)
{
	return open_io(in_fd, mem, len, out_fd, outbuf, p, err);
}

int
cy_age_seal_fd(int in_fd, int out_fd, const cy_seal_params *p, cy_error *err)
{
	return run_fd(seal_io_any, in_fd, out_fd, p, err);
}

int
cy_age_open_fd(int in_fd, int out_fd, const cy_open_params *p, cy_error *err)
{
	return run_fd(open_io_any, in_fd, out_fd, p, err);
}

int
cy_age_seal_mem(const uint8_t *in, size_t len, const cy_seal_params *p,
    cy_buf *out, cy_error *err)
{
	static const uint8_t empty[1];

	return seal_io(-1, in ? in : empty, len, -1, out, p, err);
}

int
cy_age_open_mem(const uint8_t *in, size_t len, const cy_open_params *p,
    cy_buf *out, cy_error *err)
{
	static const uint8_t empty[1];

	return open_io(-1, in ? in : empty, len, -1, out, p, err);
}
