/* Read handles on the register: each its own store connection and a
 * read-only cy_log, pooled, refreshed before each use (reader.c). */
#include <stdlib.h>

#include "internal.h"

static void
reader_close(cyd_reader *r)
{
	if (r == NULL)
		return;
	cy_log_close(r->log);
	cy_store_close(r->store);
	free(r);
}

static int
reader_open(cyd_server *srv, cyd_reader **out, cy_error *err)
{
	cy_log_options o = {CY_LOG_READONLY, NULL, NULL, 0};
	cyd_reader *r;
	int rc;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	/* No memory map: after each commit SQLite would unmap and remap it
	 * at the handle's next read transaction (docs/performance.md). */
	if ((rc = cy_store_open(srv->drv, srv->dsn, CY_STORE_READONLY |
	    CY_STORE_NOMAP, &r->store, err)) != 0 ||
	    (rc = cy_log_open_store(r->store, &o, &r->log, err)) != 0) {
		reader_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

int
cyd_reader_get_store(cyd_server *srv, cyd_reader **out, cy_error *err)
{
	cyd_reader *r;
	int rc;

	pthread_mutex_lock(&srv->pool_lock);
	if ((r = srv->pool) != NULL)
		srv->pool = r->next;
	pthread_mutex_unlock(&srv->pool_lock);
	if (r == NULL && (rc = reader_open(srv, &r, err)) != 0)
		return rc;
	r->next = NULL;
	*out = r;
	return 0;
}

int
cyd_record_get(cyd_server *srv, const char *kind, const char *key,
    cy_buf *out, cy_error *err)
{
	cyd_reader *r;
	int rc;

	if ((rc = cyd_reader_get_store(srv, &r, err)) != 0)
		return rc;
	rc = r->store->drv->rec_get(r->store, kind, key, out, NULL, err);
	cyd_reader_put(srv, r);
	return rc;
}

int
cyd_reader_get(cyd_server *srv, cyd_reader **out, cy_error *err)
{
	cyd_reader *r;
	int rc;

	if ((rc = cyd_reader_get_store(srv, &r, err)) != 0)
		return rc;
	/* A handle that cannot catch up (the store went away) is dropped:
	 * the next request opens a fresh one. */
	if ((rc = cy_log_refresh(r->log, err)) != 0) {
		reader_close(r);
		return rc;
	}
	__atomic_store_n(&srv->size, cy_log_size(r->log), __ATOMIC_RELAXED);
	*out = r;
	return 0;
}

void
cyd_reader_put(cyd_server *srv, cyd_reader *r)
{
	if (r == NULL)
		return;
	/* An idle handle keeps no snapshot: it would pin SQLite's WAL. */
	cy_log_release(r->log);
	pthread_mutex_lock(&srv->pool_lock);
	r->next = srv->pool;
	srv->pool = r;
	pthread_mutex_unlock(&srv->pool_lock);
}

void
cyd_reader_pool_free(cyd_server *srv)
{
	cyd_reader *r;

	while ((r = srv->pool) != NULL) {
		srv->pool = r->next;
		reader_close(r);
	}
}
