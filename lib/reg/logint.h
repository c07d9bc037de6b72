/* Internal: the register handle, shared by logstore.c and logaudit.c. */
#ifndef COYEU_LOGINT_H
#define COYEU_LOGINT_H

#include "coyeu/log.h"
#include "coyeu/store.h"
#include "reg/tree.h"

_Static_assert(CY_STORE_HASH_LEN == CY_HASH_LEN, "store and tree hash sizes");

#define CACHE_SLOTS 64 /* tiles kept per handle: 1 MiB */
#define TILE_ID(level, index) ((int64_t)((uint64_t)(level) << 56 | (index)))

struct cache_slot {
	int64_t id;
	int valid;
	uint8_t h[CY_TILE_NODES][CY_HASH_LEN];
};

struct cy_log {
	cy_store *s;      /* where everything is kept (store.h) */
	const cy_store_driver *drv;
	int own_store;    /* opened by cy_log_open: closed with the handle */
	int readonly;
	int snapshot;     /* a read-only handle's read transaction is open */
	char origin[CY_ORIGIN_MAX + 1];
	char *key_path;
	cy_note_verifier *v;
	cy_log_clock_fn *clock;
	void *clock_ctx;
	uint64_t max_skew;
	cy_hasher *h;
	struct cy_tree tree;
	struct cache_slot *cache;
	cy_error damage;  /* why the right edge could not be loaded, if so */
	cy_buf ck_note;   /* the last checkpoint read and verified… */
	cy_checkpoint ck; /* …and what it says */
};

/* cy_entry_check's result (entry.c): made nowhere else. */
struct cy_entry_checked {
	uint8_t *data;
	size_t len;
	int64_t time;
};

int cy_log_get_size(cy_log *l, uint64_t *size, cy_error *err);
/* The index stored for a record hash: 1 (into *idx), 0 with none, <0. */
int cy_log_leaf_index(cy_log *l, const uint8_t leaf[CY_HASH_LEN],
    uint64_t *idx, cy_error *err);

/* Entries checked (form, signature; not again those with a checked
 * object of the same bytes) and hashed by worker threads, in order, while
 * the caller goes on: cy_checker_wait returns once entries
 * [0, upto) are checked, or with the first refused one among them. */
struct cy_checker;
int cy_checker_start(const uint8_t *const *entries, const size_t *lens,
    const cy_entry_checked *const *checked, size_t n, int threads,
    uint8_t (*leaf)[CY_HASH_LEN], int64_t *times, struct cy_checker **out,
    cy_error *err);
/* Whether entry i's checked object (checked may be NULL) is of the same
 * bytes: then its signature was checked when it was made. */
int cy_entry_checked_same(const cy_entry_checked *const *checked, size_t i,
    const uint8_t *data, size_t len);
int cy_checker_wait(struct cy_checker *c, size_t upto, size_t *bad,
    cy_error *err);
void cy_checker_finish(struct cy_checker *c);

#endif
