#include <stdio.h>
#include <string.h>

#include "authority.h"
#include "cli.h"
#include "coyeu/crl.h"
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
cli_trust_load(struct cli_trust *t)
{
	if (cli_load_cert(t->root_path, &t->root) != CLI_OK)
		return CLI_FAIL;
	for (; t->ncrls < t->ncrl_paths; t->ncrls++)
		if (cli_load_crl(t->crl_paths[t->ncrls], &t->crls[t->ncrls]) !=
		    CLI_OK)
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

void
cli_trust_revocation_note(const struct cli_trust *t, const cy_cert *cert,
    int64_t at, char note[CLI_NOTE_MAX])
{
	char when[CY_CANON_TIME_LEN + 1], made[CY_CANON_TIME_LEN + 1];
	const char *reason;
	int64_t since;
	size_t i;

	note[0] = '\0';
	for (i = 0; i < t->ncrls; i++) {
		if (!cy_crl_lookup(t->crls[i], cy_cert_serial(cert), &reason,
		    &since) || at >= since)
			continue;
		snprintf(note, CLI_NOTE_MAX, "note: %s's certificate is revoked "
		    "since %s (%s); this document says it was sealed before, "
		    "on %s", cy_cert_name(cert), cli_time_text(since, when),
		    reason, cli_time_text(at, made));
		return;
	}
}
