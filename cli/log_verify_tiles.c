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
	struct cli_log_verify o;
	cy_error err = {0, ""};
	cy_checkpoint c;
	int rc;

	if ((rc = cli_log_verify_args(argc, argv, "log verify-tiles", usage, 0, 1,
	    "one DIR", &o)) >= 0)
		return rc;
	rc = CLI_OK;
	if (o.nwitness > 0)
		rc = cli_usage_error("log verify-tiles", "--witness-key is for "
		    "verify-proof and verify-consistency");
	else if (cy_tiles_verify(argv[optind], o.v, &c, &err) != 0)
		rc = cli_fail(&err, argv[optind]);
	else if (o.json)
		printf("{\"size\":%llu,\"verified\":true}\n", (unsigned long long)c.size);
	else
		printf("tiles verified: %llu entries lead to the checkpoint's root\n",
		    (unsigned long long)c.size);
	cli_log_verify_free(&o);
	return rc;
}
