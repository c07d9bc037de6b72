/* coyeud — the inventory's records (docs/inventory.md, "Registry"): an
 * item's current view (the fold of its entries, cy_item_apply), its
 * history, the uniqueness of (type, maker, serial), the indexes the lists
 * read (custody, pending changes, counters by unit, type and state), the
 * certificates whose keys a lost item held, and stock-takes.  The writes
 * run inside a writer job's hook, durable with the entries that justify
 * them.  Loads return 1 (found), 0 (none) or a negative error. */
#ifndef COYEUD_ITEMS_H
#define COYEUD_ITEMS_H

#include <stdint.h>

#include <jansson.h>

#include "coyeu/entry.h"
#include "coyeu/inventory.h"
#include "coyeu/store.h"
#include "coyeud.h"

/* Record kinds. */
#define CYD_REC_ITEM "item"                 /* id -> view; group: unit */
#define CYD_REC_ITEM_PENDING "item.pending" /* id -> ""; group: where to */
#define CYD_REC_ITEM_SERIAL "item.serial"   /* type/maker/serial -> id;
                                             * group: type:serial */
#define CYD_REC_ITEM_HIST "item.hist"       /* id/index -> ""; group: id */
#define CYD_REC_ITEM_CUST "item.cust"       /* custodian/id; group: custodian */
#define CYD_REC_ITEM_COUNT "item.count"     /* unit -> "type\tstate\tcount" lines;
                                             * group: unit */
#define CYD_REC_CERT_HELD "cert.held"       /* serial -> {item, state, index} */
#define CYD_REC_STOCKTAKE "stocktake"       /* id -> JSON; group: unit */
#define CYD_REC_STOCKTAKE_DECL "stocktake.decl" /* id/index; group: id */

/* The unit a caller's scope starts from: an authority's may-issue
 * subtree, else its certificate's unit. */
const char *cyd_caller_scope(const cyd_caller *c);
/* Whether the caller may see the item: its unit inside the caller's
 * scope, in the caller's custody, or a pending transfer to either. */
int cyd_item_visible(const cyd_caller *c, const cy_item_view *v);

/* The item's view (and its stored bytes into raw, when not NULL). */
int cyd_item_load(cy_store *s, const char *id, cy_item_view *v, cy_buf *raw,
    cy_error *err);
/* The view as the routes answer it (docs/inventory.md, "Registry"). */
json_t *cyd_item_json(const cy_item_view *v);
/* The item id of (type, maker, serial), or of "type:serial" (the first
 * maker's) when maker is NULL: 1 and id, 0 none. */
int cyd_item_by_serial(cy_store *s, const char *type, const char *maker,
    const char *serial, char id[CY_ITEM_ID_LEN + 1], cy_error *err);

/* In a write transaction: stores the view `now` that the entry at index
 * made of `before` (NULL for item.add) with every index kept in step.
 * CY_E_POLICY when item.add's (type, maker, serial) is taken. */
int cyd_item_store(cy_store *s, const cy_item_view *before,
    const cy_item_view *now, uint64_t index, int64_t time, cy_error *err);
/* The register indices of the item's entries, ascending (a JSON array of
 * integers). */
int cyd_item_history(cy_store *s, const char *id, json_t **out,
    cy_error *err);

/* In a write transaction: the certificates of a lost or compromised
 * item's holds-certs become refused (kind cert.held), each naming the
 * item.  *added (a JSON array) receives the serials. */
int cyd_item_hold_revoke(cy_store *s, const cy_item_view *v, uint64_t index,
    json_t *added, cy_error *err);
/* Whether a certificate of chain is refused because an item holding its
 * key was lost or compromised: 1 (why in buf), 0 no, <0 the store's
 * error.  auth.c and the sealing routes call it beside the lists. */
int cyd_chain_held_revoked(cy_store *s, const cy_chain *chain, char *why,
    size_t cap, cy_error *err);
/* The same with the records looked up by get (1 found, 0 none). */
typedef int cyd_held_get_fn(void *ctx, const char *serial, cy_buf *out,
    cy_error *err);
int cyd_chain_held_check(const cy_chain *chain, cyd_held_get_fn *get,
    void *ctx, char *why, size_t cap, cy_error *err);
/* The refusal a cert.held record (b) of serial gives, into why. */
void cyd_held_why(const cy_buf *b, const char *serial, char *why, size_t cap);
/* The same through the server's pooled handles (routes_items.c). */
int cyd_chain_held_revoked_srv(cyd_server *srv, const cy_chain *chain,
    char *why, size_t cap, cy_error *err);

/* The counters under scope (unit and below): a JSON array of {unit, type,
 * state, count}, count > 0, by unit. */
int cyd_item_counts(cy_store *s, const char *scope, json_t **out,
    cy_error *err);
/* The units under scope that hold items (from the counters), sorted. */
int cyd_item_units(cy_store *s, const char *scope, json_t **out,
    cy_error *err);
/* Every item of exactly `unit` through fn(ctx, view, key); fn returns 0
 * to go on, 1 to stop (not an error). */
typedef int cyd_item_fn(void *ctx, const cy_item_view *v, cy_error *err);
int cyd_item_scan_unit(cy_store *s, const char *unit, const char *after,
    cyd_item_fn *fn, void *ctx, cy_error *err);
/* Every item in custodian's custody, and every pending change's item. */
int cyd_item_scan_custody(cy_store *s, const char *custodian,
    cyd_item_fn *fn, void *ctx, cy_error *err);
int cyd_item_scan_pending(cy_store *s, cyd_item_fn *fn, void *ctx,
    cy_error *err);

/* --- shared by the inventory's routes (routes_items.c) --- */

/* A body's "entry": the caller's own signed entry of `type`
 * (cyd_entry_own).  0, or -1 after answering. */
struct cyd_signed {
	uint8_t *raw;
	size_t len;
	cy_entry *e;
	int64_t time;
};
int cyd_body_entry(cyd_request *rq, cyd_response *rs, json_t *body,
    const char *type, struct cyd_signed *out);
void cyd_signed_free(struct cyd_signed *s);
/* The registry's own unit: items and transfers stay inside it. */
const char *cyd_registry_unit(const cyd_server *srv);

/* The handlers (routes.c's table). */
cyd_handler cyd_h_items_post, cyd_h_items_get, cyd_h_item_get,
    cyd_h_item_history, cyd_h_item_change, cyd_h_item_confirm,
    cyd_h_inventory_report, cyd_h_stocktakes_post, cyd_h_stocktake_get,
    cyd_h_stocktake_declare, cyd_h_stocktake_close;

#endif
