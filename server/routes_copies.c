/* coyeud — numbered copies (POST /v1/documents/{doc-id}/copies) and the
 * law's registers (GET /v1/registers/{name}): docs/exchange.md, "Numbered
 * copies" and "The law's registers". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/cert.h"

#include "common/timefmt.h"
#include "coyeud.h"
#include "docs.h"

/* --- GET /v1/registers/{outgoing,incoming,copies,destroyed} --- */

static const char *const register_names[] = {
	"outgoing", "incoming", "copies", "destroyed", NULL,
};

#define DAY_SECONDS 86400

/* Whether the query names parameter `name` at all: cyd_query cannot tell
 * an absent one from one too long for its buffer, which must be refused,
 * not taken for absent. */
static int
query_has(const cyd_request *rq, const char *name)
{
	const char *q = rq->query;
	size_t n = strlen(name);

	while (q != NULL && *q != '\0') {
		if (strncmp(q, name, n) == 0 && (q[n] == '=' || q[n] == '&' ||
		    q[n] == '\0'))
			return 1;
		q = strchr(q, '&');
		if (q != NULL)
			q++;
	}
	return 0;
}

/* A query date "YYYY-MM-DD" (midnight UTC); absent: *t = 0 (no bound).
 * -1 after answering 400. */
static int
query_date(cyd_request *rq, cyd_response *rs, const char *name, int64_t *t)
{
	char buf[64];
	const char *v = cyd_query(rq, name, buf, sizeof(buf));

	*t = 0;
	if (v == NULL && !query_has(rq, name))
		return 0;
	if (v == NULL || strlen(v) != 10 || cmn_time_parse(v, t) != 0)
		return cyd_error(rs, 400, "bad-request", "%s must be a date, "
		    "YYYY-MM-DD", name), -1;
	return 0;
}

/* Who may read a unit's registers: an officer of that very unit, or an
 * authority whose unit contains it (docs/exchange.md, routes table). */
static int
may_read_unit(const cyd_caller *c, const char *unit)
{
	if (strcmp(c->unit, unit) == 0)
		return 1;
	return c->role == CY_ROLE_AUTHORITY && cy_unit_contains(c->unit, unit);
}

int
cyd_h_registers(cyd_request *rq, cyd_response *rs)
{
	char name[32], unit_buf[CY_UNIT_MAX + 2];
	const char *unit;
	const char *const *n;
	int64_t from, to;
	cyd_reader *reader = NULL;
	json_t *rows = NULL;
	cy_error err;

	if (cyd_path_param(rq, 0, name, sizeof(name)) != 0)
		name[0] = '\0';
	for (n = register_names; *n != NULL && strcmp(*n, name) != 0; n++)
		;
	if (*n == NULL)
		return cyd_error(rs, 404, "not-found", "no register '%s': "
		    "outgoing, incoming, copies or destroyed", name);
	unit = cyd_query(rq, "unit", unit_buf, sizeof(unit_buf));
	if (unit == NULL && !query_has(rq, "unit"))
		unit = rq->caller->unit;
	if (unit == NULL || !cy_unit_valid(unit, strlen(unit)))
		return cyd_error(rs, 400, "bad-request", "unit must be a unit "
		    "path (segments of a-z, 0-9 and '-' joined by '/')");
	if (query_date(rq, rs, "from", &from) != 0 ||
	    query_date(rq, rs, "to", &to) != 0)
		return 0;
	/* "to" names the last day included. */
	if (to != 0)
		to += DAY_SECONDS;
	if (from != 0 && to != 0 && from >= to)
		return cyd_error(rs, 400, "bad-request", "from is after to");
	if (!may_read_unit(rq->caller, unit))
		return cyd_forbid(rq, rs, "the %s register of unit %s is for "
		    "its officers and the authorities above it; the caller is "
		    "%s %s of unit %s", name, unit,
		    rq->caller->role == CY_ROLE_OFFICER ? "an" : "a",
		    cy_role_name(rq->caller->role), rq->caller->unit);
	if (cyd_reader_get_store(rq->srv, &reader, &err) != 0 ||
	    cyd_register_rows(reader->store, name, unit, from, to, &rows,
	    &err) < 0) {
		cyd_error_lib(rs, &err);
		goto out;
	}
	cyd_json(rs, 200, json_pack("{s:s, s:s, s:o}", "register", name,
	    "unit", unit, "rows", rows));
	rows = NULL;
out:
	json_decref(rows);
	cyd_reader_put(rq->srv, reader);
	return 0;
}
