/* coyeu id request: a certificate request signed by the officer's key. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "common/timefmt.h"
#include "coyeu/cert.h"
#include "coyeu/request.h"
#include "io.h"
#include "keyring.h"

static const char usage[] =
    "usage: coyeu id request [-k KEY] --name NAME --unit UNIT [-o REQ]\n"
    "                        [--passphrase-file F] [--allow-mixed-script]\n"
    "\n"
    "Writes a certificate request for the key's public keys, signed with\n"
    "the key itself (proof of possession), to REQ or standard output.\n"
    "An authority turns it into a certificate with 'coyeu cert issue'.\n"
    "\n"
    "  -k, --key KEY            the officer's key file (coyeu id new;\n"
    "                           default: the keyring's key)\n"
    "      --name NAME          the subject's full name, e.g. \"Nguyễn Văn A\"\n"
    "      --unit UNIT          the unit path, e.g. vn/hcm/van-phong-thanh-uy\n"
    "  -o, --output REQ         where to write the request\n"
    "      --passphrase-file F  read the key's passphrase from F\n"
    "      --allow-mixed-script a word of the name may mix scripts (refused\n"
    "                           by default: \"Nguyеn\" with a Cyrillic е\n"
    "                           looks like \"Nguyen\")\n";

int
cmd_id_request(int argc, char **argv)
{
	enum { O_NAME = 256, O_UNIT, O_PASSFILE, O_MIXED };
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},
		{"name", required_argument, NULL, O_NAME},
		{"unit", required_argument, NULL, O_UNIT},
		{"output", required_argument, NULL, 'o'},
		{"passphrase-file", required_argument, NULL, O_PASSFILE},
		{"allow-mixed-script", no_argument, NULL, O_MIXED},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *key = NULL, *name = NULL, *unit = NULL, *out = NULL;
	const char *pass_file = NULL;
	const uint8_t *bytes;
	cy_request *req = NULL;
	cy_idkey *k = NULL;
	cy_error err = {0, ""};
	size_t len;
	int c, mixed = 0, rc = CLI_FAIL;

	while ((c = getopt_long(argc, argv, "k:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case O_NAME: name = optarg; break;
		case O_UNIT: unit = optarg; break;
		case 'o': out = optarg; break;
		case O_PASSFILE: pass_file = optarg; break;
		case O_MIXED: mixed = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("id request", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("id request", "unexpected argument '%s'",
		    argv[optind]);
	if (name == NULL || unit == NULL)
		return cli_usage_error("id request", "--name and --unit are required");
	if ((rc = cli_text_option("--name", name, mixed)) != CLI_OK)
		return rc;
	if (cy_name_check(name, &err) != 0)
		return cli_option_error("id request", "--name", &err);
	if (cy_unit_check(unit, &err) != 0)
		return cli_option_error("id request", "--unit", &err);
	if ((rc = cli_check_path("id request", "-o", out)) != CLI_OK)
		return rc;
	if ((rc = cli_keyring_default("id request", CLI_KR_KEY, &key)) != CLI_OK)
		return rc;
	rc = CLI_FAIL;
	if (cli_idkey_load(key, pass_file, &k) != CLI_OK)
		return CLI_FAIL;
	if (cy_request_create(k, name, unit, cmn_now(), &req, &err) != 0) {
		cli_fail(&err, "id request");
		goto out;
	}
	bytes = cy_request_bytes(req, &len);
	rc = cli_write_public(out, bytes, len, out ? out : "the request");
out:
	cy_request_free(req);
	cy_idkey_free(k);
	return rc;
}
