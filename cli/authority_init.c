/* coyeu authority init: a root authority's key and self-signed certificate. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "common/timefmt.h"
#include "coyeu/age.h"
#include "coyeu/canon.h"
#include "coyeu/level.h"
#include "io.h"
#include "pki.h"

static const char usage[] =
    "usage: coyeu authority init -o ROOTKEY --cert-out ROOT.cert --name NAME\n"
    "                            --unit UNIT [--days N] [--not-before TIME]\n"
    "                            [--compartments a,b] [--unprotected]\n"
    "                            [--passphrase-file F] [--work-factor N]\n"
    "                            [--allow-mixed-script]\n"
    "\n"
    "Creates a root authority: its key file (as 'coyeu id new') and its\n"
    "self-signed certificate, which may issue anything under UNIT up to\n"
    "TUYỆT MẬT.  Users pin ROOT.cert as their trust anchor.\n"
    "\n"
    "  -o, --output ROOTKEY     the key file to create (0600)\n"
    "      --cert-out FILE      the root certificate to write\n"
    "      --name NAME          the authority's name\n"
    "      --unit UNIT          its unit, e.g. vn\n"
    "      --days N             validity in days (default 3650)\n"
    "      --not-before TIME    start of validity (default now)\n"
    "      --compartments LIST  compartments it may grant (a,b)\n"
    "      --allow-mixed-script a word of the name may mix scripts\n"
    CLI_NEWKEY_USAGE;

struct init_args {
	const char *key, *cert, *name, *unit;
	char *compartments;
	struct cli_newkey nk;
	int days;
	int64_t not_before;
	int mixed; /* --allow-mixed-script */
};

static int
parse_args(int argc, char **argv, struct init_args *a)
{
	enum { O_CERT = 256, O_NAME, O_UNIT, O_DAYS, O_NB, O_COMP, O_MIXED };
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"cert-out", required_argument, NULL, O_CERT},
		{"name", required_argument, NULL, O_NAME},
		{"unit", required_argument, NULL, O_UNIT},
		{"days", required_argument, NULL, O_DAYS},
		{"not-before", required_argument, NULL, O_NB},
		{"compartments", required_argument, NULL, O_COMP},
		{"allow-mixed-script", no_argument, NULL, O_MIXED},
		CLI_NEWKEY_OPTIONS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *comp = "";
	cy_error err = {0, ""};
	int c, rc;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if ((rc = cli_newkey_option("authority init", c, optarg,
		    &a->nk)) != 0) {
			if (rc != 1)
				return rc;
			continue;
		}
		switch (c) {
		case 'o': a->key = optarg; break;
		case O_CERT: a->cert = optarg; break;
		case O_NAME: a->name = optarg; break;
		case O_UNIT: a->unit = optarg; break;
		case O_DAYS:
			if ((a->days = cli_parse_int(optarg, 1, CLI_DAYS_MAX)) < 0)
				return cli_usage_error("authority init",
				    "--days takes 1 to %d", CLI_DAYS_MAX);
			break;
		case O_NB:
			if (cli_parse_time("authority init", optarg,
			    &a->not_before) != CLI_OK)
				return CLI_USAGE;
			break;
		case O_COMP: comp = optarg; break;
		case O_MIXED: a->mixed = 1; break;
		case 'h': fputs(usage, stdout); return -1;
		default: return cli_usage_error("authority init", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("authority init",
		    "unexpected argument '%s'", argv[optind]);
	if (!a->key || !a->cert || !a->name || !a->unit)
		return cli_usage_error("authority init",
		    "-o ROOTKEY, --cert-out, --name and --unit are required");
	if ((rc = cli_check_path("authority init", "-o", a->key)) != CLI_OK ||
	    (rc = cli_check_path("authority init", "--cert-out", a->cert)) !=
	    CLI_OK)
		return rc;
	if (cy_unit_check(a->unit, &err) != 0)
		return cli_option_error("authority init", "--unit", &err);
	if ((rc = cli_text_option("--name", a->name, a->mixed)) != CLI_OK)
		return rc;
	if (cy_name_check(a->name, &err) != 0)
		return cli_option_error("authority init", "--name", &err);
	if (cy_canon_list_normalize(comp, cy_compartment_valid,
	    "compartments", &a->compartments, &err) != 0)
		return cli_usage_error("authority init", "%s", err.msg);
	return CLI_OK;
}

int
cmd_authority_init(int argc, char **argv)
{
	struct init_args a = {NULL, NULL, NULL, NULL, NULL, CLI_NEWKEY_INIT,
	    CLI_ROOT_DAYS, -1, 0};
	cy_cert_params p;
	cy_error err = {0, ""};
	cy_cert *cert = NULL;
	cy_idkey *k = NULL;
	const uint8_t *bytes;
	size_t len;
	int rc;

	if ((rc = parse_args(argc, argv, &a)) != CLI_OK) {
		free(a.compartments);
		return rc < 0 ? CLI_OK : rc;
	}
	rc = CLI_FAIL;
	if (a.not_before < 0)
		a.not_before = cmn_now();
	if (cli_idkey_create(a.key, &a.nk, &k) != CLI_OK)
		goto out;
	memset(&p, 0, sizeof(p));
	p.name = a.name;
	p.unit = a.unit;
	p.role = CY_ROLE_AUTHORITY;
	p.clearance = CY_LEVEL_TUYET_MAT;
	p.compartments = a.compartments;
	p.not_before = a.not_before;
	p.not_after = a.not_before + (int64_t)a.days * 86400;
	p.sign_public = cy_idkey_sign_public(k);
	p.seal_public = cy_idkey_seal_public(k);
	if (cy_cert_issue(&p, NULL, k, cmn_now(), &cert, &err) != 0) {
		cli_fail(&err, "authority init");
		goto out;
	}
	bytes = cy_cert_bytes(cert, &len);
	if (cli_write_public(a.cert, bytes, len, a.cert) != CLI_OK)
		goto out;
	printf("root authority %s for %s: key %s, certificate %s\n",
	    cy_cert_serial(cert), a.unit, a.key, a.cert);
	rc = CLI_OK;
out:
	cy_cert_free(cert);
	cy_idkey_free(k);
	free(a.compartments);
	return rc;
}
