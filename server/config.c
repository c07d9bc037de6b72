/* coyeud's configuration: `key = value` lines, '#' comments (config.c).
 * dist/coyeud.conf documents every key with its default. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/cert.h"
#include "coyeu/file.h"
#include "coyeud.h"

#define CONFIG_FILE_MAX (256 * 1024)
#define LIST_MAX 64 /* witness, push, push_key lines */

enum kind { STR, BOOL, UINT, SIZE, LIST, LEVEL };

struct key {
	const char *name;
	enum kind kind;
	size_t off;
	unsigned long long min, max; /* UINT, SIZE */
};

#define OFF(f) offsetof(cyd_config, f)
static const struct key keys[] = {
	{"listen", STR, OFF(listen), 0, 0},
	{"url", STR, OFF(url), 0, 0},
	{"db", STR, OFF(db), 0, 0},
	{"key", STR, OFF(key), 0, 0},
	{"chain", STR, OFF(chain), 0, 0},
	{"trust", STR, OFF(trust), 0, 0},
	{"origin", STR, OFF(origin), 0, 0},
	{"tls_cert", STR, OFF(tls_cert), 0, 0},
	{"tls_key", STR, OFF(tls_key), 0, 0},
	{"log_level", LEVEL, OFF(log_level), 0, 0},
	{"register_public", BOOL, OFF(register_public), 0, 1},
	{"threads", UINT, OFF(threads), 0, 1024},
	{"connections_max", UINT, OFF(connections_max), 1, 1000000},
	{"per_ip_max", UINT, OFF(per_ip_max), 0, 1000000},
	{"timeout", UINT, OFF(timeout), 1, 86400},
	{"body_max", SIZE, OFF(body_max), 1024, 1024ULL * 1024 * 1024},
	{"headers_max", SIZE, OFF(headers_max), 1024, 1024 * 1024},
	{"doc_max", SIZE, OFF(doc_max), 1024, 4ULL * 1024 * 1024 * 1024},
	{"batch_max", UINT, OFF(batch_max), 1, CY_LOG_BATCH_MAX},
	{"denied_per_minute", UINT, OFF(denied_per_minute), 0, 1000000},
	{"witness", LIST, OFF(witness_logs), 0, 0},
	{"push", LIST, OFF(witness_push), 0, 0},
	{"push_key", LIST, OFF(witness_keys), 0, 0},
	{"mat_via_registry", LIST, OFF(mat_via_registry), 0, 0},
};

static const char *const levels[] = {"error", "warn", "info", "debug"};

static void
defaults(cyd_config *c)
{
	memset(c, 0, sizeof(*c));
	c->register_public = 1;
	c->threads = 0;
	c->connections_max = 1024;
	c->per_ip_max = 0;
	c->timeout = 30;
	c->body_max = CYD_BODY_MAX_DEFAULT;
	c->headers_max = CYD_HEADERS_MAX_DEFAULT;
	c->doc_max = CYD_DOC_MAX_DEFAULT;
	c->batch_max = CYD_BATCH_MAX_DEFAULT;
	c->denied_per_minute = 10;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* A number with an optional k/K, m/M, g/G suffix (SIZE: powers of 1024). */
static int
parse_number(const char *v, int suffix, unsigned long long *out)
{
	unsigned long long n, mul = 1;
	char *end;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0)
		return -1;
	if (suffix && *end != '\0' && end[1] == '\0') {
		switch (*end) {
		case 'k': case 'K': mul = 1024; break;
		case 'm': case 'M': mul = 1024 * 1024; break;
		case 'g': case 'G': mul = 1024 * 1024 * 1024; break;
		default: return -1;
		}
		end++;
	}
	if (*end != '\0' || n > ULLONG_MAX / mul)
		return -1;
	*out = n * mul;
	return 0;
}

static int
list_add(char ***list, const char *v)
{
	size_t n = 0;
	char **l;

	while (*list != NULL && (*list)[n] != NULL)
		n++;
	if (n >= LIST_MAX || (l = realloc(*list, (n + 2) * sizeof(*l))) == NULL)
		return -1;
	*list = l;
	if ((l[n] = strdup(v)) == NULL)
		return -1;
	l[n + 1] = NULL;
	return 0;
}

/* One `key = value`; a refusal says why (the caller adds file:line). */
static int
set_key(cyd_config *c, const char *k, const char *v, char *why, size_t cap)
{
	unsigned long long n;
	const struct key *kd = NULL;
	char **sp;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, k) == 0)
			kd = &keys[i];
	if (kd == NULL) {
		snprintf(why, cap, "unknown key '%s'", k);
		return -1;
	}
	switch (kd->kind) {
	case STR:
	case LEVEL:
		if (*v == '\0') {
			snprintf(why, cap, "%s needs a value", k);
			return -1;
		}
		if (kd->kind == LEVEL) {
			for (i = 0; i < 4 && strcmp(levels[i], v) != 0; i++)
				;
			if (i == 4) {
				snprintf(why, cap, "log_level is error, warn, info "
				    "or debug, not '%s'", v);
				return -1;
			}
		}
		sp = (char **)((char *)c + kd->off);
		free(*sp);
		if ((*sp = strdup(v)) == NULL)
			goto nomem;
		return 0;
	case BOOL:
		if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0)
			*(int *)((char *)c + kd->off) = 1;
		else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0)
			*(int *)((char *)c + kd->off) = 0;
		else {
			snprintf(why, cap, "%s is true or false, not '%s'", k, v);
			return -1;
		}
		return 0;
	case UINT:
	case SIZE:
		if (parse_number(v, kd->kind == SIZE, &n) != 0 || n < kd->min ||
		    n > kd->max) {
			snprintf(why, cap, "%s takes a number from %llu to %llu%s, "
			    "not '%s'", k, kd->min, kd->max,
			    kd->kind == SIZE ? " (bytes; k, M suffixes)" : "", v);
			return -1;
		}
		if (kd->kind == SIZE)
			*(size_t *)((char *)c + kd->off) = (size_t)n;
		else if (kd->off == OFF(threads))
			c->threads = (int)n;
		else
			*(unsigned *)((char *)c + kd->off) = (unsigned)n;
		return 0;
	case LIST:
		if (*v == '\0') {
			snprintf(why, cap, "%s needs a value", k);
			return -1;
		}
		if (kd->off == OFF(mat_via_registry) &&
		    !cy_unit_valid(v, strlen(v))) {
			snprintf(why, cap, "%s: '%s' is not a unit path", k, v);
			return -1;
		}
		if (list_add((char ***)((char *)c + kd->off), v) != 0) {
			snprintf(why, cap, "too many %s lines (at most %d)", k,
			    LIST_MAX);
			return -1;
		}
		return 0;
	}
nomem:
	snprintf(why, cap, "out of memory");
	return -1;
}

/* What serving cannot go without. */
static int
check_required(cyd_config *c, cy_error *err)
{
	static const char *const need[] = {"db", "key", "chain", "trust"};
	const char *have[] = {c->db, c->key, c->chain, c->trust};
	size_t i;

	for (i = 0; i < 4; i++)
		if (have[i] == NULL)
			return cy_error_set(err, CY_E_USAGE, "%s: no '%s =' line "
			    "(see dist/coyeud.conf)", c->path, need[i]);
	if ((c->tls_cert == NULL) != (c->tls_key == NULL))
		return cy_error_set(err, CY_E_USAGE, "%s: give both tls_cert and "
		    "tls_key, or neither", c->path);
	return 0;
}

int
cyd_config_load(const char *path, cyd_config *c, cy_error *err)
{
	uint8_t *data = NULL;
	char *line, *next, *eq, why[256];
	size_t len;
	unsigned lineno = 0;
	int r;

	defaults(c);
	if ((c->path = strdup(path)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((r = cy_file_read(path, CONFIG_FILE_MAX, &data, &len, err)) != 0)
		return r;
	if (memchr(data, '\0', len) != NULL) {
		r = cy_error_set(err, CY_E_FORMAT, "%s: holds a NUL byte", path);
		goto out;
	}
	for (line = (char *)data; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line = trim(line);
		if (*line == '\0' || *line == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			r = cy_error_set(err, CY_E_FORMAT, "%s:%u: not a 'key = "
			    "value' line", path, lineno);
			goto out;
		}
		*eq = '\0';
		if (set_key(c, trim(line), trim(eq + 1), why, sizeof(why)) != 0) {
			r = cy_error_set(err, CY_E_FORMAT, "%s:%u: %s", path, lineno,
			    why);
			goto out;
		}
	}
	if (c->listen == NULL && (c->listen = strdup("127.0.0.1:8443")) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if (c->log_level == NULL && (c->log_level = strdup("info")) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	r = check_required(c, err);
out:
	free(data);
	return r;
}

static void
list_free(char **l)
{
	size_t i;

	for (i = 0; l != NULL && l[i] != NULL; i++)
		free(l[i]);
	free(l);
}

void
cyd_config_free(cyd_config *c)
{
	free(c->path);
	free(c->listen);
	free(c->url);
	free(c->db);
	free(c->key);
	free(c->chain);
	free(c->trust);
	free(c->origin);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->log_level);
	list_free(c->witness_logs);
	list_free(c->witness_push);
	list_free(c->witness_keys);
	list_free(c->mat_via_registry);
	memset(c, 0, sizeof(*c));
}
