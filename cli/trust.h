/* The pinned root and revocation lists given with --trust and --crl. */
#ifndef COYEU_CLI_TRUST_H
#define COYEU_CLI_TRUST_H

#include "coyeu/document.h"

#define CLI_MAX_CRLS 64

struct cli_trust {
	const char *root_path;
	const char *crl_paths[CLI_MAX_CRLS];
	size_t ncrl_paths;
	cy_cert *root;
	cy_crl *crls[CLI_MAX_CRLS];
	size_t ncrls;
	cy_trust trust;
};

/* Remembers a --crl path; a usage error (CLI_USAGE) past the cap. */
int cli_trust_add_crl(struct cli_trust *t, const char *cmd, const char *path);
/* Loads the root and every list (printing what failed); CLI_OK or CLI_FAIL. */
int cli_trust_load(struct cli_trust *t);
void cli_trust_free(struct cli_trust *t);

#define CLI_NOTE_MAX 256
/* When a loaded list revokes cert from a time after `at` (a reason that
 * leaves earlier signatures standing), writes a line saying so into note;
 * otherwise leaves note empty. */
void cli_trust_revocation_note(const struct cli_trust *t, const cy_cert *cert,
    int64_t at, char note[CLI_NOTE_MAX]);

#endif
