/* The writer: one thread owns the writable register and commits every
 * pending job together, one durable commit and one checkpoint per batch
 * (writer.c).  While a batch commits (fsync), the next one gathers. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coyeud.h"
#include "internal.h"

/* How long a store that says "try again" is retried before the batch's
 * requests are answered 503. */
#define RETRY_FOR_MS 5000
#define RETRY_FIRST_MS 2
#define RETRY_STEP_MAX_MS 200
/* How long a new batch may wait for the requests of the last one. */
#define GATHER_US 1000

struct cyd_writer {
	cyd_server *srv;
	cy_store *store;
	cy_log *log;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work; /* a job came, or stop */
	cyd_job *head, **tail;
	int stop, started;
	int broken; /* the thread could not run: refuse every job */
	size_t pending; /* jobs queued */
};

/* One batch: its jobs, all their entries in one array, and where each
 * job's entries start. */
struct batch {
	cyd_job **all;  /* the jobs taken */
	size_t nall;
	cyd_job **jobs; /* those not yet answered */
	size_t njobs;
	const uint8_t **entries;
	size_t *lens;
	const cy_entry_checked **checked;
	size_t *start; /* start[j]: jobs[j]'s first entry in the batch */
	size_t n;
	size_t failed_hook; /* the job whose hook refused, or SIZE_MAX */
};

static void unlink_job(cyd_writer *w, cyd_job *job);

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static int
batch_hook(void *ctx, cy_store *s, uint64_t first, cy_error *err)
{
	struct batch *b = ctx;
	size_t j;
	int r;

	for (j = 0; j < b->njobs; j++) {
		if (b->jobs[j]->hook == NULL)
			continue;
		if ((r = b->jobs[j]->hook(b->jobs[j]->hook_ctx, s,
		    first + b->start[j], err)) != 0) {
			b->failed_hook = j;
			return r;
		}
	}
	return 0;
}

/* Jobs without entries: their hooks in a plain write transaction. */
static int
commit_hooks_only(cyd_writer *w, struct batch *b, cy_error *err)
{
	const cy_store_driver *d = w->store->drv;
	uint64_t size = cy_log_size(w->log);
	int r;

	if ((r = d->begin(w->store, 1, err)) != 0)
		return r;
	if ((r = batch_hook(b, w->store, size, err)) != 0 ||
	    (r = d->commit(w->store, err)) != 0)
		d->rollback(w->store);
	return r;
}

/* Gathers the batch's entries from its jobs (after failed ones left). */
static void
gather(struct batch *b)
{
	size_t j, i;

	b->n = 0;
	for (j = 0; j < b->njobs; j++) {
		b->start[j] = b->n;
		for (i = 0; i < b->jobs[j]->n; i++) {
			b->entries[b->n] = b->jobs[j]->entries[i];
			b->checked[b->n] = b->jobs[j]->checked != NULL ?
			    b->jobs[j]->checked[i] : NULL;
			b->lens[b->n++] = b->jobs[j]->lens[i];
		}
	}
}

static void
finish_job(cyd_job *job, int rc, const cy_error *err)
{
	job->rc = rc;
	if (rc != 0 && err != NULL)
		job->err = *err;
}

/* Takes job j out of the batch (it has been answered). */
static void
drop_job(struct batch *b, size_t j)
{
	memmove(b->jobs + j, b->jobs + j + 1,
	    (b->njobs - j - 1) * sizeof(*b->jobs));
	b->njobs--;
}

/* The job holding batch entry i. */
static size_t
job_of(const struct batch *b, size_t i)
{
	size_t j = 0;

	while (j + 1 < b->njobs && b->start[j + 1] <= i)
		j++;
	return j;
}

/* The job's receipts, when it asked for them.  The entries are durable
 * whatever happens here: on a failure the request makes them itself from
 * a read handle. */
static void
make_receipts(cyd_writer *w, cyd_job *job)
{
	cy_error err;
	size_t i;

	job->receipts_made = 0;
	for (i = 0; job->receipts != NULL && i < job->n; i++) {
		job->receipts[i].len = 0;
		if (cy_log_receipt(w->log, job->first + i, job->size,
		    &job->receipts[i], &err) != 0) {
			cyd_log(CYD_WARN, "receipt failed", "error", err.msg,
			    NULL);
			return;
		}
	}
	job->receipts_made = job->receipts != NULL;
	job->receipt_extra_made = 0;
	if (job->receipt_extra != NULL &&
	    job->receipt_extra_index < job->size) {
		job->receipt_extra->len = 0;
		if (cy_log_receipt(w->log, job->receipt_extra_index, job->size,
		    job->receipt_extra, &err) != 0) {
			cyd_log(CYD_WARN, "receipt failed", "error", err.msg,
			    NULL);
			return;
		}
		job->receipt_extra_made = 1;
	}
}

static int
is_store_error(int rc)
{
	return rc == CY_E_STORE || rc == CY_E_STORE_RETRY || rc == CY_E_IO ||
	    rc == CY_E_NOMEM;
}

static void
log_batch(const struct batch *b, int rc, double seconds)
{
	json_t *f;

	if (!cyd_log_enabled(CYD_DEBUG))
		return;
	f = json_pack("{s:I,s:I,s:f,s:i}", "jobs", (json_int_t)b->njobs,
	    "entries", (json_int_t)b->n, "ms", seconds * 1e3, "rc", rc);

	cyd_log_json(CYD_DEBUG, "batch", f);
	json_decref(f);
}

/* After a batch whose hooks deleted records for good: the store's scrub
 * on the writer's connection (the one that deleted them: PostgreSQL's
 * driver checks no older snapshot can still see them), retried while the
 * store says "try again" (a reader's snapshot, a lock). */
static void
scrub_batch(cyd_writer *w, struct batch *b)
{
	unsigned waited = 0, step = RETRY_FIRST_MS;
	cy_error err;
	size_t j;
	int rc, wanted = 0;

	for (j = 0; j < b->njobs; j++)
		wanted |= b->jobs[j]->scrub;
	if (!wanted)
		return;
	for (;;) {
		cy_error_clear(&err);
		if (!cy_store_has(w->store, 2))
			rc = cy_error_set(&err, CY_E_STORE, "the store's driver "
			    "cannot scrub (version 2)");
		else
			rc = w->store->drv->scrub(w->store, &err);
		if (rc != CY_E_STORE_RETRY || waited >= RETRY_FOR_MS || w->stop)
			break;
		sleep_ms(step);
		waited += step;
		step = step * 2 > RETRY_STEP_MAX_MS ? RETRY_STEP_MAX_MS : step * 2;
	}
	if (rc != 0)
		cyd_log(CYD_ERROR, "scrub failed: deleted records may survive in "
		    "the store's files until the next scrub", "error", err.msg,
		    NULL);
	for (j = 0; j < b->njobs; j++)
		if (b->jobs[j]->scrub)
			b->jobs[j]->scrub_rc = rc;
}

/* Commits what is left of the batch, failing the jobs that are refused
 * one by one and retrying the rest. */
static void
commit_batch(cyd_writer *w, struct batch *b)
{
	unsigned waited = 0, step = RETRY_FIRST_MS;
	uint64_t first = 0, size;
	double t0;
	cy_error err;
	size_t bad, j;
	int rc;

	memcpy(b->jobs, b->all, b->nall * sizeof(*b->jobs));
	b->njobs = b->nall;
	while (b->njobs > 0) {
		gather(b);
		b->failed_hook = SIZE_MAX;
		bad = SIZE_MAX;
		cy_error_clear(&err);
		t0 = cyd_monotonic();
		if (b->n == 0)
			rc = commit_hooks_only(w, b, &err);
		else
			rc = cy_log_append_checked(w->log, w->srv->signer,
			    b->entries, b->lens, b->checked, b->n, 0, batch_hook,
			    b, &first, &bad, &err);
		log_batch(b, rc, cyd_monotonic() - t0);
		if (rc == 0) {
			size = cy_log_size(w->log);
			__atomic_store_n(&w->srv->size, size, __ATOMIC_RELAXED);
			cyd_metrics_batch(w->srv->metrics, b->n);
			for (j = 0; j < b->njobs; j++) {
				b->jobs[j]->first = first + b->start[j];
				b->jobs[j]->size = size;
				make_receipts(w, b->jobs[j]);
				finish_job(b->jobs[j], 0, NULL);
			}
			scrub_batch(w, b);
			return;
		}
		if (b->failed_hook != SIZE_MAX && !is_store_error(rc)) {
			/* One request's own records were refused. */
			finish_job(b->jobs[b->failed_hook], rc, &err);
			drop_job(b, b->failed_hook);
			continue;
		}
		if (bad != SIZE_MAX && bad < b->n && !is_store_error(rc)) {
			j = job_of(b, bad);
			b->jobs[j]->bad = bad - b->start[j];
			finish_job(b->jobs[j], rc, &err);
			drop_job(b, j);
			continue;
		}
		cyd_metrics_store_error(w->srv->metrics);
		if (rc == CY_E_STORE_RETRY && waited < RETRY_FOR_MS &&
		    !w->stop) {
			sleep_ms(step);
			waited += step;
			step = step * 2 > RETRY_STEP_MAX_MS ? RETRY_STEP_MAX_MS :
			    step * 2;
			continue;
		}
		cyd_log(CYD_ERROR, "commit failed", "error", err.msg, NULL);
		for (j = 0; j < b->njobs; j++)
			finish_job(b->jobs[j], rc, &err);
		return;
	}
}

/* Called with the lock held.  The requests of the batch just committed
 * come back together, a moment after their answers: when fewer than half
 * of them are queued, wait for them (at most GATHER_US) rather than
 * commit the first few alone and make the rest wait a whole commit. */
static void
gather_window(cyd_writer *w, size_t last)
{
	struct timespec until;

	if (w->pending >= last || w->stop)
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += GATHER_US * 1000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (w->pending < last && !w->stop &&
	    pthread_cond_timedwait(&w->work, &w->lock, &until) == 0)
		;
}

/* Takes the pending jobs, up to batch_max entries (a job larger than that
 * goes alone). */
static cyd_job *
take_jobs(cyd_writer *w, struct batch *b)
{
	size_t entries = 0, max = w->srv->cfg.batch_max;
	cyd_job *first = w->head, *job = first, *last = NULL;

	b->nall = 0;
	while (job != NULL && (b->nall == 0 || (entries + job->n <= max &&
	    b->nall < max))) {
		entries += job->n;
		b->all[b->nall++] = job;
		last = job;
		job = job->next;
	}
	w->head = job;
	w->pending -= b->nall;
	if (job == NULL)
		w->tail = &w->head;
	if (last != NULL)
		last->next = NULL;
	return first;
}

static int
batch_alloc(struct batch *b, size_t jobs, size_t entries)
{
	memset(b, 0, sizeof(*b));
	b->all = calloc(jobs, sizeof(*b->all));
	b->jobs = calloc(jobs, sizeof(*b->jobs));
	b->start = calloc(jobs, sizeof(*b->start));
	b->entries = calloc(entries, sizeof(*b->entries));
	b->lens = calloc(entries, sizeof(*b->lens));
	b->checked = calloc(entries, sizeof(*b->checked));
	return b->all && b->jobs && b->start && b->entries && b->lens &&
	    b->checked ? 0 : -1;
}

static void
batch_free(struct batch *b)
{
	free(b->all);
	free(b->jobs);
	free(b->start);
	free(b->entries);
	free(b->lens);
	free(b->checked);
}

/* Grows the batch's arrays for a job larger than batch_max. */
static int
batch_fit(struct batch *b, size_t *cap, size_t n)
{
	const cy_entry_checked **c;
	const uint8_t **e;
	size_t *l;

	if (n <= *cap)
		return 0;
	if ((e = realloc(b->entries, n * sizeof(*e))) == NULL)
		return -1;
	b->entries = e;
	if ((l = realloc(b->lens, n * sizeof(*l))) == NULL)
		return -1;
	b->lens = l;
	if ((c = realloc(b->checked, n * sizeof(*c))) == NULL)
		return -1;
	b->checked = c;
	*cap = n;
	return 0;
}

static size_t
jobs_entries(const struct batch *b)
{
	size_t j, n = 0;

	for (j = 0; j < b->nall; j++)
		n += b->all[j]->n;
	return n;
}

static void *
writer_main(void *arg)
{
	cyd_writer *w = arg;
	size_t cap = w->srv->cfg.batch_max;
	struct batch b;
	cyd_job *job, *next;
	cy_error err;
	size_t j, parked;

	/* A batch holds at most batch_max jobs: each has an entry, or none. */
	pthread_mutex_lock(&w->lock);
	if (batch_alloc(&b, cap, cap) != 0) {
		cyd_log(CYD_ERROR, "writer: out of memory", NULL);
		w->stop = 1;
		w->broken = 1;
		for (job = w->head; job != NULL; job = job->next)
			if (job->notify == NULL)
				pthread_cond_signal(&job->cv);
		/* The parked ones are refused here (their waiters are not). */
		cy_error_set(&err, CY_E_NOMEM, "the writer could not start");
		for (job = w->head; job != NULL; job = next) {
			next = job->next;
			if (job->notify == NULL)
				continue;
			unlink_job(w, job);
			finish_job(job, CY_E_NOMEM, &err);
			job->done = 1;
			job->notify(job);
		}
	}
	for (;;) {
		while (w->head == NULL && !w->stop)
			pthread_cond_wait(&w->work, &w->lock);
		if (w->head == NULL || w->broken)
			break;
		gather_window(w, b.nall);
		take_jobs(w, &b);
		pthread_mutex_unlock(&w->lock);
		if (batch_fit(&b, &cap, jobs_entries(&b)) != 0) {
			cy_error_set(&err, CY_E_NOMEM, "out of memory");
			for (j = 0; j < b.nall; j++)
				finish_job(b.all[j], CY_E_NOMEM, &err);
		} else
			commit_batch(w, &b);
		pthread_mutex_lock(&w->lock);
		/* A waiting job may be gone once signalled: the parked ones
		 * are set apart (in b.jobs) before, and notified unlocked. */
		for (j = 0, parked = 0; j < b.nall; j++) {
			b.all[j]->done = 1;
			if (b.all[j]->notify != NULL)
				b.jobs[parked++] = b.all[j];
			else
				pthread_cond_signal(&b.all[j]->cv);
		}
		if (parked > 0) {
			pthread_mutex_unlock(&w->lock);
			for (j = 0; j < parked; j++)
				b.jobs[j]->notify(b.jobs[j]);
			pthread_mutex_lock(&w->lock);
		}
	}
	/* Stopping: anything still queued is refused. */
	pthread_mutex_unlock(&w->lock);
	batch_free(&b);
	return NULL;
}

int
cyd_writer_start(cyd_server *srv, cyd_writer **out, cy_error *err)
{
	cyd_writer *w;
	int r;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	w->srv = srv;
	w->tail = &w->head;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	if ((r = cy_store_open(srv->drv, srv->dsn, 0, &w->store, err)) != 0 ||
	    (r = cy_log_open_store(w->store, NULL, &w->log, err)) != 0)
		goto fail;
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		r = cy_error_set(err, CY_E_NOMEM, "cannot start the writer thread");
		goto fail;
	}
	w->started = 1;
	*out = w;
	return 0;
fail:
	cyd_writer_stop(w);
	return r;
}

/* Takes a job that is still queued out of the queue (lock held). */
static void
unlink_job(cyd_writer *w, cyd_job *job)
{
	cyd_job **p;

	for (p = &w->head; *p != NULL && *p != job; p = &(*p)->next)
		;
	if (*p == job) {
		w->pending--;
		if ((*p = job->next) == NULL)
			w->tail = p;
	}
}

int
cyd_writer_submit(cyd_writer *w, cyd_job *job)
{
	job->rc = 0;
	job->scrub_rc = 0;
	job->bad = SIZE_MAX;
	job->first = job->size = 0;
	job->next = NULL;
	job->done = 0;
	cy_error_clear(&job->err);
	if (job->n > CY_LOG_BATCH_MAX)
		return job->rc = cy_error_set(&job->err, CY_E_TOO_LARGE,
		    "a request holds at most %d entries", CY_LOG_BATCH_MAX);
	pthread_mutex_lock(&w->lock);
	if (w->stop) {
		pthread_mutex_unlock(&w->lock);
		job->rc = cy_error_set(&job->err, CY_E_STORE_RETRY,
		    "the registry is stopping; try again");
		if (job->notify != NULL) {
			job->done = 1;
			job->notify(job);
			return 0;
		}
		return job->rc;
	}
	*w->tail = job;
	w->tail = &job->next;
	w->pending++;
	pthread_cond_signal(&w->work);
	if (job->notify != NULL) {
		/* The writer notifies; the job may be gone already. */
		pthread_mutex_unlock(&w->lock);
		return 0;
	}
	pthread_cond_init(&job->cv, NULL);
	while (!job->done && !w->broken)
		pthread_cond_wait(&job->cv, &w->lock);
	if (!job->done) {
		/* Still queued: take it out before it goes away. */
		unlink_job(w, job);
		job->rc = cy_error_set(&job->err, CY_E_NOMEM, "the writer "
		    "could not start");
	}
	pthread_mutex_unlock(&w->lock);
	pthread_cond_destroy(&job->cv);
	return job->rc;
}

/* Finishes the jobs queued so far, then ends the thread. */
void
cyd_writer_stop(cyd_writer *w)
{
	if (w == NULL)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->stop = 1;
		pthread_cond_signal(&w->work);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
	}
	cy_log_close(w->log);
	cy_store_close(w->store);
	pthread_cond_destroy(&w->work);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
