/* bench/inventory_fill: fills a registry's store with an inventory, for
 * bench/inventory.sh — ITEMS items spread over UNITS units (vn/hcm/u0000 …),
 * each with TRANSITIONS entries' worth of history, written through the
 * store driver by the registry's own record code (server/items.c:
 * cyd_item_store), so the records are the ones coyeud keeps.  The register's
 * entries themselves are not made: the routes timed (a unit's list, the
 * city's summary) read the records, never the entries.
 *
 *   inventory_fill DB ITEMS UNITS TRANSITIONS CUSTODIAN
 *
 * DB is a coyeud "db =" value (sqlite:PATH or postgresql://…) of a store
 * coyeud init made; CUSTODIAN the serial the issued items are held by. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coyeu/inventory.h"
#include "coyeu/level.h"
#include "coyeu/store.h"

#include "items.h"

#define PER_COMMIT 2000

static void
die(const char *what, const cy_error *err)
{
	fprintf(stderr, "inventory_fill: %s%s%s\n", what, err ? ": " : "",
	    err ? err->msg : "");
	exit(1);
}

/* A state spread like a working inventory's: mostly in stock or in
 * service, a few elsewhere. */
static int
state_of(unsigned long i)
{
	static const int spread[] = {CY_ITEM_IN_STOCK, CY_ITEM_IN_SERVICE,
		CY_ITEM_IN_SERVICE, CY_ITEM_IN_STOCK, CY_ITEM_IN_SERVICE,
		CY_ITEM_MAINTENANCE, CY_ITEM_RECEIVED, CY_ITEM_IN_SERVICE,
		CY_ITEM_DECOMMISSIONED, CY_ITEM_DESTROYED, CY_ITEM_IN_STOCK,
		CY_ITEM_LOST, CY_ITEM_IN_SERVICE, CY_ITEM_IN_STOCK,
		CY_ITEM_COMPROMISED, CY_ITEM_IN_SERVICE};

	return spread[(i / 7) % (sizeof(spread) / sizeof(spread[0]))];
}

static void
make_view(cy_item_view *v, unsigned long i, unsigned long units,
    const char *custodian, uint64_t index)
{
	size_t ntypes;
	const cy_item_type *types = cy_item_types(&ntypes), *t;

	t = &types[i % ntypes];
	memset(v, 0, sizeof(*v));
	snprintf(v->id, sizeof(v->id), "%08lx%024lx", (unsigned long)0xbe7c4,
	    i);
	snprintf(v->type, sizeof(v->type), "%s", t->name);
	snprintf(v->serial, sizeof(v->serial), "SN-%08lu", i);
	snprintf(v->maker, sizeof(v->maker), "Viettel");
	snprintf(v->model, sizeof(v->model), "M-%lu", i % 10);
	v->level = CY_LEVEL_MAT;
	snprintf(v->unit, sizeof(v->unit), "vn/hcm/u%04lu", i % units);
	v->state = state_of(i);
	if (v->state == CY_ITEM_IN_SERVICE || v->state == CY_ITEM_MAINTENANCE)
		snprintf(v->custodian, sizeof(v->custodian), "%s", custodian);
	snprintf(v->received, sizeof(v->received), "2026-01-%02lu",
	    1 + i % 28);
	if (t->fields & CY_ITEM_F_PERIOD_UNTIL)
		snprintf(v->period_until, sizeof(v->period_until), "%s",
		    i % 50 == 0 ? "2026-06-30" : "2028-12-31");
	if (t->fields & CY_ITEM_F_VERSION)
		snprintf(v->version, sizeof(v->version), "2.%lu", i % 5);
	if (t->required & CY_ITEM_F_COUNT)
		v->count = 12;
	snprintf(v->updated, sizeof(v->updated), "2026-11-01T00:00:00Z");
	v->index = index;
}

int
main(int argc, char **argv)
{
	const cy_store_driver *drv;
	const char *dsn;
	unsigned long items, units, transitions, i, k;
	cy_item_view v;
	cy_store *s = NULL;
	cy_error err;
	uint64_t index = 1000;
	clock_t c0 = clock();

	if (argc != 6)
		die("usage: inventory_fill DB ITEMS UNITS TRANSITIONS CUSTODIAN",
		    NULL);
	items = strtoul(argv[2], NULL, 10);
	units = strtoul(argv[3], NULL, 10);
	transitions = strtoul(argv[4], NULL, 10);
	if (items == 0 || units == 0 || units > 10000 || transitions == 0)
		die("ITEMS, UNITS (at most 10000) and TRANSITIONS are counts",
		    NULL);
	if ((drv = cy_store_driver_for(argv[1], &dsn)) == NULL)
		die("DB is sqlite:PATH or postgresql://…", NULL);
	if (cy_store_open(drv, dsn, 0, &s, &err) != 0)
		die("open the store", &err);
	for (i = 0; i < items; i++) {
		if (i % PER_COMMIT == 0 && s->drv->begin(s, 1, &err) != 0)
			die("begin", &err);
		/* The item's entries: its add, then each change, the view
		 * as it stands after the last. */
		make_view(&v, i, units, argv[5], index);
		if (cyd_item_store(s, NULL, &v, index++, 1793000000, &err) != 0)
			die("store an item", &err);
		for (k = 1; k < transitions; k++) {
			v.index = index;
			if (cyd_item_store(s, &v, &v, index++, 1793000000,
			    &err) != 0)
				die("store a transition", &err);
		}
		if ((i + 1) % PER_COMMIT == 0 || i + 1 == items) {
			if (s->drv->commit(s, &err) != 0)
				die("commit", &err);
			if ((i + 1) % 20000 == 0)
				fprintf(stderr, "inventory_fill: %lu items\n", i + 1);
		}
	}
	cy_store_close(s);
	printf("fill_items %lu\nfill_transitions %lu\nfill_cpu_s %.1f\n", items,
	    items * transitions, (double)(clock() - c0) / CLOCKS_PER_SEC);
	return 0;
}
