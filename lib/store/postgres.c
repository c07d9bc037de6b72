/* The PostgreSQL store driver, through libpq (placeholder: being written). */
#include <stddef.h>

#include "coyeu/store.h"

static int
pg_open(const char *dsn, int flags, cy_store **out, cy_error *err)
{
	(void)dsn;
	(void)flags;
	*out = NULL;
	return cy_error_set(err, CY_E_USAGE, "the PostgreSQL driver is not built "
	    "yet");
}

static const cy_store_driver pg_driver = {
	.version = 0,
	.name = "postgres",
	.size = sizeof(cy_store_driver),
	.open = pg_open,
};

const cy_store_driver *
cy_store_postgres_driver(void)
{
	return &pg_driver;
}
