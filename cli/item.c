/* coyeu item: the inventory of cryptographic equipment and keys through
 * the registry (docs/inventory.md); the sub-commands are cli/item_*.c,
 * what they share is here (item.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/cert.h"
#include "coyeu/encoding.h"
#include "coyeu/inventory.h"
#include "coyeu/level.h"
#include "coyeu/tlogproof.h"

#include "cli.h"
#include "commands.h"
#include "item.h"

static const struct cli_command item_commands[] = {
	{"add", cmd_item_add, "record a newly received item (state received)"},
	{"show", cmd_item_show, "an item's current view"},
	{"list", cmd_item_list, "the items you may see, by unit, state, type, custodian"},
	{"history", cmd_item_history, "every entry of an item; --verify proves them"},
	{"transition", cmd_item_transition, "stock, issue, transfer, lose, destroy, …"},
	{"accept", cmd_item_accept, "accept (or --decline) as the taker or witness"},
	{"report", cmd_item_report, "--overdue, or --summary counts for a subtree"},
	{"revoke-keys", cmd_item_revoke_keys, "revoke the certificates a lost item held"},
	{NULL, NULL, NULL},
};

int
cmd_item(int argc, char **argv)
{
	return cli_dispatch("coyeu item", item_commands, argc, argv);
}

/* The library's tables give the words (docs/inventory.md). */
const char *
item_type_text(const char *type, int en)
{
	const cy_item_type *t = type != NULL ? cy_item_type_find(type) : NULL;

	if (type == NULL)
		return "—";
	return t == NULL ? type : en ? t->en : t->vi;
}

const char *
item_state_text(const char *state, int en)
{
	const char *label;

	if (state == NULL)
		return "—";
	label = cy_item_state_label(cy_item_state_parse(state, strlen(state)),
	    en ? "en" : "vi");
	return label != NULL ? label : state;
}

const char *
item_action_text(const char *action, int en)
{
	const cy_item_rule *r = action != NULL ? cy_item_rule_find(action) :
	    NULL;

	if (action == NULL)
		return "?";
	return r == NULL ? action : en ? r->en : r->vi;
}

void
item_cell(const json_t *view, const char *member, int en, char *out,
    size_t cap)
{
	json_t *v = json_object_get(view, member), *x;
	const char *s;
	size_t i, n;
	int level;

	out[0] = '\0';
	/* A pending change is shown by its action. */
	if (json_is_object(v) && strcmp(member, "pending") == 0)
		v = json_object_get(v, "action");
	s = json_string_value(v);
	if (json_is_integer(v) && strcmp(member, "updated") == 0)
		cli_xc_time(json_integer_value(v), out);
	else if (json_is_integer(v))
		snprintf(out, cap, "%lld", (long long)json_integer_value(v));
	else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			n = strlen(out);
			snprintf(out + n, cap - n, "%s%s", i ? ", " : "",
			    json_is_string(x) ? json_string_value(x) : "?");
		}
	} else if (s == NULL || *s == '\0')
		snprintf(out, cap, "—");
	else if (strcmp(member, "level") == 0 &&
	    (level = cy_level_parse(s, strlen(s))) > 0)
		snprintf(out, cap, "%s", cy_level_display(level));
	else if (strcmp(member, "type") == 0)
		snprintf(out, cap, "%s", item_type_text(s, en));
	else if (strcmp(member, "state") == 0)
		snprintf(out, cap, "%s", item_state_text(s, en));
	else if (strcmp(member, "pending") == 0)
		snprintf(out, cap, "%s", item_action_text(s, en));
	else
		snprintf(out, cap, "%s", s);
	/* What a registry sends is shown, never obeyed. */
	if (!cli_client_printable(out))
		snprintf(out, cap, "?");
}

json_t *
item_view_of(json_t *ans)
{
	json_t *v = json_object_get(ans, "item");

	return json_is_object(v) ? v : ans;
}

/* An item id: 32 lowercase hex digits, as a certificate serial. */
static int
is_id(const char *s)
{
	return cy_serial_valid(s, strlen(s));
}

/* The query's value of "next" escaped: it is "UNIT ID". */
static void
next_param(const char *next, char *out, size_t cap)
{
	size_t n = 0;

	for (; *next != '\0' && n + 4 < cap; next++)
		if (*next == ' ')
			n += (size_t)snprintf(out + n, cap - n, "%%20");
		else if (strchr("abcdefghijklmnopqrstuvwxyz0123456789-/",
		    *next) != NULL)
			out[n++] = *next;
	out[n] = '\0';
}

int
item_list_all(struct cli_xc *x, const char *query, json_t *all)
{
	char path[1024], after[256] = "";
	const char *next;
	json_t *ans = NULL, *items;
	int page, rv = CLI_FAIL;

	for (page = 0; page < ITEM_PAGES_MAX; page++) {
		snprintf(path, sizeof(path), "/v1/items?limit=%d%s%s%s%s",
		    ITEM_PAGE, *query ? "&" : "", query, *after ? "&after=" : "",
		    after);
		if (cli_client_get(x->cl, path, &ans) != CLI_OK)
			goto out;
		if (!json_is_array(items = json_object_get(ans, "items"))) {
			cli_warn("the registry at %s answered without the items",
			    cli_client_url(x->cl));
			goto out;
		}
		json_array_extend(all, items);
		if ((next = json_string_value(json_object_get(ans, "next"))) ==
		    NULL || *next == '\0') {
			rv = CLI_OK;
			goto out;
		}
		next_param(next, after, sizeof(after));
		json_decref(ans);
		ans = NULL;
	}
	cli_warn("the registry at %s answered more than %d pages of items",
	    cli_client_url(x->cl), ITEM_PAGES_MAX);
out:
	json_decref(ans);
	return rv;
}

int
item_ref_valid(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t t = colon != NULL ? (size_t)(colon - s) : 0;

	if (colon == NULL)
		return cy_serial_valid(s, n);
	return t > 0 && t <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz-") >=
	    t && cy_item_serial_valid(colon + 1, n - t - 1);
}

/* TYPE:SERIAL: the item of that type with that serial among those the
 * caller may see (the registry filters by type, the serial is matched
 * here: a list is the one query every registry answers). */
static int
find_by_serial(struct cli_xc *x, const char *cmd, const char *item,
    char id[ITEM_ID_LEN + 1])
{
	const char *colon = strchr(item, ':'), *s;
	char query[96];
	json_t *all = NULL, *v;
	size_t i;
	int rv = CLI_FAIL;

	if (colon == NULL || !item_ref_valid(item, strlen(item)))
		return cli_usage_error(cmd, "ITEM '%.80s': give an item id (32 "
		    "lowercase hex digits) or TYPE:SERIAL (token:T-0001)", item);
	snprintf(query, sizeof(query), "type=%.*s", (int)(colon - item), item);
	if ((all = json_array()) == NULL || item_list_all(x, query, all) !=
	    CLI_OK)
		goto out;
	json_array_foreach(all, i, v) {
		if ((s = json_string_value(json_object_get(v, "serial"))) != NULL &&
		    strcmp(s, colon + 1) == 0 &&
		    (s = json_string_value(json_object_get(v, "id"))) != NULL &&
		    is_id(s)) {
			memcpy(id, s, ITEM_ID_LEN + 1);
			rv = CLI_OK;
			goto out;
		}
	}
	cli_warn("no %.*s with serial %s among the items you may see",
	    (int)(colon - item), item, colon + 1);
out:
	json_decref(all);
	return rv;
}

int
item_fetch(struct cli_xc *x, const char *cmd, const char *item,
    json_t **view, char id[ITEM_ID_LEN + 1])
{
	char path[128];
	json_t *ans = NULL, *v;
	int rv;

	*view = NULL;
	if (is_id(item))
		memcpy(id, item, ITEM_ID_LEN + 1);
	else if ((rv = find_by_serial(x, cmd, item, id)) != CLI_OK)
		return rv;
	snprintf(path, sizeof(path), "/v1/items/%s", id);
	if (cli_client_get(x->cl, path, &ans) != CLI_OK)
		return CLI_FAIL;
	v = item_view_of(ans);
	if (!json_is_object(v) || !json_is_string(json_object_get(v,
	    "state"))) {
		cli_warn("the registry at %s answered without item %s's state",
		    cli_client_url(x->cl), id);
		json_decref(ans);
		return CLI_FAIL;
	}
	json_incref(v);
	json_decref(ans);
	*view = v;
	return CLI_OK;
}

/* The answer's index (its own, else the view's) and receipt, which must
 * prove this very entry under a checkpoint the pinned key signed. */
static int
answer_receipt(const struct cli_xc *x, json_t *ans, const cy_buf *entry,
    uint64_t *index)
{
	json_t *ji = json_object_get(ans, "index");
	const char *receipt = json_string_value(json_object_get(ans, "receipt"));

	if (!json_is_integer(ji))
		ji = json_object_get(item_view_of(ans), "index");
	if (!json_is_integer(ji) || json_integer_value(ji) < 0 ||
	    receipt == NULL || strlen(receipt) > CY_TLOGPROOF_MAX) {
		cli_warn("the registry at %s answered without an index and a "
		    "receipt", cli_client_url(x->cl));
		return CLI_FAIL;
	}
	*index = (uint64_t)json_integer_value(ji);
	return cli_receipt_check(x->v, *index, receipt, entry->data,
	    entry->len);
}

int
item_post_entry(struct cli_xc *x, const char *path, const char *type,
    const cy_entry_field *f, size_t n, json_t *extra, json_t **ans,
    uint64_t *index, cy_buf *entry_out)
{
	cy_buf entry = CY_BUF_INIT;
	json_t *body = NULL;
	int rv = CLI_FAIL;

	*ans = NULL;
	if (cli_xc_entry(x, type, f, n, &entry) != CLI_OK)
		goto out;
	if ((body = json_object()) == NULL || (extra != NULL &&
	    json_object_update(body, extra) != 0) || json_object_set_new(body,
	    "entry", cli_xc_b64(entry.data, entry.len)) != 0) {
		cli_warn("out of memory");
		goto out;
	}
	if (cli_client_post(x->cl, path, body, ans) != CLI_OK ||
	    answer_receipt(x, *ans, &entry, index) != CLI_OK)
		goto out;
	if (entry_out != NULL) {
		cy_buf_append(entry_out, entry.data, entry.len);
		if (cy_buf_status(entry_out) != 0) {
			cli_warn("out of memory");
			goto out;
		}
	}
	rv = CLI_OK;
out:
	if (rv != CLI_OK) {
		json_decref(*ans);
		*ans = NULL;
	}
	json_decref(body);
	cy_buf_free(&entry);
	return rv;
}

/* The view's lines: member, Vietnamese label, English label. */
static const struct {
	const char *member, *vi, *en;
} view_lines[] = {
	{"id", "Mã", "Item"},
	{"type", "Loại", "Type"},
	{"serial", "Số hiệu", "Serial"},
	{"maker", "Hãng sản xuất", "Maker"},
	{"model", "Kiểu", "Model"},
	{"level", "Độ mật", "Level"},
	{"unit", "Đơn vị", "Unit"},
	{"custodian", "Người giữ", "Custodian"},
	{"state", "Trạng thái", "State"},
	{"pending", "Chờ xác nhận", "Pending"},
	{"received", "Ngày tiếp nhận", "Received"},
	{"period_until", "Hết hạn sử dụng khóa", "Crypto-period until"},
	{"version", "Phiên bản", "Version"},
	{"product_version", "Phiên bản", "Version"},
	{"count", "Số khóa", "Keys in the set"},
	{"holds_certs", "Chứng thư có khóa trong đó", "Holds the keys of"},
	{"notes", "Ghi chú", "Notes"},
	{"updated", "Cập nhật", "Updated"},
	{"index", "Mục sổ", "Entry"},
};

void
item_print_view(const json_t *view, int en)
{
	char cell[512];
	size_t i, w = 0, lw;
	const char *label;
	json_t *v;

	for (i = 0; i < sizeof(view_lines) / sizeof(view_lines[0]); i++)
		if ((lw = cli_xc_width(en ? view_lines[i].en :
		    view_lines[i].vi)) > w)
			w = lw;
	for (i = 0; i < sizeof(view_lines) / sizeof(view_lines[0]); i++) {
		v = json_object_get(view, view_lines[i].member);
		if (v == NULL || json_is_null(v) || (json_is_string(v) &&
		    json_string_length(v) == 0) || (json_is_array(v) &&
		    json_array_size(v) == 0))
			continue;
		label = en ? view_lines[i].en : view_lines[i].vi;
		item_cell(view, view_lines[i].member, en, cell, sizeof(cell));
		cli_xc_pad(label, w);
		printf("  %s\n", cell);
	}
}

json_t *
item_holds_certs(const json_t *view)
{
	json_t *h = json_object_get(view, "holds_certs"), *out;
	const char *p;
	size_t n;

	if (json_is_array(h))
		return json_incref(h);
	if ((out = json_array()) == NULL || !json_is_string(h))
		return out;
	for (p = json_string_value(h); *p != '\0'; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		json_array_append_new(out, json_stringn(p, n));
	}
	return out;
}
