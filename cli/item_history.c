/* coyeu item history: every entry of an item's life with its index; with
 * --verify, each one's signature, its item, the second officer's
 * confirmations, and its inclusion under a checkpoint the pinned key
 * signed — from the receipts alone. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/encoding.h"
#include "coyeu/entry.h"
#include "coyeu/inventory.h"
#include "coyeu/tlogproof.h"

#include "cli.h"
#include "item.h"

static const char usage[] =
    "usage: coyeu item history ITEM [--verify] [--json | --csv]\n"
    "                          [-k KEY] [-c CHAIN] [--passphrase-file F]\n"
    "                          [--registry URL] [--cacert FILE]\n"
    "\n"
    "Prints the item's item.add, item.change and item.confirm entries in\n"
    "register order, each with its index.  With --verify, checks every\n"
    "one: its signature, that it is this item's, and its receipt (the one\n"
    "the history carries, else GET /v1/log/proof?index=N) against the\n"
    "verifier key pinned for the registry; then replays them through the\n"
    "transition table (the library's, as the registry does) and checks\n"
    "they make the item the registry shows.  Exit 1 at the first that\n"
    "fails, naming it.\n"
    "\n"
    "      --verify             prove every entry\n"
    "      --json               the registry's answer as JSON (with\n"
    "                           \"verified\": true after --verify)\n"
    "      --csv                CSV: index, time, type, action, from, to,\n"
    "                           actor, second, role, decision (the entries'\n"
    "                           own values)\n"
    CLI_XC_USAGE;

#define HISTORY_MAX 100000

int
item_history_get(struct cli_xc *x, const char *id, json_t **entries)
{
	char path[128];
	json_t *ans = NULL, *e;

	*entries = NULL;
	snprintf(path, sizeof(path), "/v1/items/%s/history", id);
	if (cli_client_get(x->cl, path, &ans) != CLI_OK)
		return CLI_FAIL;
	e = json_object_get(ans, "entries");
	if (!json_is_array(e) || json_array_size(e) > HISTORY_MAX) {
		cli_warn("the registry at %s answered without item %s's entries",
		    cli_client_url(x->cl), id);
		json_decref(ans);
		return CLI_FAIL;
	}
	*entries = json_incref(e);
	json_decref(ans);
	return CLI_OK;
}

int
item_entry_bytes(const json_t *row, uint8_t **data, size_t *len)
{
	const char *b64 = json_string_value(json_object_get(row, "entry"));
	size_t n;

	*data = NULL;
	if (b64 == NULL || (n = strlen(b64)) > 2 * CY_ENTRY_MAX ||
	    (*data = malloc(n + 1)) == NULL ||
	    cy_b64_decode(*data, len, b64, n, 1) != 0) {
		free(*data);
		*data = NULL;
		cli_warn("a history row without a base64 entry");
		return CLI_FAIL;
	}
	return CLI_OK;
}

int
item_replay(const char *id, json_t *entries, cy_item_view *view)
{
	cy_error err = {0, ""};
	json_t *row, *ji;
	uint8_t *data;
	size_t i, len;
	char what[96];
	int ok;

	memset(view, 0, sizeof(*view));
	json_array_foreach(entries, i, row) {
		ji = json_object_get(row, "index");
		if (!json_is_integer(ji) || json_integer_value(ji) < 0) {
			cli_warn("item %s: a history row without its index", id);
			return CLI_FAIL;
		}
		if (item_entry_bytes(row, &data, &len) != CLI_OK)
			return CLI_FAIL;
		ok = cy_item_apply(view, data, len, (uint64_t)
		    json_integer_value(ji), NULL, NULL, &err) == 0;
		free(data);
		if (!ok) {
			snprintf(what, sizeof(what), "entry %lld of item %s's "
			    "history", (long long)json_integer_value(ji), id);
			return cli_fail(&err, what);
		}
	}
	if (view->state == CY_ITEM_NEW) {
		cli_warn("item %s has no history", id);
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* The receipt for index: the row's, else the registry's proof now. */
static int
receipt_for(struct cli_xc *x, const json_t *row, uint64_t index,
    json_t **hold, const char **receipt)
{
	char path[96];

	*hold = NULL;
	if ((*receipt = json_string_value(json_object_get(row, "receipt"))) !=
	    NULL)
		return CLI_OK;
	snprintf(path, sizeof(path), "/v1/log/proof?index=%llu",
	    (unsigned long long)index);
	if (cli_client_get(x->cl, path, hold) != CLI_OK ||
	    (*receipt = cli_client_str(x->cl, *hold, "receipt")) == NULL)
		return CLI_FAIL;
	return CLI_OK;
}

/* One entry proved: signed, this item's, included under a checkpoint of
 * the pinned key (item_replay then checks they make one life). */
static int
verify_row(struct cli_xc *x, const char *id, const json_t *row,
    const uint8_t *data, size_t len, const cy_entry *e)
{
	const char *type = cy_entry_type(e), *v, *receipt;
	json_t *ji = json_object_get(row, "index"), *hold = NULL;
	cy_error err = {0, ""};
	uint64_t index;
	int rv = CLI_FAIL;

	if (!json_is_integer(ji) || json_integer_value(ji) < 0) {
		cli_warn("item %s: a history row without its index", id);
		return CLI_FAIL;
	}
	index = (uint64_t)json_integer_value(ji);
	if (cy_entry_verify(data, len, &err) != 0) {
		char what[96];

		snprintf(what, sizeof(what), "entry %llu does not verify",
		    (unsigned long long)index);
		return cli_fail(&err, what);
	}
	if ((v = cy_entry_get(e, "item-id")) == NULL || strcmp(v, id) != 0) {
		cli_warn("entry %llu (%s) is not item %s's", (unsigned long long)
		    index, type, id);
		return CLI_FAIL;
	}
	if (receipt_for(x, row, index, &hold, &receipt) == CLI_OK &&
	    strlen(receipt) <= CY_TLOGPROOF_MAX)
		rv = cli_receipt_check(x->v, index, receipt, data, len);
	json_decref(hold);
	return rv;
}

static const struct {
	const char *vi, *en;
} heads[] = {
	{"Mục sổ", "Entry"}, {"Thời gian", "Time"}, {"Loại mục", "Kind"},
	{"Hành động", "Action"}, {"Từ", "From"}, {"Đến", "To"},
	{"Người thực hiện", "Actor"}, {"Người thứ hai", "Second"},
};
#define NHEADS (sizeof(heads) / sizeof(heads[0]))

/* A row's cells from its entry. */
static void
row_cells(const json_t *row, const cy_entry *e, int en, char **cells)
{
	const char *type = cy_entry_type(e), *v, *role;
	char buf[256];
	size_t c;

	snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(
	    json_object_get(row, "index")));
	cells[0] = strdup(buf);
	v = cy_entry_get(e, "time");
	cells[1] = strdup(v ? v : "—");
	cells[2] = strdup(type);
	if (strcmp(type, "item.add") == 0) {
		cells[3] = strdup(item_action_text(CY_ITEM_ADD, en));
		cells[4] = strdup("—");
		cells[5] = strdup(item_state_text("received", en));
	} else if (strcmp(type, "item.confirm") == 0) {
		v = cy_entry_get(e, "decision");
		role = cy_entry_get(e, "role");
		snprintf(buf, sizeof(buf), "%s: %s", item_action_text(v != NULL &&
		    strcmp(v, "accepted") == 0 ? CY_ITEM_ACCEPT : CY_ITEM_DECLINE,
		    en), role == NULL ? "?" : en ? role : strcmp(role, "taker") ==
		    0 ? "bên nhận" : "người chứng kiến");
		cells[3] = strdup(buf);
		cells[4] = strdup("—");
		cells[5] = strdup("—");
	} else {
		cells[3] = strdup(item_action_text(cy_entry_get(e, "action"),
		    en));
		cells[4] = strdup(item_state_text(cy_entry_get(e, "from"), en));
		cells[5] = strdup(item_state_text(cy_entry_get(e, "to"), en));
	}
	v = cy_entry_get(e, "actor");
	cells[6] = strdup(v ? v : "?");
	v = cy_entry_get(e, "second");
	cells[7] = strdup(v ? v : "—");
	for (c = 0; c < NHEADS; c++)
		if (cells[c] != NULL && !cli_client_printable(cells[c]))
			cells[c][0] = '?', cells[c][1] = '\0';
}

/* A CSV row: the entry's own values (with the heading row first). */
static void
csv_row(const json_t *row, const cy_entry *e, int first)
{
	static const char *const cols[] = {"time", "type", "action", "from",
	    "to", "actor", "second", "role", "decision"};
	const char *v;
	size_t c;

	if (first) {
		printf("index");
		for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
			printf(",%s", cols[c]);
		printf("\r\n");
	}
	printf("%lld", (long long)json_integer_value(json_object_get(row,
	    "index")));
	for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
		v = strcmp(cols[c], "type") == 0 ? cy_entry_type(e) :
		    cy_entry_get(e, cols[c]);
		putchar(',');
		cli_xc_csv_field(v != NULL && cli_client_printable(v) ? v : "");
	}
	printf("\r\n");
}

int
cmd_item_history(int argc, char **argv)
{
	static const struct option opts[] = {
		{"verify", no_argument, NULL, 'v'},
		{"json", no_argument, NULL, 'J'},
		{"csv", no_argument, NULL, 'V'},
		CLI_XC_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char cmd[] = "item history";
	struct cli_xc_opts xo = {NULL, NULL, NULL, NULL, NULL};
	struct cli_xc x;
	char id[ITEM_ID_LEN + 1];
	const char *h[NHEADS];
	char **cells = NULL;
	json_t *view = NULL, *entries = NULL, *row, *out;
	uint8_t *data = NULL;
	size_t i, c, len, n = 0;
	cy_entry *e = NULL;
	cy_error err = {0, ""};
	cy_item_view replayed;
	const char *state;
	int ch, rv, verify = 0, json = 0, csv = 0, en = cli_xc_english();

	memset(&x, 0, sizeof(x));
	while ((ch = getopt_long(argc, argv, "k:c:h", opts, NULL)) != -1) {
		if (cli_xc_opt(&xo, ch, optarg))
			continue;
		switch (ch) {
		case 'v': verify = 1; break;
		case 'J': json = 1; break;
		case 'V': csv = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error(cmd, "invalid option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(cmd, optind == argc ? "which item? give its "
		    "id or TYPE:SERIAL" : "unexpected argument '%s'",
		    argv[optind + 1]);
	if (json && csv)
		return cli_conflict(cmd, "--json", "--csv", "one output format");
	if ((rv = cli_xc_open(cmd, &xo, &x)) != CLI_OK ||
	    (rv = item_fetch(&x, cmd, argv[optind], &view, id)) != CLI_OK ||
	    (rv = item_history_get(&x, id, &entries)) != CLI_OK)
		goto out;
	rv = CLI_FAIL;
	n = json_array_size(entries);
	if ((cells = calloc(n * NHEADS + 1, sizeof(*cells))) == NULL) {
		cli_warn("out of memory");
		goto out;
	}
	json_array_foreach(entries, i, row) {
		free(data);
		cy_entry_free(e);
		e = NULL;
		if (item_entry_bytes(row, &data, &len) != CLI_OK)
			goto out;
		if (cy_entry_parse(data, len, &e, &err) != 0) {
			cli_fail(&err, "an entry of the item's history");
			goto out;
		}
		if (verify && (verify_row(&x, id, row, data, len, e) !=
		    CLI_OK || (i == 0 && strcmp(cy_entry_type(e), "item.add") !=
		    0))) {
			if (i == 0 && strcmp(cy_entry_type(e), "item.add") != 0)
				cli_warn("item %s's history does not start with "
				    "its item.add", id);
			goto out;
		}
		row_cells(row, e, en, cells + i * NHEADS);
		for (c = 0; c < NHEADS; c++)
			if (cells[i * NHEADS + c] == NULL) {
				cli_warn("out of memory");
				goto out;
			}
	}
	/* The registry's view must be what the entries make of the item. */
	if (verify) {
		if (item_replay(id, entries, &replayed) != CLI_OK)
			goto out;
		state = json_string_value(json_object_get(view, "state"));
		if (state == NULL || strcmp(state, cy_item_state_name(
		    replayed.state)) != 0) {
			cli_warn("item %s: the registry shows it %s, but its "
			    "entries make it %s", id, state ? state : "?",
			    cy_item_state_name(replayed.state));
			goto out;
		}
	}
	if (json) {
		out = json_pack("{s:s,s:O,s:b}", "item", id, "entries", entries,
		    "verified", verify);
		json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(out);
	} else if (csv) {
		json_array_foreach(entries, i, row) {
			free(data);
			cy_entry_free(e);
			e = NULL;
			if (item_entry_bytes(row, &data, &len) != CLI_OK ||
			    cy_entry_parse(data, len, &e, &err) != 0)
				goto out;
			csv_row(row, e, i == 0);
		}
	} else {
		for (c = 0; c < NHEADS; c++)
			h[c] = en ? heads[c].en : heads[c].vi;
		printf(en ? "History of item %s (%s %s)\n" :
		    "Lịch sử mục %s (%s %s)\n", id, item_type_text(
		    json_string_value(json_object_get(view, "type")), en),
		    cli_xc_safe(view, "serial"));
		cli_xc_table(h, NHEADS, cells, n);
	}
	if (verify && json)
		fprintf(stderr, "verified: %zu entries\n", n);
	else if (verify)
		printf(en ? "verified: %zu entries, each signed, this item's, "
		    "and included in the register under a checkpoint signed by "
		    "the pinned key; replayed, they make it %s\n" : "đã kiểm tra: %zu mục sổ, mỗi mục đều "
		    "được ký, thuộc thiết bị này và có trong sổ theo điểm kiểm "
		    "tra được ký bằng khóa đã ghim; trạng thái: %s\n", n,
		    item_state_text(cy_item_state_name(replayed.state), en));
	rv = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
out:
	if (cells != NULL)
		for (i = 0; i < n * NHEADS; i++)
			free(cells[i]);
	free(cells);
	cy_entry_free(e);
	free(data);
	json_decref(entries);
	json_decref(view);
	cli_xc_close(&x);
	return rv;
}
