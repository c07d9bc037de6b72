/* What the library's store drivers share (not exported). */
#ifndef COYEU_STOREINT_H
#define COYEU_STOREINT_H

#include "coyeu/store.h"

/* The schema the library's drivers create and migrate to: 1 = the
 * register's tables, 2 = records.  A store's meta value "schema" says
 * which it has (no value: 1, from before there was one). */
#define CY_STORE_SCHEMA 2

/* The store's schema into *schema, read through s's meta_get; refuses a
 * damaged value or one above `newest` (a newer coyeu's store). */
int cy_store_schema(cy_store *s, long newest, long *schema, cy_error *err);

#endif
