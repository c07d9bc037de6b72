/* The pinned root and revocation lists given with --trust and --crl, or
 * else taken from the keyring. */
#ifndef COYEU_CLI_TRUST_H
#define COYEU_CLI_TRUST_H

#include "coyeu/document.h"

#define CLI_MAX_CRLS 64

struct cli_trust {
	const char *root_path;
	const char *crl_paths[CLI_MAX_CRLS];
	size_t ncrl_paths;
	int keyring_crls; /* every list in the keyring's crl/, and --crl's */
	int no_keyring_crls; /* --no-keyring-crls: only the --crl lists */
	cy_cert *root;
	cy_crl *crls[CLI_MAX_CRLS];
	size_t ncrls;
	cy_trust trust;
};

/* Remembers a --crl path; a usage error (CLI_USAGE) past the cap. */
int cli_trust_add_crl(struct cli_trust *t, const char *cmd, const char *path);
/* Fills what the options left out from the keyring: the root (without
 * one, a usage error for cmd when need_root, else none) and the keyring's
 * lists, which --crl adds to and never replaces (unless no_keyring_crls).  CLI_OK, CLI_FAIL or CLI_USAGE (printed). */
int cli_trust_defaults(struct cli_trust *t, const char *cmd, int need_root);
/* Loads the root (if any) and every list (printing what failed); CLI_OK
 * or CLI_FAIL. */
int cli_trust_load(struct cli_trust *t);
void cli_trust_free(struct cli_trust *t);

#define CLI_NOTE_MAX 256

#endif
