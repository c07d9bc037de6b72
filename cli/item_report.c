/* coyeu item report: what is overdue (keys past their crypto-period,
 * maintenance too long, transfers not accepted), or the counts by unit,
 * type and state for the caller's subtree — as the registry answers
 * GET /v1/inventory/report, every list of rows printed as a table. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/cert.h"

#include "cli.h"
#include "item.h"

static const char usage[] =
    "usage: coyeu item report --overdue [--days N] | --summary [--unit U]\n"
    "                         [--json | --csv]\n"
    "                         [-k KEY] [-c CHAIN] [--passphrase-file F]\n"
    "                         [--registry URL] [--cacert FILE]\n"
    "\n"
    "--overdue: keys and key sets past their crypto-period, items in\n"
    "maintenance longer than N days (default 30) and transfers not accepted\n"
    "within N days (default 7).  --summary: how many items, by unit, type\n"
    "and state, in your subtree (an authority: all of it) or below --unit.\n"
    "Headings are Vietnamese, or English when the locale starts with \"en\".\n"
    "\n"
    "      --overdue, --summary which report\n"
    "      --days N             the days that make maintenance or a pending\n"
    "                           transfer overdue\n"
    "      --unit U             the subtree to count\n"
    "      --json               the registry's answer as JSON\n"
    "      --csv                CSV: a \"section\" column, then the rows' JSON\n"
    "                           names\n"
    CLI_XC_USAGE;

/* Headings of the members a report's rows carry; others as they are. */
static const struct {
	const char *member, *vi, *en;
} names[] = {
	{"id", "Mã", "Item"}, {"type", "Loại", "Type"},
	{"serial", "Số hiệu", "Serial"}, {"unit", "Đơn vị", "Unit"},
	{"state", "Trạng thái", "State"}, {"count", "Số lượng", "Count"},
	{"level", "Độ mật", "Level"}, {"custodian", "Người giữ", "Custodian"},
	{"period_until", "Hết hạn khóa", "Crypto-period until"},
	{"since", "Từ ngày", "Since"}, {"days", "Số ngày", "Days"},
	{"reason", "Lý do", "Why"}, {"kind", "Loại quá hạn", "Kind"},
	{"pending", "Chờ", "Pending"}, {"index", "Mục sổ", "Entry"},
	{"items", "Thiết bị quá hạn", "Overdue items"},
	{"keys", "Khóa quá hạn sử dụng", "Keys past their crypto-period"},
	{"maintenance", "Bảo dưỡng quá lâu", "Too long in maintenance"},
	{"transfers", "Bàn giao chưa được nhận", "Transfers not accepted"},
	{"rows", "Thống kê", "Counts"}, {"counts", "Thống kê", "Counts"},
	{"overdue", "Quá hạn", "Overdue"},
	{"by_unit", "Theo đơn vị", "By unit"},
	{"by_type", "Theo loại", "By type"},
	{"by_state", "Theo trạng thái", "By state"},
	{"total", "Tổng", "Total"},
};

/* Why an item is overdue, as the registry names it. */
static const struct {
	const char *reason, *vi, *en;
} reasons[] = {
	{"period-ended", "hết hạn sử dụng khóa", "crypto-period ended"},
	{"maintenance", "bảo dưỡng quá lâu", "too long in maintenance"},
	{"transfer-pending", "bàn giao chưa được nhận", "transfer not accepted"},
};

static void
reason_text(char *cell, size_t cap, int en)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(cell, reasons[i].reason) == 0) {
			snprintf(cell, cap, "%s", en ? reasons[i].en :
			    reasons[i].vi);
			return;
		}
}

static const char *
heading(const char *member, int en)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].member, member) == 0)
			return en ? names[i].en : names[i].vi;
	return member;
}

#define COLS_MAX 16

/* The columns of a list of rows: the first row's members. */
static size_t
columns(json_t *rows, const char **cols)
{
	const char *k;
	json_t *v;
	size_t n = 0;

	json_object_foreach(json_array_get(rows, 0), k, v)
		if (n < COLS_MAX && !json_is_object(v))
			cols[n++] = k;
	return n;
}

/* An overdue row names its item as a view: the members that say which
 * item it is become the row's own columns. */
static void
flatten(json_t *rows)
{
	static const char *const keep[] = {"type", "serial", "unit", "state",
	    "custodian", "period_until"};
	json_t *row, *item;
	size_t i, k;

	json_array_foreach(rows, i, row) {
		if (!json_is_object(item = json_object_get(row, "item")))
			continue;
		for (k = 0; k < sizeof(keep) / sizeof(keep[0]); k++)
			json_object_set(row, keep[k], json_object_get(item,
			    keep[k]) ? json_object_get(item, keep[k]) :
			    json_null());
		json_object_del(row, "item");
	}
}

static int
print_section(const char *name, json_t *rows, int en)
{
	const char *cols[COLS_MAX], *heads[COLS_MAX];
	size_t nc = columns(rows, cols), n = json_array_size(rows), r, c;
	char **cells = calloc(n * (nc ? nc : 1) + 1, sizeof(*cells));
	char cell[512];
	int rv = CLI_FAIL;

	if (cells == NULL)
		goto out;
	printf("\n%s\n", heading(name, en));
	for (c = 0; c < nc; c++)
		heads[c] = heading(cols[c], en);
	for (r = 0; r < n; r++)
		for (c = 0; c < nc; c++) {
			item_cell(json_array_get(rows, r), cols[c], en, cell,
			    sizeof(cell));
			if (strcmp(cols[c], "reason") == 0)
				reason_text(cell, sizeof(cell), en);
			if ((cells[r * nc + c] = strdup(cell)) == NULL)
				goto out;
		}
	if (n > 0)
		cli_xc_table(heads, nc, cells, n);
	else
		printf(en ? "(none)\n" : "(không có)\n");
	rv = CLI_OK;
out:
	if (rv != CLI_OK)
		cli_warn("out of memory");
	for (r = 0; cells != NULL && r < n * nc; r++)
		free(cells[r]);
	free(cells);
	return rv;
}

static void
csv_section(const char *name, json_t *rows, int *header)
{
	const char *cols[COLS_MAX];
	size_t nc = columns(rows, cols), r, c;
	char cell[512];
	json_t *v;

	if (!*header && nc > 0) {
		cli_xc_csv_field("section");
		for (c = 0; c < nc; c++) {
			putchar(',');
			cli_xc_csv_field(cols[c]);
		}
		printf("\r\n");
		*header = 1;
	}
	json_array_foreach(rows, r, v) {
		cli_xc_csv_field(name);
		for (c = 0; c < nc; c++) {
			item_cell(v, cols[c], 1, cell, sizeof(cell));
			/* CSV keeps the registry's words. */
			if (json_is_string(json_object_get(v, cols[c])))
				snprintf(cell, sizeof(cell), "%s", cli_xc_safe(v,
				    cols[c]));
			putchar(',');
			cli_xc_csv_field(cell);
		}
		printf("\r\n");
	}
}

int
cmd_item_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{"overdue", no_argument, NULL, 'o'},
		{"summary", no_argument, NULL, 's'},
		{"days", required_argument, NULL, 'd'},
		{"unit", required_argument, NULL, 'u'},
		{"json", no_argument, NULL, 'J'},
		{"csv", no_argument, NULL, 'V'},
		CLI_XC_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char cmd[] = "item report";
	struct cli_xc_opts xo = {NULL, NULL, NULL, NULL, NULL};
	struct cli_xc x;
	const char *unit = NULL, *k;
	char path[512];
	json_t *ans = NULL, *v;
	int c, rv, overdue = 0, summary = 0, days = 0, json = 0, csv = 0;
	int header = 0, en = cli_xc_english(), sections = 0;
	size_t n;

	memset(&x, 0, sizeof(x));
	while ((c = getopt_long(argc, argv, "k:c:h", opts, NULL)) != -1) {
		if (cli_xc_opt(&xo, c, optarg))
			continue;
		switch (c) {
		case 'o': overdue = 1; break;
		case 's': summary = 1; break;
		case 'd':
			if ((days = cli_parse_int(optarg, 1, 36500)) < 0)
				return cli_usage_error(cmd, "--days: 1 to 36500");
			break;
		case 'u': unit = optarg; break;
		case 'J': json = 1; break;
		case 'V': csv = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error(cmd, "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error(cmd, "unexpected argument '%s'",
		    argv[optind]);
	if (overdue == summary)
		return cli_usage_error(cmd, "which report: --overdue or --summary");
	if (json && csv)
		return cli_conflict(cmd, "--json", "--csv", "one output format");
	if (days && !overdue)
		return cli_conflict(cmd, "--days", "--summary", "days make items "
		    "overdue");
	if (unit && !cy_unit_valid(unit, strlen(unit)))
		return cli_usage_error(cmd, "--unit: '%.64s' is not a unit path",
		    unit);
	n = (size_t)snprintf(path, sizeof(path), "/v1/inventory/report?kind=%s",
	    overdue ? "overdue" : "summary");
	if (days)
		n += (size_t)snprintf(path + n, sizeof(path) - n, "&days=%d", days);
	if (unit)
		snprintf(path + n, sizeof(path) - n, "&unit=%s", unit);
	if ((rv = cli_xc_open(cmd, &xo, &x)) != CLI_OK)
		goto out;
	rv = CLI_FAIL;
	if (cli_client_get(x.cl, path, &ans) != CLI_OK)
		goto out;
	if (json) {
		json_dumpf(ans, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		rv = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
		goto out;
	}
	if (!csv)
		printf(overdue ? (en ? "Overdue — %s\n" : "Quá hạn — %s\n") :
		    (en ? "Inventory summary — %s\n" : "Thống kê trang thiết bị "
		    "— %s\n"), json_is_string(json_object_get(ans, "unit")) ?
		    cli_xc_safe(ans, "unit") : unit ? unit : x.serial);
	json_object_foreach(ans, k, v) {
		if (!json_is_array(v) || (json_array_size(v) > 0 &&
		    !json_is_object(json_array_get(v, 0))))
			continue;
		sections++;
		flatten(v);
		if (csv)
			csv_section(k, v, &header);
		else if (print_section(k, v, en) != CLI_OK)
			goto out;
	}
	if (!csv && json_is_integer(json_object_get(ans, "total")))
		printf("\n%s: %lld\n", heading("total", en),
		    (long long)json_integer_value(json_object_get(ans, "total")));
	if (sections == 0 && !csv)
		printf(en ? "(nothing)\n" : "(không có)\n");
	rv = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
out:
	json_decref(ans);
	cli_xc_close(&x);
	return rv;
}
