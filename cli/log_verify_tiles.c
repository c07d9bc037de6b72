/* coyeu log verify-tiles: a tile folder re-derived from its tiles. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "coyeu/tiles.h"
#include "logcli.h"

static const char usage[] =
    "usage: coyeu log verify-tiles --verifier-key VKEY [--json] DIR\n"
    "\n"
    "Checks a C2SP tlog-tiles folder (as 'coyeu log export-tiles' writes\n"
    "it): the checkpoint's signature by VKEY, every entry bundle against its\n"
    "level-0 tile, every upper tile against the tiles below it, and the\n"
    "checkpoint's root hash re-derived from the tiles.\n"
    "\n"
    "      --verifier-key VKEY  the register's key: name+hex8+base64, or a file\n"
    "      --json               print the result as JSON\n";

int
cmd_log_verify_tiles(int argc, char **argv)
{
	static const struct option opts[] = {
		{"verifier-key", required_argument, NULL, 'V'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *vkey = NULL;
	cy_note_verifier *v = NULL;
	cy_error err = {0, ""};
	cy_checkpoint c;
	int ch, json = 0, rc;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'V': vkey = optarg; break;
		case 'j': json = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("log verify-tiles", "invalid option");
		}
	}
	if (optind + 1 != argc || vkey == NULL)
		return cli_usage_error("log verify-tiles",
		    "give --verifier-key VKEY and one DIR");
	if ((rc = cli_log_verifier(vkey, &v)) != CLI_OK)
		return rc;
	if (cy_tiles_verify(argv[optind], v, &c, &err) != 0)
		rc = cli_fail(&err, argv[optind]);
	else if (json)
		printf("{\"size\":%llu,\"verified\":true}\n", (unsigned long long)c.size);
	else
		printf("tiles verified: %llu entries lead to the checkpoint's root\n",
		    (unsigned long long)c.size);
	cy_note_verifier_free(v);
	return rc;
}
