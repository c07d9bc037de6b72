/* The inventory of cryptographic equipment and keys: the types, the states,
 * the one table of transitions, the decision on who may make one, and the
 * fold of an item's entries into its current view (docs/inventory.md). */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "coyeu/canon.h"
#include "coyeu/encoding.h"
#include "coyeu/entry.h"
#include "coyeu/inventory.h"
#include "coyeu/level.h"
#include "reg/entry_field.h"

#define F_HOLDS CY_ITEM_F_HOLDS_CERTS
#define F_PERIOD CY_ITEM_F_PERIOD_UNTIL

static const cy_item_type types[] = {
	{"cipher-device", "thiết bị mật mã", "cipher device", 0, 0},
	{"token", "thẻ/khóa token", "hardware token", F_HOLDS, 0},
	{"key", "khóa mật mã", "cryptographic key", F_PERIOD, F_PERIOD},
	{"key-set", "bộ khóa", "key set", F_PERIOD | CY_ITEM_F_COUNT, F_PERIOD},
	{"software", "sản phẩm mật mã phần mềm", "cryptographic software",
	    CY_ITEM_F_VERSION, CY_ITEM_F_VERSION},
	{"key-pair", "cặp khóa cán bộ", "officer key pair", F_HOLDS | F_PERIOD, 0},
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

static const struct {
	unsigned bit;
	const char *name;
} field_names[] = {
	{CY_ITEM_F_HOLDS_CERTS, "holds-certs"},
	{CY_ITEM_F_PERIOD_UNTIL, "period-until"},
	{CY_ITEM_F_COUNT, "count"},
	{CY_ITEM_F_VERSION, "product-version"},
};
#define NFIELDS (sizeof(field_names) / sizeof(field_names[0]))

static const struct {
	const char *name, *vi, *en;
} states[CY_ITEM_NSTATES] = {
	[CY_ITEM_NEW] = {"new", "mới", "new"},
	[CY_ITEM_RECEIVED] = {"received", "đã tiếp nhận", "received"},
	[CY_ITEM_IN_STOCK] = {"in-stock", "trong kho", "in stock"},
	[CY_ITEM_IN_SERVICE] = {"in-service", "đang sử dụng", "in service"},
	[CY_ITEM_MAINTENANCE] = {"maintenance", "đang bảo dưỡng", "in maintenance"},
	[CY_ITEM_TRANSFERRED] = {"transferred", "đang bàn giao", "being handed over"},
	[CY_ITEM_DECOMMISSIONED] = {"decommissioned", "ngừng sử dụng",
	    "decommissioned"},
	[CY_ITEM_DESTROYED] = {"destroyed", "đã tiêu hủy", "destroyed"},
	[CY_ITEM_LOST] = {"lost", "bị mất", "lost"},
	[CY_ITEM_COMPROMISED] = {"compromised", "bị lộ", "compromised"},
};

#define B(s) CY_ITEM_STATE_BIT(CY_ITEM_##s)
#define UNIT CY_ITEM_BY_UNIT
#define CUST CY_ITEM_BY_CUSTODIAN
/* The one table (docs/inventory.md shows it, test_inventory walks it). */
static const cy_item_rule rules[] = {
	{CY_ITEM_ADD, B(NEW), CY_ITEM_RECEIVED, UNIT, CY_ITEM_SECOND_NONE, 0,
	    "tiếp nhận", "add"},
	{CY_ITEM_STOCK, B(RECEIVED), CY_ITEM_IN_STOCK, UNIT,
	    CY_ITEM_SECOND_WITNESS, 0, "nhập kho", "take into stock"},
	{CY_ITEM_ISSUE, B(IN_STOCK), CY_ITEM_IN_SERVICE, UNIT, CY_ITEM_SECOND_NONE,
	    CY_ITEM_NEEDS_CUSTODIAN, "cấp phát", "issue"},
	{CY_ITEM_RETURN, B(IN_SERVICE), CY_ITEM_IN_STOCK, UNIT | CUST,
	    CY_ITEM_SECOND_NONE, 0, "trả về kho", "return to stock"},
	{CY_ITEM_MAINTAIN, B(IN_SERVICE), CY_ITEM_MAINTENANCE, UNIT | CUST,
	    CY_ITEM_SECOND_NONE, 0, "đưa đi bảo dưỡng", "send to maintenance"},
	{CY_ITEM_RESTORE, B(MAINTENANCE), CY_ITEM_IN_SERVICE, UNIT,
	    CY_ITEM_SECOND_NONE, 0, "đưa vào sử dụng lại", "restore to service"},
	{CY_ITEM_TRANSFER, B(IN_STOCK) | B(IN_SERVICE), CY_ITEM_TRANSFERRED,
	    UNIT | CUST, CY_ITEM_SECOND_TAKER, CY_ITEM_NEEDS_TARGET, "bàn giao",
	    "hand over"},
	{CY_ITEM_DECOMMISSION, B(IN_STOCK) | B(IN_SERVICE) | B(MAINTENANCE),
	    CY_ITEM_DECOMMISSIONED, UNIT, CY_ITEM_SECOND_NONE, 0, "ngừng sử dụng",
	    "decommission"},
	{CY_ITEM_DESTROY, B(DECOMMISSIONED), CY_ITEM_DESTROYED, UNIT,
	    CY_ITEM_SECOND_WITNESS, 0, "tiêu hủy", "destroy"},
	{CY_ITEM_LOSE, CY_ITEM_LIVE & ~B(LOST), CY_ITEM_LOST, UNIT | CUST,
	    CY_ITEM_SECOND_NONE, 0, "báo mất", "report lost"},
	{CY_ITEM_COMPROMISE, CY_ITEM_LIVE & ~B(COMPROMISED), CY_ITEM_COMPROMISED,
	    UNIT | CUST, CY_ITEM_SECOND_NONE, 0, "báo lộ", "report compromised"},
	{CY_ITEM_FIND, B(LOST), CY_ITEM_IN_STOCK, UNIT, CY_ITEM_SECOND_NONE,
	    CY_ITEM_NEEDS_REASON, "tìm thấy", "found"},
	{CY_ITEM_ACCEPT, B(RECEIVED) | B(DECOMMISSIONED) | B(TRANSFERRED), -1,
	    CY_ITEM_BY_SECOND, CY_ITEM_SECOND_NONE, CY_ITEM_NEEDS_PENDING,
	    "xác nhận", "accept"},
	{CY_ITEM_DECLINE, B(RECEIVED) | B(DECOMMISSIONED) | B(TRANSFERRED), -1,
	    CY_ITEM_BY_SECOND, CY_ITEM_SECOND_NONE, CY_ITEM_NEEDS_PENDING,
	    "từ chối", "decline"},
};
#define NRULES (sizeof(rules) / sizeof(rules[0]))

const cy_item_type *
cy_item_types(size_t *n)
{
	*n = NTYPES;
	return types;
}

const cy_item_type *
cy_item_type_find(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < NTYPES; i++)
		if (strcmp(types[i].name, name) == 0)
			return &types[i];
	return NULL;
}

const char *
cy_item_field_name(unsigned field)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++)
		if (field_names[i].bit == field)
			return field_names[i].name;
	return NULL;
}

const char *
cy_item_state_name(int state)
{
	return state >= 0 && state < CY_ITEM_NSTATES ? states[state].name : NULL;
}

const char *
cy_item_state_label(int state, const char *lang)
{
	if (state < 0 || state >= CY_ITEM_NSTATES || lang == NULL)
		return NULL;
	if (strcmp(lang, "vi") == 0)
		return states[state].vi;
	return strcmp(lang, "en") == 0 ? states[state].en : NULL;
}

int
cy_item_state_parse(const char *p, size_t len)
{
	int s;

	for (s = CY_ITEM_NEW + 1; s < CY_ITEM_NSTATES; s++)
		if (strlen(states[s].name) == len && memcmp(states[s].name, p, len) == 0)
			return s;
	return -1;
}

const cy_item_rule *
cy_item_rules(size_t *n)
{
	*n = NRULES;
	return rules;
}

const cy_item_rule *
cy_item_rule_find(const char *action)
{
	size_t i;

	for (i = 0; action != NULL && i < NRULES; i++)
		if (strcmp(rules[i].action, action) == 0)
			return &rules[i];
	return NULL;
}

int
cy_item_serial_valid(const char *p, size_t len)
{
	size_t i;

	if (len < 1 || len > CY_ITEM_SERIAL_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= '0' && p[i] <= '9') || p[i] == '.' || p[i] == '_' ||
		    p[i] == '/' || p[i] == '-'))
			return 0;
	return 1;
}

void
cy_item_sha256_hex(const uint8_t *data, size_t len, char out[65])
{
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, data, len);
	cy_hex_encode(out, h, sizeof(h));
}

static int
by_bytes(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
cy_item_list_sha256(const char *const *items, size_t n, char out[65],
    cy_error *err)
{
	crypto_hash_sha256_state st;
	uint8_t h[crypto_hash_sha256_BYTES];
	const char **sorted = NULL;
	size_t i, len;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		len = strnlen(items[i], CY_ITEM_REF_MAX + 1);
		if (len == 0 || len > CY_ITEM_REF_MAX ||
		    memchr(items[i], '\n', len) != NULL)
			return cy_error_set(err, CY_E_USAGE,
			    "declared item %zu is not an item id or TYPE:SERIAL "
			    "(1 to %d bytes, no line feed)", i + 1, CY_ITEM_REF_MAX);
	}
	if (n > 0 && (sorted = malloc(n * sizeof(*sorted))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	for (i = 0; i < n; i++)
		sorted[i] = items[i];
	if (n > 1)
		qsort(sorted, n, sizeof(*sorted), by_bytes);
	crypto_hash_sha256_init(&st);
	for (i = 0; i < n; i++) {
		crypto_hash_sha256_update(&st, (const uint8_t *)sorted[i],
		    strlen(sorted[i]));
		crypto_hash_sha256_update(&st, (const uint8_t *)"\n", 1);
	}
	crypto_hash_sha256_final(&st, h);
	cy_hex_encode(out, h, sizeof(h));
	free(sorted);
	return 0;
}

/* --- the decision --- */

static const char *
second_name(int second)
{
	return second == CY_ITEM_SECOND_TAKER ? "taker" : "witness";
}

static const char *
rule_second_need(int second)
{
	return second == CY_ITEM_SECOND_TAKER ? "the taker's acceptance" :
	    "a witness's acceptance";
}

static int
check_clearance(const cy_cert *c, int level, cy_error *err)
{
	if (cy_cert_clearance(c) >= level)
		return 0;
	return cy_error_set(err, CY_E_POLICY,
	    "%s %s lacks clearance %s for this item (has %s)",
	    cy_role_name(cy_cert_role(c)), cy_cert_name(c),
	    cy_level_display(level), cy_level_display(cy_cert_clearance(c)));
}

static int
outside(const cy_cert *c, const char *unit, const char *whose, cy_error *err)
{
	return cy_error_set(err, CY_E_POLICY,
	    "%s %s (serial %s) is outside unit %s (%s)",
	    cy_role_name(cy_cert_role(c)), cy_cert_name(c), cy_cert_serial(c),
	    unit, whose);
}

/* Whether cert acts for `unit` at `level`: an officer whose unit contains
 * it, or an authority whose may-issue subtree does; `whose` names the unit
 * in the refusal ("item's unit", "taking unit"). */
static int
check_in_unit(const cy_cert *c, const char *unit, int level, const char *whose,
    cy_error *err)
{
	int role = cy_cert_role(c);
	const char *scope = role == CY_ROLE_AUTHORITY ?
	    cy_cert_may_issue_unit(c) : cy_cert_unit(c);

	if (role != CY_ROLE_AUTHORITY && role != CY_ROLE_OFFICER)
		return cy_error_set(err, CY_E_POLICY,
		    "%s %s (serial %s) may not act on items: only officers and "
		    "authorities do", cy_role_name(role), cy_cert_name(c),
		    cy_cert_serial(c));
	if (scope == NULL || !cy_unit_contains(scope, unit))
		return outside(c, unit, whose, err);
	return check_clearance(c, level, err);
}

/* A custodian named by add, issue or transfer: an officer (by that
 * serial) of the unit's subtree, at the item's level. */
static int
check_custodian(const cy_item_view *item, const char *serial,
    const cy_cert *c, const char *unit, const char *whose, cy_error *err)
{
	if (c == NULL)
		return cy_error_set(err, CY_E_POLICY,
		    "item %s: the custodian %s has no known certificate", item->id,
		    serial);
	if (strcmp(cy_cert_serial(c), serial) != 0)
		return cy_error_set(err, CY_E_USAGE,
		    "the custodian's certificate is %s's, not %s's",
		    cy_cert_serial(c), serial);
	if (cy_cert_role(c) != CY_ROLE_OFFICER)
		return cy_error_set(err, CY_E_POLICY,
		    "item %s: custodian %s (serial %s) is not an officer", item->id,
		    cy_cert_name(c), serial);
	/* Held within the unit: the custodian's unit lies in its subtree. */
	if (!cy_unit_contains(unit, cy_cert_unit(c)))
		return outside(c, unit, whose, err);
	return check_clearance(c, item->level, err);
}

/* What the table says of the action on this item, whoever acts. */
static int
check_form(const cy_item_view *item, const cy_item_rule *rule,
    const cy_item_move *m, const char *actor, cy_error *err)
{
	const char *pending_kind;

	if (item->state == CY_ITEM_DESTROYED)
		return cy_error_set(err, CY_E_POLICY,
		    "item %s: destroyed items never come back", item->id);
	if (item->state < 0 || item->state >= CY_ITEM_NSTATES ||
	    !(rule->from & CY_ITEM_STATE_BIT(item->state)))
		return cy_error_set(err, CY_E_POLICY,
		    "item %s: %s is not allowed from state %s", item->id,
		    rule->action, cy_item_state_name(item->state) != NULL ?
		    cy_item_state_name(item->state) : "?");
	if (rule->needs & CY_ITEM_NEEDS_PENDING) {
		if (item->pending[0] == '\0')
			return cy_error_set(err, CY_E_POLICY,
			    "item %s: nothing waits for a second officer", item->id);
		return 0;
	}
	/* Losing it or its keys cannot wait for the pending change's answer. */
	if (item->pending[0] != '\0' && rule->to != CY_ITEM_LOST &&
	    rule->to != CY_ITEM_COMPROMISED) {
		pending_kind = strcmp(item->pending, CY_ITEM_TRANSFER) == 0 ?
		    "taker" : "witness";
		return cy_error_set(err, CY_E_POLICY,
		    "item %s: a pending %s waits for its %s (accept or decline it "
		    "first)", item->id, item->pending, pending_kind);
	}
	if (rule->second != CY_ITEM_SECOND_NONE && !m->pending)
		return cy_error_set(err, CY_E_POLICY, "item %s: %s needs %s",
		    item->id, rule->action, rule_second_need(rule->second));
	if (rule->second == CY_ITEM_SECOND_NONE && m->pending)
		return cy_error_set(err, CY_E_POLICY,
		    "item %s: %s needs no second officer", item->id, rule->action);
	/* The giver cannot take, nor the one who acts witness. */
	if (rule->second != CY_ITEM_SECOND_NONE && actor != NULL &&
	    ((m->second != NULL && strcmp(m->second, actor) == 0) ||
	    (m->custodian != NULL && strcmp(m->custodian, actor) == 0)))
		return cy_error_set(err, CY_E_POLICY,
		    "item %s: the %s must be another officer than the one who acts",
		    item->id, second_name(rule->second));
	if ((rule->needs & CY_ITEM_NEEDS_CUSTODIAN) && m->custodian == NULL)
		return cy_error_set(err, CY_E_POLICY,
		    "item %s: %s names the custodian", item->id, rule->action);
	if ((rule->needs & CY_ITEM_NEEDS_REASON) && m->reason == NULL)
		return cy_error_set(err, CY_E_POLICY,
		    "item %s: %s records where and how (a reason)", item->id,
		    rule->action);
	if (rule->needs & CY_ITEM_NEEDS_TARGET) {
		if (m->unit == NULL && m->custodian == NULL)
			return cy_error_set(err, CY_E_POLICY,
			    "item %s: %s names the taking unit or custodian", item->id,
			    rule->action);
		if (m->custodian == NULL && strcmp(m->unit, item->unit) == 0)
			return cy_error_set(err, CY_E_POLICY,
			    "item %s: %s within unit %s names the taking custodian",
			    item->id, rule->action, item->unit);
		if (m->custodian != NULL && m->second != NULL &&
		    strcmp(m->custodian, m->second) != 0)
			return cy_error_set(err, CY_E_POLICY,
			    "item %s: the taker is the custodian %s itself", item->id,
			    m->custodian);
	}
	return 0;
}

/* accept and decline: the second officer the pending change waits for
 * (by serial; with the certificate, also in the unit and cleared). */
static int
check_second(const cy_item_view *item, const cy_cert *actor,
    const char *serial, cy_error *err)
{
	int transfer = strcmp(item->pending, CY_ITEM_TRANSFER) == 0;
	const char *want = item->pending_second;
	const char *kind = transfer ? "taker" : "witness";

	if (transfer && item->pending_custodian[0] != '\0')
		want = item->pending_custodian;
	if (want[0] != '\0' && strcmp(want, serial) != 0) {
		if (actor == NULL)
			return cy_error_set(err, CY_E_POLICY,
			    "item %s: the answer is by %s, not the named %s %s",
			    item->id, serial, kind, want);
		return cy_error_set(err, CY_E_POLICY,
		    "%s %s (serial %s) is not the named %s %s",
		    cy_role_name(cy_cert_role(actor)), cy_cert_name(actor), serial,
		    kind, want);
	}
	if (strcmp(item->pending_by, serial) == 0)
		return cy_error_set(err, CY_E_POLICY,
		    "item %s: the %s must be another officer than the one who acts",
		    item->id, kind);
	if (actor == NULL)
		return 0;
	if (transfer)
		return check_in_unit(actor, item->pending_unit[0] != '\0' ?
		    item->pending_unit : item->unit, item->level, "taking unit", err);
	return check_in_unit(actor, item->unit, item->level, "item's unit", err);
}

/* An item.add's type fields: each given one the type takes, each it
 * needs given. */
static int
check_type_fields(const cy_item_view *item, cy_error *err)
{
	const cy_item_type *t = cy_item_type_find(item->type);
	const int given[NFIELDS] = {
		item->holds_certs[0] != '\0', item->period_until[0] != '\0',
		item->count != 0, item->version[0] != '\0',
	};
	size_t i;

	if (t == NULL)
		return cy_error_set(err, CY_E_POLICY, "item %s: unknown type %s",
		    item->id, item->type);
	for (i = 0; i < NFIELDS; i++) {
		if (given[i] && !(t->fields & field_names[i].bit))
			return cy_error_set(err, CY_E_POLICY,
			    "item %s: a %s takes no %s", item->id, t->name,
			    field_names[i].name);
		if (!given[i] && (t->required & field_names[i].bit))
			return cy_error_set(err, CY_E_POLICY,
			    "item %s: a %s needs %s", item->id, t->name,
			    field_names[i].name);
	}
	return 0;
}

/* The decision; actor NULL checks the form alone (actor_serial, when
 * known, still keeps a second officer distinct from the one who acts). */
static int
decide(const cy_item_view *item, const cy_item_rule *rule,
    const cy_cert *actor, const char *actor_serial, const cy_item_move *m,
    cy_error *err)
{
	const char *target;
	int r;

	if ((r = check_form(item, rule, m, actor_serial, err)) != 0)
		return r;
	if (item->state == CY_ITEM_NEW && (r = check_type_fields(item, err)) != 0)
		return r;
	if (rule->actors & CY_ITEM_BY_SECOND)
		return check_second(item, actor, actor_serial, err);
	if (actor == NULL)
		return 0;
	if (!((rule->actors & CY_ITEM_BY_CUSTODIAN) && item->custodian[0] != '\0' &&
	    strcmp(item->custodian, cy_cert_serial(actor)) == 0) &&
	    (r = check_in_unit(actor, item->unit, item->level, "item's unit",
	    err)) != 0)
		return r;
	if (m->custodian != NULL && (rule->needs & (CY_ITEM_NEEDS_CUSTODIAN |
	    CY_ITEM_NEEDS_TARGET) || item->state == CY_ITEM_NEW)) {
		target = m->unit != NULL ? m->unit : item->unit;
		return check_custodian(item, m->custodian, m->custodian_cert,
		    target, strcmp(target, item->unit) == 0 ? "item's unit" :
		    "taking unit", err);
	}
	return 0;
}

int
cy_item_decide(const cy_item_view *item, const char *action,
    const cy_cert *actor, const cy_item_move *move, cy_error *err)
{
	static const cy_item_move none;
	const cy_item_rule *rule = cy_item_rule_find(action);

	if (rule == NULL)
		return cy_error_set(err, CY_E_USAGE, "unknown item action %s",
		    action != NULL ? action : "(none)");
	if (actor == NULL)
		return cy_error_set(err, CY_E_USAGE, "an item decision needs the "
		    "actor's certificate");
	return decide(item, rule, actor, cy_cert_serial(actor),
	    move != NULL ? move : &none, err);
}

/* --- folding entries into the view --- */

/* Zero-filled past the value, so equal views are equal bytes (a record
 * parsed back compares equal to the view it came from). */
static void
copy_field(char *dst, size_t cap, const char *v)
{
	memset(dst, 0, cap);
	if (v != NULL)
		memcpy(dst, v, strnlen(v, cap - 1));
}
#define SET(dst, v) copy_field(dst, sizeof(dst), v)

/* The item.add's view, before it is decided. */
static int
view_from_add(const cy_entry *e, cy_item_view *v, cy_error *err)
{
	const char *count = cy_entry_get(e, "count");

	memset(v, 0, sizeof(*v));
	SET(v->id, cy_entry_get(e, "item-id"));
	SET(v->type, cy_entry_get(e, "item-type"));
	SET(v->serial, cy_entry_get(e, "serial"));
	SET(v->maker, cy_entry_get(e, "maker"));
	SET(v->model, cy_entry_get(e, "model"));
	v->level = cy_level_parse(cy_entry_get(e, "level"),
	    strlen(cy_entry_get(e, "level")));
	SET(v->unit, cy_entry_get(e, "unit"));
	SET(v->custodian, cy_entry_get(e, "custodian"));
	SET(v->received, cy_entry_get(e, "received"));
	SET(v->period_until, cy_entry_get(e, "period-until"));
	SET(v->version, cy_entry_get(e, "product-version"));
	SET(v->holds_certs, cy_entry_get(e, "holds-certs"));
	SET(v->notes_sha256, cy_entry_get(e, "notes-sha256"));
	v->count = count != NULL ? (uint32_t)strtoul(count, NULL, 10) : 0;
	v->state = CY_ITEM_NEW;
	return 0;
	(void)err;
}

static void
clear_pending(cy_item_view *v)
{
	SET(v->pending, NULL);
	SET(v->pending_sha256, NULL);
	SET(v->pending_second, NULL);
	SET(v->pending_by, NULL);
	SET(v->pending_unit, NULL);
	SET(v->pending_custodian, NULL);
	v->pending_from = 0;
}

/* The change's effect once decided. */
static void
fold_change(cy_item_view *v, const cy_item_rule *rule, const cy_item_move *m,
    const char *actor, const char *sha)
{
	if (rule->second != CY_ITEM_SECOND_NONE) {
		SET(v->pending, rule->action);
		SET(v->pending_sha256, sha);
		SET(v->pending_second, m->second);
		SET(v->pending_by, actor);
		SET(v->pending_unit, m->unit);
		SET(v->pending_custodian, m->custodian);
		v->pending_from = v->state;
		if (rule->to == CY_ITEM_TRANSFERRED)
			v->state = CY_ITEM_TRANSFERRED;
		return;
	}
	clear_pending(v); /* lose, compromise: what waited is moot */
	if (strcmp(rule->action, CY_ITEM_ISSUE) == 0)
		SET(v->custodian, m->custodian);
	else if (rule->to == CY_ITEM_IN_STOCK || rule->to == CY_ITEM_DECOMMISSIONED)
		SET(v->custodian, NULL); /* the stock has no custodian */
	v->state = rule->to;
}

static void
fold_confirm(cy_item_view *v, int accepted)
{
	int transfer = strcmp(v->pending, CY_ITEM_TRANSFER) == 0;

	if (!accepted)
		v->state = v->pending_from;
	else if (transfer) {
		if (v->pending_unit[0] != '\0')
			SET(v->unit, v->pending_unit);
		SET(v->custodian, v->pending_custodian);
		v->state = v->custodian[0] != '\0' ? CY_ITEM_IN_SERVICE :
		    CY_ITEM_IN_STOCK;
	} else
		v->state = cy_item_rule_find(v->pending)->to;
	clear_pending(v);
}

/* The actor's certificate, holding the entry's actor-key. */
static int
find_actor(const cy_entry *e, const char *item, cy_item_cert_fn *find,
    void *ctx, const cy_cert **out, cy_error *err)
{
	const char *serial = cy_entry_get(e, "actor");
	const cy_cert *c;

	*out = NULL;
	if (find == NULL)
		return 0;
	if ((c = find(ctx, serial)) == NULL)
		return cy_error_set(err, CY_E_POLICY,
		    "item %s: the actor %s has no known certificate", item, serial);
	if (strcmp(cy_cert_serial(c), serial) != 0 ||
	    sodium_memcmp(cy_cert_sign_public(c), cy_entry_actor_key(e),
	    CY_ENTRY_KEY_LEN) != 0)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "item %s: the entry's actor-key is not the key of %s's "
		    "certificate", item, serial);
	*out = c;
	return 0;
}

static int
apply_add(cy_item_view *v, const cy_entry *e, const cy_cert *actor,
    cy_item_cert_fn *find, void *ctx, cy_error *err)
{
	cy_item_move m = {0};
	int r;

	if (v->changes != 0 || v->state != CY_ITEM_NEW)
		return cy_error_set(err, CY_E_POLICY, "item %s: already added",
		    v->id);
	if ((r = view_from_add(e, v, err)) != 0)
		return r;
	m.custodian = v->custodian[0] != '\0' ? v->custodian : NULL;
	if (m.custodian != NULL && find != NULL)
		m.custodian_cert = find(ctx, m.custodian);
	if ((r = decide(v, &rules[0], actor, cy_entry_get(e, "actor"), &m,
	    err)) != 0)
		return r;
	v->state = CY_ITEM_RECEIVED;
	return 0;
}

static int
apply_change(cy_item_view *v, const cy_entry *e, const cy_cert *actor,
    const char *sha, cy_item_cert_fn *find, void *ctx, cy_error *err)
{
	const char *action = cy_entry_get(e, "action");
	const char *from = cy_entry_get(e, "from"), *to = cy_entry_get(e, "to");
	const cy_item_rule *rule = cy_item_rule_find(action);
	cy_item_move m = {0};
	int r;

	if (strcmp(from, cy_item_state_name(v->state)) != 0)
		return cy_error_set(err, CY_E_POLICY,
		    "item %s: the change starts from %s but the item is %s", v->id,
		    from, cy_item_state_name(v->state));
	if (rule == NULL || rule->to < 0 ||
	    strcmp(to, cy_item_state_name(rule->to)) != 0)
		return cy_error_set(err, CY_E_POLICY, "item %s: %s leads to %s, "
		    "not %s", v->id, action, rule != NULL && rule->to >= 0 ?
		    cy_item_state_name(rule->to) : "?", to);
	m.unit = cy_entry_get(e, "unit");
	m.custodian = cy_entry_get(e, "custodian");
	m.second = cy_entry_get(e, "second");
	m.reason = cy_entry_get(e, "reason");
	m.pending = cy_entry_get(e, "pending") != NULL;
	if (m.custodian != NULL && find != NULL)
		m.custodian_cert = find(ctx, m.custodian);
	if ((r = decide(v, rule, actor, cy_entry_get(e, "actor"), &m, err)) != 0)
		return r;
	fold_change(v, rule, &m, cy_entry_get(e, "actor"), sha);
	return 0;
}

static int
apply_confirm(cy_item_view *v, const cy_entry *e, const cy_cert *actor,
    cy_error *err)
{
	const char *role = cy_entry_get(e, "role");
	int accepted = strcmp(cy_entry_get(e, "decision"), "accepted") == 0;
	int want_taker;
	cy_item_move m = {0};
	int r;

	if (v->pending[0] == '\0')
		return cy_error_set(err, CY_E_POLICY,
		    "item %s: nothing waits for a second officer", v->id);
	if (strcmp(cy_entry_get(e, "change-sha256"), v->pending_sha256) != 0)
		return cy_error_set(err, CY_E_POLICY,
		    "item %s: the confirmation names change %s, not the pending "
		    "one (%s)", v->id, cy_entry_get(e, "change-sha256"),
		    v->pending_sha256);
	want_taker = strcmp(v->pending, CY_ITEM_TRANSFER) == 0;
	if (want_taker != (strcmp(role, "taker") == 0))
		return cy_error_set(err, CY_E_POLICY,
		    "item %s: a pending %s needs a %s, not a %s", v->id, v->pending,
		    want_taker ? "taker" : "witness", role);
	if ((r = decide(v, cy_item_rule_find(accepted ? CY_ITEM_ACCEPT :
	    CY_ITEM_DECLINE), actor, cy_entry_get(e, "actor"), &m, err)) != 0)
		return r;
	fold_confirm(v, accepted);
	return 0;
}

int
cy_item_apply(cy_item_view *view, const uint8_t *entry, size_t len,
    uint64_t index, cy_item_cert_fn *find, void *find_ctx, cy_error *err)
{
	cy_item_view *v = NULL;
	cy_entry *e = NULL;
	const cy_cert *actor;
	const char *type, *id;
	char sha[65];
	int r;

	if ((r = cy_entry_verify(entry, len, err)) != 0 ||
	    (r = cy_entry_parse(entry, len, &e, err)) != 0)
		goto out;
	type = cy_entry_type(e);
	id = cy_entry_get(e, "item-id");
	if (strcmp(type, "item.add") != 0 && strcmp(type, "item.change") != 0 &&
	    strcmp(type, "item.confirm") != 0) {
		r = cy_error_set(err, CY_E_USAGE,
		    "a %s entry is not an item's (item.add, item.change, "
		    "item.confirm)", type);
		goto out;
	}
	if (view->changes != 0 && strcmp(id, view->id) != 0) {
		r = cy_error_set(err, CY_E_POLICY,
		    "the entry is for item %s, not item %s", id, view->id);
		goto out;
	}
	if ((v = malloc(sizeof(*v))) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	*v = *view; /* refusals leave the caller's view untouched */
	if (view->changes == 0)
		SET(v->id, id);
	if ((r = find_actor(e, v->id, find, find_ctx, &actor, err)) != 0)
		goto out;
	cy_item_sha256_hex(entry, len, sha);
	if (strcmp(type, "item.add") == 0)
		r = apply_add(v, e, actor, find, find_ctx, err);
	else if (view->changes == 0)
		r = cy_error_set(err, CY_E_POLICY,
		    "item %s: its history starts with item.add", id);
	else if (strcmp(type, "item.change") == 0)
		r = apply_change(v, e, actor, sha, find, find_ctx, err);
	else
		r = apply_confirm(v, e, actor, err);
	if (r != 0)
		goto out;
	SET(v->updated, cy_entry_get(e, "time"));
	v->index = index;
	v->changes++;
	*view = *v;
out:
	free(v);
	cy_entry_free(e);
	return r;
}

int
cy_item_view_set_notes(cy_item_view *view, const char *notes, cy_error *err)
{
	char sha[65];
	size_t n = strlen(notes);

	if (view->notes_sha256[0] == '\0')
		return cy_error_set(err, CY_E_FORMAT,
		    "item %s was added without notes", view->id);
	if (!cy_entry_field_ok("item.change", "reason", notes, n))
		return cy_error_set(err, CY_E_FORMAT,
		    "notes are 1 to %d bytes of NFC UTF-8 text, no control "
		    "characters", CY_ITEM_TEXT_MAX);
	cy_item_sha256_hex((const uint8_t *)notes, n, sha);
	if (strcmp(sha, view->notes_sha256) != 0)
		return cy_error_set(err, CY_E_FORMAT,
		    "item %s: the notes' SHA-256 is %s, not the recorded %s",
		    view->id, sha, view->notes_sha256);
	SET(view->notes, notes);
	return 0;
}

/* --- the view as a record --- */

#define VIEW_FORMAT "coyeu.v1/item-view"

enum vkind { V_STR, V_LEVEL, V_STATE, V_U32, V_U64 };

/* One line of the record: its key, where it lives in the view, and which
 * entry field's form its value has (so a record holds only what entries
 * could carry). */
static const struct vfield {
	const char *key;
	size_t off, size;
	unsigned char kind, optional;
	const char *etype, *efield;
} vfields[] = {
#define VS(k, m, opt, et, ef) {k, offsetof(cy_item_view, m), \
	sizeof(((cy_item_view *)0)->m), V_STR, opt, et, ef}
#define VN(k, m, kind, opt) {k, offsetof(cy_item_view, m), 0, kind, opt, \
	NULL, NULL}
	VS("id", id, 0, "item.add", "item-id"),
	VS("type", type, 0, "item.add", "item-type"),
	VS("serial", serial, 0, "item.add", "serial"),
	VS("maker", maker, 0, "item.add", "maker"),
	VS("model", model, 0, "item.add", "model"),
	VN("level", level, V_LEVEL, 0),
	VS("unit", unit, 0, "item.add", "unit"),
	VS("custodian", custodian, 1, "item.add", "custodian"),
	VN("state", state, V_STATE, 0),
	VS("received", received, 0, "item.add", "received"),
	VS("period-until", period_until, 1, "item.add", "period-until"),
	VS("product-version", version, 1, "item.add", "product-version"),
	VN("count", count, V_U32, 1),
	VS("holds-certs", holds_certs, 1, "item.add", "holds-certs"),
	VS("notes-sha256", notes_sha256, 1, "item.add", "notes-sha256"),
	VS("notes", notes, 1, "item.change", "reason"),
	VS("pending", pending, 1, "item.change", "action"),
	VS("pending-sha256", pending_sha256, 1, "item.confirm", "change-sha256"),
	VS("pending-second", pending_second, 1, "item.change", "second"),
	VS("pending-by", pending_by, 1, "item.add", "actor"),
	VN("pending-from", pending_from, V_STATE, 1),
	VS("pending-unit", pending_unit, 1, "item.change", "unit"),
	VS("pending-custodian", pending_custodian, 1, "item.change", "custodian"),
	VS("updated", updated, 1, "item.add", "time"),
	VN("index", index, V_U64, 0),
	VN("changes", changes, V_U64, 0),
#undef VS
#undef VN
};
#define NVFIELDS (sizeof(vfields) / sizeof(vfields[0]))

int
cy_item_view_encode(const cy_item_view *view, cy_buf *out, cy_error *err)
{
	const char *base = (const char *)view, *v;
	const struct vfield *f;
	char num[32];
	uint64_t x;
	size_t i;
	int r;

	if ((r = cy_canon_put(out, "format", VIEW_FORMAT, err)) != 0)
		return r;
	for (i = 0; i < NVFIELDS; i++) {
		f = &vfields[i];
		v = num;
		switch (f->kind) {
		case V_STR: v = base + f->off; break;
		case V_LEVEL:
			v = cy_level_name(*(const int *)(const void *)(base + f->off));
			break;
		case V_STATE:
			x = (uint64_t)*(const int *)(const void *)(base + f->off);
			/* A record is of an added item: never "new". */
			v = x == 0 ? (f->optional ? "" : NULL) :
			    cy_item_state_name((int)x);
			break;
		case V_U32:
			x = *(const uint32_t *)(const void *)(base + f->off);
			num[0] = '\0';
			if (x != 0 || !f->optional)
				snprintf(num, sizeof(num), "%" PRIu64, x);
			break;
		case V_U64:
			snprintf(num, sizeof(num), "%" PRIu64,
			    *(const uint64_t *)(const void *)(base + f->off));
			break;
		}
		if (v == NULL)
			return cy_error_set(err, CY_E_USAGE,
			    "the view's %s is not valid", f->key);
		if (v[0] == '\0' && f->optional)
			continue;
		if ((r = cy_canon_put(out, f->key, v, err)) != 0)
			return r;
	}
	return 0;
}

static int
view_value(const struct vfield *f, const cy_canon_value *cv, char *base)
{
	uint64_t x;
	int s;

	switch (f->kind) {
	case V_STR:
		if (cv->len >= f->size ||
		    !cy_entry_field_ok(f->etype, f->efield, cv->value, cv->len))
			return 0;
		memcpy(base + f->off, cv->value, cv->len);
		base[f->off + cv->len] = '\0';
		return 1;
	case V_LEVEL:
		s = cy_level_parse(cv->value, cv->len);
		*(int *)(void *)(base + f->off) = s;
		return s != 0;
	case V_STATE:
		s = cy_item_state_parse(cv->value, cv->len);
		*(int *)(void *)(base + f->off) = s;
		return s > 0;
	case V_U32:
		if (cy_parse_u64(cv->value, cv->len, &x) != 0 || x < 1 ||
		    x > 1000000)
			return 0;
		*(uint32_t *)(void *)(base + f->off) = (uint32_t)x;
		return 1;
	case V_U64:
		if (cy_parse_u64(cv->value, cv->len, &x) != 0)
			return 0;
		*(uint64_t *)(void *)(base + f->off) = x;
		return 1;
	}
	return 0;
}

int
cy_item_view_parse(const uint8_t *in, size_t len, cy_item_view *view,
    cy_error *err)
{
	cy_canon_field fields[NVFIELDS + 1];
	cy_canon_record *rec = NULL;
	const cy_canon_value *cv;
	cy_item_view *v = NULL;
	size_t i;
	int r;

	if (len > CY_ITEM_VIEW_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE,
		    "an item record is larger than %d bytes", CY_ITEM_VIEW_MAX);
	fields[0].key = "format";
	fields[0].flags = 0;
	for (i = 0; i < NVFIELDS; i++) {
		fields[i + 1].key = vfields[i].key;
		fields[i + 1].flags = vfields[i].optional ? CY_CANON_OPTIONAL : 0;
	}
	if ((r = cy_canon_parse(in, len, fields, NVFIELDS + 1, 0, &rec, NULL,
	    err)) != 0)
		goto out;
	if (!cy_canon_value_is(cy_canon_get(rec, 0), VIEW_FORMAT)) {
		r = cy_error_set(err, CY_E_FORMAT,
		    "an item record starts with \"format: " VIEW_FORMAT "\"");
		goto out;
	}
	if ((v = calloc(1, sizeof(*v))) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < NVFIELDS; i++) {
		if ((cv = cy_canon_get(rec, i + 1)) == NULL)
			continue;
		if (!view_value(&vfields[i], cv, (char *)v)) {
			r = cy_error_set(err, CY_E_FORMAT,
			    "item record: %s has no valid value", vfields[i].key);
			goto out;
		}
	}
	if ((v->pending[0] != '\0') != (v->pending_sha256[0] != '\0') ||
	    (v->pending[0] != '\0') != (v->pending_from != 0) ||
	    cy_item_type_find(v->type) == NULL) {
		r = cy_error_set(err, CY_E_FORMAT,
		    "item record: a pending change needs its action, SHA-256 and "
		    "the state it came from");
		goto out;
	}
	*view = *v;
out:
	free(v);
	cy_canon_record_free(rec);
	return r;
}
