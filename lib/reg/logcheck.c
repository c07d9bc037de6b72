/* Checking a batch of entries on worker threads.  Signature verification is
 * most of an append's work, so the workers check chunks in order while the
 * appending thread stores the chunks already checked. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coyeu/entry.h"
#include "coyeu/log.h"
#include "reg/logint.h"

#define THREADS_MAX 64
#define CHUNK 64 /* entries a worker takes at a time */

struct cy_checker {
	const uint8_t *const *entries;
	const size_t *lens;
	const cy_entry_checked *const *checked; /* may be NULL */
	uint8_t (*leaf)[CY_HASH_LEN];
	int64_t *times;
	size_t n, nchunks, next, bad;
	unsigned char *done; /* per chunk */
	int rc, stop, nthreads;
	cy_error err;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t tid[THREADS_MAX];
};

/* Checks entries [lo, hi); on failure returns the code and sets *bad. */
static int
check_range(struct cy_checker *c, cy_hasher *h, size_t lo, size_t hi,
    size_t *bad, cy_error *err)
{
	size_t i;
	int64_t t;
	int r;

	for (i = lo; i < hi; i++) {
		*bad = i;
		if (cy_entry_checked_same(c->checked, i, c->entries[i],
		    c->lens[i]))
			t = c->checked[i]->time;
		else if ((r = cy_entry_verify_time(c->entries[i], c->lens[i],
		    &t, err)) != 0)
			return r;
		if (c->times != NULL)
			c->times[i] = t;
		if (c->leaf != NULL && (r = cy_merkle_leaf_hash(h, c->entries[i],
		    c->lens[i], c->leaf[i])) != 0)
			return cy_error_set(err, r, "SHA-256 failed");
	}
	return 0;
}

static void *
work(void *arg)
{
	struct cy_checker *c = arg;
	cy_hasher *h = NULL;
	cy_error err;
	size_t k, bad = 0;
	int r = 0;

	for (;;) {
		pthread_mutex_lock(&c->mu);
		k = c->next++;
		if (c->stop || k >= c->nchunks) {
			pthread_cond_broadcast(&c->cv);
			pthread_mutex_unlock(&c->mu);
			break;
		}
		pthread_mutex_unlock(&c->mu);
		if (h == NULL && r == 0 && (r = cy_hasher_new(&h, &err)) != 0)
			bad = k * CHUNK;
		if (r == 0)
			r = check_range(c, h, k * CHUNK, k * CHUNK + CHUNK < c->n ?
			    k * CHUNK + CHUNK : c->n, &bad, &err);
		/* A failure is recorded with its chunk's completion, so a waiter
		 * never sees the chunk done without it. */
		pthread_mutex_lock(&c->mu);
		if (r != 0 && bad < c->bad) {
			c->bad = bad;
			c->rc = r;
			c->err = err;
		}
		c->done[k] = 1;
		pthread_cond_broadcast(&c->cv);
		pthread_mutex_unlock(&c->mu);
	}
	cy_hasher_free(h);
	return NULL;
}

static int
cores(int threads)
{
	long n;

	if (threads <= 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n < 1 ? 1 : n > THREADS_MAX ? THREADS_MAX : (int)n;
	}
	return threads > THREADS_MAX ? THREADS_MAX : threads;
}

int
cy_checker_start(const uint8_t *const *entries, const size_t *lens,
    const cy_entry_checked *const *checked, size_t n, int threads,
    uint8_t (*leaf)[CY_HASH_LEN], int64_t *times, struct cy_checker **out,
    cy_error *err)
{
	struct cy_checker *c;
	int i;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->done = calloc(n / CHUNK + 1, 1)) == NULL) {
		free(c);
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	}
	c->entries = entries;
	c->lens = lens;
	c->checked = checked;
	c->leaf = leaf;
	c->times = times;
	c->n = n;
	c->nchunks = (n + CHUNK - 1) / CHUNK;
	c->bad = SIZE_MAX;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	threads = cores(threads);
	if ((size_t)threads > c->nchunks)
		threads = (int)c->nchunks;
	for (i = 0; i < threads; i++)
		if (pthread_create(&c->tid[c->nthreads], NULL, work, c) == 0)
			c->nthreads++;
	*out = c;
	return 0;
}

/* The chunks of [0, upto) are all done (called with the lock held). */
static int
prefix_done(const struct cy_checker *c, size_t upto)
{
	size_t k;

	for (k = 0; k < (upto + CHUNK - 1) / CHUNK; k++)
		if (!c->done[k])
			return 0;
	return 1;
}

int
cy_checker_wait(struct cy_checker *c, size_t upto, size_t *bad, cy_error *err)
{
	int r;

	pthread_mutex_lock(&c->mu);
	/* Without workers (none could start) this thread does the work. */
	while (!prefix_done(c, upto) && c->bad >= upto) {
		if (c->nthreads == 0) {
			pthread_mutex_unlock(&c->mu);
			work(c);
			pthread_mutex_lock(&c->mu);
			continue;
		}
		pthread_cond_wait(&c->cv, &c->mu);
	}
	r = c->bad < upto ? c->rc : 0;
	if (r != 0) {
		if (bad != NULL)
			*bad = c->bad;
		if (err != NULL) {
			*err = c->err;
			cy_error_wrap(err, "entry %zu of the batch", c->bad);
		}
	}
	pthread_mutex_unlock(&c->mu);
	return r;
}

void
cy_checker_finish(struct cy_checker *c)
{
	int i;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_mutex_unlock(&c->mu);
	for (i = 0; i < c->nthreads; i++)
		pthread_join(c->tid[i], NULL);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c->done);
	free(c);
}

int
cy_log_check_entries(const uint8_t *const *entries, const size_t *lens,
    size_t n, int threads, uint8_t (*leaf)[CY_HASH_LEN], int64_t *times,
    size_t *bad, cy_error *err)
{
	struct cy_checker *c;
	int r;

	if (bad != NULL)
		*bad = SIZE_MAX;
	if ((r = cy_checker_start(entries, lens, NULL, n, threads, leaf, times,
	    &c, err)) != 0)
		return r;
	r = cy_checker_wait(c, n, bad, err);
	cy_checker_finish(c);
	return r;
}
