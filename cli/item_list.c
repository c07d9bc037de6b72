/* coyeu item list: the items the caller may see (the registry decides:
 * its unit's, those in its custody, an authority's whole subtree), as a
 * table in the language, JSON or CSV. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/cert.h"

#include "cli.h"
#include "item.h"

static const char usage[] =
    "usage: coyeu item list [--unit U] [--state S] [--type T]\n"
    "                       [--custodian SERIAL] [--json | --csv]\n"
    "                       [-k KEY] [-c CHAIN] [--passphrase-file F]\n"
    "                       [--registry URL] [--cacert FILE]\n"
    "\n"
    "Lists the items you may see: your unit's and those in your custody;\n"
    "an authority, its whole subtree.  The registry enforces it: a unit of\n"
    "another branch is refused (403).  Each row carries the index of the\n"
    "item's last entry.  Headings are Vietnamese, or English when the\n"
    "locale (LC_ALL, else LC_MESSAGES, else LANG) starts with \"en\".\n"
    "\n"
    "      --unit U             this unit and below\n"
    "      --state S            received, in-stock, in-service, maintenance,\n"
    "                           transferred, decommissioned, destroyed, lost,\n"
    "                           compromised\n"
    "      --type T             cipher-device, token, key, key-set, software,\n"
    "                           key-pair\n"
    "      --custodian SERIAL   held by this officer\n"
    "      --json               {\"items\": [view…]} as JSON\n"
    "      --csv                CSV (RFC 4180) with the JSON names as headings\n"
    CLI_XC_USAGE;


/* The columns: the view's member, the Vietnamese and English headings. */
static const struct {
	const char *member, *vi, *en;
} cols[] = {
	{"id", "Mã", "Item"},
	{"type", "Loại", "Type"},
	{"serial", "Số hiệu", "Serial"},
	{"model", "Kiểu", "Model"},
	{"level", "Độ mật", "Level"},
	{"unit", "Đơn vị", "Unit"},
	{"custodian", "Người giữ", "Custodian"},
	{"state", "Trạng thái", "State"},
	{"pending", "Chờ", "Pending"},
	{"index", "Mục sổ", "Entry"},
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

/* The CSV's columns: the JSON names. */
static const char *const csv_cols[] = {"id", "type", "serial", "maker",
    "model", "level", "unit", "custodian", "state", "pending", "received",
    "period_until", "version", "holds_certs", "updated", "index"};
#define NCSV (sizeof(csv_cols) / sizeof(csv_cols[0]))

static void
print_table(json_t *items, int en)
{
	const char *heads[NCOLS];
	size_t n = json_array_size(items), r, c;
	char **cells = calloc(n * NCOLS + 1, sizeof(*cells));
	char cell[512];

	if (cells == NULL) {
		cli_warn("out of memory");
		return;
	}
	for (c = 0; c < NCOLS; c++)
		heads[c] = en ? cols[c].en : cols[c].vi;
	for (r = 0; r < n; r++)
		for (c = 0; c < NCOLS; c++) {
			item_cell(json_array_get(items, r), cols[c].member, en,
			    cell, sizeof(cell));
			if ((cells[r * NCOLS + c] = strdup(cell)) == NULL) {
				cli_warn("out of memory");
				goto out;
			}
		}
	cli_xc_table(heads, NCOLS, cells, n);
	if (n == 0)
		printf(en ? "(no items)\n" : "(không có mục nào)\n");
out:
	for (r = 0; r < n * NCOLS; r++)
		free(cells[r]);
	free(cells);
}

/* CSV values as they are (a list joined by ';'), absent empty. */
static void
print_csv(json_t *items)
{
	char cell[2048];
	size_t r, c, i, k;
	json_t *v, *x;

	for (c = 0; c < NCSV; c++) {
		printf("%s", c ? "," : "");
		cli_xc_csv_field(csv_cols[c]);
	}
	printf("\r\n");
	json_array_foreach(items, r, v) {
		for (c = 0; c < NCSV; c++) {
			x = json_object_get(v, csv_cols[c]);
			if (json_is_object(x))  /* a pending change: its action */
				x = json_object_get(x, "action");
			cell[0] = '\0';
			if (json_is_string(x))
				snprintf(cell, sizeof(cell), "%s",
				    json_string_value(x));
			else if (json_is_integer(x))
				snprintf(cell, sizeof(cell), "%lld",
				    (long long)json_integer_value(x));
			else if (json_is_array(x))
				for (i = 0; i < json_array_size(x); i++) {
					k = strlen(cell);
					snprintf(cell + k, sizeof(cell) - k, "%s%s",
					    i ? ";" : "", json_string_value(
					    json_array_get(x, i)) ?
					    json_string_value(json_array_get(x, i))
					    : "");
				}
			printf("%s", c ? "," : "");
			cli_xc_csv_field(cli_client_printable(cell) ? cell : "?");
		}
		printf("\r\n");
	}
}

/* A filter's value: a token no query needs to escape. */
static int
token_ok(const char *v, const char *allowed, size_t max)
{
	size_t n = strlen(v);

	return n > 0 && n <= max && strspn(v, allowed) == n;
}

int
cmd_item_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{"unit", required_argument, NULL, 'u'},
		{"state", required_argument, NULL, 's'},
		{"type", required_argument, NULL, 't'},
		{"custodian", required_argument, NULL, 'o'},
		{"json", no_argument, NULL, 'J'},
		{"csv", no_argument, NULL, 'V'},
		CLI_XC_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char lower[] = "abcdefghijklmnopqrstuvwxyz-";
	struct cli_xc_opts xo = {NULL, NULL, NULL, NULL, NULL};
	struct cli_xc x;
	const char *filter[4] = {NULL, NULL, NULL, NULL};
	static const char *const names[4] = {"unit", "state", "type",
	    "custodian"};
	char query[512];
	json_t *all = NULL;
	int c, rv, json = 0, csv = 0;
	size_t i, n;

	memset(&x, 0, sizeof(x));
	while ((c = getopt_long(argc, argv, "k:c:h", opts, NULL)) != -1) {
		if (cli_xc_opt(&xo, c, optarg))
			continue;
		switch (c) {
		case 'u': filter[0] = optarg; break;
		case 's': filter[1] = optarg; break;
		case 't': filter[2] = optarg; break;
		case 'o': filter[3] = optarg; break;
		case 'J': json = 1; break;
		case 'V': csv = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("item list", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("item list", "unexpected argument '%s'",
		    argv[optind]);
	if (json && csv)
		return cli_conflict("item list", "--json", "--csv",
		    "one output format");
	if (filter[0] && !cy_unit_valid(filter[0], strlen(filter[0])))
		return cli_usage_error("item list", "--unit: '%.64s' is not a unit "
		    "path (segments of a-z, 0-9 and '-' joined by '/')",
		    filter[0]);
	if ((filter[1] && !token_ok(filter[1], lower, 32)) ||
	    (filter[2] && !token_ok(filter[2], lower, 32)))
		return cli_usage_error("item list", "%s: '%.64s' is not a %s",
		    filter[1] && !token_ok(filter[1], lower, 32) ? "--state" :
		    "--type", filter[1] && !token_ok(filter[1], lower, 32) ?
		    filter[1] : filter[2], filter[1] && !token_ok(filter[1],
		    lower, 32) ? "state" : "type");
	if (filter[3] && !cy_serial_valid(filter[3], strlen(filter[3])))
		return cli_usage_error("item list", "--custodian: a certificate "
		    "serial (32 lowercase hex digits)");
	if ((rv = cli_xc_open("item list", &xo, &x)) != CLI_OK)
		goto out;
	rv = CLI_FAIL;
	if ((all = json_array()) == NULL)
		goto out;
	for (i = 0, n = 0; i < 4; i++)
		if (filter[i] != NULL)
			n += (size_t)snprintf(query + n, sizeof(query) - n, "%s%s=%s",
			    n ? "&" : "", names[i], filter[i]);
	if (item_list_all(&x, query, all) != CLI_OK)
		goto out;
	if (json) {
		json_t *out = json_pack("{s:O}", "items", all);

		json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(out);
	} else if (csv)
		print_csv(all);
	else
		print_table(all, cli_xc_english());
	rv = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
out:
	json_decref(all);
	cli_xc_close(&x);
	return rv;
}
