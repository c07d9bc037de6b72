/* Shared helpers for the cmocka unit tests. */
#ifndef COYEU_TESTUTIL_H
#define COYEU_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

/* ../shared/testdata from the project root (make runs the tests there).
 * Returns NULL when absent; under CI=true absence is a failure. */
static inline const char *
testdata_dir(const char *sub)
{
	static char path[4096];
	struct stat st;
	const char *ci = getenv("CI");

	snprintf(path, sizeof(path), "../shared/testdata/%s", sub);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return path;
	if (ci != NULL && strcmp(ci, "true") == 0) {
		fprintf(stderr, "test vectors missing: %s (required in CI)\n", path);
		fail();
	}
	return NULL;
}

/* A fixed-seed xorshift64 generator: the same sequence every run, so a
 * failing random case can be replayed. */
static inline uint64_t
test_rng(void)
{
	static uint64_t state = 0x9e3779b97f4a7c15ULL;

	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

#endif
