/* coyeu id new: an officer's signing and sealing keys in one key file,
 * with a post-quantum hybrid sealing key unless --classical. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "common/json.h"
#include "coyeu/age.h"
#include "coyeu/encoding.h"
#include "keyring.h"
#include "pki.h"

static const char usage[] =
    "usage: coyeu id new [-o FILE] [--classical | --pq] [--unprotected]\n"
    "                    [--passphrase-file F] [--work-factor N] [--json]\n"
    "\n"
    "Creates an officer's Ed25519 signing key, X25519 sealing key and\n"
    "post-quantum hybrid sealing key (age's mlkem768x25519: ML-KEM-768 +\n"
    "X25519; separate keys) in one key file, created 0600 and never\n"
    "overwritten.  TUYỆT MẬT documents are sealed to the hybrid key.\n"
    "The file is an age file sealed with a passphrase, asked twice on the\n"
    "terminal or read from the first line of F.  Prints the public keys.\n"
    "Without -o, the key goes into the keyring (created if needed), which\n"
    "then seals, opens and signs with it by default (docs/keyring.md).\n"
    "\n"
    "  -o, --output FILE        the key file to create (default: the\n"
    "                           keyring's key, if it has none yet)\n"
    "      --classical          no post-quantum key (add one later with\n"
    "                           coyeu id add-pq)\n"
    "      --pq                 with the post-quantum key (the default)\n"
    CLI_NEWKEY_USAGE
    "      --json               print the public keys as JSON\n";

/* The age recipient string of the key's part that from_key makes an
 * identity of; "" when the key has no such part. */
static int
recipient_of(const cy_idkey *k,
    int (*from_key)(const cy_key *, cy_identity **, cy_error *),
    char out[CY_RECIPIENT_STR_MAX], cy_error *err)
{
	cy_identity *id = NULL;
	int r;

	out[0] = '\0';
	if ((r = from_key(k, &id, err)) == 0)
		r = cy_identity_recipient_string(id, out, err);
	cy_identity_free(id);
	return r;
}

static int
print_public(const char *path, const cy_idkey *k, int json, int keyring)
{
	char sign[CY_B64_UNPADDED_LEN(CY_SIGN_PUBLIC_LEN) + 1];
	char seal[CY_RECIPIENT_STR_MAX], pq[CY_RECIPIENT_STR_MAX];
	char pq_text[CLI_PQ_KEY_TEXT_MAX];
	cy_error err = {0, ""};

	pq[0] = '\0';
	cy_b64_encode(sign, cy_idkey_sign_public(k), CY_SIGN_PUBLIC_LEN, 0);
	if (recipient_of(k, cy_identity_from_key, seal, &err) != 0 ||
	    (cy_idkey_pq_public(k) != NULL &&
	    recipient_of(k, cy_identity_from_key_pq, pq, &err) != 0))
		return cli_fail(&err, "id new");
	if (keyring && cli_keyring_write_pub(seal) != CLI_OK)
		return CLI_FAIL;
	if (json) {
		fputs("{\"file\":", stdout);
		cmn_json_string(stdout, path);
		printf(",\"sign_key\":\"%s\",\"seal_key\":\"%s\"", sign, seal);
		if (pq[0] != '\0')
			printf(",\"seal_pq_key\":\"%s\"", pq);
		fputs("}\n", stdout);
	} else {
		printf("created %s\nsign-key: %s\nseal-key: %s\n", path, sign,
		    seal);
		printf("seal-pq-key: %s\n", pq[0] != '\0' ?
		    cli_pq_key_text(pq, 0, pq_text, sizeof(pq_text)) :
		    "none (--classical; coyeu id add-pq adds one)");
	}
	return CLI_OK;
}

/* The keyring's key path, creating the keyring; refused if it has one. */
static int
keyring_key(const char **out)
{
	if (cli_keyring_create() != CLI_OK)
		return CLI_FAIL;
	*out = cli_keyring_path(CLI_KR_KEY);
	if (access(*out, F_OK) == 0) {
		cli_warn("the keyring already holds a key (%s): it is never "
		    "replaced; give -o FILE for another key", *out);
		return CLI_FAIL;
	}
	return CLI_OK;
}

int
cmd_id_new(int argc, char **argv)
{
	enum { O_CLASSICAL = 256, O_PQ };
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"classical", no_argument, NULL, O_CLASSICAL},
		{"pq", no_argument, NULL, O_PQ},
		CLI_NEWKEY_OPTIONS,
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_newkey nk = CLI_NEWKEY_INIT;
	const char *out = NULL;
	int c, json = 0, rc;
	cy_idkey *k = NULL;
	int classical = 0, pq = 0;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if ((rc = cli_newkey_option("id new", c, optarg, &nk)) != 0) {
			if (rc != 1)
				return rc;
			continue;
		}
		switch (c) {
		case 'o': out = optarg; break;
		case O_CLASSICAL: classical = 1; break;
		case O_PQ: pq = 1; break;
		case 'j': json = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("id new", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("id new", "unexpected argument '%s'",
		    argv[optind]);
	if (classical && pq)
		return cli_usage_error("id new", "--classical and --pq exclude "
		    "each other");
	nk.pq = !classical;
	if ((rc = cli_check_path("id new", "-o", out)) != CLI_OK)
		return rc;
	if (out == NULL && keyring_key(&out) != CLI_OK)
		return CLI_FAIL;
	if (cli_idkey_create(out, &nk, &k) != CLI_OK)
		return CLI_FAIL;
	rc = print_public(out, k, json, out == cli_keyring_path(CLI_KR_KEY));
	cy_idkey_free(k);
	return rc;
}
