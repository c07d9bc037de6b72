/* coyeu status: a document and every copy's state (GET
 * /v1/documents/{doc-id}, docs/exchange.md). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "exchange.h"

static const char usage[] =
    "usage: coyeu status DOC [--json] [-k KEY] [-c CHAIN] [--registry URL]\n"
    "\n"
    "The document DOC (its id, as coyeu send printed it) as the registry\n"
    "keeps it, and each copy: N/M, the recipient, its state (delivered,\n"
    "received, opened, recalled, destroyed, declassified), when it was\n"
    "received, how many times it was opened and when last.  For the\n"
    "sender, the recipients and the authorities above the sending unit.\n"
    "\n"
    "      --json               the registry's answer, as JSON\n"
    CLI_XC_USAGE;

static json_int_t
num(const json_t *o, const char *name)
{
	return json_integer_value(json_object_get(o, name));
}

static void
print_status(const json_t *doc, const json_t *copies)
{
	char t1[32], t2[32];
	const json_t *c;
	size_t i;

	printf("document %s: %s %s from %s (%s), sent %s, state %s\n",
	    cli_xc_safe(doc, "doc_id"), cli_xc_safe(doc, "level"),
	    cli_xc_safe(doc, "number"), cli_xc_safe(doc, "unit"),
	    cli_xc_safe(doc, "sender_name"),
	    cli_xc_time(num(doc, "time"), t1), cli_xc_safe(doc, "state"));
	for (i = 0; i < json_array_size(copies); i++) {
		c = json_array_get(copies, i);
		printf("copy %s: %s, %s, serial %s: %s", cli_xc_safe(c, "copy"),
		    cli_xc_safe(c, "name"), cli_xc_safe(c, "unit"),
		    cli_xc_safe(c, "recipient"), cli_xc_safe(c, "state"));
		if (num(c, "received_time") != 0)
			printf(", received %s (%s)",
			    cli_xc_time(num(c, "received_time"), t1),
			    cli_xc_safe(c, "integrity"));
		printf(", opened %lld time%s", (long long)num(c, "opens"),
		    num(c, "opens") == 1 ? "" : "s");
		if (num(c, "last_open_time") != 0)
			printf(", last %s", cli_xc_time(num(c, "last_open_time"),
			    t2));
		putchar('\n');
	}
}

int
cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		CLI_XC_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_xc_opts xo;
	struct cli_xc x;
	json_t *ans = NULL, *doc, *copies;
	char path[128];
	int c, json = 0, rc;

	memset(&xo, 0, sizeof(xo));
	memset(&x, 0, sizeof(x));
	while ((c = getopt_long(argc, argv, "k:c:h", opts, NULL)) != -1) {
		if (cli_xc_opt(&xo, c, optarg))
			continue;
		switch (c) {
		case 'j': json = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("status", "invalid option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("status", "give one DOC");
	if ((rc = cli_xc_doc_id("status", argv[optind])) != CLI_OK)
		return rc;
	snprintf(path, sizeof(path), "/v1/documents/%s", argv[optind]);
	if ((rc = cli_xc_open("status", &xo, &x)) != CLI_OK ||
	    (rc = cli_client_get(x.cl, path, &ans)) != CLI_OK)
		goto out;
	doc = json_object_get(ans, "document");
	copies = json_object_get(ans, "copies");
	if (!json_is_object(doc) || !json_is_array(copies)) {
		cli_warn("the registry at %s answered without the document and "
		    "its copies", cli_client_url(x.cl));
		rc = CLI_FAIL;
		goto out;
	}
	if (json)
		json_dumpf(ans, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII),
		    putchar('\n');
	else
		print_status(doc, copies);
out:
	json_decref(ans);
	cli_xc_close(&x);
	return rc;
}
