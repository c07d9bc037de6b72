/* Register benchmark: durable signed entries appended per second (batches,
 * signature checks included), inclusion proofs per second on a log of
 * 1,000,000 entries, and bytes stored per entry.
 *
 * usage: register DIR [ENTRIES [BATCH [THREADS]]]
 * Prints "key value" lines for bench/register.sh. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "coyeu/encoding.h"
#include "coyeu/entry.h"
#include "coyeu/log.h"
#include "coyeu/secret.h"

#define ENTRY_CAP 600
#define PROOF_SECONDS 3.0

static uint8_t pk[32], sk[64];
static uint8_t (*entries)[ENTRY_CAP];
static size_t *lens;

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Busy CPU seconds of the whole machine, and of this process. */
static double
machine_busy(void)
{
	unsigned long long v[8] = {0};
	FILE *f = fopen("/proc/stat", "r");

	if (f == NULL || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
	    &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8) {
		if (f != NULL)
			fclose(f);
		return 0;
	}
	fclose(f);
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) /
	    (double)sysconf(_SC_CLK_TCK);
}

static double
own_busy(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* The share of the machine other processes used over a phase. */
struct phase {
	double wall, machine, own;
};

static void
phase_start(struct phase *p)
{
	p->wall = now();
	p->machine = machine_busy();
	p->own = own_busy();
}

static double
phase_others_pct(const struct phase *p)
{
	double wall = now() - p->wall, others = (machine_busy() - p->machine) -
	    (own_busy() - p->own);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	return others <= 0 || wall <= 0 ? 0 : 100 * others / (wall * (double)cores);
}

/* A release entry, as the registry writes one per key release. */
static void
make_entry(uint64_t i)
{
	char key[48], body[ENTRY_CAP];
	uint8_t sig[64];
	int n;

	cy_b64_encode(key, pk, 32, 0);
	n = snprintf(body, sizeof(body), "version: " CY_ENTRY_VERSION "\n"
	    "type: release\n"
	    "time: 2026-11-25T08:00:00Z\nactor: 0123456789abcdef0123456789abcdef\n"
	    "actor-key: %s\ndoc-id: %032llx\ncopy-id: %032llx\n"
	    "recipient: fedcba9876543210fedcba9876543210\n"
	    "request-sha256: %064llx\n", key, (unsigned long long)(i / 4),
	    (unsigned long long)i, (unsigned long long)(i * 7919));
	crypto_sign_detached(sig, NULL, (uint8_t *)body, (size_t)n, sk);
	n += snprintf(body + n, sizeof(body) - (size_t)n, "signature: ");
	cy_b64_encode(body + n, sig, 64, 0);
	strcat(body, "\n");
	lens[i] = strlen(body);
	memcpy(entries[i], body, lens[i]);
}

struct span {
	uint64_t lo, hi;
};

static void *
make_span(void *arg)
{
	struct span *s = arg;
	uint64_t i;

	for (i = s->lo; i < s->hi; i++)
		make_entry(i);
	return NULL;
}

static void
make_all(uint64_t n)
{
	struct span a = {0, n / 2}, b = {n / 2, n};
	pthread_t t;

	pthread_create(&t, NULL, make_span, &b);
	make_span(&a);
	pthread_join(t, NULL);
}

struct prover {
	const char *path;
	uint64_t size, done, seed;
	int verify;
};

static void *
prove(void *arg)
{
	struct prover *p = arg;
	uint8_t proof[CY_MERKLE_PROOF_MAX][CY_HASH_LEN], root[CY_HASH_LEN],
	    leaf[CY_HASH_LEN];
	cy_hasher *h = NULL;
	cy_log *l = NULL;
	uint64_t x = p->seed, i;
	size_t n;
	double end;

	if (cy_log_open(p->path, CY_LOG_READONLY, &l, NULL) != 0 ||
	    cy_hasher_new(&h, NULL) != 0 ||
	    cy_log_root(l, p->size, root, NULL) != 0)
		exit(3);
	end = now() + PROOF_SECONDS;
	while (now() < end) {
		for (int k = 0; k < 256; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			i = x % p->size;
			if (cy_log_inclusion_proof(l, i, p->size, proof, &n, NULL) != 0)
				exit(4);
			if (p->verify && (cy_merkle_leaf_hash(h, entries[i], lens[i],
			    leaf) != 0 || cy_merkle_verify_inclusion(h, leaf, i,
			    p->size, (const uint8_t (*)[CY_HASH_LEN])proof, n, root,
			    NULL) != 0))
				exit(5);
		}
		p->done += 256;
	}
	cy_hasher_free(h);
	cy_log_close(l);
	return NULL;
}

static double
proofs_per_second(const char *path, uint64_t size, int threads, int verify)
{
	struct prover p[2];
	pthread_t t;
	double t0 = now(), el;

	for (int i = 0; i < 2; i++)
		p[i] = (struct prover){path, size, 0, 0x9e3779b97f4a7c15ULL * (i + 1),
		    verify};
	if (threads > 1)
		pthread_create(&t, NULL, prove, &p[1]);
	prove(&p[0]);
	if (threads > 1)
		pthread_join(t, NULL);
	el = now() - t0;
	return (double)(p[0].done + p[1].done) / el;
}

/* Folds the WAL into the database file so its size is what is stored. */
static long long
stored_bytes(const char *path)
{
	sqlite3 *db;
	struct stat st;

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
	    NULL) != SQLITE_OK)
		exit(6);
	sqlite3_close(db);
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* The register's clock reads the entries' time. */
static int64_t
entry_clock(void *ctx)
{
	(void)ctx;
	return 1795593600; /* 2026-11-25T08:00:00Z */
}

int
main(int argc, char **argv)
{
	uint64_t total = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
	size_t batch = argc > 3 ? strtoull(argv[3], NULL, 10) : 4096;
	int threads = argc > 4 ? atoi(argv[4]) : 2;
	const uint8_t **ptr;
	cy_note_signer *signer;
	uint64_t done = 0, first;
	size_t n, bytes = 0;
	char path[4096];
	cy_error err;
	cy_log *l;
	struct phase ph;
	double t0, el, tmake, others;
	cy_log_options opts = {0, entry_clock, NULL, 0};

	if (argc < 2 || cy_init() != 0)
		return 2;
	snprintf(path, sizeof(path), "%s/register.db", argv[1]);
	unlink(path);
	entries = malloc(total * ENTRY_CAP);
	lens = malloc(total * sizeof(*lens));
	ptr = malloc(total * sizeof(*ptr));
	if (entries == NULL || lens == NULL || ptr == NULL)
		return 2;
	crypto_sign_keypair(pk, sk);
	tmake = now();
	make_all(total);
	tmake = now() - tmake;
	for (uint64_t i = 0; i < total; i++) {
		ptr[i] = entries[i];
		bytes += lens[i];
	}
	if (cy_note_signer_generate("bench.example/register", &signer, &err) != 0 ||
	    cy_log_create(path, signer, NULL, &opts, &err) != 0 ||
	    cy_log_open_with(path, &opts, &l, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	phase_start(&ph);
	t0 = now();
	while (done < total) {
		n = total - done < batch ? (size_t)(total - done) : batch;
		if (cy_log_append(l, signer, ptr + done, lens + done, n, threads,
		    &first, NULL, &err) != 0) {
			fprintf(stderr, "append: %s\n", err.msg);
			return 1;
		}
		done += n;
	}
	el = now() - t0;
	others = phase_others_pct(&ph);
	cy_log_close(l);
	printf("entries %llu\n", (unsigned long long)total);
	printf("batch %zu\n", batch);
	printf("entry_bytes %.0f\n", (double)bytes / (double)total);
	printf("signing_per_s %.0f\n", (double)total / tmake);
	printf("append_seconds %.2f\n", el);
	printf("append_per_s %.0f\n", (double)total / el);
	printf("append_others_pct %.0f\n", others);
	printf("stored_bytes_per_entry %.1f\n",
	    (double)stored_bytes(path) / (double)total);
	printf("proofs_per_s_1thread %.0f\n", proofs_per_second(path, total, 1, 0));
	phase_start(&ph);
	printf("proofs_per_s_2threads %.0f\n", proofs_per_second(path, total, 2, 0));
	printf("proofs_others_pct %.0f\n", phase_others_pct(&ph));
	printf("proofs_verified_per_s_2threads %.0f\n",
	    proofs_per_second(path, total, 2, 1));
	cy_note_signer_free(signer);
	free(entries);
	free(lens);
	free((void *)ptr);
	unlink(path);
	return 0;
}
