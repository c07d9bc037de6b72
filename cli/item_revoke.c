/* coyeu item revoke-keys: the revocation list for the certificates whose
 * keys a lost or compromised item held, made by the authority running it
 * (its newest list at the registry, extended with reason key-compromise)
 * and posted to POST /v1/revocations, which records a cert.revoke entry
 * for each. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "coyeu/cert.h"
#include "coyeu/crl.h"
#include "coyeu/idkey.h"

#include "common/timefmt.h"
#include "cli.h"
#include "item.h"

static const char usage[] =
    "usage: coyeu item revoke-keys ITEM\n"
    "                              [-k KEY] [-c CHAIN] [--passphrase-file F]\n"
    "                              [--registry URL] [--cacert FILE]\n"
    "\n"
    "For a lost or compromised item that held keys (a token, a key pair):\n"
    "extends your newest revocation list at the registry with every\n"
    "certificate the item's keys were (reason key-compromise), signs it\n"
    "with your key (an authority's) and posts it; the registry records a\n"
    "cert.revoke entry for each.  Prints the certificates revoked.  'coyeu\n"
    "item transition ITEM lose' does it by itself when run by an\n"
    "authority; run by an officer, it says to run this.\n"
    CLI_XC_USAGE;

/* The newest list the registry holds from issuer, signature checked;
 * NULL (no error) when it holds none. */
static int
newest_list(struct cli_xc *x, const cy_cert *issuer, cy_crl **out)
{
	json_t *ans = NULL, *t;
	cy_crl *crl = NULL;
	cy_error err = {0, ""};
	size_t i;
	int rv = CLI_FAIL;

	*out = NULL;
	if (cli_client_get(x->cl, "/v1/revocations", &ans) != CLI_OK)
		return CLI_FAIL;
	json_array_foreach(json_object_get(ans, "crls"), i, t) {
		if (!json_is_string(t) || cy_crl_parse((const uint8_t *)
		    json_string_value(t), json_string_length(t), &crl, &err) != 0)
			continue;
		if (strcmp(cy_crl_issuer(crl), cy_cert_serial(issuer)) != 0 ||
		    (*out != NULL && cy_crl_sequence(*out) >=
		    cy_crl_sequence(crl))) {
			cy_crl_free(crl);
			continue;
		}
		if (cy_crl_check_signature(crl, issuer, &err) != 0) {
			cli_fail(&err, "your revocation list at the registry");
			cy_crl_free(crl);
			goto out;
		}
		cy_crl_free(*out);
		*out = crl;
	}
	rv = CLI_OK;
out:
	if (rv != CLI_OK) {
		cy_crl_free(*out);
		*out = NULL;
	}
	json_decref(ans);
	return rv;
}

int
item_crl_make(struct cli_xc *x, const char *item_id, json_t *serials,
    cy_crl **out)
{
	const cy_cert *me = cy_chain_get(x->chain, 0);
	cy_crl *list = NULL, *next;
	cy_crl_revocation add;
	cy_error err = {0, ""};
	const char *serial;
	size_t i, added = 0;
	json_t *s;
	int en = cli_xc_english();

	*out = NULL;
	if (cy_cert_role(me) != CY_ROLE_AUTHORITY) {
		cli_warn("only an authority makes revocation lists; you (%s, "
		    "serial %s) are not one: an authority over the officers' "
		    "unit must run 'coyeu item revoke-keys %s'", cy_cert_name(me),
		    x->serial, item_id);
		return CLI_FAIL;
	}
	if (newest_list(x, me, &list) != CLI_OK)
		return CLI_FAIL;
	json_array_foreach(serials, i, s) {
		serial = json_string_value(s);
		if (serial == NULL || !cy_serial_valid(serial, strlen(serial)))
			continue;
		/* Revocation is permanent: a serial already listed stays. */
		if (list != NULL && cy_crl_lookup(list, serial, NULL, NULL))
			continue;
		add = (cy_crl_revocation){serial, "key-compromise", 0};
		if (cy_crl_extend(list, me, x->key, &add, cmn_now(), &next,
		    &err) != 0) {
			cy_crl_free(list);
			return cli_fail(&err, "the revocation list");
		}
		cy_crl_free(list);
		list = next;
		added++;
	}
	if (added == 0) {
		printf(en ? "every certificate item %s held is already on your "
		    "revocation list\n" : "mọi chứng thư của mục %s đã có trong "
		    "danh sách thu hồi của bạn\n", item_id);
		cy_crl_free(list);
		return CLI_OK;
	}
	*out = list;
	return CLI_OK;
}

void
item_crl_report(struct cli_xc *x, const cy_crl *crl, json_t *ans)
{
	size_t i;
	json_t *s, *e;
	int en = cli_xc_english();

	printf(en ? "revocation list of %s, sequence %llu, posted to %s:\n" :
	    "danh sách thu hồi của %s, số %llu, đã gửi tới %s:\n",
	    cy_cert_name(cy_chain_get(x->chain, 0)),
	    (unsigned long long)cy_crl_sequence(crl), cli_client_url(x->cl));
	json_array_foreach(json_object_get(ans, "revoked"), i, s) {
		e = json_array_get(json_object_get(ans, "entries"), i);
		printf(en ? "  revoked certificate %s (key-compromise)" :
		    "  đã thu hồi chứng thư %s (lộ khóa)", json_is_string(s) &&
		    cli_client_printable(json_string_value(s)) ?
		    json_string_value(s) : "?");
		if (json_is_integer(json_object_get(e, "index")))
			printf(en ? "; entry %lld" : "; mục sổ %lld", (long long)
			    json_integer_value(json_object_get(e, "index")));
		printf("\n");
	}
}

json_t *
item_crl_json(const cy_crl *crl)
{
	size_t len;
	const uint8_t *bytes = cy_crl_bytes(crl, &len);

	return json_stringn((const char *)bytes, len);
}

int
item_revoke_certs(struct cli_xc *x, const char *item_id, json_t *serials)
{
	cy_crl *crl = NULL;
	json_t *body = NULL, *ans = NULL;
	int rv = CLI_FAIL;

	if (item_crl_make(x, item_id, serials, &crl) != CLI_OK)
		return CLI_FAIL;
	if (crl == NULL)
		return CLI_OK;
	if ((body = json_pack("{s:o}", "crl", item_crl_json(crl))) == NULL) {
		cli_warn("out of memory");
		goto out;
	}
	if (cli_client_post(x->cl, "/v1/revocations", body, &ans) != CLI_OK)
		goto out;
	item_crl_report(x, crl, ans);
	rv = CLI_OK;
out:
	json_decref(body);
	json_decref(ans);
	cy_crl_free(crl);
	return rv;
}

int
cmd_item_revoke_keys(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_XC_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char cmd[] = "item revoke-keys";
	struct cli_xc_opts xo = {NULL, NULL, NULL, NULL, NULL};
	struct cli_xc x;
	char id[ITEM_ID_LEN + 1];
	json_t *view = NULL, *serials = NULL;
	const char *state;
	int c, rv;

	memset(&x, 0, sizeof(x));
	while ((c = getopt_long(argc, argv, "k:c:h", opts, NULL)) != -1) {
		if (cli_xc_opt(&xo, c, optarg))
			continue;
		if (c == 'h') {
			fputs(usage, stdout);
			return CLI_OK;
		}
		return cli_usage_error(cmd, "invalid option");
	}
	if (optind + 1 != argc)
		return cli_usage_error(cmd, optind == argc ? "which item? give its "
		    "id or TYPE:SERIAL" : "unexpected argument '%s'",
		    argv[optind + 1]);
	if ((rv = cli_xc_open(cmd, &xo, &x)) != CLI_OK ||
	    (rv = item_fetch(&x, cmd, argv[optind], &view, id)) != CLI_OK)
		goto out;
	rv = CLI_FAIL;
	state = json_string_value(json_object_get(view, "state"));
	if (strcmp(state, "lost") != 0 && strcmp(state, "compromised") != 0) {
		cli_warn("item %s is %s: only a lost or compromised item's keys "
		    "are revoked", id, state);
		goto out;
	}
	serials = item_holds_certs(view);
	if (json_array_size(serials) == 0) {
		cli_warn("item %s held no certificate's keys", id);
		goto out;
	}
	rv = item_revoke_certs(&x, id, serials);
out:
	json_decref(serials);
	json_decref(view);
	cli_xc_close(&x);
	return rv;
}
