/* coyeu item show: an item's current view, as the registry keeps it. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "item.h"

static const char usage[] =
    "usage: coyeu item show ITEM [--json]\n"
    "                       [-k KEY] [-c CHAIN] [--passphrase-file F]\n"
    "                       [--registry URL] [--cacert FILE]\n"
    "\n"
    "Prints the item's view: type, serial, maker, model, level, unit,\n"
    "custodian, state, what waits for a second officer, and the index of\n"
    "its last entry.  ITEM is its id (32 lowercase hex digits) or\n"
    "TYPE:SERIAL (token:T-0001).  Labels are Vietnamese, or English when\n"
    "the locale (LC_ALL, else LC_MESSAGES, else LANG) starts with \"en\".\n"
    "\n"
    "      --json               the view as JSON\n"
    CLI_XC_USAGE;

int
cmd_item_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'J'},
		CLI_XC_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_xc_opts xo = {NULL, NULL, NULL, NULL, NULL};
	struct cli_xc x;
	char id[ITEM_ID_LEN + 1];
	json_t *view = NULL;
	int c, rv, json = 0;

	memset(&x, 0, sizeof(x));
	while ((c = getopt_long(argc, argv, "k:c:h", opts, NULL)) != -1) {
		if (cli_xc_opt(&xo, c, optarg))
			continue;
		switch (c) {
		case 'J': json = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("item show", "invalid option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("item show", optind == argc ? "which item? "
		    "give its id or TYPE:SERIAL" : "unexpected argument '%s'",
		    argv[optind + 1]);
	if ((rv = cli_xc_open("item show", &xo, &x)) != CLI_OK ||
	    (rv = item_fetch(&x, "item show", argv[optind], &view, id)) !=
	    CLI_OK)
		goto out;
	if (json) {
		json_dumpf(view, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else
		item_print_view(view, cli_xc_english());
	rv = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
out:
	json_decref(view);
	cli_xc_close(&x);
	return rv;
}
