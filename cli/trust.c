#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "coyeu/crl.h"
#include "keyring.h"
#include "pki.h"
#include "trust.h"

int
cli_trust_add_crl(struct cli_trust *t, const char *cmd, const char *path)
{
	if (t->ncrl_paths == CLI_MAX_CRLS)
		return cli_usage_error(cmd, "at most %d --crl", CLI_MAX_CRLS);
	t->crl_paths[t->ncrl_paths++] = path;
	return CLI_OK;
}

int
cli_trust_defaults(struct cli_trust *t, const char *cmd, int need_root)
{
	int rc;

	if (need_root)
		rc = cli_keyring_default(cmd, CLI_KR_ROOT, &t->root_path);
	else if (t->root_path == NULL)
		rc = cli_keyring_item(CLI_KR_ROOT, &t->root_path);
	else
		rc = CLI_OK;
	if (rc != CLI_OK)
		return rc;
	/* Lists on the command line add to the keyring's: one stray --crl
	 * must not hide a revocation the keyring knows. */
	if (t->root_path != NULL && !t->no_keyring_crls) {
		if (cli_keyring_state() == CLI_KR_BROKEN)
			return CLI_FAIL;
		t->keyring_crls = cli_keyring_state() == CLI_KR_READY;
	}
	return CLI_OK;
}

static int
load_crl(void *ctx, const char *path)
{
	struct cli_trust *t = ctx;

	if (t->ncrls == CLI_MAX_CRLS) {
		cli_warn("more than %d revocation lists in %s", CLI_MAX_CRLS,
		    cli_keyring_path(CLI_KR_CRLS));
		return CLI_FAIL;
	}
	if (cli_load_crl(path, &t->crls[t->ncrls]) != CLI_OK)
		return CLI_FAIL;
	t->ncrls++;
	return CLI_OK;
}

int
cli_trust_load(struct cli_trust *t)
{
	size_t i;

	if (t->root_path != NULL && cli_load_cert(t->root_path, &t->root) !=
	    CLI_OK)
		return CLI_FAIL;
	for (i = 0; i < t->ncrl_paths; i++)
		if (load_crl(t, t->crl_paths[i]) != CLI_OK)
			return CLI_FAIL;
	if (t->keyring_crls && cli_keyring_each(CLI_KR_CRLS, CLI_KR_CRL_SUFFIX,
	    load_crl, t) != CLI_OK)
		return CLI_FAIL;
	t->trust.root = t->root;
	t->trust.crls = (const cy_crl *const *)t->crls;
	t->trust.ncrls = t->ncrls;
	return CLI_OK;
}

void
cli_trust_free(struct cli_trust *t)
{
	while (t->ncrls > 0)
		cy_crl_free(t->crls[--t->ncrls]);
	cy_cert_free(t->root);
	t->root = NULL;
}
