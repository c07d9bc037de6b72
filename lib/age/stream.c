#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "coyeu/secret.h"
#include "age/stream.h"

enum chunk_status {
	CHUNK_OK = 0,
	CHUNK_BAD_TAG,     /* authentication failed */
	CHUNK_TRUNCATED,   /* verifies only as a non-final chunk */
	CHUNK_TRAILING,    /* verifies only as a final chunk: data follows */
	CHUNK_CRYPTO,      /* the primitive itself failed */
	CHUNK_CHANGED,     /* not the chunk an earlier pass hashed */
};

struct slot {
	uint8_t *in, *out;
	const uint8_t *inp[CY_STREAM_BATCH]; /* into `in`, or the mapped input */
	size_t inlen[CY_STREAM_BATCH], outlen[CY_STREAM_BATCH];
	uint8_t last[CY_STREAM_BATCH];
	uint8_t status[CY_STREAM_BATCH];
	uint8_t released[CY_STREAM_BATCH]; /* output may be written */
	uint8_t hash[CY_STREAM_BATCH][CY_SHA256_LEN];
	uint64_t first;    /* index of the slot's first chunk */
	size_t n, next, pending;
	size_t used;       /* the furthest byte its buffers ever held: what
	                    * to wipe (a small payload's is not 64 KiB) */
};

struct pipeline {
	const cy_stream_params *p;
	struct slot slots[CY_STREAM_SLOTS];
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	uint64_t submitted, claimed; /* slot sequence numbers */
	int stop;
};

static int
slot_index(uint64_t seq)
{
	return (int)(seq % CY_STREAM_SLOTS);
}

int
cy_stream_key(const uint8_t file_key[CY_FILE_KEY_LEN],
    const uint8_t nonce[CY_STREAM_NONCE_LEN], uint8_t key[CY_AEAD_KEY_LEN])
{
	return cy_hkdf_sha256(file_key, CY_FILE_KEY_LEN, nonce,
	    CY_STREAM_NONCE_LEN, "payload", key, CY_AEAD_KEY_LEN);
}

/* STREAM nonce: 11-byte big-endian counter, then the final-chunk flag. */
static void
chunk_nonce(uint8_t nonce[CY_AEAD_NONCE_LEN], uint64_t index, int last)
{
	int i;

	memset(nonce, 0, CY_AEAD_NONCE_LEN);
	for (i = 0; i < 8; i++)
		nonce[10 - i] = (uint8_t)(index >> (8 * i));
	nonce[11] = last ? 1 : 0;
}

/* Does a decrypting run hash what it decrypts?  Then a mapped chunk is
 * copied first: the file may change under a mapping between the hash and
 * the decryption, and even between the tag check and the decryption. */
static int
private_input(const cy_stream_params *p)
{
	return p->decrypt && p->map != NULL && !p->hash_only &&
	    (p->hash != NULL || p->expect != NULL);
}

/* Hashes a stored chunk; 0 if it differs from what an earlier pass saw. */
static int
hash_stored(const cy_stream_params *p, const uint8_t *in, size_t len,
    uint64_t index, uint8_t hash[CY_SHA256_LEN])
{
	if (p->hash == NULL && p->expect == NULL)
		return 1;
	cy_sha256_digest(in, len, hash);
	return p->expect == NULL || (index < p->nexpect &&
	    cy_memeq(hash, p->expect[index], CY_SHA256_LEN));
}

static void
process_chunk(const cy_stream_params *p, cy_aead_ctx *aead, struct slot *s,
    size_t i)
{
	uint8_t nonce[CY_AEAD_NONCE_LEN];
	const uint8_t *in = s->inp[i];
	uint8_t *out = s->out + i * CY_STREAM_ENC_CHUNK;
	uint64_t index = s->first + i;
	size_t len = s->inlen[i];

	chunk_nonce(nonce, index, s->last[i]);
	if (!p->decrypt) {
		s->status[i] = cy_aead_ctx_seal(aead, nonce, in, len, out) == 0 ?
		    CHUNK_OK : CHUNK_CRYPTO;
		s->outlen[i] = len + CY_STREAM_TAG;
		s->released[i] = s->status[i] == CHUNK_OK;
		if (p->hash != NULL)
			cy_sha256_digest(out, s->outlen[i], s->hash[i]);
		return;
	}
	if (private_input(p)) {
		memcpy(s->in + i * CY_STREAM_ENC_CHUNK, in, len);
		in = s->in + i * CY_STREAM_ENC_CHUNK;
	}
	s->outlen[i] = len - CY_STREAM_TAG;
	if (!hash_stored(p, in, len, index, s->hash[i])) {
		s->status[i] = CHUNK_CHANGED;
		s->released[i] = 0;
		return;
	}
	s->released[i] = 1;
	if (p->hash_only) {
		s->outlen[i] = 0;
		s->status[i] = CHUNK_OK;
		return;
	}
	if (cy_aead_ctx_open(aead, nonce, in, len, out) == 0) {
		s->status[i] = CHUNK_OK;
		return;
	}
	/* Failure: try the other flag to say precisely what is wrong.  Such
	 * a chunk is authentic at its position, so, as age does, its
	 * plaintext is released before the framing error is reported. */
	chunk_nonce(nonce, index, !s->last[i]);
	if (cy_aead_ctx_open(aead, nonce, in, len, out) == 0) {
		s->status[i] = s->last[i] ? CHUNK_TRUNCATED : CHUNK_TRAILING;
		/* A short chunk can only be final: nothing to release. */
		if (len == CY_STREAM_ENC_CHUNK)
			return;
	} else {
		s->status[i] = CHUNK_BAD_TAG;
	}
	cy_wipe(out, s->outlen[i]);
	s->released[i] = 0;
}

/* Claims one chunk; returns NULL when told to stop. */
static struct slot *
claim(struct pipeline *pl, size_t *idx)
{
	struct slot *s;

	for (;;) {
		if (pl->stop)
			return NULL;
		if (pl->claimed < pl->submitted) {
			s = &pl->slots[slot_index(pl->claimed)];
			if (s->next < s->n) {
				*idx = s->next++;
				return s;
			}
			pl->claimed++;
			continue;
		}
		pthread_cond_wait(&pl->work, &pl->mu);
	}
}

static void *
worker(void *arg)
{
	struct pipeline *pl = arg;
	cy_aead_ctx *aead = cy_aead_ctx_new(pl->p->key);
	struct slot *s;
	size_t i;

	pthread_mutex_lock(&pl->mu);
	while ((s = claim(pl, &i)) != NULL) {
		pthread_mutex_unlock(&pl->mu);
		if (aead != NULL) {
			process_chunk(pl->p, aead, s, i);
		} else {
			/* The flag may be left from the slot's last batch. */
			s->status[i] = CHUNK_CRYPTO;
			s->released[i] = 0;
		}
		pthread_mutex_lock(&pl->mu);
		if (--s->pending == 0)
			pthread_cond_broadcast(&pl->done);
	}
	pthread_mutex_unlock(&pl->mu);
	cy_aead_ctx_free(aead);
	return NULL;
}

struct reader {
	const cy_stream_params *p;
	uint64_t index;       /* next chunk index */
	int have_carry, eof;
	uint8_t carry;
	uint64_t bytes;       /* input consumed, for progress */
	size_t map_pos;
};

/* Input already in memory: point at it instead of copying. */
static ssize_t
map_chunk(struct reader *rd, const uint8_t **chunk, int *last)
{
	size_t want = rd->p->decrypt ? CY_STREAM_ENC_CHUNK : CY_STREAM_CHUNK;
	size_t avail = rd->p->map_len - rd->map_pos;
	size_t got = avail < want ? avail : want;

	*chunk = rd->p->map + rd->map_pos;
	rd->map_pos += got;
	rd->bytes += got;
	*last = rd->map_pos == rd->p->map_len;
	if (*last)
		rd->eof = 1;
	return (ssize_t)got;
}

/* Reads one chunk into buf; sets *last when it is the final one (the input
 * ends right after it).  Returns its length or a negative CY_E code. */
static ssize_t
read_chunk(struct reader *rd, const uint8_t **chunk, uint8_t *buf, int *last,
    cy_error *err)
{
	size_t want = rd->p->decrypt ? CY_STREAM_ENC_CHUNK : CY_STREAM_CHUNK;
	size_t got = 0;
	ssize_t n;
	uint8_t peek;

	if (rd->p->map != NULL)
		return map_chunk(rd, chunk, last);
	*chunk = buf;
	if (rd->have_carry) {
		buf[0] = rd->carry;
		got = 1;
		rd->have_carry = 0;
	}
	if ((n = rd->p->read(rd->p->read_ctx, buf + got, want - got, err)) < 0)
		return n;
	got += (size_t)n;
	*last = 1;
	if (got == want) {
		/* A full chunk is final only if nothing follows it. */
		if ((n = rd->p->read(rd->p->read_ctx, &peek, 1, err)) < 0)
			return n;
		if (n == 1) {
			rd->carry = peek;
			rd->have_carry = 1;
			*last = 0;
		}
	}
	if (*last)
		rd->eof = 1;
	rd->bytes += got;
	return (ssize_t)got;
}

static int
check_chunk_size(const struct reader *rd, size_t len, cy_error *err)
{
	if (!rd->p->decrypt)
		return 0;
	if (len == 0 && rd->index == 0)
		return cy_error_set(err, CY_E_PAYLOAD,
		    "the file has no payload: it is truncated");
	if (len < CY_STREAM_TAG)
		return cy_error_set(err, CY_E_PAYLOAD,
		    "chunk %llu is shorter than its tag: the file is truncated or damaged",
		    (unsigned long long)rd->index);
	if (len == CY_STREAM_TAG && rd->index > 0)
		return cy_error_set(err, CY_E_PAYLOAD,
		    "chunk %llu is an empty final chunk, which age forbids: the file was tampered with",
		    (unsigned long long)rd->index);
	return 0;
}

/* Fills a slot with up to CY_STREAM_BATCH chunks.  A size error is kept in
 * *rerr and stops reading; the chunks before it still run. */
static int
fill_slot(struct reader *rd, struct slot *s, int *rerr, cy_error *err)
{
	ssize_t len;
	size_t end;
	int last;

	s->n = s->next = 0;
	s->first = rd->index;
	while (s->n < CY_STREAM_BATCH && !rd->eof) {
		len = read_chunk(rd, &s->inp[s->n],
		    s->in + s->n * CY_STREAM_ENC_CHUNK, &last, err);
		if (len < 0) {
			/* Part of the chunk may have been read: wipe it all. */
			if ((s->n + 1) * CY_STREAM_ENC_CHUNK > s->used)
				s->used = (s->n + 1) * CY_STREAM_ENC_CHUNK;
			return (int)len;
		}
		/* An output chunk is at most its input and a tag. */
		end = s->n * CY_STREAM_ENC_CHUNK + ((size_t)len + CY_STREAM_TAG <
		    CY_STREAM_ENC_CHUNK ? (size_t)len + CY_STREAM_TAG :
		    CY_STREAM_ENC_CHUNK);
		if (end > s->used)
			s->used = end;
		if ((*rerr = check_chunk_size(rd, (size_t)len, err)) != 0) {
			rd->eof = 1;
			break;
		}
		s->inlen[s->n] = (size_t)len;
		s->last[s->n] = (uint8_t)last;
		s->n++;
		rd->index++;
	}
	s->pending = s->n;
	return 0;
}

static int
chunk_error(int status, uint64_t index, cy_error *err)
{
	unsigned long long i = (unsigned long long)index;

	switch (status) {
	case CHUNK_TRUNCATED:
		return cy_error_set(err, CY_E_PAYLOAD,
		    "the file is truncated: it ends after chunk %llu, which is not marked final", i);
	case CHUNK_TRAILING:
		return cy_error_set(err, CY_E_PAYLOAD,
		    "data follows the final chunk %llu: the file was tampered with", i);
	case CHUNK_CRYPTO:
		return cy_error_set(err, CY_E_CRYPTO,
		    "ChaCha20-Poly1305 failed on chunk %llu", i);
	case CHUNK_CHANGED:
		return cy_error_set(err, CY_E_PAYLOAD, CY_STREAM_CHANGED
		    " (chunk %llu is not the one verified); the output stops "
		    "before it: copy the file where no one else can write and "
		    "open the copy", i);
	}
	return cy_error_set(err, CY_E_PAYLOAD,
	    "chunk %llu failed authentication: the file is damaged or was tampered with", i);
}

/* Drops mapped input pages that are done with, so resident memory stays
 * at the pipeline's window, not the file's size.  The page cache keeps
 * them. */
static void
unmap_done(const cy_stream_params *p, const struct slot *s, uintptr_t *from)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t to;

	/* Never on ordinary memory: MADV_DONTNEED would zero it. */
	if (p->map == NULL || !p->map_release || s->n == 0)
		return;
	if (*from == 0)
		*from = (uintptr_t)p->map & ~(page - 1);
	to = ((uintptr_t)s->inp[s->n - 1] + s->inlen[s->n - 1]) & ~(page - 1);
	/* In steps of CY_STREAM_RELEASE: each call costs a TLB shootdown
	 * on every core running a worker. */
	if (to >= *from + CY_STREAM_RELEASE) {
		(void)madvise((void *)*from, to - *from, MADV_DONTNEED);
		*from = to;
	}
}

/* Writes a finished slot in order; stops at the first failed chunk. */
static int
drain_slot(struct pipeline *pl, struct slot *s, uint64_t *bytes_out,
    cy_error *err)
{
	const cy_stream_params *p = pl->p;
	size_t i;
	int r;

	for (i = 0; i < s->n; i++) {
		if (!s->released[i])
			return chunk_error(s->status[i], s->first + i, err);
		if (p->hash != NULL)
			p->hash(p->hash_ctx, s->first + i, s->hash[i]);
		if ((r = p->write(p->write_ctx, s->out + i * CY_STREAM_ENC_CHUNK,
		    s->outlen[i], err)) != 0)
			return r;
		*bytes_out += s->outlen[i];
		if (s->status[i] != CHUNK_OK)
			return chunk_error(s->status[i], s->first + i, err);
	}
	return 0;
}

static int
pipeline_init(struct pipeline *pl, const cy_stream_params *p)
{
	int i;

	memset(pl, 0, sizeof(*pl));
	pl->p = p;
	/* First: pipeline_free destroys them even when allocation fails. */
	pthread_mutex_init(&pl->mu, NULL);
	pthread_cond_init(&pl->work, NULL);
	pthread_cond_init(&pl->done, NULL);
	for (i = 0; i < CY_STREAM_SLOTS; i++) {
		if ((p->map == NULL || private_input(p)) && (pl->slots[i].in =
		    malloc(CY_STREAM_BATCH * CY_STREAM_ENC_CHUNK)) == NULL)
			return CY_E_NOMEM;
		pl->slots[i].out = malloc(CY_STREAM_BATCH * CY_STREAM_ENC_CHUNK);
		if (pl->slots[i].out == NULL)
			return CY_E_NOMEM;
	}
	return 0;
}

static void
pipeline_free(struct pipeline *pl)
{
	size_t used;
	int i;

	for (i = 0; i < CY_STREAM_SLOTS; i++) {
		/* Plaintext passed through the part of the buffers used; the
		 * rest was never touched (nor faulted in). */
		used = pl->slots[i].used;
		if (pl->slots[i].in != NULL)
			cy_wipe(pl->slots[i].in, used);
		if (pl->slots[i].out != NULL)
			cy_wipe(pl->slots[i].out, used);
		free(pl->slots[i].in);
		free(pl->slots[i].out);
	}
	pthread_mutex_destroy(&pl->mu);
	pthread_cond_destroy(&pl->work);
	pthread_cond_destroy(&pl->done);
}

static int
thread_count(const cy_stream_params *p)
{
	long n = p->threads;

	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > CY_STREAM_MAX_THREADS ? CY_STREAM_MAX_THREADS : (int)n;
}

/* One thread: the same slots, processed in place. */
static int
run_inline(struct pipeline *pl, cy_error *err)
{
	struct reader rd = {pl->p, 0, 0, 0, 0, 0, 0};
	struct slot *s = &pl->slots[0];
	cy_aead_ctx *aead;
	uint64_t out = 0;
	uintptr_t released = 0;
	size_t i;
	int r = 0, rerr = 0;

	if ((aead = cy_aead_ctx_new(pl->p->key)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	while (!rd.eof && r == 0 && rerr == 0) {
		if ((r = fill_slot(&rd, s, &rerr, err)) != 0)
			break;
		for (i = 0; i < s->n; i++)
			process_chunk(pl->p, aead, s, i);
		r = drain_slot(pl, s, &out, err);
		unmap_done(pl->p, s, &released);
		if (r == 0 && pl->p->progress != NULL)
			pl->p->progress(pl->p->progress_ctx, rd.bytes,
			    pl->p->size_hint);
	}
	cy_aead_ctx_free(aead);
	return r != 0 ? r : rerr;
}

static int
run_threads(struct pipeline *pl, int nthreads, cy_error *err)
{
	pthread_t tids[CY_STREAM_MAX_THREADS];
	struct reader rd = {pl->p, 0, 0, 0, 0, 0, 0};
	uint64_t written = 0, out = 0;
	uintptr_t released = 0;
	struct slot *s;
	int i, started = 0, r = 0, rerr = 0;

	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&tids[i], NULL, worker, pl) != 0)
			break;
		started++;
	}
	if (started == 0) {
		r = cy_error_set(err, CY_E_NOMEM, "cannot start worker threads");
		goto out;
	}
	for (;;) {
		/* Keep every free slot filled, then drain the oldest. */
		while (!rd.eof && rerr == 0 &&
		    pl->submitted - written < CY_STREAM_SLOTS) {
			s = &pl->slots[slot_index(pl->submitted)];
			if ((r = fill_slot(&rd, s, &rerr, err)) != 0)
				goto out;
			pthread_mutex_lock(&pl->mu);
			pl->submitted++;
			pthread_cond_broadcast(&pl->work);
			pthread_mutex_unlock(&pl->mu);
		}
		if (written == pl->submitted)
			break;
		s = &pl->slots[slot_index(written)];
		pthread_mutex_lock(&pl->mu);
		while (s->pending > 0)
			pthread_cond_wait(&pl->done, &pl->mu);
		pthread_mutex_unlock(&pl->mu);
		if ((r = drain_slot(pl, s, &out, err)) != 0)
			goto out;
		unmap_done(pl->p, s, &released);
		written++;
		if (pl->p->progress != NULL)
			pl->p->progress(pl->p->progress_ctx, rd.bytes,
			    pl->p->size_hint);
	}
	r = rerr;
out:
	pthread_mutex_lock(&pl->mu);
	pl->stop = 1;
	pthread_cond_broadcast(&pl->work);
	pthread_mutex_unlock(&pl->mu);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	return r;
}

int
cy_stream_run(const cy_stream_params *p, cy_error *err)
{
	struct pipeline pl;
	int n, r;

	if ((r = pipeline_init(&pl, p)) != 0) {
		pipeline_free(&pl);
		return cy_error_set(err, r, "out of memory");
	}
	n = thread_count(p);
	r = n == 1 ? run_inline(&pl, err) : run_threads(&pl, n, err);
	pipeline_free(&pl);
	return r;
}
