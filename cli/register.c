/* coyeu register: the law's registers as the registry keeps them
 * (GET /v1/registers/{name}, docs/exchange.md "The law's registers"),
 * printed as a table with the law's headings (Vietnamese, or English
 * when the locale says so), as JSON or as CSV.  Every row carries the
 * index of the register entry that proves it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/cert.h"
#include "coyeu/level.h"

#include "common/timefmt.h"
#include "cli.h"
#include "client.h"
#include "commands.h"
#include "exchange.h"

static const char usage[] =
    "usage: coyeu register outgoing|incoming|copies|destroyed [--unit U]\n"
    "                      [--from DATE] [--to DATE] [--json | --csv]\n"
    "                      [-k KEY] [-c CHAIN] [--passphrase-file F]\n"
    "                      [--registry URL] [--cacert FILE]\n"
    "\n"
    "Prints one of the law's registers as the registry keeps it:\n"
    "  outgoing   Sổ đăng ký văn bản đi      documents sent by the unit\n"
    "  incoming   Sổ đăng ký văn bản đến     copies it received\n"
    "  copies     Sổ quản lý bản sao         numbered copies made\n"
    "  destroyed  Biên bản tiêu hủy          documents and copies destroyed\n"
    "Each row carries the index of the register entry that proves it\n"
    "(GET /v1/log/proof?index=INDEX).  Headings are Vietnamese, or English\n"
    "when the locale (LC_ALL, else LC_MESSAGES, else LANG) starts with\n"
    "\"en\".\n"
    "\n"
    "      --unit U             this unit and the units below it (default:\n"
    "                           yours; an authority may name a unit below it)\n"
    "      --from DATE          rows from this day on (YYYY-MM-DD, UTC)\n"
    "      --to DATE            rows up to this day, included\n"
    "      --json               the registry's answer as JSON\n"
    "      --csv                CSV (RFC 4180) with the JSON names as headings\n"
    CLI_XC_USAGE;

/* How a cell is shown. */
enum cell_kind {
	CELL_TEXT,      /* a string or number as it is */
	CELL_ORDINAL,   /* the row's place in the table (Số TT) */
	CELL_DATE,      /* a time, shown as its day */
	CELL_LEVEL,     /* "toi-mat" shown as TỐI MẬT */
	CELL_FORM,      /* "sao-y" shown as Sao y */
	CELL_PERSON,    /* a serial, or its name when the row has one */
	CELL_LIST,    /* a list of people */
};

struct column {
	const char *key;   /* the row's JSON member; NULL for CELL_ORDINAL */
	int kind;
	const char *vi, *en;
};

struct register_def {
	const char *name;
	const char *title_vi, *title_en;
	struct column cols[12];
};

/* The headings of the law's forms (sổ đăng ký văn bản đi, đến, sổ quản lý
 * bản sao, biên bản tiêu hủy), a column per field of the row
 * (docs/exchange.md). */
static const struct register_def registers[] = {
	{"outgoing", "Sổ đăng ký văn bản đi", "Outgoing documents register", {
		{NULL, CELL_ORDINAL, "Số TT", "No."},
		{"time", CELL_DATE, "Ngày", "Date"},
		{"number", CELL_TEXT, "Số, ký hiệu", "Number"},
		{"level", CELL_LEVEL, "Độ mật", "Level"},
		{"unit", CELL_TEXT, "Đơn vị ban hành", "Issuing unit"},
		{"recipients", CELL_LIST, "Nơi nhận", "Recipients"},
		{"copies", CELL_TEXT, "Số bản", "Copies"},
		{"index", CELL_TEXT, "Mục sổ", "Entry"},
		{NULL, 0, NULL, NULL},
	}},
	{"incoming", "Sổ đăng ký văn bản đến", "Incoming documents register", {
		{NULL, CELL_ORDINAL, "Số đến", "No."},
		{"time", CELL_DATE, "Ngày đến", "Date"},
		{"from_unit", CELL_TEXT, "Nơi gửi", "From"},
		{"number", CELL_TEXT, "Số, ký hiệu", "Number"},
		{"level", CELL_LEVEL, "Độ mật", "Level"},
		{"copy", CELL_TEXT, "Bản số", "Copy"},
		{"recipient", CELL_PERSON, "Người nhận", "Recipient"},
		{"received", CELL_DATE, "Ký nhận", "Received"},
		{"index", CELL_TEXT, "Mục sổ", "Entry"},
		{NULL, 0, NULL, NULL},
	}},
	{"copies", "Sổ quản lý bản sao", "Copies register", {
		{NULL, CELL_ORDINAL, "Số TT", "No."},
		{"time", CELL_DATE, "Ngày sao", "Date"},
		{"number", CELL_TEXT, "Số, ký hiệu", "Number"},
		{"level", CELL_LEVEL, "Độ mật", "Level"},
		{"copy", CELL_TEXT, "Bản số", "Copy"},
		{"form", CELL_FORM, "Hình thức sao", "Form"},
		{"recipient", CELL_PERSON, "Nơi nhận", "Recipient"},
		{"made_by", CELL_PERSON, "Người sao", "Made by"},
		{"index", CELL_TEXT, "Mục sổ", "Entry"},
		{NULL, 0, NULL, NULL},
	}},
	{"destroyed", "Biên bản tiêu hủy", "Destruction record", {
		{NULL, CELL_ORDINAL, "Số TT", "No."},
		{"time", CELL_DATE, "Ngày tiêu hủy", "Date"},
		{"number", CELL_TEXT, "Số, ký hiệu", "Number"},
		{"level", CELL_LEVEL, "Độ mật", "Level"},
		{"copies", CELL_LIST, "Số bản", "Copies"},
		{"method", CELL_TEXT, "Phương thức", "Method"},
		{"ordered_by", CELL_PERSON, "Người quyết định", "Ordered by"},
		{"reason", CELL_TEXT, "Lý do", "Reason"},
		{"index", CELL_TEXT, "Mục sổ", "Entry"},
		{NULL, 0, NULL, NULL},
	}},
};
#define NREGISTERS (sizeof(registers) / sizeof(registers[0]))

static const struct {
	const char *form, *vi, *en;
} forms[] = {
	{"original", "Bản gốc", "original"},
	{"sao-y", "Sao y", "true copy"},
	{"sao-luc", "Sao lục", "re-copy"},
	{"trich-sao", "Trích sao", "excerpt"},
};

/* A time member: a JSON integer (Unix seconds) or an RFC 3339 string. */
static int
member_time(json_t *v, int64_t *t)
{
	if (json_is_integer(v)) {
		*t = json_integer_value(v);
		return 0;
	}
	if (json_is_string(v))
		return cmn_time_parse(json_string_value(v), t);
	return -1;
}

/* A value as text, for CSV: strings as they are, numbers in decimal,
 * lists joined by ';', null and false empty. */
static void
value_text(json_t *v, char *out, size_t cap)
{
	size_t i, n;
	json_t *x;

	out[0] = '\0';
	if (json_is_string(v))
		snprintf(out, cap, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, cap, "%lld", (long long)json_integer_value(v));
	else if (json_is_true(v))
		snprintf(out, cap, "true");
	else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			n = strlen(out);
			if (i > 0 && n + 1 < cap)
				out[n++] = ';', out[n] = '\0';
			value_text(json_is_object(x) ? json_object_get(x,
			    "serial") : x, out + n, cap - n);
		}
	} else if (json_is_object(v))
		value_text(json_object_get(v, "serial"), out, cap);
}

/* A person as the table shows them: the name the row gives beside the
 * serial (key_name, or an object's "name"), else the serial. */
static void
person_text(json_t *row, const char *key, json_t *v, char *out, size_t cap)
{
	char name_key[64];
	json_t *name = NULL;

	if (key != NULL) {
		snprintf(name_key, sizeof(name_key), "%s_name", key);
		name = json_object_get(row, name_key);
		/* A recipient's name is the row's "name" (routes_docs.c). */
		if (name == NULL && strcmp(key, "recipient") == 0)
			name = json_object_get(row, "name");
	}
	if (json_is_object(v))
		name = json_object_get(v, "name");
	if (json_is_string(name) && cli_client_printable(json_string_value(
	    name)))
		snprintf(out, cap, "%s", json_string_value(name));
	else
		value_text(v, out, cap);
}

static void
cell_text(const struct column *col, json_t *row, size_t ordinal, int en,
    char *out, size_t cap)
{
	json_t *v = col->key != NULL ? json_object_get(row, col->key) : NULL;
	char when[CY_CANON_TIME_LEN + 1];
	size_t i, n;
	int64_t t;
	int level;
	json_t *x;

	out[0] = '\0';
	switch (col->kind) {
	case CELL_ORDINAL:
		snprintf(out, cap, "%zu", ordinal);
		return;
	case CELL_DATE:
		if (member_time(v, &t) == 0) {
			cmn_time_text(t, when);
			if (en)
				snprintf(out, cap, "%.10s", when);
			else
				snprintf(out, cap, "%.2s/%.2s/%.4s", when + 8,
				    when + 5, when);
		} else if (!json_is_true(v))
			snprintf(out, cap, "—");
		return;
	case CELL_LEVEL:
		if (json_is_string(v) && (level = cy_level_parse(
		    json_string_value(v), json_string_length(v))) > 0)
			snprintf(out, cap, "%s", cy_level_display(level));
		else
			value_text(v, out, cap);
		return;
	case CELL_FORM:
		for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
			if (json_is_string(v) && strcmp(json_string_value(v),
			    forms[i].form) == 0) {
				snprintf(out, cap, "%s", en ? forms[i].en :
				    forms[i].vi);
				return;
			}
		value_text(v, out, cap);
		return;
	case CELL_PERSON:
		person_text(row, col->key, v, out, cap);
		return;
	case CELL_LIST:
		if (!json_is_array(v))
			break;
		json_array_foreach(v, i, x) {
			n = strlen(out);
			if (i > 0 && n + 2 < cap)
				out[n++] = ',', out[n++] = ' ', out[n] = '\0';
			person_text(row, NULL, x, out + n, cap - n);
		}
		return;
	}
	value_text(v, out, cap);
	/* What a registry sends is shown, never obeyed. */
	if (!cli_client_printable(out))
		snprintf(out, cap, "?");
}

#define CELL_MAX 512
#define COLS_MAX 12

static void
print_table(const struct register_def *def, const char *unit, json_t *rows,
    int en)
{
	size_t width[COLS_MAX] = {0}, nrows = json_array_size(rows), i, c, w;
	char cell[CELL_MAX];
	const char *head;

	for (c = 0; def->cols[c].vi != NULL; c++)
		width[c] = cli_xc_width(en ? def->cols[c].en : def->cols[c].vi);
	for (i = 0; i < nrows; i++)
		for (c = 0; def->cols[c].vi != NULL; c++) {
			cell_text(&def->cols[c], json_array_get(rows, i), i + 1,
			    en, cell, sizeof(cell));
			if ((w = cli_xc_width(cell)) > width[c])
				width[c] = w;
		}
	printf("%s — %s\n", en ? def->title_en : def->title_vi, unit);
	for (c = 0; def->cols[c].vi != NULL; c++) {
		head = en ? def->cols[c].en : def->cols[c].vi;
		cli_xc_cell(head, width[c], c, def->cols[c + 1].vi == NULL);
	}
	for (i = 0; i < nrows; i++)
		for (c = 0; def->cols[c].vi != NULL; c++) {
			cell_text(&def->cols[c], json_array_get(rows, i), i + 1,
			    en, cell, sizeof(cell));
			cli_xc_cell(cell, width[c], c, def->cols[c + 1].vi == NULL);
		}
	if (nrows == 0)
		printf(en ? "(no rows)\n" : "(không có dòng nào)\n");
}

static void
print_csv(const struct register_def *def, json_t *rows)
{
	char cell[CELL_MAX], when[CY_CANON_TIME_LEN + 1];
	const struct column *col;
	size_t i, c;
	json_t *v;
	int64_t t;

	for (c = 0, col = def->cols; col->vi != NULL; col++) {
		if (col->key == NULL)
			continue;
		printf("%s", c++ ? "," : "");
		cli_xc_csv_field(col->key);
	}
	printf("\r\n");
	for (i = 0; i < json_array_size(rows); i++) {
		for (c = 0, col = def->cols; col->vi != NULL; col++) {
			if (col->key == NULL)
				continue;
			v = json_object_get(json_array_get(rows, i), col->key);
			if (col->kind == CELL_DATE && json_is_integer(v) &&
			    member_time(v, &t) == 0)
				snprintf(cell, sizeof(cell), "%s",
				    cmn_time_text(t, when));
			else
				value_text(v, cell, sizeof(cell));
			printf("%s", c++ ? "," : "");
			cli_xc_csv_field(cell);
		}
		printf("\r\n");
	}
}

/* A date option: YYYY-MM-DD. */
static int
date_option(const char *opt, const char *v)
{
	int64_t t;

	if (strlen(v) != 10 || cmn_time_parse(v, &t) != 0)
		return cli_usage_error("register", "%s: '%s' is not a date "
		    "(YYYY-MM-DD)", opt, v);
	return CLI_OK;
}

int
cmd_register(int argc, char **argv)
{
	static const struct option opts[] = {
		{"unit", required_argument, NULL, 'u'},
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"json", no_argument, NULL, 'J'},
		{"csv", no_argument, NULL, 'V'},
		CLI_XC_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_xc_opts xo = {NULL, NULL, NULL, NULL, NULL};
	struct cli_xc x;
	const char *unit = NULL, *from = NULL;
	const char *to = NULL, *answered_unit;
	const struct register_def *def = NULL;
	char path[512];
	json_t *ans = NULL, *rows;
	int c, rv, json = 0, csv = 0;
	size_t i, n;
	struct {
		const char *name, *value;
	} params[3] = {{"unit", NULL}, {"from", NULL}, {"to", NULL}};

	while ((c = getopt_long(argc, argv, "k:c:h", opts, NULL)) != -1) {
		if (cli_xc_opt(&xo, c, optarg))
			continue;
		switch (c) {
		case 'u': unit = optarg; break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'J': json = 1; break;
		case 'V': csv = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("register", "invalid option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("register", optind == argc ?
		    "which register: outgoing, incoming, copies or destroyed" :
		    "unexpected argument '%s'", argv[optind + 1]);
	for (i = 0; i < NREGISTERS; i++)
		if (strcmp(argv[optind], registers[i].name) == 0)
			def = &registers[i];
	if (def == NULL)
		return cli_usage_error("register", "no register '%s': outgoing, "
		    "incoming, copies or destroyed", argv[optind]);
	if (json && csv)
		return cli_conflict("register", "--json", "--csv",
		    "one output format");
	params[0].value = unit, params[1].value = from, params[2].value = to;
	if (unit != NULL && !cy_unit_valid(unit, strlen(unit)))
		return cli_usage_error("register", "--unit: '%s' is not a unit "
		    "path (segments of a-z, 0-9 and '-' joined by '/')", unit);
	if ((from != NULL && (rv = date_option("--from", from)) != CLI_OK) ||
	    (to != NULL && (rv = date_option("--to", to)) != CLI_OK))
		return rv;
	/* Units and dates hold no character a query would need to escape. */
	n = (size_t)snprintf(path, sizeof(path), "/v1/registers/%s", def->name);
	for (i = 0; i < 3; i++)
		if (params[i].value != NULL)
			n += (size_t)snprintf(path + n, sizeof(path) - n,
			    "%c%s=%s", strchr(path, '?') ? '&' : '?',
			    params[i].name, params[i].value);
	if ((rv = cli_xc_open("register", &xo, &x)) != CLI_OK)
		goto out;
	rv = CLI_FAIL;
	if (cli_client_get(x.cl, path, &ans) != CLI_OK)
		goto out;
	rows = json_object_get(ans, "rows");
	if (!json_is_array(rows) || (answered_unit = cli_client_str(x.cl, ans,
	    "unit")) == NULL) {
		cli_warn("the registry at %s answered without the rows",
		    cli_client_url(x.cl));
		goto out;
	}
	if (json)
		json_dumpf(ans, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	else if (csv)
		print_csv(def, rows);
	else
		print_table(def, cli_client_printable(answered_unit) ?
		    answered_unit : "?", rows, cli_xc_english());
	if (json)
		putchar('\n');
	rv = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
out:
	json_decref(ans);
	cli_xc_close(&x);
	return rv;
}
