/* coyeu log append: entries into the register, durably, with receipts. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "common/json.h"
#include "coyeu/entry.h"
#include "coyeu/file.h"
#include "logcli.h"

static const char usage[] =
    "usage: coyeu log append [--key KEY] [--batch N] [--threads N]\n"
    "                        [--receipts DIR | --no-receipts] [--json]\n"
    "                        [--max-skew SECONDS] DB ENTRY...\n"
    "\n"
    "Appends the entry files to the register DB in batches: each batch is\n"
    "checked (form and signature), stored with a newly signed checkpoint and\n"
    "made durable in one commit.  Only then are its entries printed, one\n"
    "\"INDEX FILE\" line each, and their receipts written: ENTRY.tlog-proof\n"
    "(a C2SP tlog-proof), next to ENTRY or in DIR.  A refused entry stops\n"
    "the run; its batch is not appended.  Refused: an entry already in the\n"
    "register (or twice in the batch), and an entry whose time lies more\n"
    "than 300 s from the register's clock, which every checkpoint carries\n"
    "as its timestamped cosignature.\n"
    "\n"
    "  -k, --key KEY      the checkpoint key (default: the one log init used)\n"
    "      --batch N      entries per batch (default and most: 100000)\n"
    "      --threads N    threads checking signatures (default 0: all cores)\n"
    "      --receipts DIR write receipts into DIR\n"
    "      --no-receipts  write none (log prove makes them later)\n"
    "      --json         one JSON object per entry\n"
    "      --max-skew SECONDS  accept entries up to SECONDS in the past, to\n"
    "                     import old records; those beyond 300 s are imported\n"
    "                     (marked so: \"INDEX FILE imported\")\n";

struct run {
	cy_log *log;
	cy_note_signer *signer;
	const char *receipts;
	int no_receipts, json, threads;
	uint64_t max_skew;
};

static int
write_receipt(struct run *r, uint64_t index, uint64_t size, const char *entry,
    char *path, size_t cap)
{
	cy_buf proof = CY_BUF_INIT;
	cy_error err = {0, ""};
	const char *base = strrchr(entry, '/');
	int rc;

	if (r->receipts != NULL)
		snprintf(path, cap, "%s/%s.tlog-proof", r->receipts,
		    base != NULL ? base + 1 : entry);
	else
		snprintf(path, cap, "%s.tlog-proof", entry);
	rc = cy_log_receipt(r->log, index, size, &proof, &err) == 0 &&
	    cy_file_write(path, proof.data, proof.len, 0644, 0, &err) == 0;
	cy_buf_free(&proof);
	return rc ? CLI_OK : cli_fail(&err, path);
}

/* Whether entry index was imported: only a widened skew can import. */
static int
imported(const struct run *r, uint64_t index, int *yes)
{
	cy_log_entry_info info;
	cy_error err = {0, ""};

	*yes = 0;
	if (r->max_skew <= CY_LOG_SKEW)
		return CLI_OK;
	if (cy_log_entry_info_get(r->log, index, &info, &err) != 0)
		return cli_fail(&err, "log append");
	*yes = info.imported;
	return CLI_OK;
}

static void
print_entry(const struct run *r, uint64_t index, const char *file,
    const char *receipt, int imp)
{
	if (!r->json) {
		printf("%llu %s%s\n", (unsigned long long)index, file,
		    imp ? " imported" : "");
		return;
	}
	printf("{\"index\":%llu,\"file\":", (unsigned long long)index);
	cmn_json_string(stdout, file);
	if (receipt != NULL) {
		fputs(",\"receipt\":", stdout);
		cmn_json_string(stdout, receipt);
	}
	printf(",\"imported\":%s}\n", imp ? "true" : "false");
}

/* One batch: files[0..n). */
static int
append_batch(struct run *r, char **files, size_t n)
{
	uint8_t **data;
	size_t *lens, i, bad = 0;
	uint64_t first;
	cy_error err = {0, ""};
	char receipt[PATH_MAX + 32];
	int rc = CLI_OK, imp = 0;

	data = calloc(n, sizeof(*data));
	lens = calloc(n, sizeof(*lens));
	if (data == NULL || lens == NULL) {
		cli_warn("log append: out of memory");
		rc = CLI_FAIL;
		goto out;
	}
	for (i = 0; i < n && rc == CLI_OK; i++)
		rc = cli_log_read(files[i], CY_ENTRY_MAX + 1, &data[i], &lens[i]);
	if (rc != CLI_OK)
		goto out;
	if (cy_log_append(r->log, r->signer, (const uint8_t *const *)data, lens,
	    n, r->threads, &first, &bad, &err) != 0) {
		rc = cli_fail(&err, bad < n ? files[bad] : "log append");
		goto out;
	}
	/* Durable now: acknowledge. */
	for (i = 0; i < n && rc == CLI_OK; i++) {
		if (!r->no_receipts)
			rc = write_receipt(r, first + i, first + n, files[i], receipt,
			    sizeof(receipt));
		if (rc == CLI_OK)
			rc = imported(r, first + i, &imp);
		print_entry(r, first + i, files[i], r->no_receipts ? NULL : receipt,
		    imp);
	}
	fflush(stdout);
out:
	for (i = 0; data != NULL && i < n; i++)
		free(data[i]);
	free(data);
	free(lens);
	return rc;
}

int
cmd_log_append(int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},
		{"batch", required_argument, NULL, 'b'},
		{"threads", required_argument, NULL, 'T'},
		{"receipts", required_argument, NULL, 'r'},
		{"no-receipts", no_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'},
		{"max-skew", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct run r = {NULL, NULL, NULL, 0, 0, 0, 0};
	cy_log_options o = {0, NULL, NULL, 0};
	const char *key = NULL;
	cy_error err = {0, ""};
	int c, i, batch = CY_LOG_BATCH_MAX, rc;

	while ((c = getopt_long(argc, argv, "k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'b':
			if ((batch = cli_parse_int(optarg, 1, CY_LOG_BATCH_MAX)) < 0)
				return cli_usage_error("log append",
				    "--batch takes 1 to %d", CY_LOG_BATCH_MAX);
			break;
		case 'T':
			if (cli_log_threads("log append", optarg, &r.threads) != CLI_OK)
				return CLI_USAGE;
			break;
		case 'r': r.receipts = optarg; break;
		case 'n': r.no_receipts = 1; break;
		case 'j': r.json = 1; break;
		case 'S':
			if (cli_log_u64("log append", "--max-skew", optarg,
			    &r.max_skew) != CLI_OK)
				return CLI_USAGE;
			if (r.max_skew < CY_LOG_SKEW || r.max_skew > CY_LOG_SKEW_MAX)
				return cli_usage_error("log append", "--max-skew takes "
				    "%d to %llu seconds", CY_LOG_SKEW,
				    (unsigned long long)CY_LOG_SKEW_MAX);
			break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("log append", "invalid option");
		}
	}
	if (argc - optind < 2)
		return cli_usage_error("log append", "give DB and at least one ENTRY");
	if (r.receipts != NULL && r.no_receipts)
		return cli_usage_error("log append",
		    "--receipts and --no-receipts exclude each other");
	o.max_skew = r.max_skew;
	if (cy_log_open_with(argv[optind], &o, &r.log, &err) != 0)
		return cli_fail(&err, NULL);
	if ((rc = cli_log_signer(r.log, key, &r.signer)) != CLI_OK)
		goto out;
	for (i = optind + 1; i < argc && rc == CLI_OK; i += batch)
		rc = append_batch(&r, argv + i, (size_t)(argc - i < batch ?
		    argc - i : batch));
out:
	cy_note_signer_free(r.signer);
	cy_log_close(r.log);
	return rc;
}
