/* Look-alike text (docs/canonical-text.md): refused characters in what
 * people type, and words that mix scripts, refused when a record is made
 * and flagged when one is shown. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "coyeu/canon.h"
#include "coyeu/cert.h"

#define MIXED_HINT "if it is really spelled so, give --allow-mixed-script"

int
cli_text_option(const char *opt, const char *value, int allow_mixed)
{
	cy_error err = {0, ""};
	size_t len = strlen(value);

	if (cy_canon_check_value(value, len, opt, &err) != 0) {
		cli_warn("%s", err.msg);
		return CLI_USAGE;
	}
	if (!allow_mixed && cy_canon_check_scripts(value, len, opt, &err) != 0) {
		cli_warn("%s; %s", err.msg, MIXED_HINT);
		return CLI_USAGE;
	}
	return CLI_OK;
}

int
cli_text_refuse_mixed(const char *what, const char *value, int allow_mixed)
{
	cy_error err = {0, ""};

	if (allow_mixed ||
	    cy_canon_check_scripts(value, strlen(value), what, &err) == 0)
		return CLI_OK;
	cli_warn("%s; %s", err.msg, MIXED_HINT);
	return CLI_FAIL;
}

void
cli_text_warn_mixed(const char *what, const char *value)
{
	cy_error err = {0, ""};

	if (cy_canon_check_scripts(value, strlen(value), what, &err) != 0)
		cli_warn("warning: %s: compare it with the name you expect",
		    err.msg);
}

void
cli_chain_warn_mixed(const cy_chain *chain)
{
	const cy_cert *c;
	char what[128];
	size_t i;

	for (i = 0; i < cy_chain_len(chain); i++) {
		c = cy_chain_get(chain, i);
		snprintf(what, sizeof(what), "certificate %zu (serial %s): name",
		    i + 1, cy_cert_serial(c));
		cli_text_warn_mixed(what, cy_cert_name(c));
	}
}
