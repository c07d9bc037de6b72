/* coyeu log export-tiles: the register as static C2SP tlog-tiles. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "coyeu/tiles.h"
#include "logcli.h"

static const char usage[] =
    "usage: coyeu log export-tiles [--json] DB DIR\n"
    "\n"
    "Writes the register DB into DIR as C2SP tlog-tiles, for any static web\n"
    "server: checkpoint, tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>].\n"
    "Run it again after appends: full tiles already there are kept, new ones\n"
    "added, and the checkpoint replaced last.\n"
    "\n"
    "      --json   print the counts as JSON\n";

int
cmd_log_export_tiles(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	cy_tiles_report rep;
	cy_error err = {0, ""};
	cy_log *l = NULL;
	int ch, json = 0, rc;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j': json = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("log export-tiles", "invalid option");
		}
	}
	if (optind + 2 != argc)
		return cli_usage_error("log export-tiles", "give DB and DIR");
	if ((rc = cli_log_open(argv[optind], CY_LOG_READONLY, &l)) != CLI_OK)
		return rc;
	if (cy_log_export_tiles(l, argv[optind + 1], &rep, &err) != 0)
		rc = cli_fail(&err, "export-tiles");
	else if (json)
		printf("{\"size\":%llu,\"written\":%llu,\"kept\":%llu}\n",
		    (unsigned long long)rep.size, (unsigned long long)rep.written,
		    (unsigned long long)rep.kept);
	else
		printf("exported %llu entries: %llu files written, %llu kept\n",
		    (unsigned long long)rep.size, (unsigned long long)rep.written,
		    (unsigned long long)rep.kept);
	cy_log_close(l);
	return rc;
}
