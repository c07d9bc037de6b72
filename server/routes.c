/* The one route table: every path the daemon answers, who may call it, and
 * its handler (routes.c).  The parts add their rows here. */
#include <string.h>

#include "coyeud.h"

cyd_handler cyd_h_healthz, cyd_h_metrics, cyd_h_checkpoint, cyd_h_tile,
    cyd_h_registry, cyd_h_log_proof, cyd_h_log_consistency;

const cyd_route cyd_routes[] = {
	{"GET", "/healthz", cyd_h_healthz, CYD_PUBLIC, "healthz"},
	{"GET", "/metrics", cyd_h_metrics, CYD_PUBLIC, "metrics"},
	{"GET", "/checkpoint", cyd_h_checkpoint, CYD_REGISTER, "checkpoint"},
	{"GET", "/tile/", cyd_h_tile, CYD_REGISTER, "tile"},
	{"GET", "/v1/registry", cyd_h_registry, CYD_PUBLIC, "registry"},
	{"POST", "/v1/log/entries", cyd_h_log_entries, CYD_OFFICER,
	    "log.append"},
	{"GET", "/v1/log/proof", cyd_h_log_proof, CYD_REGISTER, "log.proof"},
	{"GET", "/v1/log/consistency", cyd_h_log_consistency, CYD_REGISTER,
	    "log.consistency"},
	{"POST", "/v1/certs", cyd_h_certs_post, CYD_ENROL, "certs.register"},
	{"POST", "/v1/revocations", cyd_h_revocations_post, CYD_AUTHORITY,
	    "revocations.post"},
	{"GET", "/v1/revocations", cyd_h_revocations_get, CYD_OFFICER,
	    "revocations.get"},
	{"GET", "/v1/directory", cyd_h_directory, CYD_OFFICER, "directory"},
	{"POST", "/add-checkpoint", cyd_h_add_checkpoint, CYD_WITNESS,
	    "witness.add"},
	{NULL, NULL, NULL, 0, NULL},
};

static int
path_matches(const char *route, const char *path)
{
	size_t n = strlen(route);

	if (route[n - 1] == '/')
		return strncmp(route, path, n) == 0;
	return strcmp(route, path) == 0;
}

/* The route for method and path; NULL when none, with *method_ok 0 when
 * the path is known but not with this method (405), else 1 (404). */
const cyd_route *
cyd_route_find(const char *method, const char *path, int *method_ok)
{
	const cyd_route *r;

	*method_ok = 1;
	for (r = cyd_routes; r->method != NULL; r++) {
		if (!path_matches(r->path, path))
			continue;
		if (strcmp(r->method, method) == 0)
			return r;
		*method_ok = 0;
	}
	return NULL;
}
