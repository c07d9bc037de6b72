/* coyeu log append: entries into the register, durably, with receipts. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client.h"
#include "commands.h"
#include "exchange.h"
#include "common/json.h"
#include "coyeu/entry.h"
#include "coyeu/file.h"
#include "coyeu/tlogproof.h"
#include "logcli.h"

static const char usage[] =
    "usage: coyeu log append [--key KEY] [--batch N] [--threads N]\n"
    "                        [--receipts DIR | --no-receipts] [--json]\n"
    "                        [--max-skew SECONDS] DB ENTRY...\n"
    "       coyeu log append --registry URL [-k KEY] [-c CHAIN]\n"
    "                        [--passphrase-file F] [--cacert FILE]\n"
    "                        [--receipts DIR | --no-receipts] [--json] ENTRY...\n"
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
    "                     (marked so: \"INDEX FILE imported\")\n"
    "\n"
    "With --registry, the entries go to the registry at URL instead (POST\n"
    "/v1/log/entries, at most 256 a request), in requests signed by the\n"
    "officer, who must be each entry's actor.  Each receipt the registry\n"
    "returns must verify against the verifier key the keyring pins for URL\n"
    "(coyeu keyring registry URL) and include that very entry at the index\n"
    "given; one that does not stops the run (exit 1) before its line is\n"
    "printed or its receipt written.\n"
    "\n"
    "      --registry URL   the registry (see coyeu keyring registry)\n"
    "  -k, --key KEY      with --registry: the officer's key (default: the\n"
    "                     keyring's)\n"
    "  -c, --chain CHAIN  with --registry: its chain (default: the keyring's)\n"
    "      --passphrase-file F  read the officer key's passphrase from F\n"
    "      --cacert FILE  CA certificates TLS trusts (default: the\n"
    "                     keyring's, else the system's)\n";

struct run {
	cy_log *log;
	cy_note_signer *signer;
	const char *receipts;
	int no_receipts, json, threads;
	uint64_t max_skew;
};

static void
receipt_path(const struct run *r, const char *entry, char *path, size_t cap)
{
	const char *base = strrchr(entry, '/');

	if (r->receipts != NULL)
		snprintf(path, cap, "%s/%s.tlog-proof", r->receipts,
		    base != NULL ? base + 1 : entry);
	else
		snprintf(path, cap, "%s.tlog-proof", entry);
}

static int
write_receipt(struct run *r, uint64_t index, uint64_t size, const char *entry,
    char *path, size_t cap)
{
	cy_buf proof = CY_BUF_INIT;
	cy_error err = {0, ""};
	int rc;

	receipt_path(r, entry, path, cap);
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

/* --- through a registry (--registry URL) --- */

/* Entries per request: the daemon's cap (docs/coyeud.md). */
#define REMOTE_BATCH 256

struct remote {
	cli_client *cl;
	cy_note_verifier *v;
};

/* One answer's item: its index and receipt, checked and acknowledged. */
static int
take_answer(struct run *r, const struct remote *rm, json_t *item,
    const char *file, const uint8_t *data, size_t len)
{
	json_t *ji = json_object_get(item, "index");
	const char *receipt = json_string_value(json_object_get(item, "receipt"));
	char path[PATH_MAX + 32];
	cy_error err = {0, ""};
	uint64_t index;

	if (!json_is_integer(ji) || json_integer_value(ji) < 0 ||
	    receipt == NULL || strlen(receipt) > CY_TLOGPROOF_MAX) {
		cli_warn("the registry at %s answered for %s without an index "
		    "and a receipt", cli_client_url(rm->cl), file);
		return CLI_FAIL;
	}
	index = (uint64_t)json_integer_value(ji);
	if (cli_receipt_check(rm->v, index, receipt, data, len) != CLI_OK)
		return CLI_FAIL;
	if (!r->no_receipts) {
		receipt_path(r, file, path, sizeof(path));
		if (cy_file_write(path, receipt, strlen(receipt), 0644, 0, &err) != 0)
			return cli_fail(&err, path);
	}
	print_entry(r, index, file, r->no_receipts ? NULL : path, 0);
	return CLI_OK;
}

/* One request: files[0..n). */
static int
post_batch(struct run *r, const struct remote *rm, char **files, size_t n)
{
	uint8_t **data;
	size_t *lens, i;
	json_t *body = NULL, *list, *ans = NULL, *items;
	int rc = CLI_OK;

	data = calloc(n, sizeof(*data));
	lens = calloc(n, sizeof(*lens));
	if (data == NULL || lens == NULL || (body = json_object()) == NULL ||
	    (list = json_array()) == NULL ||
	    json_object_set_new(body, "entries", list) != 0) {
		cli_warn("log append: out of memory");
		rc = CLI_FAIL;
		goto out;
	}
	for (i = 0; i < n && rc == CLI_OK; i++) {
		rc = cli_log_read(files[i], CY_ENTRY_MAX + 1, &data[i], &lens[i]);
		if (rc == CLI_OK && json_array_append_new(list,
		    json_stringn((const char *)data[i], lens[i])) != 0) {
			cli_warn("%s is not an entry (not UTF-8 text)", files[i]);
			rc = CLI_FAIL;
		}
	}
	if (rc != CLI_OK ||
	    (rc = cli_client_post(rm->cl, "/v1/log/entries", body, &ans)) !=
	    CLI_OK)
		goto out;
	items = json_object_get(ans, "entries");
	if (json_array_size(items) != n) {
		cli_warn("the registry at %s answered for %zu entries, not %zu",
		    cli_client_url(rm->cl), json_array_size(items), n);
		rc = CLI_FAIL;
		goto out;
	}
	for (i = 0; i < n && rc == CLI_OK; i++)
		rc = take_answer(r, rm, json_array_get(items, i), files[i], data[i],
		    lens[i]);
	fflush(stdout);
out:
	for (i = 0; data != NULL && i < n; i++)
		free(data[i]);
	free(data);
	free(lens);
	json_decref(body);
	json_decref(ans);
	return rc;
}

struct remote_opts {
	const char *url, *cacert, *key, *chain, *pass_file;
};

static int
append_remote(struct run *r, const struct remote_opts *o, char **files,
    int n)
{
	struct remote rm = {NULL, NULL};
	cy_key *key = NULL;
	cy_chain *chain = NULL;
	char *text = NULL;
	int i, rc;

	if ((rc = cli_client_open("log append", o->url, o->cacert, &rm.cl)) !=
	    CLI_OK || (rc = cli_client_verifier(rm.cl, &rm.v)) != CLI_OK ||
	    (rc = cli_client_officer("log append", o->key, o->chain,
	    o->pass_file, &key, &chain, &text)) != CLI_OK)
		goto out;
	cli_client_sign_with(rm.cl, key, cy_cert_serial(cy_chain_get(chain, 0)));
	for (i = 0; i < n && rc == CLI_OK; i += REMOTE_BATCH)
		rc = post_batch(r, &rm, files + i, (size_t)(n - i < REMOTE_BATCH ?
		    n - i : REMOTE_BATCH));
out:
	free(text);
	cy_chain_free(chain);
	cy_key_free(key);
	cy_note_verifier_free(rm.v);
	cli_client_free(rm.cl);
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
		{"registry", required_argument, NULL, 'R'},
		{"cacert", required_argument, NULL, 'C'},
		{"chain", required_argument, NULL, 'c'},
		{"passphrase-file", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct run r = {NULL, NULL, NULL, 0, 0, 0, 0};
	cy_log_options o = {0, NULL, NULL, 0};
	struct remote_opts ro = {NULL, NULL, NULL, NULL, NULL};
	const char *key = NULL, *local_only = NULL;
	cy_error err = {0, ""};
	int c, i, batch = CY_LOG_BATCH_MAX, rc;

	while ((c = getopt_long(argc, argv, "k:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'R': ro.url = optarg; break;
		case 'C': ro.cacert = optarg; break;
		case 'c': ro.chain = optarg; break;
		case 'p': ro.pass_file = optarg; break;
		case 'b':
			local_only = "--batch";
			if ((batch = cli_parse_int(optarg, 1, CY_LOG_BATCH_MAX)) < 0)
				return cli_usage_error("log append",
				    "--batch takes 1 to %d", CY_LOG_BATCH_MAX);
			break;
		case 'T':
			local_only = "--threads";
			if (cli_log_threads("log append", optarg, &r.threads) != CLI_OK)
				return CLI_USAGE;
			break;
		case 'r': r.receipts = optarg; break;
		case 'n': r.no_receipts = 1; break;
		case 'j': r.json = 1; break;
		case 'S':
			local_only = "--max-skew";
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
	if (r.receipts != NULL && r.no_receipts)
		return cli_usage_error("log append",
		    "--receipts and --no-receipts exclude each other");
	if (ro.url == NULL)
		ro.url = cli_client_default_url();
	if (ro.url != NULL) {
		if (local_only != NULL)
			return cli_conflict("log append", local_only, "--registry",
			    "the registry batches and checks entries itself");
		if (argc - optind < 1)
			return cli_usage_error("log append", "give at least one ENTRY");
		ro.key = key;
		return append_remote(&r, &ro, argv + optind, argc - optind);
	}
	if (ro.cacert != NULL || ro.chain != NULL || ro.pass_file != NULL)
		return cli_conflict("log append", ro.cacert != NULL ? "--cacert" :
		    ro.chain != NULL ? "--chain" : "--passphrase-file",
		    "a register file", "only a registry takes the officer's "
		    "key and chain");
	if (argc - optind < 2)
		return cli_usage_error("log append", "give DB and at least one ENTRY");
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
