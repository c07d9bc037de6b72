/* coyeu item transition ITEM ACTION and coyeu item accept ITEM: an
 * item.change entry signed by whoever acts, and the second officer's
 * item.confirm (docs/inventory.md, the transition table). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/cert.h"
#include "coyeu/crl.h"
#include "coyeu/inventory.h"

#include "cli.h"
#include "item.h"

static const char usage[] =
    "usage: coyeu item transition ITEM ACTION [--to-unit U] [--custodian C]\n"
    "                             [--witness SERIAL | --taker SERIAL]\n"
    "                             [--reason TEXT]\n"
    "                             [-k KEY] [-c CHAIN] [--passphrase-file F]\n"
    "                             [--registry URL] [--cacert FILE]\n"
    "\n"
    "Moves the item along the transition table with an item.change entry\n"
    "signed by you; the registry checks the table's rule (who may act, the\n"
    "unit, the clearance) before it appends it.  ACTION is one of:\n"
    "  stock         received → in-stock, with --witness (acceptance check)\n"
    "  issue         in-stock → in-service, to --custodian C\n"
    "  return        in-service → in-stock\n"
    "  maintain      in-service → maintenance\n"
    "  restore       maintenance → in-service\n"
    "  transfer      in-stock, in-service → transferred, to --to-unit U\n"
    "                and/or --custodian C; the taker (--taker, default C)\n"
    "                accepts with 'coyeu item accept'\n"
    "  decommission  in-stock, in-service, maintenance → decommissioned\n"
    "  destroy       decommissioned → destroyed, with --witness; final\n"
    "  lose          any live state → lost\n"
    "  compromise    any live state → compromised\n"
    "  find          lost → in-stock (--reason: where, how)\n"
    "A change with a witness or a taker waits for their confirmation.  When\n"
    "a lost or compromised item held keys (--holds-certs), the registry\n"
    "refuses their certificates at once and says which; run by an\n"
    "authority, this command also makes its revocation list (reason\n"
    "key-compromise) and sends it with the change, which the registry\n"
    "accepts first; run by an officer, it names the command an authority\n"
    "must run: coyeu item revoke-keys ITEM.\n"
    "\n"
    "      --to-unit U          transfer: the unit that takes it\n"
    "      --custodian C        issue, transfer: the officer (serial)\n"
    "      --witness SERIAL     stock, destroy: the witnessing officer\n"
    "      --taker SERIAL       transfer: the officer of U who accepts\n"
    "      --reason TEXT        why (into the register)\n"
    CLI_XC_USAGE;

static const char accept_usage[] =
    "usage: coyeu item accept ITEM [--decline]\n"
    "                         [-k KEY] [-c CHAIN] [--passphrase-file F]\n"
    "                         [--registry URL] [--cacert FILE]\n"
    "\n"
    "As the taker of a transfer or the witness of a stock or destroy that\n"
    "names you, confirms it with an item.confirm entry (its change-sha256\n"
    "the hash of the pending item.change entry, read from the item's\n"
    "history and checked to name you); only then does the change take\n"
    "effect.  --decline refuses it: a transfer goes back to the giver's\n"
    "state, a witnessed action does not happen.\n"
    "\n"
    "      --decline            refuse instead of accepting\n"
    CLI_XC_USAGE;

/* The actions a change may name: the table's, but add (item add) and
 * the second officer's answers (item accept). */
static const cy_item_rule *
change_rule(const char *action)
{
	const cy_item_rule *r = cy_item_rule_find(action);

	if (r == NULL || strcmp(action, CY_ITEM_ADD) == 0 ||
	    (r->needs & CY_ITEM_NEEDS_PENDING))
		return NULL;
	return r;
}

static void
action_names(char *out, size_t cap)
{
	const cy_item_rule *rules;
	size_t i, n, len = 0;

	out[0] = '\0';
	rules = cy_item_rules(&n);
	for (i = 0; i < n && len < cap; i++)
		if (change_rule(rules[i].action) != NULL)
			len += (size_t)snprintf(out + len, cap - len, "%s%s",
			    len ? ", " : "", rules[i].action);
}

enum { OPT_TO_UNIT = 1000, OPT_CUSTODIAN, OPT_WITNESS, OPT_TAKER, OPT_REASON,
    OPT_DECLINE };

static int
serial_opt(const char *opt, const char *v)
{
	if (v == NULL || cy_serial_valid(v, strlen(v)))
		return CLI_OK;
	return cli_usage_error("item transition", "%s: a certificate serial "
	    "(32 lowercase hex digits)", opt);
}

/* The serials a lost or compromised item's keys were: the answer's
 * "revoked", else the view's holds_certs. */
static json_t *
revoked_of(json_t *ans, json_t *view)
{
	json_t *r = json_object_get(ans, "revoked");

	return json_is_array(r) ? json_incref(r) : item_holds_certs(view);
}

static void
report_revoked(json_t *revoked, int en)
{
	size_t i;
	json_t *s;

	printf(en ? "the registry refuses, as revoked, the certificates whose "
	    "keys it held:" : "hệ thống từ chối (coi như đã thu hồi) các "
	    "chứng thư có khóa trong thiết bị:");
	json_array_foreach(revoked, i, s)
		printf("%s %s", i ? "," : "", json_is_string(s) &&
		    cli_client_printable(json_string_value(s)) ?
		    json_string_value(s) : "?");
	printf("\n");
}

int
cmd_item_transition(int argc, char **argv)
{
	static const struct option opts[] = {
		{"to-unit", required_argument, NULL, OPT_TO_UNIT},
		{"custodian", required_argument, NULL, OPT_CUSTODIAN},
		{"witness", required_argument, NULL, OPT_WITNESS},
		{"taker", required_argument, NULL, OPT_TAKER},
		{"reason", required_argument, NULL, OPT_REASON},
		CLI_XC_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char cmd[] = "item transition";
	struct cli_xc_opts xo = {NULL, NULL, NULL, NULL, NULL};
	struct cli_xc x;
	const char *to_unit = NULL, *custodian = NULL, *witness = NULL;
	const char *taker = NULL, *reason = NULL, *second = NULL, *from, *state;
	cy_entry_field f[ITEM_FIELDS_MAX];
	char id[ITEM_ID_LEN + 1], path[128];
	json_t *view = NULL, *ans = NULL, *revoked = NULL, *now;
	json_t *held = NULL, *extra = NULL;
	cy_crl *crl = NULL;
	int lost, authority;
	uint64_t index;
	const cy_item_rule *rule;
	char names[256];
	size_t n = 0;
	int c, rv, en = cli_xc_english();

	memset(&x, 0, sizeof(x));
	while ((c = getopt_long(argc, argv, "k:c:h", opts, NULL)) != -1) {
		if (cli_xc_opt(&xo, c, optarg))
			continue;
		switch (c) {
		case OPT_TO_UNIT: to_unit = optarg; break;
		case OPT_CUSTODIAN: custodian = optarg; break;
		case OPT_WITNESS: witness = optarg; break;
		case OPT_TAKER: taker = optarg; break;
		case OPT_REASON: reason = optarg; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error(cmd, "invalid option");
		}
	}
	if (optind + 2 != argc)
		return cli_usage_error(cmd, optind + 2 > argc ? "give ITEM and "
		    "ACTION" : "unexpected argument '%s'", argv[optind + 2]);
	if ((rule = change_rule(argv[optind + 1])) == NULL) {
		action_names(names, sizeof(names));
		return cli_usage_error(cmd, "no action '%.64s': %s%s",
		    argv[optind + 1], names, strcmp(argv[optind + 1], "accept")
		    == 0 || strcmp(argv[optind + 1], "decline") == 0 ?
		    " (the second officer runs coyeu item accept)" : "");
	}
	if ((rv = serial_opt("--custodian", custodian)) != CLI_OK ||
	    (rv = serial_opt("--witness", witness)) != CLI_OK ||
	    (rv = serial_opt("--taker", taker)) != CLI_OK)
		return rv;
	if (to_unit && !cy_unit_valid(to_unit, strlen(to_unit)))
		return cli_usage_error(cmd, "--to-unit: '%.64s' is not a unit "
		    "path", to_unit);
	if (reason && cli_text_option("--reason", reason, 1) != CLI_OK)
		return CLI_USAGE;
	if (witness && rule->second != CY_ITEM_SECOND_WITNESS)
		return cli_usage_error(cmd, "--witness: %s has no witness",
		    rule->action);
	if ((taker || to_unit) && rule->second != CY_ITEM_SECOND_TAKER)
		return cli_usage_error(cmd, "%s: only a transfer has one",
		    taker ? "--taker" : "--to-unit");
	if (custodian && !(rule->needs & (CY_ITEM_NEEDS_CUSTODIAN |
	    CY_ITEM_NEEDS_TARGET)))
		return cli_usage_error(cmd, "--custodian: %s names none",
		    rule->action);
	if (rule->second == CY_ITEM_SECOND_WITNESS && witness == NULL)
		return cli_usage_error(cmd, "%s needs a witness: --witness SERIAL "
		    "(another officer of the unit, who confirms with coyeu item "
		    "accept)", rule->action);
	if ((rule->needs & CY_ITEM_NEEDS_CUSTODIAN) && custodian == NULL)
		return cli_usage_error(cmd, "%s names the custodian: --custodian "
		    "SERIAL", rule->action);
	if ((rule->needs & CY_ITEM_NEEDS_REASON) && reason == NULL)
		return cli_usage_error(cmd, "%s records where and how: --reason "
		    "TEXT", rule->action);
	if (rule->second == CY_ITEM_SECOND_TAKER) {
		if (to_unit == NULL && custodian == NULL)
			return cli_usage_error(cmd, "transfer to whom: --to-unit U "
			    "and/or --custodian C");
		if ((taker = taker ? taker : custodian) == NULL)
			return cli_usage_error(cmd, "transfer needs the taker's "
			    "acceptance: --taker SERIAL (an officer of %s)",
			    to_unit);
	}
	second = witness ? witness : taker;
	if ((rv = cli_xc_open(cmd, &xo, &x)) != CLI_OK ||
	    (rv = item_fetch(&x, cmd, argv[optind], &view, id)) != CLI_OK)
		goto out;
	rv = CLI_FAIL;
	from = json_string_value(json_object_get(view, "state"));
	f[n++] = (cy_entry_field){"item-id", id};
	f[n++] = (cy_entry_field){"action", rule->action};
	f[n++] = (cy_entry_field){"from", from};
	f[n++] = (cy_entry_field){"to", cy_item_state_name(rule->to)};
	if (to_unit)
		f[n++] = (cy_entry_field){"unit", to_unit};
	if (custodian)
		f[n++] = (cy_entry_field){"custodian", custodian};
	if (reason)
		f[n++] = (cy_entry_field){"reason", reason};
	if (second) {
		f[n++] = (cy_entry_field){"second", second};
		f[n++] = (cy_entry_field){"pending", "yes"};
	}
	/* An authority losing an item that held keys publishes the list in
	 * the same request: the registry accepts it before the change. */
	lost = strcmp(rule->action, CY_ITEM_LOSE) == 0 ||
	    strcmp(rule->action, CY_ITEM_COMPROMISE) == 0;
	authority = cy_cert_role(cy_chain_get(x.chain, 0)) == CY_ROLE_AUTHORITY;
	if (lost && authority) {
		held = item_holds_certs(view);
		if (json_array_size(held) > 0 &&
		    item_crl_make(&x, id, held, &crl) != CLI_OK)
			goto out;
		if (crl != NULL && (extra = json_pack("{s:o}", "crl",
		    item_crl_json(crl))) == NULL) {
			cli_warn("out of memory");
			goto out;
		}
	}
	snprintf(path, sizeof(path), "/v1/items/%s/changes", id);
	if (item_post_entry(&x, path, "item.change", f, n, extra, &ans, &index,
	    NULL) != CLI_OK)
		goto out;
	now = item_view_of(ans);
	state = json_string_value(json_object_get(now, "state"));
	printf(en ? "item %s (%s %s): %s: %s → %s; entry %llu\n" :
	    "mục %s (%s %s): %s: %s → %s; mục sổ %llu\n", id,
	    item_type_text(json_string_value(json_object_get(view, "type")), en),
	    cli_xc_safe(view, "serial"), item_action_text(rule->action, en),
	    item_state_text(from, en), item_state_text(state && second == NULL ?
	    state : cy_item_state_name(rule->to), en), (unsigned long long)index);
	if (second)
		printf(en ? "waits for the %s (serial %s): coyeu item accept %s\n" :
		    "chờ %s (serial %s) xác nhận: coyeu item accept %s\n",
		    witness ? (en ? "witness" : "người chứng kiến") :
		    (en ? "taker" : "bên nhận"), second, id);
	if (lost && json_array_size(revoked = revoked_of(ans, view)) > 0) {
		report_revoked(revoked, en);
		if (crl != NULL)
			item_crl_report(&x, crl, json_object_get(ans, "crl"));
		else if (!authority)
			printf(en ? "an authority over unit %s must publish the "
			    "revocation list: coyeu item revoke-keys %s\n" :
			    "cơ quan có thẩm quyền của đơn vị %s phải công bố "
			    "danh sách thu hồi: coyeu item revoke-keys %s\n",
			    cli_xc_safe(view, "unit"), id);
	}
	rv = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
out:
	cy_crl_free(crl);
	json_decref(held);
	json_decref(extra);
	json_decref(revoked);
	json_decref(view);
	json_decref(ans);
	cli_xc_close(&x);
	return rv;
}

/* The change waiting for a second officer, as the item's history makes
 * it: its action, its entry's SHA-256 and who it names. */
static int
pending_change(struct cli_xc *x, const char *id, cy_item_view *v)
{
	json_t *entries = NULL;
	int rv;

	if ((rv = item_history_get(x, id, &entries)) == CLI_OK &&
	    (rv = item_replay(id, entries, v)) == CLI_OK &&
	    v->pending[0] == '\0') {
		cli_warn("item %s: nothing waits for a second officer", id);
		rv = CLI_FAIL;
	}
	json_decref(entries);
	return rv;
}

int
cmd_item_accept(int argc, char **argv)
{
	static const struct option opts[] = {
		{"decline", no_argument, NULL, OPT_DECLINE},
		CLI_XC_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char cmd[] = "item accept";
	struct cli_xc_opts xo = {NULL, NULL, NULL, NULL, NULL};
	struct cli_xc x;
	cy_entry_field f[4];
	char id[ITEM_ID_LEN + 1], path[128];
	cy_item_view pv;
	json_t *view = NULL, *ans = NULL;
	const char *role;
	uint64_t index;
	int c, rv, decline = 0, en = cli_xc_english();

	memset(&x, 0, sizeof(x));
	while ((c = getopt_long(argc, argv, "k:c:h", opts, NULL)) != -1) {
		if (cli_xc_opt(&xo, c, optarg))
			continue;
		switch (c) {
		case OPT_DECLINE: decline = 1; break;
		case 'h': fputs(accept_usage, stdout); return CLI_OK;
		default: return cli_usage_error(cmd, "invalid option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(cmd, optind == argc ? "which item? give its "
		    "id or TYPE:SERIAL" : "unexpected argument '%s'",
		    argv[optind + 1]);
	if ((rv = cli_xc_open(cmd, &xo, &x)) != CLI_OK ||
	    (rv = item_fetch(&x, cmd, argv[optind], &view, id)) != CLI_OK ||
	    (rv = pending_change(&x, id, &pv)) != CLI_OK)
		goto out;
	rv = CLI_FAIL;
	/* A change naming its second officer waits for that one only. */
	if (pv.pending_second[0] != '\0' && strcmp(pv.pending_second,
	    x.serial) != 0) {
		cli_warn("item %s: the pending %s names %s as its second officer, "
		    "not you (%s)", id, pv.pending, pv.pending_second, x.serial);
		goto out;
	}
	role = strcmp(pv.pending, CY_ITEM_TRANSFER) == 0 ? "taker" : "witness";
	f[0] = (cy_entry_field){"item-id", id};
	f[1] = (cy_entry_field){"change-sha256", pv.pending_sha256};
	f[2] = (cy_entry_field){"role", role};
	f[3] = (cy_entry_field){"decision", decline ? "declined" : "accepted"};
	snprintf(path, sizeof(path), "/v1/items/%s/confirm", id);
	if (item_post_entry(&x, path, "item.confirm", f, 4, NULL, &ans, &index,
	    NULL) != CLI_OK)
		goto out;
	printf(en ? "item %s (%s %s): %s the %s as its %s; now %s; entry %llu\n"
	    : "mục %s (%s %s): %s %s với vai trò %s; nay %s; mục sổ %llu\n", id,
	    item_type_text(json_string_value(json_object_get(view, "type")), en),
	    cli_xc_safe(view, "serial"), decline ? (en ? "declined" : "từ chối")
	    : (en ? "accepted" : "chấp nhận"), item_action_text(pv.pending, en),
	    en ? role :
	    strcmp(role, "taker") == 0 ? "bên nhận" : "người chứng kiến",
	    item_state_text(json_string_value(json_object_get(item_view_of(ans),
	    "state")), en), (unsigned long long)index);
	rv = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
out:
	json_decref(view);
	json_decref(ans);
	cli_xc_close(&x);
	return rv;
}
