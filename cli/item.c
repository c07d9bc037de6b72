/* coyeu item: the inventory of cryptographic equipment and keys through
 * the registry (docs/inventory.md); the sub-commands are cli/item_*.c,
 * what they share is here (item.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* A pending action as people read it. */
static const char *
action_text(const char *action, int en)
{
	const cy_item_rule *r = cy_item_rule_find(action);

	return r == NULL ? action : en ? r->en : r->vi;
}

void
item_cell(const json_t *view, const char *member, int en, char *out,
    size_t cap)
{
	json_t *v = json_object_get(view, member), *x;
	const char *s = json_string_value(v);
	size_t i, n;
	int level;

	out[0] = '\0';
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
		snprintf(out, cap, "%s", action_text(s, en));
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

static int
is_id(const char *s)
{
	return strlen(s) == ITEM_ID_LEN &&
	    strspn(s, "0123456789abcdef") == ITEM_ID_LEN;
}

/* TYPE:SERIAL: the item of that type with that serial among those the
 * caller may see (the registry filters by type, the serial is matched
 * here: a list is the one query every registry answers). */
static int
find_by_serial(struct cli_xc *x, const char *cmd, const char *item,
    char id[ITEM_ID_LEN + 1])
{
	const char *colon = strchr(item, ':'), *serial, *s;
	char type[64], path[512], after[ITEM_ID_LEN + 1] = "";
	json_t *ans = NULL, *items, *v;
	size_t i, n = 0;
	int rv = CLI_FAIL, guard;

	if (colon == NULL || colon == item || (size_t)(colon - item) >=
	    sizeof(type) || colon[1] == '\0' || strspn(item,
	    "abcdefghijklmnopqrstuvwxyz-") != (size_t)(colon - item) ||
	    strspn(colon + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._/-") != strlen(colon + 1))
		return cli_usage_error(cmd, "ITEM '%.80s': give an item id (32 "
		    "lowercase hex digits) or TYPE:SERIAL (token:T-0001)", item);
	memcpy(type, item, (size_t)(colon - item));
	type[colon - item] = '\0';
	serial = colon + 1;
	for (guard = 0; guard < 10000; guard++) {
		snprintf(path, sizeof(path), "/v1/items?type=%s&limit=500%s%s",
		    type, *after ? "&after=" : "", after);
		if (cli_client_get(x->cl, path, &ans) != CLI_OK)
			goto out;
		items = json_object_get(ans, "items");
		json_array_foreach(items, i, v) {
			if ((s = json_string_value(json_object_get(v, "serial")))
			    != NULL && strcmp(s, serial) == 0 &&
			    (s = json_string_value(json_object_get(v, "id")))
			    != NULL && is_id(s)) {
				memcpy(id, s, ITEM_ID_LEN + 1);
				rv = CLI_OK;
				goto out;
			}
		}
		n = json_array_size(items);
		s = json_string_value(json_object_get(json_array_get(items,
		    n ? n - 1 : 0), "id"));
		if (n < 500 || s == NULL || !is_id(s) || strcmp(s, after) <= 0)
			break;
		memcpy(after, s, ITEM_ID_LEN + 1);
		json_decref(ans);
		ans = NULL;
	}
	cli_warn("no %s with serial %s among the items you may see", type,
	    serial);
out:
	json_decref(ans);
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
	/* The pending change travels with the view. */
	if (v != ans && json_object_get(ans, "pending") != NULL &&
	    !json_is_string(json_object_get(v, "pending")))
		json_object_set(v, "pending_change", json_object_get(ans,
		    "pending"));
	json_incref(v);
	json_decref(ans);
	*view = v;
	return CLI_OK;
}

int
item_sha256_hex(const void *p, size_t len, char out[65])
{
	cy_item_sha256_hex(p, len, out);
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
