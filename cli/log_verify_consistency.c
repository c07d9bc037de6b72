/* coyeu log verify-consistency: that one signed checkpoint extends another. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "coyeu/encoding.h"
#include "logcli.h"

static const char usage[] =
    "usage: coyeu log verify-consistency --verifier-key VKEY\n"
    "                                    [--witness-key VKEY]... [--json]\n"
    "                                    OLD_CHECKPOINT NEW_CHECKPOINT PROOF\n"
    "\n"
    "Checks that both checkpoints are signed by VKEY and that PROOF (one\n"
    "base64 hash a line, as 'coyeu log consistency' writes it) shows the\n"
    "newer tree extends the older one: nothing was removed or rewritten.\n"
    "With --witness-key, both checkpoints must carry that witness's\n"
    "cosignature.\n"
    "\n"
    "      --verifier-key VKEY  the register's key: name+hex8+base64, or a file\n"
    "      --witness-key VKEY   require the cosignature by this witness\n"
    "                           (repeatable): its cosignature key (type 0x04),\n"
    "                           its note key, or a file\n"
    "      --json               print the result as JSON\n";

static int
load_checkpoint(const char *path, const struct cli_log_verify *o,
    cy_checkpoint *c)
{
	cy_error err = {0, ""};
	uint8_t *data = NULL;
	size_t len;
	int rc;

	if ((rc = cli_log_read(path, CY_NOTE_MAX, &data, &len)) != CLI_OK)
		return rc;
	if (cy_checkpoint_open(data, len, o->v, c, &err) != 0)
		rc = cli_fail(&err, path);
	else
		rc = cli_log_require_witnesses(o, data, len, path);
	free(data);
	return rc;
}

/* One padded base64 SHA-256 hash a line. */
static int
load_proof(const char *path, uint8_t proof[][CY_HASH_LEN], size_t *n)
{
	uint8_t *data = NULL;
	size_t len, line = 0;
	char *p, *nl;
	int rc;

	*n = 0;
	if ((rc = cli_log_read(path, CY_MERKLE_PROOF_MAX * 64, &data, &len)) != CLI_OK)
		return rc;
	for (p = (char *)data; rc == CLI_OK && p < (char *)data + len; p = nl + 1) {
		line++;
		nl = memchr(p, '\n', len - (size_t)(p - (char *)data));
		if (nl == NULL || *n == CY_MERKLE_PROOF_MAX ||
		    cy_b64_hash_decode(p, (size_t)(nl - p), proof[*n]) != 0) {
			cli_warn("%s: line %zu is not a base64 SHA-256 hash", path, line);
			rc = CLI_FAIL;
		}
		(*n)++;
	}
	free(data);
	return rc;
}

static int
check(const cy_checkpoint *a, const cy_checkpoint *b,
    const uint8_t proof[][CY_HASH_LEN], size_t n, cy_error *err)
{
	uint8_t empty[CY_HASH_LEN];

	if (a->size > 0 || b->size == 0)
		return cy_merkle_verify_consistency(NULL, a->size, b->size, a->root,
		    b->root, proof, n, err);
	/* Every tree extends the empty one: nothing to prove but its root. */
	cy_merkle_empty_root(empty);
	if (n != 0 || memcmp(a->root, empty, CY_HASH_LEN) != 0)
		return cy_error_set(err, CY_E_PROOF, "an empty old tree takes an "
		    "empty proof and the empty tree's root");
	return 0;
}

int
cmd_log_verify_consistency(int argc, char **argv)
{
	uint8_t proof[CY_MERKLE_PROOF_MAX][CY_HASH_LEN];
	struct cli_log_verify o;
	cy_checkpoint a, b;
	cy_error err = {0, ""};
	size_t n;
	int rc;

	if ((rc = cli_log_verify_args(argc, argv, "log verify-consistency", usage,
	    0, 3, "OLD NEW PROOF", &o)) >= 0)
		return rc;
	if ((rc = load_checkpoint(argv[optind], &o, &a)) != CLI_OK ||
	    (rc = load_checkpoint(argv[optind + 1], &o, &b)) != CLI_OK ||
	    (rc = load_proof(argv[optind + 2], proof, &n)) != CLI_OK)
		goto out;
	if (check(&a, &b, (const uint8_t (*)[CY_HASH_LEN])proof, n, &err) != 0) {
		rc = cli_fail(&err, "not consistent");
		goto out;
	}
	if (o.json)
		printf("{\"old\":%llu,\"new\":%llu,\"consistent\":true}\n",
		    (unsigned long long)a.size, (unsigned long long)b.size);
	else
		printf("consistent: the tree of %llu entries extends the tree of %llu\n",
		    (unsigned long long)b.size, (unsigned long long)a.size);
out:
	cli_log_verify_free(&o);
	return rc;
}
