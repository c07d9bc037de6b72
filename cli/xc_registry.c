/* What coyeu send and coyeu copy both need of the registry before they
 * seal R to it (exchange.h). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "coyeu/document.h"
#include "coyeu/encoding.h"
#include "exchange.h"

int
cli_xc_registry_chain(struct cli_xc *x, const struct cy_trust *t,
    int64_t now, cy_chain **out)
{
	const char *text;
	const cy_cert *leaf;
	cy_error err = {0, ""};
	json_t *j = NULL;
	int rc = CLI_FAIL;

	*out = NULL;
	if (cli_client_get(x->cl, "/v1/registry", &j) != CLI_OK ||
	    (text = cli_client_str(x->cl, j, "chain")) == NULL)
		goto out;
	if (cy_chain_parse((const uint8_t *)text, strlen(text), out,
	    &err) != 0) {
		cli_fail(&err, "the registry's chain");
		goto out;
	}
	if (cy_chain_verify(*out, t->root, t->crls, t->ncrls, now, NULL,
	    &err) != 0) {
		cli_fail(&err, "the registry's chain does not verify under the "
		    "pinned root");
		goto out;
	}
	leaf = cy_chain_get(*out, 0);
	if (cy_cert_role(leaf) != CY_ROLE_REGISTRY ||
	    memcmp(cy_cert_sign_public(leaf), cy_note_verifier_key(x->v),
	    CY_KEY_SIGN_PUBLIC_LEN) != 0) {
		cli_warn("the registry at %s serves the chain of %s (serial %s), "
		    "which is not a registry's certifying the pinned verifier "
		    "key: refused", cli_client_url(x->cl), cy_cert_name(leaf),
		    cy_cert_serial(leaf));
		goto out;
	}
	rc = CLI_OK;
out:
	if (rc != CLI_OK) {
		cy_chain_free(*out);
		*out = NULL;
	}
	json_decref(j);
	return rc;
}

json_t *
cli_xc_b64(const uint8_t *p, size_t len)
{
	char *b = malloc(CY_B64_PADDED_LEN(len) + 1);
	json_t *j;

	if (b == NULL)
		return NULL;
	cy_b64_encode(b, p, len, 1);
	j = json_string(b);
	free(b);
	return j;
}
