/* coyeu log audit: re-check a whole register. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "logcli.h"

static const char usage[] =
    "usage: coyeu log audit [--verifier-key VKEY] [--threads N] [--json] DB\n"
    "\n"
    "Re-checks the register DB from its entries up: every entry's form and\n"
    "signature, that none is there twice, every stored tile hash, every\n"
    "checkpoint's signature, timestamped cosignature and root, that the\n"
    "checkpoints form one unbroken chain up to the tree size, and each\n"
    "entry's time against its batch's checkpoint time (counting the entries\n"
    "imported with a widened --max-skew).  Names the first inconsistency\n"
    "and exits 1.\n"
    "\n"
    "      --verifier-key VKEY  the key the register must have (default: the\n"
    "                           one stored in DB, which tampering could swap)\n"
    "      --threads N          threads checking signatures (0: all cores)\n"
    "      --json               print the counts as JSON\n";

int
cmd_log_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{"verifier-key", required_argument, NULL, 'V'},
		{"threads", required_argument, NULL, 'T'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *vkey = NULL;
	cy_note_verifier *v = NULL;
	cy_log_audit_report rep;
	cy_error err = {0, ""};
	cy_log *l = NULL;
	int ch, json = 0, threads = 0, rc;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'V': vkey = optarg; break;
		case 'T':
			if (cli_log_threads("log audit", optarg, &threads) != CLI_OK)
				return CLI_USAGE;
			break;
		case 'j': json = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("log audit", "invalid option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("log audit", "give one register file DB");
	if (vkey != NULL && (rc = cli_log_verifier(vkey, &v)) != CLI_OK)
		return rc;
	if ((rc = cli_log_open(argv[optind], CY_LOG_READONLY, &l)) != CLI_OK)
		goto out;
	if (cy_log_audit(l, v, threads, &rep, &err) != 0)
		rc = cli_fail(&err, "audit failed");
	else if (json)
		printf("{\"entries\":%llu,\"tiles\":%llu,\"checkpoints\":%llu,"
		    "\"imported\":%llu,\"ok\":true}\n", (unsigned long long)rep.entries,
		    (unsigned long long)rep.tiles, (unsigned long long)rep.checkpoints,
		    (unsigned long long)rep.imported);
	else
		printf("audit passed: %llu entries, %llu full tiles, %llu checkpoints, "
		    "%llu entries imported\n", (unsigned long long)rep.entries,
		    (unsigned long long)rep.tiles, (unsigned long long)rep.checkpoints,
		    (unsigned long long)rep.imported);
out:
	cy_log_close(l);
	cy_note_verifier_free(v);
	return rc;
}
