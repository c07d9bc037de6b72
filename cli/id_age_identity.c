/* coyeu id age-identity: the officer's sealing keys as an age identity
 * file, so stock age opens what was sealed to the officer: the X25519 key
 * (age1…) and the post-quantum hybrid key (age1pq1…, age ≥ 1.3). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "coyeu/age.h"
#include "coyeu/idkey.h"
#include "coyeu/secret.h"
#include "keyring.h"

static const char usage[] =
    "usage: coyeu id age-identity [-k KEY] [-o FILE] [--pq | --classical]\n"
    "                             [--passphrase-file F]\n"
    "\n"
    "Writes the officer's sealing keys as an age identity file (0600, never\n"
    "overwriting), so age -d -i FILE opens the parts of documents sealed to\n"
    "the officer: the X25519 key (AGE-SECRET-KEY-1…) and, when the key has\n"
    "one, the post-quantum hybrid key (AGE-SECRET-KEY-PQ-1…, which age 1.3\n"
    "and later and typage open).  Without -o, writes to standard output.\n"
    "Without -k, the keyring's key (docs/keyring.md).  Debian 12's age\n"
    "(1.1) refuses a file holding the post-quantum line: give it\n"
    "--classical.\n"
    "\n"
    "      --pq         only the post-quantum key\n"
    "      --classical  only the X25519 key\n";

/* One part of the key: the identity made from it (for its public key)
 * and the export of its secret. */
struct part {
	int (*from_key)(const cy_key *, cy_identity **, cy_error *);
	int (*export)(const cy_idkey *, char *, cy_error *);
};
static const struct part x25519_part = {
	cy_identity_from_key, cy_idkey_export_age_identity
};
static const struct part pq_part = {
	cy_identity_from_key_pq, cy_idkey_export_age_identity_pq
};

/* The one place where an officer's secrets leave its key, deliberately:
 * cy_idkey_export_age_identity(_pq), into guarded memory. */
static int
export_identities(const cy_idkey *k, const struct part *const *parts,
    size_t n, const char *comment, const char *out, cy_error *err)
{
	char pub[2][CY_RECIPIENT_STR_MAX], *sec[2] = {NULL, NULL};
	const char *pubs[2] = {pub[0], pub[1]}, *secs[2];
	cy_identity *id = NULL;
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		if ((sec[i] = cy_secret_alloc(CY_IDENTITY_STR_MAX)) == NULL) {
			r = cy_error_set(err, CY_E_NOMEM, "out of memory");
			break;
		}
		secs[i] = sec[i];
		if ((r = parts[i]->from_key(k, &id, err)) == 0 &&
		    (r = cy_identity_recipient_string(id, pub[i], err)) == 0)
			r = parts[i]->export(k, sec[i], err);
		cy_identity_free(id);
		id = NULL;
	}
	if (r == 0)
		r = cli_write_identities_text(pubs, secs, n, comment, out, err);
	for (i = 0; i < n; i++)
		cy_secret_free(sec[i]);
	return r;
}

int
cmd_id_age_identity(int argc, char **argv)
{
	enum { O_PQ = 256, O_CLASSICAL };
	static const struct option opts[] = {
		{"key", required_argument, NULL, 'k'},
		{"output", required_argument, NULL, 'o'},
		{"pq", no_argument, NULL, O_PQ},
		{"classical", no_argument, NULL, O_CLASSICAL},
		{"passphrase-file", required_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const struct part *parts[2];
	char comment[512];
	const char *key = NULL, *out = NULL, *pass = NULL;
	cy_idkey *k = NULL;
	cy_error err = {0, ""};
	int c, pq = 0, classical = 0, rc = CLI_FAIL;
	size_t n = 0;

	while ((c = getopt_long(argc, argv, "k:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'o': out = optarg; break;
		case 'P': pass = optarg; break;
		case O_PQ: pq = 1; break;
		case O_CLASSICAL: classical = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error("id age-identity", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("id age-identity", "unexpected argument "
		    "'%s'", argv[optind]);
	if (pq && classical)
		return cli_usage_error("id age-identity", "--pq and --classical "
		    "exclude each other");
	if ((c = cli_check_path("id age-identity", "-o", out)) != CLI_OK)
		return c;
	if ((c = cli_keyring_default("id age-identity", CLI_KR_KEY, &key)) !=
	    CLI_OK)
		return c;
	if (cli_idkey_load(key, pass, &k) != CLI_OK)
		return CLI_FAIL;
	if (pq && cy_idkey_pq_public(k) == NULL) {
		cli_warn("id age-identity: %s has no post-quantum key: add one "
		    "with coyeu id add-pq", key);
		goto out;
	}
	if (!pq)
		parts[n++] = &x25519_part;
	if (!classical && cy_idkey_pq_public(k) != NULL)
		parts[n++] = &pq_part;
	snprintf(comment, sizeof(comment), "coyeu officer sealing key%s from %s",
	    n > 1 ? "s" : "", key);
	if (export_identities(k, parts, n, comment, out, &err) == 0) {
		rc = CLI_OK;
		if (n > 1)
			cli_warn("note: id age-identity: wrote both keys; age before "
			    "1.3 (Debian 12's 1.1) refuses the post-quantum line: "
			    "use --classical for it");
	} else
		cli_fail(&err, "id age-identity");
out:
	cy_idkey_free(k);
	return rc;
}
