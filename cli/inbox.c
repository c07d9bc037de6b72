/* coyeu inbox: the officer's incoming copies (GET /v1/inbox,
 * docs/exchange.md). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "exchange.h"

static const char usage[] =
    "usage: coyeu inbox [--json] [-k KEY] [-c CHAIN] [--registry URL]\n"
    "\n"
    "Lists the copies the registry holds for the officer, newest first: the\n"
    "document number, the level's outer mark, the sender's unit, the date\n"
    "it was sent and the copy's state (delivered, received, opened,\n"
    "recalled, destroyed, declassified), then the document id and copy\n"
    "that coyeu fetch takes.\n"
    "\n"
    "      --json               the registry's answer, as JSON\n"
    CLI_XC_USAGE;

static void
print_table(json_t *docs)
{
	char when[32];
	size_t i;
	json_t *d;

	if (json_array_size(docs) == 0) {
		printf("no documents\n");
		return;
	}
	cli_xc_pad("NUMBER", 24);
	printf(" %-4s %-24s %-20s %-12s %s\n", "MARK", "FROM", "DATE", "STATE",
	    "DOCUMENT COPY");
	for (i = 0; i < json_array_size(docs); i++) {
		d = json_array_get(docs, i);
		/* Numbers are Vietnamese text: padded by columns, not bytes. */
		cli_xc_pad(cli_xc_safe(d, "number"), 24);
		printf(" %-4s %-24s %-20s %-12s %s %s\n",
		    cli_xc_safe(d, "mark"), cli_xc_safe(d, "from_unit"),
		    cli_xc_time(json_integer_value(json_object_get(d, "time")),
		    when), cli_xc_safe(d, "state"), cli_xc_safe(d, "doc_id"),
		    cli_xc_safe(d, "copy"));
	}
}

int
cmd_inbox(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		CLI_XC_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_xc_opts xo;
	struct cli_xc x;
	json_t *ans = NULL, *docs;
	int c, json = 0, rc;

	memset(&xo, 0, sizeof(xo));
	while ((c = getopt_long(argc, argv, "k:c:h", opts, NULL)) != -1) {
		if (cli_xc_opt(&xo, c, optarg))
			continue;
		switch (c) {
		case 'j': json = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("inbox", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("inbox", "unexpected argument '%s'",
		    argv[optind]);
	if ((rc = cli_xc_open("inbox", &xo, &x)) != CLI_OK ||
	    (rc = cli_client_get(x.cl, "/v1/inbox", &ans)) != CLI_OK)
		goto out;
	docs = json_object_get(ans, "documents");
	if (!json_is_array(docs)) {
		cli_warn("the registry at %s answered without its documents",
		    cli_client_url(x.cl));
		rc = CLI_FAIL;
		goto out;
	}
	if (json)
		json_dumpf(ans, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII),
		    putchar('\n');
	else
		print_table(docs);
out:
	json_decref(ans);
	cli_xc_close(&x);
	return rc;
}
