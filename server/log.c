/* coyeud's logs: one JSON object per line on stderr (log.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static int max_level = CYD_INFO;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

void
cyd_log_level(int level)
{
	max_level = level;
}

int
cyd_log_enabled(int level)
{
	return level <= max_level && level >= CYD_ERROR;
}

/* The time as RFC 3339 with milliseconds. */
static void
now_text(char out[64])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, ts.tv_nsec / 1000000);
}

void
cyd_log_json(int level, const char *msg, json_t *fields)
{
	json_t *o;
	char when[64], *line;
	size_t len;

	if (level > max_level || level < CYD_ERROR)
		return;
	now_text(when);
	if ((o = json_object()) == NULL)
		return;
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "level", json_string(level_names[level]));
	json_object_set_new(o, "msg", json_string(msg));
	if (fields != NULL)
		json_object_update(o, fields);
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (line == NULL)
		return;
	/* One write per line: lines from threads never interleave. */
	len = strlen(line);
	line[len] = '\n';
	(void)!write(STDERR_FILENO, line, len + 1);
	line[len] = '\0';
	free(line);
}

void
cyd_log(int level, const char *msg, ...)
{
	json_t *f;
	const char *k, *v;
	va_list ap;

	if (level > max_level)
		return;
	if ((f = json_object()) == NULL)
		return;
	va_start(ap, msg);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		json_object_set_new(f, k, v != NULL ? json_string(v) : json_null());
	}
	va_end(ap);
	cyd_log_json(level, msg, f);
	json_decref(f);
}

double
cyd_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
