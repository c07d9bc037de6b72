/* coyeu log verify-proof: a receipt against the exact bytes of a file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "coyeu/entry.h"
#include "coyeu/tlogproof.h"
#include "logcli.h"

static const char usage[] =
    "usage: coyeu log verify-proof --verifier-key VKEY --entry FILE [--json]\n"
    "                              PROOF\n"
    "\n"
    "Checks that the exact bytes of FILE, whatever they hold, are the leaf\n"
    "(record hash SHA-256(0x00 || bytes)) at the index PROOF states, in the\n"
    "tree of the checkpoint PROOF carries, signed by VKEY.  PROOF is a C2SP\n"
    "tlog-proof ('coyeu log prove', or the receipts of 'coyeu log append').\n"
    "Prints the index and the tree size.\n"
    "\n"
    "      --verifier-key VKEY  the register's key: name+hex8+base64, or a file\n"
    "      --entry FILE         the entry the proof is about\n"
    "      --json               print the result as JSON\n";

int
cmd_log_verify_proof(int argc, char **argv)
{
	struct cli_log_verify o;
	uint8_t *data = NULL, *ptext = NULL;
	size_t len = 0, plen = 0;
	cy_tlogproof *p = NULL;
	cy_error err = {0, ""};
	cy_checkpoint c;
	int rc;

	if ((rc = cli_log_verify_args(argc, argv, "log verify-proof", usage, 1, 1,
	    "one PROOF", &o)) >= 0)
		return rc;
	if ((rc = cli_log_read(o.entry, (size_t)64 << 20, &data, &len)) != CLI_OK ||
	    (rc = cli_log_read(argv[optind], CY_TLOGPROOF_MAX, &ptext,
	    &plen)) != CLI_OK)
		goto out;
	if (cy_tlogproof_parse(ptext, plen, &p, &err) != 0 ||
	    cy_tlogproof_verify(p, o.v, data, len, &c, &err) != 0) {
		rc = cli_fail(&err, argv[optind]);
		goto out;
	}
	if (o.json)
		printf("{\"index\":%llu,\"size\":%llu}\n",
		    (unsigned long long)cy_tlogproof_index(p),
		    (unsigned long long)c.size);
	else
		printf("index %llu, tree size %llu: the entry is in the register\n",
		    (unsigned long long)cy_tlogproof_index(p),
		    (unsigned long long)c.size);
out:
	cy_tlogproof_free(p);
	cy_note_verifier_free(o.v);
	free(data);
	free(ptext);
	return rc;
}
