/* Checking a batch of entries on several threads: signature verification
 * is most of an append's work. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coyeu/entry.h"
#include "coyeu/log.h"

#define THREADS_MAX 64
#define PER_THREAD_MIN 16 /* smaller chunks are not worth a thread */

struct worker {
	const uint8_t *const *entries;
	const size_t *lens;
	uint8_t (*leaf)[CY_HASH_LEN];
	size_t lo, hi, bad;
	int rc, started;
	cy_error err;
	pthread_t tid;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	cy_hasher *h = NULL;
	size_t i;

	w->bad = w->lo;
	if (w->leaf != NULL && (w->rc = cy_hasher_new(&h, &w->err)) != 0)
		return NULL;
	for (i = w->lo; i < w->hi; i++) {
		w->bad = i;
		if ((w->rc = cy_entry_verify(w->entries[i], w->lens[i], &w->err)) != 0)
			break;
		if (w->leaf != NULL && (w->rc = cy_merkle_leaf_hash(h, w->entries[i],
		    w->lens[i], w->leaf[i])) != 0) {
			cy_error_set(&w->err, w->rc, "SHA-256 failed");
			break;
		}
	}
	cy_hasher_free(h);
	return NULL;
}

int
cy_log_check_entries(const uint8_t *const *entries, const size_t *lens,
    size_t n, int threads, uint8_t (*leaf)[CY_HASH_LEN], size_t *bad,
    cy_error *err)
{
	struct worker w[THREADS_MAX];
	size_t nw, i, chunk, first = SIZE_MAX;
	long cores;
	int r = 0;

	if (threads <= 0) {
		cores = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cores < 1 ? 1 : cores > THREADS_MAX ? THREADS_MAX : (int)cores;
	}
	if (threads > THREADS_MAX)
		threads = THREADS_MAX;
	nw = n / PER_THREAD_MIN + 1;
	if (nw > (size_t)threads)
		nw = (size_t)threads;
	chunk = (n + nw - 1) / nw;
	memset(w, 0, sizeof(w[0]) * nw);
	for (i = 0; i < nw; i++) {
		w[i].entries = entries;
		w[i].lens = lens;
		w[i].leaf = leaf;
		w[i].lo = i * chunk < n ? i * chunk : n;
		w[i].hi = (i + 1) * chunk < n ? (i + 1) * chunk : n;
		/* This thread takes chunk 0; a chunk without a thread runs here. */
		if (i > 0)
			w[i].started = pthread_create(&w[i].tid, NULL, work,
			    &w[i]) == 0;
	}
	work(&w[0]);
	for (i = 0; i < nw; i++) {
		if (i > 0 && w[i].started)
			pthread_join(w[i].tid, NULL);
		else if (i > 0)
			work(&w[i]);
		if (w[i].rc != 0 && w[i].bad < first) {
			first = w[i].bad;
			r = w[i].rc;
			if (err != NULL) {
				*err = w[i].err;
				cy_error_wrap(err, "entry %zu of the batch", first);
			}
		}
	}
	if (bad != NULL)
		*bad = first;
	return r;
}
