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
	static const struct option opts[] = {
		{"verifier-key", required_argument, NULL, 'V'},
		{"entry", required_argument, NULL, 'e'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *vkey = NULL, *entry = NULL;
	uint8_t *data = NULL, *ptext = NULL;
	size_t len = 0, plen = 0;
	cy_note_verifier *v = NULL;
	cy_tlogproof *p = NULL;
	cy_error err = {0, ""};
	cy_checkpoint c;
	int ch, json = 0, rc;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'V': vkey = optarg; break;
		case 'e': entry = optarg; break;
		case 'j': json = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("log verify-proof", "invalid option");
		}
	}
	if (optind + 1 != argc || vkey == NULL || entry == NULL)
		return cli_usage_error("log verify-proof",
		    "give --verifier-key VKEY, --entry FILE and one PROOF");
	if ((rc = cli_log_verifier(vkey, &v)) != CLI_OK ||
	    (rc = cli_log_read(entry, (size_t)64 << 20, &data, &len)) != CLI_OK ||
	    (rc = cli_log_read(argv[optind], CY_TLOGPROOF_MAX, &ptext,
	    &plen)) != CLI_OK)
		goto out;
	if (cy_tlogproof_parse(ptext, plen, &p, &err) != 0 ||
	    cy_tlogproof_verify(p, v, data, len, &c, &err) != 0) {
		rc = cli_fail(&err, argv[optind]);
		goto out;
	}
	if (json)
		printf("{\"index\":%llu,\"size\":%llu}\n",
		    (unsigned long long)cy_tlogproof_index(p),
		    (unsigned long long)c.size);
	else
		printf("index %llu, tree size %llu: the entry is in the register\n",
		    (unsigned long long)cy_tlogproof_index(p),
		    (unsigned long long)c.size);
out:
	cy_tlogproof_free(p);
	cy_note_verifier_free(v);
	free(data);
	free(ptext);
	return rc;
}
