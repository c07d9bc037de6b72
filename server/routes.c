/* The one route table: every path the daemon answers, who may call it, and
 * its handler (routes.c).  The parts add their rows here. */
#include <string.h>

#include "coyeud.h"
#include "items.h"

cyd_handler cyd_h_healthz, cyd_h_metrics, cyd_h_checkpoint, cyd_h_tile,
    cyd_h_registry, cyd_h_log_proof, cyd_h_log_consistency;

const cyd_route cyd_routes[] = {
	{"GET", "/healthz", cyd_h_healthz, CYD_PUBLIC, "healthz", 0},
	{"GET", "/metrics", cyd_h_metrics, CYD_PUBLIC, "metrics", 0},
	{"GET", "/checkpoint", cyd_h_checkpoint, CYD_REGISTER, "checkpoint", 0},
	{"GET", "/tile/", cyd_h_tile, CYD_REGISTER, "tile", 0},
	{"GET", "/v1/registry", cyd_h_registry, CYD_PUBLIC, "registry", 0},
	{"POST", "/v1/log/entries", cyd_h_log_entries, CYD_OFFICER,
	    "log.append", 0},
	{"GET", "/v1/log/proof", cyd_h_log_proof, CYD_REGISTER, "log.proof", 0},
	{"GET", "/v1/log/consistency", cyd_h_log_consistency, CYD_REGISTER,
	    "log.consistency", 0},
	{"POST", "/v1/certs", cyd_h_certs_post, CYD_ENROL, "certs.register", 0},
	{"POST", "/v1/revocations", cyd_h_revocations_post, CYD_AUTHORITY,
	    "revocations.post", 0},
	{"GET", "/v1/revocations", cyd_h_revocations_get, CYD_OFFICER,
	    "revocations.get", 0},
	{"GET", "/v1/directory", cyd_h_directory, CYD_OFFICER, "directory", 0},
	{"POST", "/add-checkpoint", cyd_h_add_checkpoint, CYD_WITNESS,
	    "witness.add", 0},
	/* Documents through the registry (docs/exchange.md). */
	{"POST", "/v1/documents", cyd_h_documents_post, CYD_OFFICER,
	    "documents.send", 1},
	{"GET", "/v1/inbox", cyd_h_inbox, CYD_OFFICER, "inbox", 0},
	{"GET", "/v1/documents/*", cyd_h_document_get, CYD_OFFICER,
	    "documents.status", 0},
	{"GET", "/v1/documents/*/file", cyd_h_document_file, CYD_OFFICER,
	    "documents.file", 0},
	{"POST", "/v1/documents/*/receive", cyd_h_document_receive,
	    CYD_OFFICER, "documents.receive", 0},
	{"POST", "/v1/releases", cyd_h_releases_post, CYD_OFFICER,
	    "releases", 0},
	{"POST", "/v1/documents/*/recall", cyd_h_document_recall, CYD_OFFICER,
	    "documents.recall", 0},
	{"POST", "/v1/documents/*/destroy", cyd_h_document_destroy,
	    CYD_OFFICER, "documents.destroy", 0},
	{"POST", "/v1/documents/*/extend", cyd_h_document_extend, CYD_OFFICER,
	    "documents.extend", 0},
	{"POST", "/v1/documents/*/copies", cyd_h_document_copies, CYD_OFFICER,
	    "documents.copy", 1},
	{"GET", "/v1/registers/*", cyd_h_registers, CYD_OFFICER, "registers", 0},
	/* The inventory (docs/inventory.md, "Registry"): routes_items.c,
	 * routes_stocktakes.c. */
	{"POST", "/v1/items", cyd_h_items_post, CYD_OFFICER, "items.add", 0},
	{"GET", "/v1/items", cyd_h_items_get, CYD_OFFICER, "items.list", 0},
	{"GET", "/v1/items/*", cyd_h_item_get, CYD_OFFICER, "items.show", 0},
	{"GET", "/v1/items/*/history", cyd_h_item_history, CYD_OFFICER,
	    "items.history", 0},
	{"POST", "/v1/items/*/changes", cyd_h_item_change, CYD_OFFICER,
	    "items.change", 0},
	{"POST", "/v1/items/*/confirm", cyd_h_item_confirm, CYD_OFFICER,
	    "items.confirm", 0},
	{"GET", "/v1/inventory/report", cyd_h_inventory_report, CYD_OFFICER,
	    "inventory.report", 0},
	{"POST", "/v1/stocktakes", cyd_h_stocktakes_post, CYD_OFFICER,
	    "stocktakes.open", 0},
	{"GET", "/v1/stocktakes/*", cyd_h_stocktake_get, CYD_OFFICER,
	    "stocktakes.show", 0},
	{"POST", "/v1/stocktakes/*/declare", cyd_h_stocktake_declare,
	    CYD_OFFICER, "stocktakes.declare", 0},
	{"POST", "/v1/stocktakes/*/close", cyd_h_stocktake_close, CYD_OFFICER,
	    "stocktakes.close", 0},
	{NULL, NULL, NULL, 0, NULL, 0},
};

/* A route's path is exact, a prefix when it ends with '/', and a '*'
 * segment matches one non-empty segment (an id). */
static int
path_matches(const char *route, const char *path)
{
	size_t n = strlen(route);

	if (strchr(route, '*') == NULL) {
		if (route[n - 1] == '/')
			return strncmp(route, path, n) == 0;
		return strcmp(route, path) == 0;
	}
	while (*route != '\0') {
		if (*route == '*') {
			if (*path == '/' || *path == '\0')
				return 0;
			path += strcspn(path, "/");
			route++;
		} else if (*route++ != *path++)
			return 0;
	}
	return *path == '\0';
}

int
cyd_path_param(const cyd_request *rq, unsigned i, char *buf, size_t cap)
{
	const char *r = rq->route->path, *p = rq->path;
	size_t n;

	while (*r != '\0') {
		if (*r != '*') {
			r++, p++;
			continue;
		}
		n = strcspn(p, "/");
		if (i-- == 0) {
			if (n >= cap)
				return -1;
			memcpy(buf, p, n);
			buf[n] = '\0';
			return 0;
		}
		p += n, r++;
	}
	return -1;
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

size_t
cyd_body_limit(const cyd_server *srv, const char *method, const char *path)
{
	int method_ok;
	const cyd_route *r = cyd_route_find(method, path, &method_ok);

	if (r == NULL || !r->large)
		return srv->cfg.body_max;
	return (srv->cfg.doc_max + 2) / 3 * 4 + srv->cfg.body_max;
}
