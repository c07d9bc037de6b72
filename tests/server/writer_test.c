/* The writer's group commit, in process (tests/server/writer.sh runs it):
 * 64 threads submitting one entry each at a time get unique, contiguous
 * indices, durable and in the register; batches form (fewer commits than
 * requests); a refused entry fails its own job alone (with its position),
 * a refusing hook fails its job alone, an entry-less job's hook commits,
 * and the rate is printed.  Usage: writer_test DIR [THREADS PER-THREAD]. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/timefmt.h"
#include "coyeu/canon.h"
#include "coyeu/entry.h"
#include "coyeu/secret.h"
#include "coyeud.h"

static int failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		failures++; \
		printf("FAIL "); \
		printf(__VA_ARGS__); \
		printf("\n"); \
	} \
} while (0)

static cyd_server srv;
static cy_idkey *officer;
static uint8_t **entries;
static size_t *lens;
static uint64_t *got;
static size_t per_thread;

static void
make_entry(size_t i, uint8_t **out, size_t *len)
{
	char copy[33], req[65], now[CY_CANON_TIME_LEN + 1];
	cy_entry_field f[6];
	cy_buf b = CY_BUF_INIT;
	cy_error err = {0, ""};

	snprintf(copy, sizeof(copy), "%032zx", i);
	snprintf(req, sizeof(req), "%064zx", i);
	if (cy_canon_time_format(cmn_now(), now, &err) != 0)
		abort();
	f[0] = (cy_entry_field){"time", now};
	f[1] = (cy_entry_field){"actor", "0123456789abcdef0123456789abcdef"};
	f[2] = (cy_entry_field){"doc-id", "fedcba9876543210fedcba9876543210"};
	f[3] = (cy_entry_field){"copy-id", copy};
	f[4] = (cy_entry_field){"recipient", "0123456789abcdef0123456789abcdef"};
	f[5] = (cy_entry_field){"request-sha256", req};
	if (cy_entry_create("release", f, 6, officer, &b, &err) != 0) {
		printf("entry: %s\n", err.msg);
		abort();
	}
	*out = cy_buf_take(&b, len);
}

static void *
submitter(void *arg)
{
	size_t t = (size_t)arg, k, i;
	cyd_job job;

	for (k = 0; k < per_thread; k++) {
		i = t * per_thread + k;
		memset(&job, 0, sizeof(job));
		job.entries = (const uint8_t *const *)&entries[i];
		job.lens = &lens[i];
		job.n = 1;
		if (cyd_writer_submit(srv.writer, &job) != 0) {
			printf("FAIL job %zu: %s\n", i, job.err.msg);
			got[i] = UINT64_MAX;
			continue;
		}
		got[i] = job.first;
		if (job.size < job.first + 1)
			got[i] = UINT64_MAX - 1;
	}
	return NULL;
}

static int
hook_put(void *ctx, cy_store *s, uint64_t first, cy_error *err)
{
	return s->drv->meta_put(s, (const char *)ctx, "stored", err);
}

static int
hook_refuse(void *ctx, cy_store *s, uint64_t first, cy_error *err)
{
	return cy_error_set(err, CY_E_POLICY, "this hook refuses");
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *
meta(cy_store *s, const char *k)
{
	static char out[64];
	size_t len = 0;
	cy_error err;

	if (s->drv->meta_get(s, k, out, sizeof(out), &len, &err) != 1)
		return NULL;
	out[len < sizeof(out) ? len : sizeof(out) - 1] = '\0';
	return out;
}

/* A duplicate entry and a refusing hook, each beside good jobs. */
static void
refusals(size_t total)
{
	const uint8_t *dup[3];
	size_t duplens[3];
	uint8_t *fresh[2];
	size_t freshlen[2];
	cyd_job job, hooked;
	int rc;

	make_entry(total + 1, &fresh[0], &freshlen[0]);
	make_entry(total + 2, &fresh[1], &freshlen[1]);
	dup[0] = fresh[0];
	duplens[0] = freshlen[0];
	dup[1] = entries[3]; /* already in the register */
	duplens[1] = lens[3];
	dup[2] = fresh[1];
	duplens[2] = freshlen[1];
	memset(&job, 0, sizeof(job));
	job.entries = dup;
	job.lens = duplens;
	job.n = 3;
	rc = cyd_writer_submit(srv.writer, &job);
	CHECK(rc != 0 && job.bad == 1, "a job holding a duplicate is refused "
	    "at its position 1 (rc %d, bad %zu: %s)", rc, job.bad, job.err.msg);
	/* The job's good entries were not appended with it. */
	memset(&job, 0, sizeof(job));
	job.entries = (const uint8_t *const *)fresh;
	job.lens = freshlen;
	job.n = 2;
	rc = cyd_writer_submit(srv.writer, &job);
	CHECK(rc == 0 && job.first == total, "the refused job's good entries go "
	    "in afterwards at %zu (rc %d, first %llu: %s)", total, rc,
	    (unsigned long long)job.first, job.err.msg);

	memset(&hooked, 0, sizeof(hooked));
	hooked.hook = hook_refuse;
	hooked.entries = (const uint8_t *const *)&entries[0];
	hooked.lens = &lens[0];
	hooked.n = 0;
	rc = cyd_writer_submit(srv.writer, &hooked);
	CHECK(rc == CY_E_POLICY && strstr(hooked.err.msg, "this hook refuses"),
	    "a refusing hook fails its job (rc %d: %s)", rc, hooked.err.msg);

	memset(&hooked, 0, sizeof(hooked));
	hooked.hook = hook_put;
	hooked.hook_ctx = (void *)"test-hook-only";
	rc = cyd_writer_submit(srv.writer, &hooked);
	CHECK(rc == 0, "an entry-less job's hook commits (rc %d: %s)", rc,
	    hooked.err.msg);
	free(fresh[0]);
	free(fresh[1]);
}

int
main(int argc, char **argv)
{
	char db[4096];
	size_t threads = 64, total, i;
	pthread_t *tid;
	cy_error err = {0, ""};
	cy_store *s = NULL;
	uint8_t *seen;
	double t0, dt;
	cy_buf m = CY_BUF_INIT;
	char *batches;

	if (argc < 2 || cy_init() != 0)
		return 2;
	per_thread = 40;
	if (argc >= 4) {
		threads = (size_t)atoi(argv[2]);
		per_thread = (size_t)atoi(argv[3]);
	}
	total = threads * per_thread;
	snprintf(db, sizeof(db), "%s/writer.db", argv[1]);
	memset(&srv, 0, sizeof(srv));
	pthread_mutex_init(&srv.pool_lock, NULL);
	srv.cfg.batch_max = CYD_BATCH_MAX_DEFAULT;
	srv.drv = cy_store_sqlite_driver();
	srv.dsn = db;
	cyd_log_level(getenv("WRITER_DEBUG") != NULL ? CYD_DEBUG : CYD_WARN);
	if (cy_idkey_generate(&officer, &err) != 0 ||
	    cy_note_signer_generate("test.example/writer", &srv.signer,
	    &err) != 0 ||
	    cy_log_create(db, srv.signer, NULL, NULL, &err) != 0 ||
	    cyd_metrics_new(&srv.metrics) != 0 ||
	    cyd_writer_start(&srv, &srv.writer, &err) != 0) {
		printf("setup: %s\n", err.msg);
		return 1;
	}
	entries = calloc(total, sizeof(*entries));
	lens = calloc(total, sizeof(*lens));
	got = calloc(total, sizeof(*got));
	seen = calloc(total, 1);
	tid = calloc(threads, sizeof(*tid));
	for (i = 0; i < total; i++)
		make_entry(i, &entries[i], &lens[i]);

	t0 = now_s();
	for (i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, submitter, (void *)i);
	for (i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	dt = now_s() - t0;
	for (i = 0; i < total; i++) {
		if (got[i] >= total || seen[got[i]]) {
			CHECK(0, "entry %zu got index %llu", i,
			    (unsigned long long)got[i]);
			break;
		}
		seen[got[i]] = 1;
	}
	CHECK(i == total, "%zu requests got the indices 0..%zu, each once",
	    total, total - 1);
	printf("%zu durable appends from %zu threads in %.3f s: %.0f/s\n",
	    total, threads, dt, (double)total / dt);
	cyd_metrics_render(srv.metrics, total, &m);
	batches = strstr((char *)m.data, "coyeud_batch_entries_count ");
	printf("%ld commits\n", batches != NULL ? atol(batches + 27) : -1L);
	CHECK(batches != NULL && (size_t)atol(batches + 27) < total,
	    "batches formed: %ld commits for %zu requests",
	    batches != NULL ? atol(batches + 27) : -1L, total);

	refusals(total);
	cyd_writer_stop(srv.writer);

	/* What was acknowledged is in the register. */
	if (cy_store_open(srv.drv, db, CY_STORE_READONLY, &s, &err) != 0) {
		printf("FAIL reopen: %s\n", err.msg);
		return 1;
	}
	{
		cy_log *l = NULL;
		cy_buf e = CY_BUF_INIT;

		CHECK(cy_log_open_store(s, NULL, &l, &err) == 0, "reopen: %s",
		    err.msg);
		if (l != NULL) {
			CHECK(cy_log_size(l) == total + 2, "the register holds %zu "
			    "entries (%llu)", total + 2,
			    (unsigned long long)cy_log_size(l));
			CHECK(cy_log_entry(l, got[7], &e, &err) == 0 &&
			    e.len == lens[7] && memcmp(e.data, entries[7],
			    lens[7]) == 0, "entry 7 is at the index it was given");
			cy_buf_free(&e);
			CHECK(meta(s, "test-hook-only") != NULL &&
			    strcmp(meta(s, "test-hook-only"), "stored") == 0,
			    "the hook's write is durable");
			cy_log_close(l);
		}
	}
	cy_store_close(s);
	for (i = 0; i < total; i++)
		free(entries[i]);
	free(entries);
	free(lens);
	free(got);
	free(seen);
	free(tid);
	cy_buf_free(&m);
	cyd_metrics_free(srv.metrics);
	cy_note_signer_free(srv.signer);
	cy_idkey_free(officer);
	printf(failures ? "%d failed\n" : "all passed\n", failures);
	return failures != 0;
}
