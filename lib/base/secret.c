/* Start-up, guarded memory for secrets, constant-time compare.
 *
 * Small secrets (file keys, AEAD contexts, identities: up to
 * SECRET_SLOT_MAX bytes) come from a pool: one locked mapping, excluded
 * from core dumps, with a PROT_NONE page at each end, carved into slots
 * of a few fixed sizes.  sodium_malloc gives every allocation its own
 * mapping and every free an munmap: a TLB shootdown on every core of the
 * process, half of a release's CPU in coyeud (docs/performance.md).
 * Slots are wiped on free.  Larger requests, and any once the pool is
 * full, keep sodium_malloc.
 *
 * The pool is the library's one piece of process-wide state
 * (docs/architecture.md): cy_secret_alloc takes no context, and the
 * memory it guards is process-wide like libsodium's own allocator.  It is
 * made on first use (pthread_once), locked by a mutex, and unmapped at
 * exit when no slot is still held. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "coyeu/secret.h"

#if defined(__SANITIZE_ADDRESS__)
#define SECRET_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SECRET_ASAN 1
#endif
#endif
#ifdef SECRET_ASAN
/* Free slots and the tail past each request are poisoned: AddressSanitizer
 * sees overflows and uses after free inside the pool. */
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Slot sizes and counts: 320 KiB locked in all, within the usual 8 MiB
 * RLIMIT_MEMLOCK. */
#define SECRET_CLASSES 3
static const size_t slot_size[SECRET_CLASSES] = {64, 256, 1024};
static const uint32_t slot_count[SECRET_CLASSES] = {1024, 512, 128};
#define SECRET_SLOT_MAX 1024
#define SECRET_SLOTS_ALL (1024 + 512 + 128)

struct secret_class {
	uint8_t *base;         /* first slot */
	size_t size;           /* of a slot */
	uint32_t count;
	uint32_t nfree;
	uint32_t *free;        /* a stack of free slot numbers */
};

static struct secret_pool {
	pthread_mutex_t lock;
	uint8_t *map;          /* guard page, slots, guard page */
	size_t map_len;
	uint32_t used;         /* slots held */
	int closed;            /* unmapped at exit: sodium_malloc from now */
	struct secret_class cls[SECRET_CLASSES];
	uint32_t free_all[SECRET_SLOTS_ALL];
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER};
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void
pool_create(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len = 0, off;
	uint32_t *stack = pool.free_all, j;
	int i;
	void *m;

	for (i = 0; i < SECRET_CLASSES; i++)
		len += slot_size[i] * slot_count[i];
	len = (len + page - 1) / page * page;
	m = mmap(NULL, len + 2 * page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return; /* no pool: every request goes to sodium_malloc */
	if (mprotect(m, page, PROT_NONE) != 0 ||
	    mprotect((uint8_t *)m + page + len, page, PROT_NONE) != 0) {
		munmap(m, len + 2 * page);
		return;
	}
	/* As sodium_malloc: best effort, the limit may forbid it. */
	(void)madvise((uint8_t *)m + page, len, MADV_DONTDUMP);
	(void)mlock((uint8_t *)m + page, len);
	pool.map = m;
	pool.map_len = len + 2 * page;
	off = page;
	for (i = 0; i < SECRET_CLASSES; i++) {
		struct secret_class *c = &pool.cls[i];

		c->base = pool.map + off;
		c->size = slot_size[i];
		c->count = slot_count[i];
		c->free = stack;
		for (j = 0; j < c->count; j++)
			c->free[j] = c->count - 1 - j; /* slot 0 first */
		c->nfree = c->count;
		POISON(c->base, c->size * c->count);
		stack += c->count;
		off += c->size * c->count;
	}
}

/* The class whose slots hold p, or NULL; under the lock (the pool is
 * unmapped at exit). */
static struct secret_class *
pool_class_of(const void *p)
{
	const uint8_t *q = p;
	int i;

	for (i = 0; i < SECRET_CLASSES; i++) {
		struct secret_class *c = &pool.cls[i];

		if (c->base != NULL && q >= c->base &&
		    q < c->base + c->size * c->count)
			return c;
	}
	return NULL;
}

__attribute__((destructor)) static void
pool_destroy(void)
{
	pthread_mutex_lock(&pool.lock);
	if (pool.map != NULL && pool.used == 0) {
		/* Every free slot is wiped already. */
		UNPOISON(pool.map, pool.map_len);
		munmap(pool.map, pool.map_len);
		pool.map = NULL;
		memset(pool.cls, 0, sizeof(pool.cls));
	}
	pool.closed = 1;
	pthread_mutex_unlock(&pool.lock);
}

int
cy_init(void)
{
	if (sodium_init() < 0)
		return CY_E_CRYPTO;
	return 0;
}

void *
cy_secret_alloc(size_t n)
{
	struct secret_class *c = NULL;
	uint8_t *p = NULL;
	int i;

	if (n == 0 || n > SECRET_SLOT_MAX)
		return sodium_malloc(n);
	pthread_once(&pool_once, pool_create);
	pthread_mutex_lock(&pool.lock);
	for (i = 0; i < SECRET_CLASSES && !pool.closed && pool.map != NULL;
	    i++) {
		c = &pool.cls[i];
		if (n <= c->size && c->nfree > 0) {
			p = c->base + c->size * c->free[--c->nfree];
			pool.used++;
			break;
		}
	}
	pthread_mutex_unlock(&pool.lock);
	if (p == NULL)
		return sodium_malloc(n);
	UNPOISON(p, n);
	return p;
}

void
cy_secret_free(void *p)
{
	struct secret_class *c;
	uint8_t *slot;

	if (p == NULL)
		return;
	pthread_mutex_lock(&pool.lock);
	if ((c = pool_class_of(p)) == NULL) {
		pthread_mutex_unlock(&pool.lock);
		sodium_free(p);
		return;
	}
	slot = c->base + ((uint8_t *)p - c->base) / c->size * c->size;
	/* The whole slot: a request may have used less than it. */
	UNPOISON(slot, c->size);
	sodium_memzero(slot, c->size);
	POISON(slot, c->size);
	c->free[c->nfree++] = (uint32_t)((slot - c->base) / c->size);
	pool.used--;
	pthread_mutex_unlock(&pool.lock);
}

void
cy_wipe(void *p, size_t n)
{
	if (p != NULL)
		sodium_memzero(p, n);
}

int
cy_memeq(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}
