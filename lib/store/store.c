/* Opening a store through any driver (see store.h). */
#include <stdlib.h>
#include <string.h>

#include "coyeu/store.h"

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
cy_store_open(const cy_store_driver *drv, const char *dsn, int flags,
    cy_store **out, cy_error *err)
{
	*out = NULL;
	if (drv == NULL || drv->version < 1 || drv->size < version_size(1) ||
	    drv->open == NULL)
		return cy_error_set(err, CY_E_USAGE, "the store driver %s does not "
		    "fill version 1 of the interface",
		    drv != NULL && drv->name != NULL ? drv->name : "(none)");
	return drv->open(dsn, flags, out, err);
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
