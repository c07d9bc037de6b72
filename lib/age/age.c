/* Sealing and opening age v1 files: header, recipients, STREAM payload. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "age/ageio.h"
#include "coyeu/age.h"
#include "coyeu/file.h"
#include "coyeu/header.h"
#include "coyeu/secret.h"
#include "age/recipient.h"
#include "age/stream.h"

/* The age spec: an scrypt stanza stands alone, and post-quantum recipients
 * SHOULD NOT be mixed with classic ones. */
static int
check_recipient_mix(const cy_seal_params *p, cy_error *err)
{
	size_t i, npq = 0;

	for (i = 0; i < p->nrecipients; i++) {
		if (p->recipients[i]->kind == CY_KIND_SCRYPT && p->nrecipients != 1)
			return cy_error_set(err, CY_E_USAGE,
			    "a passphrase cannot be combined with other recipients");
		npq += p->recipients[i]->kind == CY_KIND_PQ;
	}
	if (npq > 0 && npq < p->nrecipients && !p->allow_mixed_pq)
		return cy_error_set(err, CY_E_USAGE,
		    "cannot mix post-quantum (age1pq1…) and classic (age1…) "
		    "recipients: the file would be only as strong as the classic "
		    "ones against a quantum computer");
	return 0;
}

int
cy_age_wrap_recipients(cy_header *h, const cy_seal_params *p,
    const uint8_t *file_key, cy_error *err)
{
	const cy_recipient *rc;
	size_t i;
	int r;

	if (p->nrecipients == 0)
		return cy_error_set(err, CY_E_USAGE, "no recipients");
	if ((r = check_recipient_mix(p, err)) != 0)
		return r;
	for (i = 0; i < p->nrecipients; i++) {
		rc = p->recipients[i];
		if ((r = rc->wrap(rc, file_key, h, err)) != 0)
			return r;
	}
	return 0;
}

static int
seal(struct cy_src *in, struct cy_sink *out, const cy_seal_params *p, cy_error *err)
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
	if ((r = cy_age_wrap_recipients(&h, p, file_key, err)) != 0)
		goto out;
	if ((r = cy_header_encode(&h, file_key, &hdr)) != 0) {
		cy_error_set(err, r, "cannot encode the header");
		goto out;
	}
	cy_random(nonce, sizeof(nonce));
	cy_buf_append(&hdr, nonce, sizeof(nonce));
	if ((r = cy_buf_status(&hdr)) != 0 ||
	    (r = cy_sink_write(out, hdr.data, hdr.len, err)) != 0)
		goto out;
	if ((r = cy_stream_key(file_key, nonce, sp.key)) != 0)
		goto out;
	cy_stream_plumb(&sp, in, out, p->threads, p->progress, p->progress_ctx,
	    p->size_hint);
	if ((r = cy_stream_run(&sp, err)) != 0)
		goto out;
	r = cy_sink_finish(out, err);
out:
	cy_wipe(sp.key, sizeof(sp.key));
	cy_secret_free(file_key);
	cy_header_free(&h);
	cy_buf_free(&hdr);
	return r;
}

/* age: an scrypt stanza must be the only one (it proves who sealed). */
int
cy_age_payload_key(struct cy_src *in, const uint8_t *file_key,
    uint8_t nonce[CY_STREAM_NONCE_LEN], uint8_t key[CY_AEAD_KEY_LEN],
    cy_error *err)
{
	ssize_t n;

	if ((n = cy_src_read(in, nonce, CY_STREAM_NONCE_LEN, err)) < 0)
		return (int)n;
	if (n != CY_STREAM_NONCE_LEN)
		return cy_error_set(err, CY_E_HEADER,
		    "the file is truncated: the payload nonce is missing");
	return cy_stream_key(file_key, nonce, key);
}

int
cy_age_read_header(struct cy_src *in, cy_header *h, cy_error *err)
{
	cy_buf hdr = CY_BUF_INIT;
	size_t used;
	int r;

	memset(h, 0, sizeof(*h));
	if ((r = cy_src_read_header(in, &hdr, err)) != 0)
		goto out;
	if ((r = cy_header_parse(hdr.data, hdr.len, h, &used, err)) != 0)
		goto out;
	if (used != hdr.len) {
		cy_header_free(h);
		r = cy_error_set(err, CY_E_HEADER, "malformed header");
		goto out;
	}
	if ((r = cy_age_check_scrypt_alone(h, err)) != 0)
		cy_header_free(h);
out:
	cy_buf_free(&hdr);
	return r;
}

int
cy_age_check_scrypt_alone(const cy_header *h, cy_error *err)
{
	size_t i;

	for (i = 0; i < h->nstanzas; i++)
		if (strcmp(h->stanzas[i].type, CY_SCRYPT_STANZA) == 0 &&
		    h->nstanzas != 1)
			return cy_error_set(err, CY_E_HEADER,
			    "an scrypt stanza must be the only stanza in the header");
	return 0;
}

/* An identity may say why a stanza that names it did not open (a release
 * identity with the wrong key or R): the first such near miss is the
 * answer when nothing opens. */
int
cy_age_unwrap(const cy_header *h, const cy_open_params *p, uint8_t *file_key,
    cy_error *err)
{
	cy_error one, miss;
	size_t i, j;
	int r;

	cy_error_clear(&miss);
	for (i = 0; i < p->nidentities; i++) {
		for (j = 0; j < h->nstanzas; j++) {
			cy_error_clear(&one);
			r = p->identities[i]->unwrap(p->identities[i],
			    &h->stanzas[j], file_key, &one);
			if (r == CY_E_NO_MATCH) {
				if (one.code == CY_E_NO_MATCH && miss.code == 0)
					miss = one;
				continue;
			}
			if (r != 0 && one.code == 0)
				cy_error_set(&one, r, "%s", cy_strerror(r));
			if (r != 0 && err != NULL)
				*err = one;
			return r;
		}
	}
	if (miss.code != 0) {
		if (err != NULL)
			*err = miss;
		return CY_E_NO_MATCH;
	}
	return cy_error_set(err, CY_E_NO_MATCH,
	    "no identity matched any of the recipients: this file was not sealed to you");
}

/* A label stanza means a classified document, which the plain engine
 * cannot verify. */
static int
check_classified(const cy_header *h, const cy_open_params *p, cy_error *err)
{
	size_t i;

	for (i = 0; i < h->nstanzas; i++)
		if (strcmp(h->stanzas[i].type, CY_LABEL_STANZA) == 0)
			break;
	if (i == h->nstanzas)
		return 0;
	if (p->saw_label != NULL)
		*p->saw_label = 1;
	if (p->unverified_label)
		return 0;
	return cy_error_set(err, CY_E_POLICY,
	    "a classified document (it carries a %s stanza): opening it as a "
	    "plain age file would verify neither its label, nor its sealer, "
	    "nor its content", CY_LABEL_STANZA);
}

static int
open_file(struct cy_src *in, struct cy_sink *out, const cy_open_params *p,
    cy_error *err)
{
	cy_header h;
	uint8_t *file_key = NULL, nonce[CY_STREAM_NONCE_LEN];
	cy_stream_params sp;
	int r;

	memset(&h, 0, sizeof(h));
	memset(&sp, 0, sizeof(sp));
	if ((r = cy_age_read_header(in, &h, err)) != 0 ||
	    (r = check_classified(&h, p, err)) != 0)
		goto out;
	if ((file_key = cy_secret_alloc(CY_FILE_KEY_LEN)) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = cy_age_unwrap(&h, p, file_key, err)) != 0 ||
	    (r = cy_header_verify_mac(&h, file_key, err)) != 0)
		goto out;
	if ((r = cy_age_payload_key(in, file_key, nonce, sp.key, err)) != 0)
		goto out;
	sp.decrypt = 1;
	cy_stream_plumb(&sp, in, out, p->threads, p->progress, p->progress_ctx,
	    p->size_hint);
	r = cy_stream_run(&sp, err);
out:
	cy_wipe(sp.key, sizeof(sp.key));
	cy_secret_free(file_key);
	cy_header_free(&h);
	return r;
}

static int
seal_io(int in_fd, const uint8_t *mem, size_t len, int mapped, int out_fd,
    cy_buf *outbuf, const cy_seal_params *p, cy_error *err)
{
	struct cy_src in;
	struct cy_sink out = {out_fd, outbuf, NULL, CY_BUF_INIT};
	int r;

	if ((r = cy_src_open(&in, in_fd, mem, len, 0, err)) != 0)
		goto out;
	in.mapped = mapped;
	if (p->armor && (out.armor = cy_armor_enc_new()) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	r = seal(&in, &out, p, err);
out:
	cy_src_close(&in);
	cy_sink_close(&out);
	return r;
}

static int
open_io(int in_fd, const uint8_t *mem, size_t len, int mapped, int out_fd,
    cy_buf *outbuf, const cy_open_params *p, cy_error *err)
{
	struct cy_src in;
	struct cy_sink out = {out_fd, outbuf, NULL, CY_BUF_INIT};
	int r;

	if ((r = cy_src_open(&in, in_fd, mem, len, 1, err)) == 0) {
		in.mapped = mapped;
		r = open_file(&in, &out, p, err);
	}
	cy_src_close(&in);
	cy_sink_close(&out);
	return r;
}

/* Maps a regular file's remaining bytes so the workers read the page cache
 * directly; returns NULL (use read()) for pipes, terminals, empty files. */
void *
cy_map_input(int fd, size_t *maplen, size_t *start)
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

typedef int io_fn(int in_fd, const uint8_t *mem, size_t len, int mapped,
    int out_fd, cy_buf *outbuf, const void *p, cy_error *err);

static int
run_fd(io_fn *fn, int in_fd, int out_fd, const void *p, cy_error *err)
{
	size_t maplen = 0, start = 0;
	uint8_t *m;
	int r;

	if ((m = cy_map_input(in_fd, &maplen, &start)) == NULL)
		return fn(in_fd, NULL, 0, 0, out_fd, NULL, p, err);
	r = fn(-1, m + start, maplen - start, 1, out_fd, NULL, p, err);
	munmap(m, maplen);
	return r;
}

static int
seal_io_any(int in_fd, const uint8_t *mem, size_t len, int mapped, int out_fd,
    cy_buf *outbuf, const void *p, cy_error *err)
{
	return seal_io(in_fd, mem, len, mapped, out_fd, outbuf, p, err);
}

static int
open_io_any(int in_fd, const uint8_t *mem, size_t len, int mapped, int out_fd,
    cy_buf *outbuf, const void *p, cy_error *err)
{
	return open_io(in_fd, mem, len, mapped, out_fd, outbuf, p, err);
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

	return seal_io(-1, in ? in : empty, len, 0, -1, out, p, err);
}

int
cy_age_open_mem(const uint8_t *in, size_t len, const cy_open_params *p,
    cy_buf *out, cy_error *err)
{
	static const uint8_t empty[1];

	return open_io(-1, in ? in : empty, len, 0, -1, out, p, err);
}
