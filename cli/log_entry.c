/* coyeu log entry: a register entry signed by the acting officer. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "common/timefmt.h"
#include "coyeu/canon.h"
#include "coyeu/entry.h"
#include "coyeu/idkey.h"
#include "io.h"
#include "keyring.h"
#include "logcli.h"

#define FIELDS_MAX 32

static const char usage[] =
    "usage: coyeu log entry --type TYPE [-k KEY] [--passphrase-file F]\n"
    "                       [-o FILE] NAME=VALUE...\n"
    "\n"
    "Makes a register entry of TYPE from the NAME=VALUE fields (any order;\n"
    "time defaults to now), signed by the officer's key file KEY, and\n"
    "writes it to FILE (atomically) or standard output.  docs/register.md\n"
    "describes each type.\n"
    "\n"
    "  -t, --type TYPE          the entry type (below)\n"
    "  -k, --key KEY            the acting officer's key file (coyeu id new;\n"
    "                           default: the keyring's key)\n"
    "      --passphrase-file F  read the key's passphrase from F\n"
    "  -o, --output FILE        where to write the entry\n"
    "\n"
    "types and their fields ([optional]):\n";

/* Every type starts with version, type, time, actor, actor-key and ends
 * with signature: coyeu writes version, type, actor-key and signature. */
#define COMMON_FIELDS 5

static void
print_field(const char *type, size_t i)
{
	const char *name, *holds;
	int opt;

	if (cy_entry_type_field(type, i, &name, &holds, &opt) == 0)
		printf("      %s%s%s: %s\n", opt ? "[" : "", name, opt ? "]" : "",
		    holds);
}

static void
print_usage(void)
{
	const char *const *t;
	const char *name, *holds;
	size_t i;
	int opt;

	fputs(usage, stdout);
	printf("  every type\n");
	print_field(cy_entry_types()[0], 2);
	printf("        (default: now)\n");
	print_field(cy_entry_types()[0], 3);
	for (t = cy_entry_types(); *t != NULL; t++) {
		printf("  %s\n", *t);
		for (i = COMMON_FIELDS; cy_entry_type_field(*t, i, &name, &holds,
		    &opt) == 0 && strcmp(name, "signature") != 0; i++)
			print_field(*t, i);
	}
}

/* NAME=VALUE arguments into fields, adding time=now when absent. */
static int
parse_fields(int argc, char **argv, cy_entry_field *f, size_t *n,
    char now[CY_CANON_TIME_LEN + 1])
{
	int i, has_time = 0;
	char *eq;

	*n = 0;
	for (i = 0; i < argc; i++) {
		if ((eq = strchr(argv[i], '=')) == NULL || eq == argv[i])
			return cli_usage_error("log entry",
			    "fields read NAME=VALUE, not '%s'", argv[i]);
		if (*n == FIELDS_MAX - 1)
			return cli_usage_error("log entry", "too many fields");
		*eq = '\0';
		f[*n].name = argv[i];
		f[(*n)++].value = eq + 1;
		has_time |= strcmp(argv[i], "time") == 0;
	}
	if (!has_time) {
		if (cy_canon_time_format(cmn_now(), now, NULL) != 0) {
			cli_warn("log entry: cannot format the current time");
			return CLI_FAIL;
		}
		f[*n].name = "time";
		f[(*n)++].value = now;
	}
	return CLI_OK;
}

/* --type: one of the library's entry types, before the key is read. */
static int
check_type(const char *type)
{
	const char *const *t;

	for (t = cy_entry_types(); *t != NULL; t++)
		if (strcmp(*t, type) == 0)
			return CLI_OK;
	return cli_usage_error("log entry", "--type: unknown entry type '%.64s' "
	    "('coyeu log entry --help' lists them)", type);
}

int
cmd_log_entry(int argc, char **argv)
{
	static const struct option opts[] = {
		{"type", required_argument, NULL, 't'},
		{"key", required_argument, NULL, 'k'},
		{"passphrase-file", required_argument, NULL, 'P'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *type = NULL, *key = NULL, *pass = NULL, *out = NULL;
	char now[CY_CANON_TIME_LEN + 1];
	cy_entry_field f[FIELDS_MAX];
	cy_buf entry = CY_BUF_INIT;
	cy_error err = {0, ""};
	cy_idkey *k = NULL;
	size_t n;
	int c, rc;

	while ((c = getopt_long(argc, argv, "t:k:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 't': type = optarg; break;
		case 'k': key = optarg; break;
		case 'P': pass = optarg; break;
		case 'o': out = optarg; break;
		case 'h': print_usage(); return CLI_OK;
		default: return cli_usage_error("log entry", "invalid option");
		}
	}
	if (type == NULL)
		return cli_usage_error("log entry", "give --type TYPE");
	if ((rc = check_type(type)) != CLI_OK ||
	    (rc = cli_check_path("log entry", "-o", out)) != CLI_OK ||
	    (rc = parse_fields(argc - optind, argv + optind, f, &n, now)) !=
	    CLI_OK ||
	    (rc = cli_keyring_default("log entry", CLI_KR_KEY, &key)) != CLI_OK)
		return rc;
	if ((rc = cli_idkey_load(key, pass, &k)) != CLI_OK)
		return rc;
	if (cy_entry_create(type, f, n, k, &entry, &err) != 0) {
		rc = err.code == CY_E_USAGE ? cli_usage_error("log entry", "%s",
		    err.msg) : cli_fail(&err, "log entry");
		goto out;
	}
	rc = cli_write_public(out, entry.data, entry.len, "entry");
out:
	cy_idkey_free(k);
	cy_buf_free(&entry);
	return rc;
}
