/* Opening a store through any driver (see store.h). */
#include <stdlib.h>
#include <string.h>

#include "coyeu/store.h"
#include "store/storeint.h"

/* The bytes a driver table of each version fills. */
static size_t
version_size(int version)
{
	switch (version) {
	case 1: return CY_STORE_V1_SIZE;
	case 2: return CY_STORE_V2_SIZE;
	default: return SIZE_MAX;
	}
}

int
cy_store_has(const cy_store *s, int version)
{
	return s->drv->version >= version &&
	    s->drv->size >= version_size(version);
}

int
cy_store_schema(cy_store *s, long newest, long *schema, cy_error *err)
{
	char v[16], *end;
	size_t len;
	int r;

	if ((r = s->drv->meta_get(s, "schema", v, sizeof(v), &len, err)) < 0)
		return r;
	if (r == 0) {
		*schema = 1;
		return 0;
	}
	*schema = len < sizeof(v) ? strtol(v, &end, 10) : 0;
	if (len >= sizeof(v) || end == v || *end != '\0' || *schema < 1)
		return cy_error_set(err, CY_E_STORE, "the store's schema version "
		    "is damaged (meta value \"schema\")");
	if (*schema > newest)
		return cy_error_set(err, CY_E_STORE, "the store has schema %ld, "
		    "newer than this coyeu knows (%ld): upgrade coyeu", *schema,
		    newest);
	return 0;
}

/* A store older than its driver is migrated (one write transaction);
 * the check first reads, so an up-to-date store takes no writer's lock. */
static int
upgrade(cy_store *s, cy_error *err)
{
	const cy_store_driver *d = s->drv;
	long schema;
	int r;

	if ((r = d->begin(s, 0, err)) != 0)
		return r;
	r = cy_store_schema(s, CY_STORE_SCHEMA, &schema, err);
	d->rollback(s);
	if (r != 0 || schema >= CY_STORE_SCHEMA)
		return r;
	if ((r = d->begin(s, 1, err)) != 0)
		return r;
	if ((r = d->migrate(s, err)) != 0 || (r = d->commit(s, err)) != 0)
		d->rollback(s);
	return r;
}

int
cy_store_open(const cy_store_driver *drv, const char *dsn, int flags,
    cy_store **out, cy_error *err)
{
	int r;

	*out = NULL;
	if (drv == NULL || drv->version < 1 || drv->size < version_size(1) ||
	    drv->open == NULL)
		return cy_error_set(err, CY_E_USAGE, "the store driver %s does not "
		    "fill version 1 of the interface",
		    drv != NULL && drv->name != NULL ? drv->name : "(none)");
	if ((r = drv->open(dsn, flags, out, err)) != 0)
		return r;
	/* A new store gets the newest schema from init; a read-only one is
	 * read as it is (its records, if any, are not used). */
	if ((flags & (CY_STORE_CREATE | CY_STORE_READONLY)) == 0 &&
	    cy_store_has(*out, 2) && (r = upgrade(*out, err)) != 0) {
		cy_store_close(*out);
		*out = NULL;
	}
	return r;
}

void
cy_store_close(cy_store *s)
{
	if (s != NULL)
		s->drv->close(s);
}

const cy_store_driver *
cy_store_driver_for(const char *db, const char **dsn)
{
	if (strncmp(db, "postgres://", 11) == 0 ||
	    strncmp(db, "postgresql://", 13) == 0) {
		*dsn = db;
		return cy_store_postgres_driver();
	}
	*dsn = strncmp(db, "sqlite:", 7) == 0 ? db + 7 : db;
	return cy_store_sqlite_driver();
}
