/* coyeud's counters, in the Prometheus text format (metrics.c). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "coyeud.h"

#define SERIES_MAX 256 /* (route, status) pairs; more fold into "other" */

static const double latency_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
    0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define LATENCY_N (sizeof(latency_bounds) / sizeof(latency_bounds[0]))
static const double batch_bounds[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512,
    1024, 2048, 4096, 16384, 100000};
#define BATCH_N (sizeof(batch_bounds) / sizeof(batch_bounds[0]))

struct histogram {
	uint64_t bucket[16]; /* one past the last bound: +Inf */
	uint64_t count;
	double sum;
};

struct series {
	const char *route; /* a route table name: static */
	int status;
	uint64_t n;
};

struct cyd_metrics {
	pthread_mutex_t lock;
	struct series series[SERIES_MAX];
	size_t nseries;
	struct histogram latency, batch;
	uint64_t store_errors;
};

int
cyd_metrics_new(cyd_metrics **out)
{
	cyd_metrics *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return -1;
	pthread_mutex_init(&m->lock, NULL);
	*out = m;
	return 0;
}

void
cyd_metrics_free(cyd_metrics *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static void
observe(struct histogram *h, const double *bounds, size_t n, double v)
{
	size_t i;

	for (i = 0; i < n && v > bounds[i]; i++)
		;
	h->bucket[i]++;
	h->count++;
	h->sum += v;
}

void
cyd_metrics_request(cyd_metrics *m, const char *route, int status,
    double seconds)
{
	size_t i;

	if (route == NULL)
		route = "none";
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nseries; i++)
		if (m->series[i].status == status &&
		    (m->series[i].route == route ||
		    strcmp(m->series[i].route, route) == 0))
			break;
	if (i == m->nseries && m->nseries < SERIES_MAX) {
		m->series[i].route = route;
		m->series[i].status = status;
		m->nseries++;
	}
	if (i < m->nseries)
		m->series[i].n++;
	observe(&m->latency, latency_bounds, LATENCY_N, seconds);
	pthread_mutex_unlock(&m->lock);
}

void
cyd_metrics_batch(cyd_metrics *m, size_t entries)
{
	pthread_mutex_lock(&m->lock);
	observe(&m->batch, batch_bounds, BATCH_N, (double)entries);
	pthread_mutex_unlock(&m->lock);
}

void
cyd_metrics_store_error(cyd_metrics *m)
{
	pthread_mutex_lock(&m->lock);
	m->store_errors++;
	pthread_mutex_unlock(&m->lock);
}

static void
render_histogram(cy_buf *out, const char *name, const char *help,
    const struct histogram *h, const double *bounds, size_t n)
{
	uint64_t cum = 0;
	size_t i;

	cy_buf_printf(out, "# HELP %s %s\n# TYPE %s histogram\n", name, help,
	    name);
	for (i = 0; i < n; i++) {
		cum += h->bucket[i];
		cy_buf_printf(out, "%s_bucket{le=\"%g\"} %llu\n", name, bounds[i],
		    (unsigned long long)cum);
	}
	cum += h->bucket[n];
	cy_buf_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n"
	    "%s_count %llu\n", name, (unsigned long long)cum, name, h->sum, name,
	    (unsigned long long)h->count);
}

void
cyd_metrics_render(cyd_metrics *m, uint64_t register_size, cy_buf *out)
{
	size_t i;

	pthread_mutex_lock(&m->lock);
	cy_buf_puts(out, "# HELP coyeud_requests_total HTTP requests answered, "
	    "by route and status.\n# TYPE coyeud_requests_total counter\n");
	for (i = 0; i < m->nseries; i++)
		cy_buf_printf(out, "coyeud_requests_total{route=\"%s\","
		    "status=\"%d\"} %llu\n", m->series[i].route,
		    m->series[i].status, (unsigned long long)m->series[i].n);
	render_histogram(out, "coyeud_request_duration_seconds",
	    "Time from a request's first byte to its answer.", &m->latency,
	    latency_bounds, LATENCY_N);
	render_histogram(out, "coyeud_batch_entries",
	    "Entries per group commit.", &m->batch, batch_bounds, BATCH_N);
	cy_buf_printf(out, "# HELP coyeud_store_errors_total Store operations "
	    "that failed.\n# TYPE coyeud_store_errors_total counter\n"
	    "coyeud_store_errors_total %llu\n",
	    (unsigned long long)m->store_errors);
	pthread_mutex_unlock(&m->lock);
	cy_buf_printf(out, "# HELP coyeud_register_size Entries in the "
	    "register.\n# TYPE coyeud_register_size gauge\n"
	    "coyeud_register_size %llu\n", (unsigned long long)register_size);
}
