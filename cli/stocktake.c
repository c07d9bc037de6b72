/* coyeu stocktake (kiểm kê): a unit's stock-take through the registry
 * (docs/inventory.md) — opened for a unit, officers declare what they
 * physically hold, the close names every difference with the register
 * and records the result as an entry. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/cert.h"
#include "coyeu/file.h"
#include "coyeu/inventory.h"
#include "coyeu/release.h"

#include "cli.h"
#include "commands.h"
#include "item.h"

#define DECLARE_MAX 100000          /* items one officer declares */
#define DECLARE_FILE_MAX (8 << 20)  /* bytes of a --file */

static int cmd_stocktake_open(int argc, char **argv);
static int cmd_stocktake_declare(int argc, char **argv);
static int cmd_stocktake_close(int argc, char **argv);
static int cmd_stocktake_show(int argc, char **argv);

static const struct cli_command stocktake_commands[] = {
	{"open", cmd_stocktake_open, "open a stock-take of a unit"},
	{"declare", cmd_stocktake_declare, "declare the items you physically hold"},
	{"close", cmd_stocktake_close, "close it: every difference, into the register"},
	{"show", cmd_stocktake_show, "a stock-take: declarations, differences"},
	{NULL, NULL, NULL},
};

int
cmd_stocktake(int argc, char **argv)
{
	return cli_dispatch("coyeu stocktake", stocktake_commands, argc, argv);
}

static const char open_usage[] =
    "usage: coyeu stocktake open [--unit U]\n"
    "                            [-k KEY] [-c CHAIN] [--passphrase-file F]\n"
    "                            [--registry URL] [--cacert FILE]\n"
    "\n"
    "Opens a stock-take (kiểm kê) of unit U (default: yours) with a\n"
    "stocktake.open entry; prints its id, which the officers declare to.\n"
    "\n"
    "      --unit U             the unit whose stock is counted\n"
    CLI_XC_USAGE;

static const char declare_usage[] =
    "usage: coyeu stocktake declare ID ITEM… | --file FILE\n"
    "                            [-k KEY] [-c CHAIN] [--passphrase-file F]\n"
    "                            [--registry URL] [--cacert FILE]\n"
    "\n"
    "Declares the items you physically hold, each an item id or\n"
    "TYPE:SERIAL (an item the register does not know is declared by its\n"
    "TYPE:SERIAL), on the command line or one a line in FILE ('#' starts a\n"
    "comment).  The stocktake.declare entry carries their count and the\n"
    "SHA-256 of the sorted list, one a line.\n"
    "\n"
    "      --file FILE          the items, one a line\n"
    CLI_XC_USAGE;

static const char close_usage[] =
    "usage: coyeu stocktake close ID [--json]\n"
    "                            [-k KEY] [-c CHAIN] [--passphrase-file F]\n"
    "                            [--registry URL] [--cacert FILE]\n"
    "\n"
    "Closes the stock-take with a stocktake.close entry: the registry\n"
    "compares what was declared with what the register says the unit holds\n"
    "and names every difference — unregistered (held, not in the register),\n"
    "undeclared (in the register, not declared), wrong-state, wrong-custody.\n"
    "\n"
    "      --json               the registry's answer as JSON\n"
    CLI_XC_USAGE;

static const char show_usage[] =
    "usage: coyeu stocktake show ID [--json]\n"
    "                            [-k KEY] [-c CHAIN] [--passphrase-file F]\n"
    "                            [--registry URL] [--cacert FILE]\n"
    "\n"
    "Prints the stock-take: its unit, state, declarations and, once closed,\n"
    "its differences.\n"
    "\n"
    "      --json               the registry's answer as JSON\n"
    CLI_XC_USAGE;

/* The options every stocktake sub-command parses: the exchange's, --help,
 * and the few of its own. */
struct st_opts {
	struct cli_xc_opts xo;
	const char *unit, *file;
	int json;
};

static int
st_parse(const char *cmd, const char *usage, int argc, char **argv,
    struct st_opts *o, int *done)
{
	static const struct option opts[] = {
		{"unit", required_argument, NULL, 'u'},
		{"file", required_argument, NULL, 'f'},
		{"json", no_argument, NULL, 'J'},
		CLI_XC_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	*done = 0;
	while ((c = getopt_long(argc, argv, "k:c:h", opts, NULL)) != -1) {
		if (cli_xc_opt(&o->xo, c, optarg))
			continue;
		switch (c) {
		case 'u': o->unit = optarg; break;
		case 'f': o->file = optarg; break;
		case 'J': o->json = 1; break;
		case 'h': fputs(usage, stdout); *done = 1; return CLI_OK;
		default: return cli_usage_error(cmd, "invalid option");
		}
	}
	return CLI_OK;
}

static int
st_id(const char *cmd, int argc, char **argv)
{
	if (optind >= argc)
		return cli_usage_error(cmd, "which stock-take? give its id");
	if (!cy_serial_valid(argv[optind], strlen(argv[optind])))
		return cli_usage_error(cmd, "ID: a stock-take id (32 lowercase hex "
		    "digits, as coyeu stocktake open printed it)");
	return CLI_OK;
}

static int
cmd_stocktake_open(int argc, char **argv)
{
	static const char cmd[] = "stocktake open";
	struct st_opts o;
	struct cli_xc x;
	cy_entry_field f[2];
	char id[CY_RELEASE_ID_SIZE];
	cy_error err = {0, ""};
	json_t *ans = NULL;
	uint64_t index;
	int rv, done, en = cli_xc_english();

	memset(&x, 0, sizeof(x));
	if ((rv = st_parse(cmd, open_usage, argc, argv, &o, &done)) != CLI_OK ||
	    done)
		return rv;
	if (optind != argc)
		return cli_usage_error(cmd, "unexpected argument '%s'",
		    argv[optind]);
	if (o.file || o.json)
		return cli_usage_error(cmd, "%s does not apply", o.file ? "--file" :
		    "--json");
	if (o.unit && !cy_unit_valid(o.unit, strlen(o.unit)))
		return cli_usage_error(cmd, "--unit: '%.64s' is not a unit path",
		    o.unit);
	if ((rv = cli_xc_open(cmd, &o.xo, &x)) != CLI_OK)
		goto out;
	rv = CLI_FAIL;
	if (cy_release_id_new(id, &err) != 0) {
		cli_fail(&err, cmd);
		goto out;
	}
	if (o.unit == NULL)
		o.unit = cy_cert_unit(cy_chain_get(x.chain, 0));
	f[0] = (cy_entry_field){"stocktake-id", id};
	f[1] = (cy_entry_field){"unit", o.unit};
	if (item_post_entry(&x, "/v1/stocktakes", "stocktake.open", f, 2, NULL,
	    &ans, &index, NULL) != CLI_OK)
		goto out;
	printf("stocktake %s\n", id);
	printf(en ? "opened the stock-take of unit %s; entry %llu\n" :
	    "đã mở đợt kiểm kê đơn vị %s; mục sổ %llu\n", o.unit,
	    (unsigned long long)index);
	rv = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
out:
	json_decref(ans);
	cli_xc_close(&x);
	return rv;
}

static int
add_declared(json_t *items, const char *s, size_t n, const char *where)
{
	if (n > CY_ITEM_REF_MAX || !item_ref_valid(s, n))
		return cli_usage_error("stocktake declare", "%s'%.*s' is not an "
		    "item id or TYPE:SERIAL", where, (int)(n > 80 ? 80 : n), s);
	if (json_array_size(items) >= DECLARE_MAX)
		return cli_usage_error("stocktake declare", "at most %d items",
		    DECLARE_MAX);
	if (json_array_append_new(items, json_stringn(s, n)) != 0) {
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	return CLI_OK;
}

static int
read_declared(const char *path, json_t *items)
{
	uint8_t *data = NULL;
	size_t len, n;
	cy_error err = {0, ""};
	const char *p, *end, *nl, *hash;
	char where[64];
	int rv = CLI_OK, lineno = 0;

	if (cy_file_read(path, DECLARE_FILE_MAX, &data, &len, &err) != 0)
		return cli_fail(&err, path);
	for (p = (const char *)data, end = p + len; p < end && rv == CLI_OK;
	    p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		lineno++;
		/* A comment, and blanks around the item (a CR too). */
		if ((hash = memchr(p, '#', (size_t)(nl - p))) == NULL)
			hash = nl;
		while (p < hash && (*p == ' ' || *p == '\t'))
			p++;
		n = (size_t)(hash - p);
		while (n > 0 && strchr(" \t\r", p[n - 1]) != NULL)
			n--;
		if (n == 0)
			continue;
		snprintf(where, sizeof(where), "%.40s line %d: ", path, lineno);
		rv = add_declared(items, p, n, where);
	}
	free(data);
	return rv;
}

/* stocktake.declare's serials-sha256, by the library's one definition. */
static int
declared_sha256(json_t *items, char out[65])
{
	size_t n = json_array_size(items), i;
	const char **v = calloc(n + 1, sizeof(*v));
	cy_error err = {0, ""};
	int rv;

	if (v == NULL) {
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	for (i = 0; i < n; i++)
		v[i] = json_string_value(json_array_get(items, i));
	rv = cy_item_list_sha256(v, n, out, &err) == 0 ? CLI_OK :
	    cli_fail(&err, "the declared items");
	free(v);
	return rv;
}

static int
cmd_stocktake_declare(int argc, char **argv)
{
	static const char cmd[] = "stocktake declare";
	struct st_opts o;
	struct cli_xc x;
	cy_entry_field f[3];
	char path[128], count[24], sha[65];
	json_t *ans = NULL, *items = NULL, *extra = NULL;
	uint64_t index;
	int rv, done, i, en = cli_xc_english();
	const char *id;

	memset(&x, 0, sizeof(x));
	if ((rv = st_parse(cmd, declare_usage, argc, argv, &o, &done)) != CLI_OK ||
	    done)
		return rv;
	if ((rv = st_id(cmd, argc, argv)) != CLI_OK)
		return rv;
	id = argv[optind];
	if (o.unit || o.json)
		return cli_usage_error(cmd, "%s does not apply", o.unit ?
		    "--unit" : "--json");
	if ((o.file != NULL) == (optind + 1 < argc))
		return cli_usage_error(cmd, "give the items you hold: on the "
		    "command line or --file FILE, one of the two");
	if ((items = json_array()) == NULL)
		return CLI_FAIL;
	rv = CLI_OK;
	for (i = optind + 1; i < argc && rv == CLI_OK; i++)
		rv = add_declared(items, argv[i], strlen(argv[i]), "");
	if (rv == CLI_OK && o.file)
		rv = read_declared(o.file, items);
	if (rv != CLI_OK)
		goto out;
	if ((rv = cli_xc_open(cmd, &o.xo, &x)) != CLI_OK)
		goto out;
	rv = CLI_FAIL;
	if (declared_sha256(items, sha) != CLI_OK)
		goto out;
	snprintf(count, sizeof(count), "%zu", json_array_size(items));
	f[0] = (cy_entry_field){"stocktake-id", id};
	f[1] = (cy_entry_field){"count", count};
	f[2] = (cy_entry_field){"serials-sha256", sha};
	snprintf(path, sizeof(path), "/v1/stocktakes/%s/declare", id);
	if ((extra = json_pack("{s:O}", "items", items)) == NULL ||
	    item_post_entry(&x, path, "stocktake.declare", f, 3, extra, &ans,
	    &index, NULL) != CLI_OK)
		goto out;
	printf(en ? "declared %s item%s to stock-take %s; entry %llu\n" :
	    "đã khai báo %s mục%s cho đợt kiểm kê %s; mục sổ %llu\n", count,
	    en && strcmp(count, "1") != 0 ? "s" : "", id,
	    (unsigned long long)index);
	rv = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
out:
	json_decref(extra);
	json_decref(items);
	json_decref(ans);
	cli_xc_close(&x);
	return rv;
}

/* The differences' words. */
static const struct {
	const char *kind, *vi, *en;
} kinds[] = {
	{"unregistered", "có thực tế, không có trong sổ",
	    "held, not in the register"},
	{"undeclared", "có trong sổ, không được khai báo",
	    "in the register, not declared"},
	{"wrong-state", "sai trạng thái", "in the wrong state"},
	{"wrong-custody", "sai người giữ", "in the wrong custody"},
};

static void
print_differences(json_t *diffs, int en)
{
	static const char *const members[] = {"declared", "type", "serial",
	    "state", "unit", "custodian", "by", "item"};
	size_t i, k, m;
	const char *kind, *word, *v;
	json_t *d;

	if (json_array_size(diffs) == 0) {
		printf(en ? "no difference: what was declared is what the "
		    "register holds\n" : "không có chênh lệch: khai báo khớp "
		    "với sổ\n");
		return;
	}
	printf(en ? "%zu difference%s:\n" : "%zu chênh lệch:\n",
	    json_array_size(diffs), en && json_array_size(diffs) != 1 ? "s" :
	    "");
	json_array_foreach(diffs, i, d) {
		kind = cli_xc_safe(d, "kind");
		word = kind;
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (strcmp(kinds[k].kind, kind) == 0)
				word = en ? kinds[k].en : kinds[k].vi;
		printf("  %zu. %s (%s)", i + 1, kind, word);
		for (m = 0; m < sizeof(members) / sizeof(members[0]); m++)
			if (json_is_string(json_object_get(d, members[m])) &&
			    strcmp(v = cli_xc_safe(d, members[m]), "?") != 0)
				printf(" %s=%s", members[m], v);
		printf("\n");
	}
}

static int
st_get(struct cli_xc *x, const char *id, json_t **ans)
{
	char path[128];

	snprintf(path, sizeof(path), "/v1/stocktakes/%s", id);
	return cli_client_get(x->cl, path, ans);
}

static json_t *
st_of(json_t *ans)
{
	json_t *s = json_object_get(ans, "stocktake");

	return json_is_object(s) ? s : ans;
}

static int
cmd_stocktake_close(int argc, char **argv)
{
	static const char cmd[] = "stocktake close";
	struct st_opts o;
	struct cli_xc x;
	cy_entry_field f[5];
	char path[128], declared[24], ndiff[24];
	json_t *before = NULL, *ans = NULL, *st, *diffs, *result;
	const char *id, *unit, *report;
	uint64_t index;
	int rv, done, en = cli_xc_english();

	memset(&x, 0, sizeof(x));
	if ((rv = st_parse(cmd, close_usage, argc, argv, &o, &done)) != CLI_OK ||
	    done)
		return rv;
	if ((rv = st_id(cmd, argc, argv)) != CLI_OK)
		return rv;
	id = argv[optind];
	if (optind + 1 != argc || o.unit || o.file)
		return cli_usage_error(cmd, "only ID (and --json) apply");
	if ((rv = cli_xc_open(cmd, &o.xo, &x)) != CLI_OK)
		goto out;
	rv = CLI_FAIL;
	/* What the close will record: the registry's comparison now, which
	 * the entry signs (the registry refuses it if the two differ). */
	if (st_get(&x, id, &before) != CLI_OK)
		goto out;
	st = st_of(before);
	result = json_object_get(before, "result");
	if ((unit = cli_client_str(x.cl, st, "unit")) == NULL)
		goto out;
	if (!json_is_object(result) || !json_is_integer(json_object_get(result,
	    "declared")) || (report = json_string_value(json_object_get(result,
	    "report_sha256"))) == NULL || strlen(report) != 64 ||
	    strspn(report, "0123456789abcdef") != 64 ||
	    !json_is_array(diffs = json_object_get(result, "differences"))) {
		cli_warn("the registry at %s answered without stock-take %s's "
		    "result", cli_client_url(x.cl), id);
		goto out;
	}
	snprintf(declared, sizeof(declared), "%lld", (long long)
	    json_integer_value(json_object_get(result, "declared")));
	snprintf(ndiff, sizeof(ndiff), "%zu", json_array_size(diffs));
	f[0] = (cy_entry_field){"stocktake-id", id};
	f[1] = (cy_entry_field){"unit", unit};
	f[2] = (cy_entry_field){"declared", declared};
	f[3] = (cy_entry_field){"differences", ndiff};
	f[4] = (cy_entry_field){"report-sha256", report};
	snprintf(path, sizeof(path), "/v1/stocktakes/%s/close", id);
	if (item_post_entry(&x, path, "stocktake.close", f, 5, NULL, &ans,
	    &index, NULL) != CLI_OK)
		goto out;
	if (o.json) {
		json_dumpf(ans, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		printf(en ? "closed the stock-take %s of unit %s: %s item%s "
		    "declared; entry %llu\n" : "đã kết thúc đợt kiểm kê %s đơn vị "
		    "%s: %s mục%s được khai báo; mục sổ %llu\n", id, unit, declared,
		    en && strcmp(declared, "1") != 0 ? "s" : "",
		    (unsigned long long)index);
		print_differences(json_is_array(json_object_get(ans,
		    "differences")) ? json_object_get(ans, "differences") :
		    diffs, en);
	}
	rv = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
out:
	json_decref(before);
	json_decref(ans);
	cli_xc_close(&x);
	return rv;
}

static int
cmd_stocktake_show(int argc, char **argv)
{
	static const char cmd[] = "stocktake show";
	struct st_opts o;
	struct cli_xc x;
	json_t *ans = NULL, *st, *d, *result;
	size_t i;
	int rv, done, en = cli_xc_english();

	memset(&x, 0, sizeof(x));
	if ((rv = st_parse(cmd, show_usage, argc, argv, &o, &done)) != CLI_OK ||
	    done)
		return rv;
	if ((rv = st_id(cmd, argc, argv)) != CLI_OK)
		return rv;
	if (optind + 1 != argc || o.unit || o.file)
		return cli_usage_error(cmd, "only ID (and --json) apply");
	if ((rv = cli_xc_open(cmd, &o.xo, &x)) != CLI_OK)
		goto out;
	rv = CLI_FAIL;
	if (st_get(&x, argv[optind], &ans) != CLI_OK)
		goto out;
	st = st_of(ans);
	if (o.json) {
		json_dumpf(ans, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		printf(en ? "stock-take %s of unit %s: %s\n" :
		    "đợt kiểm kê %s đơn vị %s: %s\n", argv[optind],
		    cli_xc_safe(st, "unit"), cli_xc_safe(st, "state"));
		json_array_foreach(json_object_get(ans, "declarations"), i, d)
			printf(en ? "  declared by %s: %lld items\n" :
			    "  %s khai báo: %lld mục\n", cli_xc_safe(d, "name"),
			    json_is_integer(json_object_get(d, "count")) ?
			    (long long)json_integer_value(json_object_get(d,
			    "count")) : (long long)json_array_size(
			    json_object_get(d, "items")));
		result = json_object_get(ans, "result");
		if (json_is_array(json_object_get(result, "differences")))
			print_differences(json_object_get(result, "differences"),
			    en);
	}
	rv = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
out:
	json_decref(ans);
	cli_xc_close(&x);
	return rv;
}
