/* coyeu log init: a new register and, if needed, its checkpoint key. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "common/json.h"
#include "coyeu/file.h"
#include "logcli.h"

static const char usage[] =
    "usage: coyeu log init --key KEY [--origin NAME] [--json] DB\n"
    "\n"
    "Creates the register DB (an SQLite file; never overwritten) and signs\n"
    "its empty checkpoint.  KEY is the register's Ed25519 checkpoint key, a\n"
    "note signer key file (PRIVATE+KEY+<name>+<id>+<key>, 0600): when KEY\n"
    "does not exist, a new one named NAME is created.  The register's origin\n"
    "is the key's name.  DB remembers where KEY is, for later appends.\n"
    "Prints the verifier key (name+hex8+base64) that checks checkpoints, and\n"
    "the same key as a C2SP cosigner key (type 0x04): every checkpoint also\n"
    "carries the register's timestamped cosignature, its signed time.\n"
    "\n"
    "  -k, --key KEY        the checkpoint key file (created when absent)\n"
    "      --origin NAME    the register's name, e.g. registry.example/hcm\n"
    "      --json           print the result as JSON\n";

static int
new_key(const char *path, const char *origin, cy_note_signer **out)
{
	cy_error err = {0, ""};
	cy_buf text = CY_BUF_INIT;
	char what[512];
	int r;

	snprintf(what, sizeof(what), "cannot create key %s", path);
	if ((r = cy_note_signer_generate(origin, out, &err)) == 0 &&
	    (r = cy_note_signer_string(*out, &text, &err)) == 0)
		r = cy_file_write(path, text.data, text.len, 0600,
		    CY_OUT_EXCLUSIVE, &err);
	cy_buf_free(&text);
	return r == 0 ? CLI_OK : cli_fail(&err, what);
}

static void
print_result(const char *db, const char *key, const cy_note_signer *s, int json)
{
	char vkey[CY_NOTE_KEY_STR_MAX], ckey[CY_NOTE_KEY_STR_MAX] = "";
	cy_note_verifier *v = NULL;

	cy_note_signer_verifier_string(s, vkey);
	if (cy_note_verifier_parse(vkey, strlen(vkey), &v, NULL) == 0)
		cy_note_verifier_cosig_string(v, ckey);
	cy_note_verifier_free(v);
	if (!json) {
		printf("created register %s\norigin: %s\nverifier key: %s\n"
		    "cosigner key: %s\n", db, cy_note_signer_name(s), vkey, ckey);
		return;
	}
	fputs("{\"db\":", stdout);
	cmn_json_string(stdout, db);
	fputs(",\"key\":", stdout);
	cmn_json_string(stdout, key);
	fputs(",\"origin\":", stdout);
	cmn_json_string(stdout, cy_note_signer_name(s));
	fputs(",\"verifier_key\":", stdout);
	cmn_json_string(stdout, vkey);
	fputs(",\"cosigner_key\":", stdout);
	cmn_json_string(stdout, ckey);
	fputs("}\n", stdout);
}

int
cmd_log_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},
		{"origin", required_argument, NULL, 'O'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *key = NULL, *origin = NULL;
	char abs_key[PATH_MAX];
	cy_note_signer *s = NULL;
	cy_error err = {0, ""};
	int c, json = 0, rc;

	while ((c = getopt_long(argc, argv, "k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'O': origin = optarg; break;
		case 'j': json = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("log init", "invalid option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("log init", "give one register file DB");
	if (key == NULL)
		return cli_usage_error("log init", "give the checkpoint key: --key KEY");
	/* Before making a key for it: a register is never overwritten. */
	if (access(argv[optind], F_OK) == 0) {
		cli_warn("log init: %s exists; a register is never overwritten",
		    argv[optind]);
		return CLI_FAIL;
	}
	if (access(key, F_OK) == 0)
		rc = cli_log_signer_file(key, &s);
	else if (origin == NULL)
		return cli_usage_error("log init",
		    "%s does not exist: give --origin NAME to create it", key);
	else
		rc = new_key(key, origin, &s);
	if (rc != CLI_OK)
		return rc;
	if (origin != NULL && strcmp(origin, cy_note_signer_name(s)) != 0) {
		cli_warn("log init: key %s is named %s, not %s", key,
		    cy_note_signer_name(s), origin);
		rc = CLI_FAIL;
		goto out;
	}
	if (realpath(key, abs_key) == NULL)
		snprintf(abs_key, sizeof(abs_key), "%s", key);
	if (cy_log_create(argv[optind], s, abs_key, NULL, &err) != 0) {
		rc = cli_fail(&err, "log init");
		goto out;
	}
	print_result(argv[optind], abs_key, s, json);
out:
	cy_note_signer_free(s);
	return rc;
}
