/* cy_secret_alloc / cy_secret_free: the pool of small slots
 * (lib/base/secret.c) and sodium_malloc above it. */
#include "testutil.h"

#include <pthread.h>
#include <unistd.h>

#include "coyeu/secret.h"

static int
all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* A freed secret leaves nothing behind: the next allocation of its size
 * class gets the same slot back, every byte zero, also past the length
 * first asked for. */
static void
test_wiped_on_free(void **state)
{
	static const size_t sizes[][2] = {{32, 64}, {1, 64}, {40, 64},
	    {100, 256}, {200, 256}, {300, 1024}, {1024, 1024}};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *a, *b;

		assert_non_null(a = cy_secret_alloc(sizes[i][0]));
		memset(a, 0xa5, sizes[i][0]);
		cy_secret_free(a);
		assert_non_null(b = cy_secret_alloc(sizes[i][1]));
		assert_ptr_equal(a, b);
		if (!all_zero(b, sizes[i][1]))
			fail_msg("a freed %zu-byte secret left bytes in its slot",
			    sizes[i][0]);
		cy_secret_free(b);
	}
	cy_secret_free(NULL);
}

static void
test_alignment(void **state)
{
	size_t n;

	(void)state;
	for (n = 1; n <= 1024; n += 7) {
		uint8_t *p = cy_secret_alloc(n);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		memset(p, 0x5a, n);
		cy_secret_free(p);
	}
}

/* Above the largest slot, and once a class is full: sodium_malloc, whose
 * block ends at its guard page. */
static void
test_fallback(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), i, pooled = 0;
	enum { N = 1100 }; /* more than the 64-byte class holds */
	uint8_t *p, *many[N];

	(void)state;
	assert_non_null(p = cy_secret_alloc(4096));
	assert_int_equal(((uintptr_t)p + 4096) % page, 0);
	memset(p, 1, 4096);
	cy_secret_free(p);
	assert_non_null(p = cy_secret_alloc(1025));
	memset(p, 1, 1025);
	cy_secret_free(p);
	for (i = 0; i < N; i++) {
		assert_non_null(many[i] = cy_secret_alloc(64));
		memset(many[i], (int)i, 64);
		pooled += ((uintptr_t)many[i] + 64) % page != 0;
	}
	/* Some came from sodium_malloc (the class is 1,024 slots). */
	assert_true(pooled >= 1000 && pooled < N);
	for (i = 0; i < N; i++) {
		size_t j;

		for (j = 0; j < 64; j++)
			assert_int_equal(many[i][j], (uint8_t)i);
		cy_secret_free(many[i]);
	}
}

/* Threads allocating and freeing at once never share a slot: each one's
 * pattern is intact when it frees. */
#define THREADS 8
#define ROUNDS 20000

static void *
churn(void *arg)
{
	uint8_t tag = (uint8_t)(uintptr_t)arg, *held[16] = {0};
	size_t len[16] = {0};
	uint64_t x = 0x9e3779b97f4a7c15ULL * (tag + 1);
	int i, k, bad = 0;

	for (i = 0; i < ROUNDS; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		k = (int)(x % 16);
		if (held[k] != NULL) {
			size_t j;

			for (j = 0; j < len[k]; j++)
				bad |= held[k][j] != tag;
			cy_secret_free(held[k]);
			held[k] = NULL;
		} else {
			len[k] = 1 + (size_t)(x >> 20) % 1400;
			if ((held[k] = cy_secret_alloc(len[k])) == NULL)
				return (void *)1;
			memset(held[k], tag, len[k]);
		}
	}
	for (k = 0; k < 16; k++)
		cy_secret_free(held[k]);
	return (void *)(uintptr_t)bad;
}

static void
test_threads(void **state)
{
	pthread_t t[THREADS];
	void *rc;
	int i;

	(void)state;
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, churn,
		    (void *)(uintptr_t)(i + 1)), 0);
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], &rc), 0);
		assert_null(rc);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wiped_on_free),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_threads),
	};

	if (cy_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
