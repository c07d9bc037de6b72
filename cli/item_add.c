/* coyeu item add: a newly received item, in state received, as an
 * item.add entry signed by the officer (docs/inventory.md). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "coyeu/cert.h"
#include "coyeu/inventory.h"
#include "coyeu/level.h"
#include "coyeu/release.h"

#include "common/timefmt.h"
#include "cli.h"
#include "item.h"

static const char usage[] =
    "usage: coyeu item add --type T --serial S --maker M --model X --level L\n"
    "                      [--unit U] [--custodian SERIAL] [--received DATE]\n"
    "                      [--period-until DATE] [--version V] [--count N]\n"
    "                      [--holds-certs S,…] [--notes TEXT]\n"
    "                      [-k KEY] [-c CHAIN] [--passphrase-file F]\n"
    "                      [--registry URL] [--cacert FILE]\n"
    "\n"
    "Records an item the unit has received (state received) as an item.add\n"
    "entry signed by the officer; the registry checks the officer may (an\n"
    "officer of the unit, or an authority above it, cleared for the level)\n"
    "and that no item of that type and maker has the serial.  Prints the\n"
    "item's id once the receipt verifies against the pinned key.\n"
    "\n"
    "      --type T             cipher-device, token, key, key-set, software,\n"
    "                           key-pair\n"
    "      --serial S           1 to 64 of A-Z a-z 0-9 . _ / -\n"
    "      --maker M, --model X who made it, which model\n"
    "      --level L            mat, toi-mat or tuyet-mat\n"
    "      --unit U             the owning unit (default: yours)\n"
    "      --custodian SERIAL   the officer who holds it (certificate serial)\n"
    "      --received DATE      YYYY-MM-DD (default: today, UTC)\n"
    "      --period-until DATE  end of the crypto-period (key, key-set:\n"
    "                           required)\n"
    "      --version V          software version (software: required; the\n"
    "                           entry's product-version)\n"
    "      --count N            keys in a key set\n"
    "      --holds-certs S,…    serials of the certificates whose keys it\n"
    "                           holds (token, key-pair): revoked if it is\n"
    "                           lost or compromised\n"
    "      --notes TEXT         at most 256 bytes, never secrets: the entry\n"
    "                           carries only its SHA-256\n"
    CLI_XC_USAGE;

enum {
	OPT_TYPE = 1000, OPT_SERIAL, OPT_MAKER, OPT_MODEL, OPT_LEVEL, OPT_UNIT,
	OPT_CUSTODIAN, OPT_RECEIVED, OPT_PERIOD, OPT_VERSION, OPT_HOLDS,
	OPT_NOTES, OPT_COUNT,
};

static int
date_ok(const char *v)
{
	int64_t t;

	return strlen(v) == 10 && cmn_time_parse(v, &t) == 0;
}

/* A comma list of certificate serials. */
static int
serials_ok(const char *v)
{
	const char *p = v;
	size_t n;

	for (;;) {
		n = strcspn(p, ",");
		if (!cy_serial_valid(p, n))
			return 0;
		if (p[n] == '\0')
			return 1;
		p += n + 1;
	}
}

struct add_opts {
	const char *type, *serial, *maker, *model, *level, *unit, *custodian;
	const char *received, *period, *version, *holds, *notes, *count;
};

/* The type's extra fields: taken (and needed) as the library's table
 * says, each given through its option. */
static int
check_extras(const struct add_opts *a, const cy_item_type *t)
{
	const struct {
		unsigned bit;
		const char *value, *opt;
	} extras[] = {
		{CY_ITEM_F_HOLDS_CERTS, a->holds, "--holds-certs"},
		{CY_ITEM_F_PERIOD_UNTIL, a->period, "--period-until"},
		{CY_ITEM_F_COUNT, a->count, "--count"},
		{CY_ITEM_F_VERSION, a->version, "--version"},
	};
	size_t i;

	for (i = 0; i < sizeof(extras) / sizeof(extras[0]); i++) {
		if (extras[i].value != NULL && !(t->fields & extras[i].bit))
			return cli_usage_error("item add", "%s: a %s takes none",
			    extras[i].opt, t->name);
		if (extras[i].value == NULL && (t->required & extras[i].bit))
			return cli_usage_error("item add", "a %s needs %s", t->name,
			    extras[i].opt);
	}
	return CLI_OK;
}

static int
check(const struct add_opts *a)
{
	const cy_item_type *t, *all;
	char names[256];
	size_t i, n, len = 0;

	if (!a->type || !a->serial || !a->maker || !a->model || !a->level)
		return cli_usage_error("item add", "--type, --serial, --maker, "
		    "--model and --level are required");
	if ((t = cy_item_type_find(a->type)) == NULL) {
		all = cy_item_types(&n);
		names[0] = '\0';
		for (i = 0; i < n && len < sizeof(names); i++)
			len += (size_t)snprintf(names + len, sizeof(names) - len,
			    "%s%s", i ? ", " : "", all[i].name);
		return cli_usage_error("item add", "--type: '%.64s' is not a type "
		    "(%s)", a->type, names);
	}
	if (!cy_item_serial_valid(a->serial, strlen(a->serial)))
		return cli_usage_error("item add", "--serial: 1 to 64 of A-Z, "
		    "a-z, 0-9, '.', '_', '/', '-'");
	if (cy_level_parse(a->level, strlen(a->level)) <= 0)
		return cli_usage_error("item add", "--level: '%.64s' is not a "
		    "level (mat, toi-mat, tuyet-mat)", a->level);
	if (a->unit && !cy_unit_valid(a->unit, strlen(a->unit)))
		return cli_usage_error("item add", "--unit: '%.64s' is not a unit "
		    "path", a->unit);
	if (a->custodian && !cy_serial_valid(a->custodian,
	    strlen(a->custodian)))
		return cli_usage_error("item add", "--custodian: a certificate "
		    "serial (32 lowercase hex digits)");
	if ((a->received && !date_ok(a->received)) ||
	    (a->period && !date_ok(a->period)))
		return cli_usage_error("item add", "%s: a date, YYYY-MM-DD",
		    a->received && !date_ok(a->received) ? "--received" :
		    "--period-until");
	if (check_extras(a, t) != CLI_OK)
		return CLI_USAGE;
	if (a->count && cli_parse_int(a->count, 1, 1000000) < 0)
		return cli_usage_error("item add", "--count: 1 to 1000000");
	if (a->holds && !serials_ok(a->holds))
		return cli_usage_error("item add", "--holds-certs: certificate "
		    "serials (32 lowercase hex digits) joined by ','");
	if (a->notes && strlen(a->notes) > CY_ITEM_TEXT_MAX)
		return cli_usage_error("item add", "--notes: at most %d bytes",
		    CY_ITEM_TEXT_MAX);
	if ((cli_text_option("--maker", a->maker, 0) != CLI_OK) ||
	    (cli_text_option("--model", a->model, 0) != CLI_OK) ||
	    (a->notes && cli_text_option("--notes", a->notes, 1) != CLI_OK) ||
	    (a->version && cli_text_option("--version", a->version, 0) !=
	    CLI_OK))
		return CLI_USAGE;
	return CLI_OK;
}

int
cmd_item_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{"type", required_argument, NULL, OPT_TYPE},
		{"serial", required_argument, NULL, OPT_SERIAL},
		{"maker", required_argument, NULL, OPT_MAKER},
		{"model", required_argument, NULL, OPT_MODEL},
		{"level", required_argument, NULL, OPT_LEVEL},
		{"unit", required_argument, NULL, OPT_UNIT},
		{"custodian", required_argument, NULL, OPT_CUSTODIAN},
		{"received", required_argument, NULL, OPT_RECEIVED},
		{"period-until", required_argument, NULL, OPT_PERIOD},
		{"version", required_argument, NULL, OPT_VERSION},
		{"holds-certs", required_argument, NULL, OPT_HOLDS},
		{"notes", required_argument, NULL, OPT_NOTES},
		{"count", required_argument, NULL, OPT_COUNT},
		CLI_XC_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_xc_opts xo = {NULL, NULL, NULL, NULL, NULL};
	struct add_opts a;
	struct cli_xc x;
	cy_entry_field f[ITEM_FIELDS_MAX];
	char id[CY_RELEASE_ID_SIZE], today[CY_CANON_TIME_LEN + 1];
	char notes_sha[65], level_name[16];
	cy_error err = {0, ""};
	json_t *ans = NULL, *extra = NULL, *view;
	uint64_t index;
	size_t n = 0;
	int c, rv;

	memset(&a, 0, sizeof(a));
	memset(&x, 0, sizeof(x));
	while ((c = getopt_long(argc, argv, "k:c:h", opts, NULL)) != -1) {
		if (cli_xc_opt(&xo, c, optarg))
			continue;
		switch (c) {
		case OPT_TYPE: a.type = optarg; break;
		case OPT_SERIAL: a.serial = optarg; break;
		case OPT_MAKER: a.maker = optarg; break;
		case OPT_MODEL: a.model = optarg; break;
		case OPT_LEVEL: a.level = optarg; break;
		case OPT_UNIT: a.unit = optarg; break;
		case OPT_CUSTODIAN: a.custodian = optarg; break;
		case OPT_RECEIVED: a.received = optarg; break;
		case OPT_PERIOD: a.period = optarg; break;
		case OPT_VERSION: a.version = optarg; break;
		case OPT_HOLDS: a.holds = optarg; break;
		case OPT_NOTES: a.notes = optarg; break;
		case OPT_COUNT: a.count = optarg; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("item add", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("item add", "unexpected argument '%s'",
		    argv[optind]);
	if ((rv = check(&a)) != CLI_OK)
		return rv;
	if ((rv = cli_xc_open("item add", &xo, &x)) != CLI_OK)
		goto out;
	rv = CLI_FAIL;
	if (cy_release_id_new(id, &err) != 0) {
		cli_fail(&err, "item add");
		goto out;
	}
	if (a.received == NULL) {
		cmn_time_text(cmn_now(), today);
		today[10] = '\0';
		a.received = today;
	}
	if (a.unit == NULL)
		a.unit = cy_cert_unit(cy_chain_get(x.chain, 0));
	snprintf(level_name, sizeof(level_name), "%s", cy_level_name(
	    cy_level_parse(a.level, strlen(a.level))));
	f[n++] = (cy_entry_field){"item-id", id};
	f[n++] = (cy_entry_field){"item-type", a.type};
	f[n++] = (cy_entry_field){"serial", a.serial};
	f[n++] = (cy_entry_field){"maker", a.maker};
	f[n++] = (cy_entry_field){"model", a.model};
	f[n++] = (cy_entry_field){"level", level_name};
	f[n++] = (cy_entry_field){"unit", a.unit};
	if (a.custodian)
		f[n++] = (cy_entry_field){"custodian", a.custodian};
	f[n++] = (cy_entry_field){"received", a.received};
	if (a.period)
		f[n++] = (cy_entry_field){"period-until", a.period};
	if (a.version)
		f[n++] = (cy_entry_field){"product-version", a.version};
	if (a.count)
		f[n++] = (cy_entry_field){"count", a.count};
	if (a.holds)
		f[n++] = (cy_entry_field){"holds-certs", a.holds};
	if (a.notes) {
		/* The register keeps the notes' hash; the record their text. */
		cy_item_sha256_hex((const uint8_t *)a.notes, strlen(a.notes),
		    notes_sha);
		f[n++] = (cy_entry_field){"notes-sha256", notes_sha};
		if ((extra = json_pack("{s:s}", "notes", a.notes)) == NULL) {
			cli_warn("out of memory");
			goto out;
		}
	}
	if (item_post_entry(&x, "/v1/items", "item.add", f, n, extra, &ans,
	    &index, NULL) != CLI_OK)
		goto out;
	view = item_view_of(ans);
	printf("item %s\n", id);
	printf(cli_xc_english() ? "added %s %s (%s %s), %s, unit %s: %s; "
	    "entry %llu\n" : "đã tiếp nhận %s %s (%s %s), %s, đơn vị %s: %s; "
	    "mục sổ %llu\n", item_type_text(a.type, cli_xc_english()),
	    a.serial, a.maker, a.model, cy_level_display(cy_level_parse(a.level,
	    strlen(a.level))), a.unit, item_state_text(json_string_value(
	    json_object_get(view, "state")) ? json_string_value(
	    json_object_get(view, "state")) : "received", cli_xc_english()),
	    (unsigned long long)index);
	rv = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
out:
	json_decref(extra);
	json_decref(ans);
	cli_xc_close(&x);
	return rv;
}
