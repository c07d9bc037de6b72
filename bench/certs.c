/* Certificate-chain verification per second, for bench/pq.sh: what a
 * sealer does for every recipient (parse the chain file, verify it against
 * the pinned root), for chains with and without the hybrid sealing key
 * (seal-pq-key: a 1959-character age1pq1 line in the leaf).
 *
 * usage: certs ROOT.cert SECONDS CHAIN...
 * Prints one line per chain: "<chain> <bytes> <verifications per second>"
 * (the median of 5 slices of SECONDS / 5, the chains taking turns). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "coyeu/cert.h"
#include "coyeu/error.h"

#define FILE_CAP (256 * 1024)
#define MAX_CHAINS 8
#define SLICES 5

static int
by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t
read_file(const char *path, uint8_t *buf)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	n = fread(buf, 1, FILE_CAP, f);
	fclose(f);
	if (n == 0 || n == FILE_CAP) {
		fprintf(stderr, "certs: %s: empty or over %d bytes\n", path,
		    FILE_CAP);
		exit(1);
	}
	return n;
}

/* One verification from the bytes, as a sealer checks a recipient. */
static void
verify_once(const uint8_t *chain_bytes, size_t len, const cy_cert *root,
    int64_t at, const char *name)
{
	cy_error err;
	cy_chain *chain = NULL;

	if (cy_chain_parse(chain_bytes, len, &chain, &err) != 0 ||
	    cy_chain_verify(chain, root, NULL, 0, at, NULL, &err) != 0) {
		fprintf(stderr, "certs: %s: %s\n", name, err.msg);
		exit(1);
	}
	cy_chain_free(chain);
}

int
main(int argc, char **argv)
{
	static uint8_t buf[FILE_CAP], bufs[MAX_CHAINS][FILE_CAP];
	static double rates[MAX_CHAINS][SLICES];
	size_t lens[MAX_CHAINS];
	cy_error err;
	cy_cert *root = NULL;
	double seconds;
	size_t len;
	int64_t at = (int64_t)time(NULL);

	if (argc < 4) {
		fprintf(stderr, "usage: certs ROOT.cert SECONDS CHAIN...\n");
		return 2;
	}
	seconds = atof(argv[2]);
	len = read_file(argv[1], buf);
	if (cy_cert_parse(buf, len, &root, &err) != 0) {
		fprintf(stderr, "certs: %s: %s\n", argv[1], err.msg);
		return 1;
	}
	if (argc - 3 > MAX_CHAINS) {
		fprintf(stderr, "certs: at most %d chains\n", MAX_CHAINS);
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		lens[i - 3] = read_file(argv[i], bufs[i - 3]);
		/* warm, and checked */
		verify_once(bufs[i - 3], lens[i - 3], root, at, argv[i]);
	}
	/* The chains take turns, so that a slower moment of the machine
	 * falls on each alike; the median slice is reported. */
	for (int s = 0; s < SLICES; s++) {
		for (int i = 0; i < argc - 3; i++) {
			long n = 0;
			double t0 = now(), t;

			do {
				for (int k = 0; k < 100; k++)
					verify_once(bufs[i], lens[i], root, at,
					    argv[i + 3]);
				n += 100;
				t = now() - t0;
			} while (t < seconds / SLICES);
			rates[i][s] = (double)n / t;
		}
	}
	for (int i = 0; i < argc - 3; i++) {
		qsort(rates[i], SLICES, sizeof(double), by_value);
		printf("%s %zu %.0f\n", argv[i + 3], lens[i], rates[i][SLICES / 2]);
	}
	cy_cert_free(root);
	return 0;
}
