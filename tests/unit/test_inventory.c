/* The inventory: every row of the rules table allowed for the right actor
 * and refused for each wrong one (role, unit, clearance, second officer,
 * destroyed item, a transition not in the table), with the exact
 * messages; the new entry types; an item's history folded by
 * cy_item_apply, with and without the actors' certificates; the view
 * record. */
#include "pki.h"

#include "coyeu/canon.h"
#include "coyeu/entry.h"
#include "coyeu/inventory.h"
#include "coyeu/secret.h"

#define ITEM "1f2e3d4c5b6a79881f2e3d4c5b6a7988"
#define ITEM2 "00112233445566778899aabbccddeeff"
#define UNIT "vn/hcm/so-tttt"
#define AGENCY "vn/hcm/cong-an"
#define TIME "2026-12-08T02:00:00Z"

static struct pki_holder root, city, officer, witness, custodian, taker, low,
    clerk, outsider, registry;
/* The certificates a registry knows, for cy_item_apply's lookup. */
static struct pki_holder *known[] = {&city, &officer, &witness, &custodian,
	&taker, &low, &clerk, &outsider, &registry};

static const char *
serial(const struct pki_holder *h)
{
	return cy_cert_serial(h->cert);
}

static const cy_cert *
lookup(void *ctx, const char *s)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(serial(known[i]), s) == 0)
			return known[i]->cert;
	return NULL;
}

static int
setup(void **state)
{
	(void)state;
	root = pki_issue(NULL, "Ban Cơ yếu", "vn", CY_ROLE_AUTHORITY,
	    CY_LEVEL_TUYET_MAT, NULL);
	city = pki_issue(&root, "Cơ yếu TP HCM", "vn/hcm", CY_ROLE_AUTHORITY,
	    CY_LEVEL_TUYET_MAT, NULL);
	officer = pki_issue(&city, "An", UNIT, CY_ROLE_OFFICER, CY_LEVEL_TOI_MAT,
	    NULL);
	witness = pki_issue(&city, "Bình", UNIT, CY_ROLE_OFFICER,
	    CY_LEVEL_TUYET_MAT, NULL);
	custodian = pki_issue(&city, "Chi", UNIT "/phong-1", CY_ROLE_OFFICER,
	    CY_LEVEL_TOI_MAT, NULL);
	taker = pki_issue(&city, "Dũng", AGENCY, CY_ROLE_OFFICER, CY_LEVEL_TOI_MAT,
	    NULL);
	/* Above both units, but cleared only for MẬT. */
	low = pki_issue(&city, "Lan", "vn/hcm", CY_ROLE_OFFICER, CY_LEVEL_MAT,
	    NULL);
	clerk = pki_issue(&city, "Mai", UNIT "/phong-2", CY_ROLE_OFFICER,
	    CY_LEVEL_MAT, NULL);
	outsider = pki_issue(&root, "Hà", "vn/hn", CY_ROLE_OFFICER,
	    CY_LEVEL_TUYET_MAT, NULL);
	registry = pki_issue(&city, "coyeud", "vn/hcm", CY_ROLE_REGISTRY,
	    CY_LEVEL_TUYET_MAT, NULL);
	return 0;
}

static int
teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		pki_holder_free(known[i]);
	pki_holder_free(&root);
	return 0;
}

static void
expect_refusal(int r, const cy_error *err, int code, const char *msg)
{
	if (r != code)
		fail_msg("want %d '%s', got %d '%s'", code, msg, r,
		    r != 0 ? err->msg : "");
	assert_string_equal(err->msg, msg);
}

/* --- the tables --- */

static void
test_tables(void **state)
{
	const cy_item_type *t;
	const cy_item_rule *r;
	size_t n, i;
	int s;

	(void)state;
	t = cy_item_types(&n);
	assert_int_equal(n, 6);
	for (i = 0; i < n; i++) {
		assert_ptr_equal(cy_item_type_find(t[i].name), &t[i]);
		assert_true((t[i].required & ~t[i].fields) == 0);
		assert_non_null(t[i].vi);
		assert_non_null(t[i].en);
	}
	assert_null(cy_item_type_find("toaster"));
	assert_int_equal(cy_item_type_find("key")->required,
	    CY_ITEM_F_PERIOD_UNTIL);
	assert_string_equal(cy_item_field_name(CY_ITEM_F_VERSION),
	    "product-version");
	for (s = CY_ITEM_RECEIVED; s < CY_ITEM_NSTATES; s++) {
		const char *name = cy_item_state_name(s);

		assert_int_equal(cy_item_state_parse(name, strlen(name)), s);
		assert_non_null(cy_item_state_label(s, "vi"));
		assert_non_null(cy_item_state_label(s, "en"));
	}
	assert_int_equal(cy_item_state_parse("new", 3), -1);
	assert_null(cy_item_state_name(CY_ITEM_NSTATES));
	assert_string_equal(cy_item_state_label(CY_ITEM_TRANSFERRED, "vi"),
	    "đang bàn giao");
	assert_false(CY_ITEM_LIVE & CY_ITEM_STATE_BIT(CY_ITEM_DESTROYED));
	r = cy_item_rules(&n);
	assert_int_equal(n, 14);
	for (i = 0; i < n; i++) {
		assert_ptr_equal(cy_item_rule_find(r[i].action), &r[i]);
		/* Nothing leaves destroyed. */
		assert_false(r[i].from & CY_ITEM_STATE_BIT(CY_ITEM_DESTROYED));
	}
	assert_null(cy_item_rule_find("teleport"));
}

/* The entry types' enums name exactly the library's types, states and
 * actions (entry.c spells them out). */
static void
test_entry_names_agree(void **state)
{
	cy_idkey *k = officer.key;
	const cy_item_type *t;
	const cy_item_rule *r;
	cy_buf out = CY_BUF_INIT;
	size_t n, i;
	int s;
	cy_entry_field add[] = {
		{"time", TIME}, {"actor", serial(&officer)}, {"item-id", ITEM},
		{"item-type", NULL}, {"serial", "SN-1"}, {"maker", "Viettel"},
		{"model", "M1"}, {"level", "mat"}, {"unit", UNIT},
		{"received", "2026-12-01"},
	};
	cy_entry_field ch[] = {
		{"time", TIME}, {"actor", serial(&officer)}, {"item-id", ITEM},
		{"action", "issue"}, {"from", "in-stock"}, {"to", NULL},
	};

	(void)state;
	t = cy_item_types(&n);
	for (i = 0; i < n; i++) {
		add[3].value = t[i].name;
		assert_int_equal(cy_entry_create("item.add", add, 10, k, &out, NULL), 0);
		cy_buf_free(&out);
	}
	add[3].value = "toaster";
	assert_int_not_equal(cy_entry_create("item.add", add, 10, k, &out, NULL), 0);
	for (s = CY_ITEM_RECEIVED; s < CY_ITEM_NSTATES; s++) {
		ch[5].value = cy_item_state_name(s);
		assert_int_equal(cy_entry_create("item.change", ch, 6, k, &out, NULL), 0);
		cy_buf_free(&out);
	}
	ch[5].value = "in-service";
	r = cy_item_rules(&n);
	for (i = 0; i < n; i++) {
		int is_change = strcmp(r[i].action, CY_ITEM_ADD) != 0 &&
		    r[i].to >= 0;

		ch[3].value = r[i].action;
		assert_int_equal(cy_entry_create("item.change", ch, 6, k, &out,
		    NULL) == 0, is_change);
		cy_buf_free(&out);
	}
}

/* --- every rule, allowed and refused --- */

/* An item of unit UNIT at TỐI MẬT in `state`, with what the rule expects
 * around it: a custodian for the custodian's actions, the pending change
 * accept and decline answer. */
static cy_item_view
view_in(int state, const cy_item_rule *r)
{
	cy_item_view v;

	memset(&v, 0, sizeof(v));
	snprintf(v.id, sizeof(v.id), "%s", ITEM);
	snprintf(v.type, sizeof(v.type), "cipher-device");
	snprintf(v.serial, sizeof(v.serial), "MD-0001");
	snprintf(v.unit, sizeof(v.unit), "%s", UNIT);
	snprintf(v.received, sizeof(v.received), "2026-12-01");
	v.level = CY_LEVEL_TOI_MAT;
	v.state = state;
	if (r->actors & CY_ITEM_BY_CUSTODIAN)
		snprintf(v.custodian, sizeof(v.custodian), "%s", serial(&custodian));
	if (r->needs & CY_ITEM_NEEDS_PENDING) {
		snprintf(v.pending, sizeof(v.pending), "%s",
		    state == CY_ITEM_RECEIVED ? "stock" :
		    state == CY_ITEM_DECOMMISSIONED ? "destroy" : "transfer");
		memset(v.pending_sha256, 'a', 64);
		snprintf(v.pending_by, sizeof(v.pending_by), "%s", serial(&officer));
		v.pending_from = CY_ITEM_IN_STOCK;
		if (state == CY_ITEM_TRANSFERRED)
			snprintf(v.pending_unit, sizeof(v.pending_unit), AGENCY);
	}
	return v;
}

static cy_item_move
good_move(const cy_item_rule *r)
{
	cy_item_move m;

	memset(&m, 0, sizeof(m));
	m.pending = r->second != CY_ITEM_SECOND_NONE;
	if (r->second == CY_ITEM_SECOND_WITNESS)
		m.second = serial(&witness);
	if (r->needs & CY_ITEM_NEEDS_CUSTODIAN) {
		m.custodian = serial(&custodian);
		m.custodian_cert = custodian.cert;
	}
	if (r->needs & CY_ITEM_NEEDS_TARGET) {
		m.unit = AGENCY;
		m.second = serial(&taker);
	}
	if (r->needs & CY_ITEM_NEEDS_REASON)
		m.reason = "trong két phòng 3";
	return m;
}

/* Who the rule's "right actor" is for a view. */
static const struct pki_holder *
right_actor(const cy_item_rule *r, const cy_item_view *v)
{
	if (!(r->actors & CY_ITEM_BY_SECOND))
		return &officer;
	return strcmp(v->pending, "transfer") == 0 ? &taker : &witness;
}

static void
check_rule_from(const cy_item_rule *r, int s)
{
	cy_item_view v = view_in(s, r);
	cy_item_move m = good_move(r);
	const struct pki_holder *ok = right_actor(r, &v);
	const char *whose = strcmp(v.pending, "transfer") == 0 ?
	    AGENCY " (taking unit)" : UNIT " (item's unit)";
	char want[512];
	cy_error err;

	if (cy_item_decide(&v, r->action, ok->cert, &m, &err) != 0)
		fail_msg("%s from %s by %s: %s", r->action, cy_item_state_name(s),
		    cy_cert_name(ok->cert), err.msg);
	/* The authority over the city may do what the unit's officers may. */
	assert_int_equal(cy_item_decide(&v, r->action, city.cert, &m, &err), 0);
	if (r->actors & CY_ITEM_BY_CUSTODIAN)
		assert_int_equal(cy_item_decide(&v, r->action, custodian.cert, &m,
		    &err), 0);
	else if (!(r->actors & CY_ITEM_BY_SECOND)) {
		/* The custodian is no officer of the unit itself (a subunit). */
		snprintf(want, sizeof(want), "officer Chi (serial %s) is outside "
		    "unit " UNIT " (item's unit)", serial(&custodian));
		expect_refusal(cy_item_decide(&v, r->action, custodian.cert, &m,
		    &err), &err, CY_E_POLICY, want);
	}
	/* Wrong role. */
	snprintf(want, sizeof(want), "registry coyeud (serial %s) may not act "
	    "on items: only officers and authorities do", serial(&registry));
	expect_refusal(cy_item_decide(&v, r->action, registry.cert, &m, &err),
	    &err, CY_E_POLICY, want);
	/* Outside the unit. */
	snprintf(want, sizeof(want), "officer Hà (serial %s) is outside unit %s",
	    serial(&outsider), whose);
	expect_refusal(cy_item_decide(&v, r->action, outsider.cert, &m, &err),
	    &err, CY_E_POLICY, want);
	/* Lacking clearance. */
	expect_refusal(cy_item_decide(&v, r->action, low.cert, &m, &err), &err,
	    CY_E_POLICY, "officer Lan lacks clearance TỐI MẬT for this item "
	    "(has MẬT)");
	/* Without its second officer. */
	if (r->second != CY_ITEM_SECOND_NONE) {
		m.pending = 0;
		snprintf(want, sizeof(want), "item " ITEM ": %s needs %s", r->action,
		    r->second == CY_ITEM_SECOND_TAKER ? "the taker's acceptance" :
		    "a witness's acceptance");
		expect_refusal(cy_item_decide(&v, r->action, officer.cert, &m,
		    &err), &err, CY_E_POLICY, want);
	} else if (!(r->needs & CY_ITEM_NEEDS_PENDING)) {
		m.pending = 1;
		snprintf(want, sizeof(want), "item " ITEM ": %s needs no second "
		    "officer", r->action);
		expect_refusal(cy_item_decide(&v, r->action, officer.cert, &m,
		    &err), &err, CY_E_POLICY, want);
	}
}

static void
test_every_rule(void **state)
{
	const cy_item_rule *rules, *r;
	cy_item_view v;
	cy_item_move m;
	char want[256];
	size_t n, i;
	cy_error err;
	int s, allowed = 0, refused = 0;

	(void)state;
	rules = cy_item_rules(&n);
	for (i = 0; i < n; i++) {
		r = &rules[i];
		for (s = CY_ITEM_NEW; s < CY_ITEM_NSTATES; s++) {
			if (r->from & CY_ITEM_STATE_BIT(s)) {
				check_rule_from(r, s);
				allowed++;
				continue;
			}
			v = view_in(s, r);
			m = good_move(r);
			if (s == CY_ITEM_DESTROYED)
				snprintf(want, sizeof(want), "item " ITEM ": destroyed "
				    "items never come back");
			else
				snprintf(want, sizeof(want), "item " ITEM ": %s is not "
				    "allowed from state %s", r->action,
				    cy_item_state_name(s));
			expect_refusal(cy_item_decide(&v, r->action,
			    right_actor(r, &v)->cert, &m, &err), &err, CY_E_POLICY,
			    want);
			refused++;
		}
	}
	/* 14 rules over 10 states (new included). */
	assert_int_equal(allowed + refused, 14 * CY_ITEM_NSTATES);
	assert_true(allowed >= 30);
	v = view_in(CY_ITEM_IN_STOCK, &rules[0]);
	expect_refusal(cy_item_decide(&v, "teleport", officer.cert, NULL, &err),
	    &err, CY_E_USAGE, "unknown item action teleport");
}

/* The refusals that hang on what a change names. */
static void
test_move_refusals(void **state)
{
	const cy_item_rule *issue = cy_item_rule_find("issue");
	const cy_item_rule *transfer = cy_item_rule_find("transfer");
	cy_item_view v = view_in(CY_ITEM_IN_STOCK, issue);
	cy_item_move m = good_move(issue);
	char want[256];
	cy_error err;

	(void)state;
	m.custodian = NULL;
	expect_refusal(cy_item_decide(&v, "issue", officer.cert, &m, &err), &err,
	    CY_E_POLICY, "item " ITEM ": issue names the custodian");
	m.custodian = serial(&taker);
	m.custodian_cert = NULL;
	snprintf(want, sizeof(want), "item " ITEM ": the custodian %s has no "
	    "known certificate", serial(&taker));
	expect_refusal(cy_item_decide(&v, "issue", officer.cert, &m, &err), &err,
	    CY_E_POLICY, want);
	/* Issued outside the unit's subtree. */
	m.custodian_cert = taker.cert;
	snprintf(want, sizeof(want), "officer Dũng (serial %s) is outside unit "
	    UNIT " (item's unit)", serial(&taker));
	expect_refusal(cy_item_decide(&v, "issue", officer.cert, &m, &err), &err,
	    CY_E_POLICY, want);
	/* Above the unit is not within it either. */
	m.custodian = serial(&low);
	m.custodian_cert = low.cert;
	snprintf(want, sizeof(want), "officer Lan (serial %s) is outside unit "
	    UNIT " (item's unit)", serial(&low));
	expect_refusal(cy_item_decide(&v, "issue", officer.cert, &m, &err), &err,
	    CY_E_POLICY, want);
	m.custodian = serial(&clerk);
	m.custodian_cert = clerk.cert;
	expect_refusal(cy_item_decide(&v, "issue", officer.cert, &m, &err), &err,
	    CY_E_POLICY, "officer Mai lacks clearance TỐI MẬT for this item "
	    "(has MẬT)");
	m.custodian = serial(&city);
	m.custodian_cert = city.cert;
	snprintf(want, sizeof(want), "item " ITEM ": custodian Cơ yếu TP HCM "
	    "(serial %s) is not an officer", serial(&city));
	expect_refusal(cy_item_decide(&v, "issue", officer.cert, &m, &err), &err,
	    CY_E_POLICY, want);

	v = view_in(CY_ITEM_IN_SERVICE, transfer);
	m = good_move(transfer);
	m.unit = NULL;
	m.second = NULL;
	expect_refusal(cy_item_decide(&v, "transfer", officer.cert, &m, &err),
	    &err, CY_E_POLICY,
	    "item " ITEM ": transfer names the taking unit or custodian");
	m.unit = UNIT;
	expect_refusal(cy_item_decide(&v, "transfer", officer.cert, &m, &err),
	    &err, CY_E_POLICY,
	    "item " ITEM ": transfer within unit " UNIT " names the taking "
	    "custodian");
	/* A taking custodian outside the taking unit. */
	m.unit = AGENCY;
	m.custodian = serial(&custodian);
	m.custodian_cert = custodian.cert;
	snprintf(want, sizeof(want), "officer Chi (serial %s) is outside unit "
	    AGENCY " (taking unit)", serial(&custodian));
	expect_refusal(cy_item_decide(&v, "transfer", officer.cert, &m, &err),
	    &err, CY_E_POLICY, want);
	m.custodian = serial(&taker);
	m.custodian_cert = taker.cert;
	m.second = serial(&witness);
	snprintf(want, sizeof(want), "item " ITEM ": the taker is the custodian "
	    "%s itself", serial(&taker));
	expect_refusal(cy_item_decide(&v, "transfer", officer.cert, &m, &err),
	    &err, CY_E_POLICY, want);
	m.second = serial(&taker);
	assert_int_equal(cy_item_decide(&v, "transfer", officer.cert, &m, &err), 0);
	/* The custodian cannot hand over to itself. */
	m.custodian = serial(&custodian);
	m.custodian_cert = custodian.cert;
	m.second = NULL;
	m.unit = UNIT;
	v.custodian[0] = '\0';
	snprintf(v.custodian, sizeof(v.custodian), "%s", serial(&custodian));
	expect_refusal(cy_item_decide(&v, "transfer", custodian.cert, &m, &err),
	    &err, CY_E_POLICY, "item " ITEM ": the taker must be another officer "
	    "than the one who acts");
	m.unit = AGENCY;
	/* The giver cannot be its own taker or witness. */
	m.second = serial(&officer);
	m.custodian = NULL;
	expect_refusal(cy_item_decide(&v, "transfer", officer.cert, &m, &err),
	    &err, CY_E_POLICY, "item " ITEM ": the taker must be another officer "
	    "than the one who acts");

	/* find records where. */
	v = view_in(CY_ITEM_LOST, cy_item_rule_find("find"));
	m = good_move(cy_item_rule_find("find"));
	m.reason = NULL;
	expect_refusal(cy_item_decide(&v, "find", officer.cert, &m, &err), &err,
	    CY_E_POLICY, "item " ITEM ": find records where and how (a reason)");

	/* While a change waits, only lose, compromise and the answer. */
	v = view_in(CY_ITEM_TRANSFERRED, cy_item_rule_find("accept"));
	m = good_move(cy_item_rule_find("return"));
	v.state = CY_ITEM_IN_SERVICE;
	expect_refusal(cy_item_decide(&v, "return", officer.cert, &m, &err), &err,
	    CY_E_POLICY, "item " ITEM ": a pending transfer waits for its taker "
	    "(accept or decline it first)");
	assert_int_equal(cy_item_decide(&v, "lose", officer.cert, NULL, &err), 0);
	/* The answer by the one who made the change. */
	v = view_in(CY_ITEM_RECEIVED, cy_item_rule_find("accept"));
	expect_refusal(cy_item_decide(&v, "accept", officer.cert, NULL, &err),
	    &err, CY_E_POLICY, "item " ITEM ": the witness must be another "
	    "officer than the one who acts");
	/* The answer by someone else than the named one. */
	snprintf(v.pending_second, sizeof(v.pending_second), "%s",
	    serial(&witness));
	snprintf(want, sizeof(want), "authority Cơ yếu TP HCM (serial %s) is not "
	    "the named witness %s", serial(&city), serial(&witness));
	expect_refusal(cy_item_decide(&v, "accept", city.cert, NULL, &err), &err,
	    CY_E_POLICY, want);
	v.pending[0] = '\0';
	expect_refusal(cy_item_decide(&v, "decline", witness.cert, NULL, &err),
	    &err, CY_E_POLICY, "item " ITEM ": nothing waits for a second officer");
	/* add: the type's fields. */
	v = view_in(CY_ITEM_NEW, cy_item_rule_find("add"));
	snprintf(v.type, sizeof(v.type), "key");
	expect_refusal(cy_item_decide(&v, "add", officer.cert, NULL, &err), &err,
	    CY_E_POLICY, "item " ITEM ": a key needs period-until");
	snprintf(v.type, sizeof(v.type), "cipher-device");
	snprintf(v.version, sizeof(v.version), "2.1");
	expect_refusal(cy_item_decide(&v, "add", officer.cert, NULL, &err), &err,
	    CY_E_POLICY, "item " ITEM ": a cipher-device takes no product-version");
}

/* --- entries and their fold --- */

struct history {
	cy_buf e[16];
	size_t n;
};

static const uint8_t *
add_entry(struct history *h, const struct pki_holder *by, const char *type,
    cy_entry_field *f, size_t n)
{
	cy_entry_field all[20];
	cy_error err;
	size_t i;

	all[0].name = "time";
	all[0].value = TIME;
	all[1].name = "actor";
	all[1].value = serial(by);
	for (i = 0; i < n; i++)
		all[i + 2] = f[i];
	memset(&h->e[h->n], 0, sizeof(h->e[h->n]));
	if (cy_entry_create(type, all, n + 2, by->key, &h->e[h->n], &err) != 0)
		fail_msg("%s: %s", type, err.msg);
	return h->e[h->n++].data;
}

static void
history_free(struct history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		cy_buf_free(&h->e[i]);
	h->n = 0;
}

static void
apply_ok(cy_item_view *v, const struct history *h, size_t i)
{
	cy_error err;

	if (cy_item_apply(v, h->e[i].data, h->e[i].len, 100 + i, lookup, NULL,
	    &err) != 0)
		fail_msg("entry %zu: %s", i, err.msg);
}

static void
expect_apply_refused(cy_item_view *v, const cy_buf *e, int code,
    const char *msg)
{
	cy_item_view before = *v;
	cy_error err;

	expect_refusal(cy_item_apply(v, e->data, e->len, 999, lookup, NULL, &err),
	    &err, code, msg);
	/* A refusal leaves the view as it was. */
	assert_memory_equal(&before, v, sizeof(before));
}

static void
change_fields(cy_entry_field *f, const char *action, const char *from,
    const char *to)
{
	f[0] = (cy_entry_field){"item-id", ITEM};
	f[1] = (cy_entry_field){"action", action};
	f[2] = (cy_entry_field){"from", from};
	f[3] = (cy_entry_field){"to", to};
}

static void
confirm_fields(cy_entry_field *f, const cy_buf *change, char sha[65],
    const char *role, const char *decision)
{
	cy_item_sha256_hex(change->data, change->len, sha);
	f[0] = (cy_entry_field){"item-id", ITEM};
	f[1] = (cy_entry_field){"change-sha256", sha};
	f[2] = (cy_entry_field){"role", role};
	f[3] = (cy_entry_field){"decision", decision};
}

/* A token's life: added, stocked with a witness, issued, maintained,
 * handed over to an agency (declined once, then accepted), lost, found;
 * each entry folded with the certificates, and the whole history again
 * without them (what a client with receipts alone checks): the same view. */
static void
test_history(void **state)
{
	struct history h = {0};
	cy_item_view v, replay;
	cy_entry_field f[16];
	char sha[65], sha2[65], holds[80];
	cy_buf rec = CY_BUF_INIT;
	cy_error err;
	size_t i;

	(void)state;
	snprintf(holds, sizeof(holds), "%s,%s", serial(&custodian),
	    serial(&officer));
	f[0] = (cy_entry_field){"item-id", ITEM};
	f[1] = (cy_entry_field){"item-type", "token"};
	f[2] = (cy_entry_field){"serial", "TK-2026/0001"};
	f[3] = (cy_entry_field){"maker", "Ban Cơ yếu"};
	f[4] = (cy_entry_field){"model", "eToken CY-3"};
	f[5] = (cy_entry_field){"level", "toi-mat"};
	f[6] = (cy_entry_field){"unit", UNIT};
	f[7] = (cy_entry_field){"received", "2026-12-01"};
	f[8] = (cy_entry_field){"holds-certs", holds};
	f[9] = (cy_entry_field){"notes-sha256", NULL};
	{
		static char notes_sha[65];
		const char *notes = "Lô 12, hộp niêm phong số 7";

		cy_item_sha256_hex((const uint8_t *)notes, strlen(notes), notes_sha);
		f[9].value = notes_sha;
	}
	add_entry(&h, &officer, "item.add", f, 10);                  /* 0 */
	change_fields(f, "stock", "received", "in-stock");
	f[4] = (cy_entry_field){"second", serial(&witness)};
	f[5] = (cy_entry_field){"pending", "yes"};
	add_entry(&h, &officer, "item.change", f, 6);                /* 1 */
	confirm_fields(f, &h.e[1], sha, "witness", "accepted");
	add_entry(&h, &witness, "item.confirm", f, 4);               /* 2 */
	change_fields(f, "issue", "in-stock", "in-service");
	f[4] = (cy_entry_field){"custodian", serial(&custodian)};
	add_entry(&h, &officer, "item.change", f, 5);                /* 3 */
	change_fields(f, "maintain", "in-service", "maintenance");
	add_entry(&h, &custodian, "item.change", f, 4);              /* 4 */
	change_fields(f, "restore", "maintenance", "in-service");
	add_entry(&h, &officer, "item.change", f, 4);                /* 5 */
	change_fields(f, "transfer", "in-service", "transferred");
	f[4] = (cy_entry_field){"unit", AGENCY};
	f[5] = (cy_entry_field){"pending", "yes"};
	add_entry(&h, &custodian, "item.change", f, 6);              /* 6 */
	confirm_fields(f, &h.e[6], sha, "taker", "declined");
	add_entry(&h, &taker, "item.confirm", f, 4);                 /* 7 */
	change_fields(f, "transfer", "in-service", "transferred");
	f[4] = (cy_entry_field){"unit", AGENCY};
	f[5] = (cy_entry_field){"second", serial(&taker)};
	f[6] = (cy_entry_field){"reason", "điều chuyển theo QĐ 15"};
	f[7] = (cy_entry_field){"pending", "yes"};
	add_entry(&h, &custodian, "item.change", f, 8);              /* 8 */
	confirm_fields(f, &h.e[8], sha2, "taker", "accepted");
	add_entry(&h, &taker, "item.confirm", f, 4);                 /* 9 */
	change_fields(f, "lose", "in-stock", "lost");
	add_entry(&h, &taker, "item.change", f, 4);                  /* 10 */
	change_fields(f, "find", "lost", "in-stock");
	f[4] = (cy_entry_field){"reason", "tìm thấy trong két phòng 3"};
	add_entry(&h, &taker, "item.change", f, 5);                  /* 11 */

	memset(&v, 0, sizeof(v));
	apply_ok(&v, &h, 0);
	assert_int_equal(v.state, CY_ITEM_RECEIVED);
	assert_string_equal(v.holds_certs, holds);
	assert_string_equal(v.id, ITEM);
	apply_ok(&v, &h, 1);
	assert_int_equal(v.state, CY_ITEM_RECEIVED);
	assert_string_equal(v.pending, "stock");
	assert_string_equal(v.pending_second, serial(&witness));
	apply_ok(&v, &h, 2);
	assert_int_equal(v.state, CY_ITEM_IN_STOCK);
	assert_string_equal(v.pending, "");
	apply_ok(&v, &h, 3);
	assert_int_equal(v.state, CY_ITEM_IN_SERVICE);
	assert_string_equal(v.custodian, serial(&custodian));
	apply_ok(&v, &h, 4);
	assert_int_equal(v.state, CY_ITEM_MAINTENANCE);
	apply_ok(&v, &h, 5);
	apply_ok(&v, &h, 6);
	assert_int_equal(v.state, CY_ITEM_TRANSFERRED);
	assert_string_equal(v.unit, UNIT); /* in neither stock: still the giver's */
	assert_string_equal(v.pending_unit, AGENCY);
	apply_ok(&v, &h, 7);
	assert_int_equal(v.state, CY_ITEM_IN_SERVICE);
	assert_string_equal(v.custodian, serial(&custodian));
	apply_ok(&v, &h, 8);
	apply_ok(&v, &h, 9);
	assert_int_equal(v.state, CY_ITEM_IN_STOCK);
	assert_string_equal(v.unit, AGENCY);
	assert_string_equal(v.custodian, "");
	apply_ok(&v, &h, 10);
	assert_int_equal(v.state, CY_ITEM_LOST);
	apply_ok(&v, &h, 11);
	assert_int_equal(v.state, CY_ITEM_IN_STOCK);
	assert_int_equal(v.index, 111);
	assert_int_equal(v.changes, 12);
	assert_string_equal(v.updated, TIME);

	/* Replayed from the entries alone: the same view. */
	memset(&replay, 0, sizeof(replay));
	for (i = 0; i < h.n; i++)
		assert_int_equal(cy_item_apply(&replay, h.e[i].data, h.e[i].len,
		    100 + i, NULL, NULL, &err), 0);
	assert_memory_equal(&v, &replay, sizeof(v));

	/* The record round-trips, notes included. */
	assert_int_equal(cy_item_view_set_notes(&v, "Lô 12, hộp niêm phong số 7",
	    &err), 0);
	assert_string_equal(v.notes, "Lô 12, hộp niêm phong số 7");
	{
		char other[65], want[256];

		cy_item_sha256_hex((const uint8_t *)"Lô 13", strlen("Lô 13"), other);
		snprintf(want, sizeof(want), "item " ITEM ": the notes' SHA-256 is "
		    "%s, not the recorded %s", other, replay.notes_sha256);
		expect_refusal(cy_item_view_set_notes(&replay, "Lô 13", &err), &err,
		    CY_E_FORMAT, want);
	}
	assert_int_equal(cy_item_view_encode(&v, &rec, &err), 0);
	memset(&replay, 0, sizeof(replay));
	assert_int_equal(cy_item_view_parse(rec.data, rec.len, &replay, &err), 0);
	assert_memory_equal(&v, &replay, sizeof(v));
	history_free(&h);
	cy_buf_free(&rec);
}

/* An item.add with the fields a cipher device takes. */
static void
add_device(struct history *h, const struct pki_holder *by, const char *id)
{
	cy_entry_field f[] = {
		{"item-id", id}, {"item-type", "cipher-device"},
		{"serial", "MD-7"}, {"maker", "Viettel"}, {"model", "CY-M7"},
		{"level", "toi-mat"}, {"unit", UNIT}, {"received", "2026-12-01"},
	};

	add_entry(h, by, "item.add", f, 8);
}

/* Entries that do not fit the item's history. */
static void
test_apply_refusals(void **state)
{
	struct history h = {0};
	cy_item_view v;
	cy_entry_field f[8];
	char sha[65], want[512];

	(void)state;
	memset(&v, 0, sizeof(v));
	add_device(&h, &officer, ITEM);                              /* 0 */
	change_fields(f, "decommission", "in-stock", "decommissioned");
	add_entry(&h, &officer, "item.change", f, 4);                /* 1 */
	/* A history starts with item.add. */
	expect_apply_refused(&v, &h.e[1], CY_E_POLICY,
	    "item " ITEM ": its history starts with item.add");
	/* An add by an officer of another branch. */
	add_device(&h, &outsider, ITEM);                             /* 2 */
	snprintf(want, sizeof(want), "officer Hà (serial %s) is outside unit "
	    UNIT " (item's unit)", serial(&outsider));
	expect_apply_refused(&v, &h.e[2], CY_E_POLICY, want);
	apply_ok(&v, &h, 0);
	expect_apply_refused(&v, &h.e[0], CY_E_POLICY,
	    "item " ITEM ": already added");
	/* Starting from a state the item is not in. */
	expect_apply_refused(&v, &h.e[1], CY_E_POLICY,
	    "item " ITEM ": the change starts from in-stock but the item is "
	    "received");
	/* Another item's entry. */
	add_device(&h, &officer, ITEM2);                             /* 3 */
	expect_apply_refused(&v, &h.e[3], CY_E_POLICY,
	    "the entry is for item " ITEM2 ", not item " ITEM);
	/* A target state the table does not give. */
	change_fields(f, "stock", "received", "lost");
	f[4] = (cy_entry_field){"pending", "yes"};
	add_entry(&h, &officer, "item.change", f, 5);                /* 4 */
	expect_apply_refused(&v, &h.e[4], CY_E_POLICY,
	    "item " ITEM ": stock leads to in-stock, not lost");
	/* Stock without its witness. */
	change_fields(f, "stock", "received", "in-stock");
	add_entry(&h, &officer, "item.change", f, 4);                /* 5 */
	expect_apply_refused(&v, &h.e[5], CY_E_POLICY,
	    "item " ITEM ": stock needs a witness's acceptance");
	/* Nothing pending yet. */
	confirm_fields(f, &h.e[5], sha, "witness", "accepted");
	add_entry(&h, &witness, "item.confirm", f, 4);               /* 6 */
	expect_apply_refused(&v, &h.e[6], CY_E_POLICY,
	    "item " ITEM ": nothing waits for a second officer");
	change_fields(f, "stock", "received", "in-stock");
	f[4] = (cy_entry_field){"second", serial(&witness)};
	f[5] = (cy_entry_field){"pending", "yes"};
	add_entry(&h, &officer, "item.change", f, 6);                /* 7 */
	apply_ok(&v, &h, 7);
	/* An answer by another than the named witness: refused with the
	 * certificates and from the entries alone. */
	confirm_fields(f, &h.e[7], sha, "witness", "accepted");
	add_entry(&h, &taker, "item.confirm", f, 4);                 /* 8 */
	snprintf(want, sizeof(want), "officer Dũng (serial %s) is not the named "
	    "witness %s", serial(&taker), serial(&witness));
	expect_apply_refused(&v, &h.e[8], CY_E_POLICY, want);
	{
		cy_item_view before = v;
		cy_error err;

		snprintf(want, sizeof(want), "item " ITEM ": the answer is by %s, "
		    "not the named witness %s", serial(&taker), serial(&witness));
		expect_refusal(cy_item_apply(&v, h.e[8].data, h.e[8].len, 9, NULL,
		    NULL, &err), &err, CY_E_POLICY, want);
		assert_memory_equal(&before, &v, sizeof(v));
	}
	/* A taker's answer to a witness's change. */
	confirm_fields(f, &h.e[7], sha, "taker", "accepted");
	add_entry(&h, &witness, "item.confirm", f, 4);               /* 9 */
	expect_apply_refused(&v, &h.e[9], CY_E_POLICY, "item " ITEM ": a pending "
	    "stock needs a witness, not a taker");
	/* An entry signed by another key than its actor's certificate holds. */
	confirm_fields(f, &h.e[7], sha, "witness", "accepted");
	{
		cy_entry_field all[6] = {{"time", TIME}, {"actor", serial(&witness)},
			f[0], f[1], f[2], f[3]};

		memset(&h.e[h.n], 0, sizeof(h.e[h.n]));
		assert_int_equal(cy_entry_create("item.confirm", all, 6, taker.key,
		    &h.e[h.n++], NULL), 0);                          /* 10 */
	}
	snprintf(want, sizeof(want), "item " ITEM ": the entry's actor-key is not "
	    "the key of %s's certificate", serial(&witness));
	expect_apply_refused(&v, &h.e[10], CY_E_SIGNATURE, want);
	/* A confirmation of another change. */
	{
		char pending[65];

		cy_item_sha256_hex(h.e[5].data, h.e[5].len, sha);
		cy_item_sha256_hex(h.e[7].data, h.e[7].len, pending);
		snprintf(want, sizeof(want), "item " ITEM ": the confirmation "
		    "names change %s, not the pending one (%s)", sha, pending);
		expect_apply_refused(&v, &h.e[6], CY_E_POLICY, want);
	}
	history_free(&h);
}

/* The new entry types: made, verified, parsed back field by field; each
 * malformed value refused with the field's form; a changed byte breaks
 * the signature. */
static void
test_entries(void **state)
{
	static const struct {
		const char *type;
		cy_entry_field f[8];
		size_t n;
	} good[] = {
		{"item.confirm", {{"item-id", ITEM}, {"change-sha256",
		    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		    {"role", "taker"}, {"decision", "declined"}}, 4},
		{"stocktake.open", {{"stocktake-id", ITEM2}, {"unit", UNIT}}, 2},
		{"stocktake.declare", {{"stocktake-id", ITEM2}, {"count", "0"},
		    {"serials-sha256",
		    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}},
		    3},
		{"stocktake.close", {{"stocktake-id", ITEM2}, {"unit", UNIT},
		    {"declared", "41"}, {"differences", "1"}, {"report-sha256",
		    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}},
		    5},
	};
	static const struct {
		const char *type, *field, *value, *msg;
	} bad[] = {
		{"item.add", "serial", "TK 01", "serial must be an item serial: 1 "
		    "to 64 of A-Z, a-z, 0-9, '.', '_', '/', '-'"},
		{"item.add", "serial", "", NULL},
		{"item.add", "holds-certs", "0123", "holds-certs must be "
		    "certificate serials (32 lowercase hex digits each), 1 to 16 "
		    "different ones joined by ','"},
		{"item.add", "holds-certs", ITEM "," ITEM2 "," ITEM, NULL},
		{"item.add", "holds-certs", ITEM ",", NULL},
		{"item.add", "holds-certs", ITEM ", " ITEM2, NULL},
		{"item.add", "item-type", "toaster", "item-type must be one of "
		    "cipher-device|token|key|key-set|software|key-pair"},
		{"item.add", "count", "0", NULL},
		{"item.add", "level", "secret", NULL},
		{"item.change", "pending", "no", "pending must be one of yes"},
		{"item.change", "action", "add", NULL},
		{"item.change", "action", "accept", NULL},
		{"item.change", "to", "new", NULL},
		{"item.confirm", "role", "officer", "role must be one of "
		    "witness|taker"},
		{"stocktake.declare", "count", "-1", NULL},
		{"stocktake.open", "unit", "vn//hcm", NULL},
	};
	cy_entry_field add[20] = {
		{"time", TIME}, {"actor", serial(&officer)}, {"item-id", ITEM},
		{"item-type", "token"}, {"serial", "TK-1"}, {"maker", "Viettel"},
		{"model", "M"}, {"level", "mat"}, {"unit", UNIT},
		{"received", "2026-12-01"}, {"holds-certs", NULL},
		{"product-version", "1.0"}, {"pending", NULL},
	};
	char holds[CY_ITEM_HOLDS_SIZE + 40];
	cy_entry_field f[20];
	cy_buf out = CY_BUF_INIT;
	cy_entry *e;
	cy_error err;
	size_t i, j;

	(void)state;
	/* item.add with every optional field the entry has. */
	snprintf(holds, sizeof(holds), "%s,%s", ITEM, ITEM2);
	add[10].value = holds;
	assert_int_equal(cy_entry_create("item.add", add, 12, officer.key, &out,
	    &err), 0);
	assert_int_equal(cy_entry_verify(out.data, out.len, &err), 0);
	assert_int_equal(cy_entry_parse(out.data, out.len, &e, &err), 0);
	assert_string_equal(cy_entry_get(e, "holds-certs"), holds);
	assert_string_equal(cy_entry_get(e, "product-version"), "1.0");
	assert_null(cy_entry_get(e, "custodian"));
	cy_entry_free(e);
	/* A changed byte: the signature no longer verifies. */
	out.data[out.len / 2] ^= 1;
	assert_int_not_equal(cy_entry_verify(out.data, out.len, NULL), 0);
	cy_buf_free(&out);
	/* 16 serials at most. */
	holds[0] = '\0';
	for (i = 0; i < CY_ITEM_HOLDS_MAX + 1; i++)
		snprintf(holds + strlen(holds), sizeof(holds) - strlen(holds),
		    "%s%032zx", i > 0 ? "," : "", i + 1);
	expect_refusal(cy_entry_create("item.add", add, 11, officer.key, &out,
	    &err), &err, CY_E_USAGE, "holds-certs must be certificate serials "
	    "(32 lowercase hex digits each), 1 to 16 different ones joined by ','");
	holds[strlen(holds) - CY_SERIAL_HEX_LEN - 1] = '\0';
	assert_int_equal(cy_entry_create("item.add", add, 11, officer.key, &out,
	    &err), 0);
	cy_buf_free(&out);
	/* The contract's "version" is every entry's first line. */
	add[11].name = "version";
	expect_refusal(cy_entry_create("item.add", add, 12, officer.key, &out,
	    &err), &err, CY_E_USAGE, "item.add entries take no field version");
	add[11].name = "product-version";

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		f[0] = (cy_entry_field){"time", TIME};
		f[1] = (cy_entry_field){"actor", serial(&witness)};
		for (j = 0; j < good[i].n; j++)
			f[j + 2] = good[i].f[j];
		if (cy_entry_create(good[i].type, f, good[i].n + 2, witness.key,
		    &out, &err) != 0)
			fail_msg("%s: %s", good[i].type, err.msg);
		assert_int_equal(cy_entry_parse(out.data, out.len, &e, &err), 0);
		assert_string_equal(cy_entry_type(e), good[i].type);
		for (j = 0; j < good[i].n; j++)
			assert_string_equal(cy_entry_get(e, good[i].f[j].name),
			    good[i].f[j].value);
		cy_entry_free(e);
		cy_buf_free(&out);
	}

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n;

		/* A good entry of that type with one value replaced. */
		if (strcmp(bad[i].type, "item.add") == 0) {
			memcpy(f, add, sizeof(add));
			f[10] = (cy_entry_field){"custodian", ITEM2};
			n = 11;
		} else if (strcmp(bad[i].type, "item.change") == 0) {
			f[0] = (cy_entry_field){"time", TIME};
			f[1] = (cy_entry_field){"actor", serial(&officer)};
			change_fields(f + 2, "lose", "in-stock", "lost");
			n = 6;
		} else {
			for (j = 0; strcmp(good[j].type, bad[i].type) != 0; j++)
				;
			f[0] = (cy_entry_field){"time", TIME};
			f[1] = (cy_entry_field){"actor", serial(&officer)};
			memcpy(f + 2, good[j].f, good[j].n * sizeof(f[0]));
			n = good[j].n + 2;
		}
		for (j = 0; j < n && strcmp(f[j].name, bad[i].field) != 0; j++)
			;
		f[j] = (cy_entry_field){bad[i].field, bad[i].value};
		if (j == n)
			n++;
		if (cy_entry_create(bad[i].type, f, n, officer.key, &out, &err) == 0)
			fail_msg("%s %s=%s was taken", bad[i].type, bad[i].field,
			    bad[i].value);
		if (bad[i].msg != NULL)
			assert_string_equal(err.msg, bad[i].msg);
	}
}

/* A record that does not hold what entries could carry is refused. */
static void
test_view_record_refusals(void **state)
{
	static const struct {
		const char *from, *to, *msg;
	} bad[] = {
		{"state: in-stock", "state: new", "item record: state has no valid "
		    "value"},
		{"unit: " UNIT, "unit: vn//x", "item record: unit has no valid value"},
		{"serial: MD-7", "serial: MD 7", "item record: serial has no valid "
		    "value"},
		{"level: toi-mat", "level: secret", "item record: level has no valid "
		    "value"},
		{"changes: 1", "changes: -1", "item record: changes has no valid "
		    "value"},
		{"format: coyeu.v1/item-view", "format: coyeu.v2/item-view",
		    "an item record starts with \"format: coyeu.v1/item-view\""},
		{"updated: ", "pending: stock\nupdated: ", "item record: a pending "
		    "change needs its action, SHA-256 and the state it came from"},
	};
	struct history h = {0};
	cy_item_view v, back;
	cy_buf rec = CY_BUF_INIT;
	char text[4096], *at;
	cy_error err;
	size_t i;

	(void)state;
	memset(&v, 0, sizeof(v));
	add_device(&h, &officer, ITEM);
	apply_ok(&v, &h, 0);
	v.state = CY_ITEM_IN_STOCK;
	assert_int_equal(cy_item_view_encode(&v, &rec, &err), 0);
	assert_true(rec.len < sizeof(text) - 64);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(text, rec.data, rec.len);
		text[rec.len] = '\0';
		at = strstr(text, bad[i].from);
		assert_non_null(at);
		memmove(at + strlen(bad[i].to), at + strlen(bad[i].from),
		    strlen(at + strlen(bad[i].from)) + 1);
		memcpy(at, bad[i].to, strlen(bad[i].to));
		memset(&back, 0, sizeof(back));
		expect_refusal(cy_item_view_parse((const uint8_t *)text,
		    strlen(text), &back, &err), &err, CY_E_FORMAT, bad[i].msg);
	}
	/* Over the cap before anything is read. */
	{
		uint8_t big[CY_ITEM_VIEW_MAX + 1];

		memset(big, 'a', sizeof(big));
		expect_refusal(cy_item_view_parse(big, sizeof(big), &back, &err),
		    &err, CY_E_TOO_LARGE, "an item record is larger than 8192 bytes");
	}
	/* A view that was never added has no record. */
	memset(&back, 0, sizeof(back));
	cy_buf_free(&rec);
	assert_int_not_equal(cy_item_view_encode(&back, &rec, &err), 0);
	cy_buf_free(&rec);
	history_free(&h);
}

/* A device's end: decommissioned, destruction declined by the witness,
 * then witnessed; nothing comes back.  And a compromise while a stock-in
 * waits drops the pending change. */
static void
test_destruction(void **state)
{
	struct history h = {0};
	cy_item_view v;
	cy_entry_field f[8];
	char sha[65];

	(void)state;
	memset(&v, 0, sizeof(v));
	add_device(&h, &officer, ITEM);                              /* 0 */
	change_fields(f, "stock", "received", "in-stock");
	f[4] = (cy_entry_field){"pending", "yes"};
	add_entry(&h, &officer, "item.change", f, 5);                /* 1 */
	confirm_fields(f, &h.e[1], sha, "witness", "accepted");
	add_entry(&h, &witness, "item.confirm", f, 4);               /* 2 */
	change_fields(f, "decommission", "in-stock", "decommissioned");
	f[4] = (cy_entry_field){"reason", "hết niên hạn sử dụng"};
	add_entry(&h, &officer, "item.change", f, 5);                /* 3 */
	change_fields(f, "destroy", "decommissioned", "destroyed");
	f[4] = (cy_entry_field){"second", serial(&witness)};
	f[5] = (cy_entry_field){"pending", "yes"};
	add_entry(&h, &officer, "item.change", f, 6);                /* 4 */
	confirm_fields(f, &h.e[4], sha, "witness", "declined");
	add_entry(&h, &witness, "item.confirm", f, 4);               /* 5 */
	change_fields(f, "destroy", "decommissioned", "destroyed");
	f[4] = (cy_entry_field){"pending", "yes"};
	f[5] = (cy_entry_field){"reason", "nghiền nát, biên bản 7"};
	add_entry(&h, &city, "item.change", f, 6);                   /* 6 */
	confirm_fields(f, &h.e[6], sha, "witness", "accepted");
	add_entry(&h, &officer, "item.confirm", f, 4);               /* 7 */
	change_fields(f, "lose", "destroyed", "lost");
	add_entry(&h, &officer, "item.change", f, 4);                /* 8 */

	apply_ok(&v, &h, 0);
	apply_ok(&v, &h, 1);
	apply_ok(&v, &h, 2);
	apply_ok(&v, &h, 3);
	assert_int_equal(v.state, CY_ITEM_DECOMMISSIONED);
	apply_ok(&v, &h, 4);
	assert_int_equal(v.state, CY_ITEM_DECOMMISSIONED);
	assert_string_equal(v.pending, "destroy");
	apply_ok(&v, &h, 5);
	assert_int_equal(v.state, CY_ITEM_DECOMMISSIONED);
	assert_string_equal(v.pending, "");
	/* The city's authority destroys, the unit's officer witnesses. */
	apply_ok(&v, &h, 6);
	apply_ok(&v, &h, 7);
	assert_int_equal(v.state, CY_ITEM_DESTROYED);
	expect_apply_refused(&v, &h.e[8], CY_E_POLICY,
	    "item " ITEM ": destroyed items never come back");
	history_free(&h);

	memset(&v, 0, sizeof(v));
	add_device(&h, &officer, ITEM);                              /* 0 */
	change_fields(f, "stock", "received", "in-stock");
	f[4] = (cy_entry_field){"pending", "yes"};
	add_entry(&h, &officer, "item.change", f, 5);                /* 1 */
	change_fields(f, "compromise", "received", "compromised");
	f[4] = (cy_entry_field){"reason", "niêm phong bị rách"};
	add_entry(&h, &witness, "item.change", f, 5);                /* 2 */
	confirm_fields(f, &h.e[1], sha, "witness", "accepted");
	add_entry(&h, &witness, "item.confirm", f, 4);               /* 3 */
	apply_ok(&v, &h, 0);
	apply_ok(&v, &h, 1);
	apply_ok(&v, &h, 2);
	assert_int_equal(v.state, CY_ITEM_COMPROMISED);
	assert_string_equal(v.pending, "");
	expect_apply_refused(&v, &h.e[3], CY_E_POLICY,
	    "item " ITEM ": nothing waits for a second officer");
	history_free(&h);
}

/* The declared list's hash: order-free, each item followed by LF. */
static void
test_list_sha256(void **state)
{
	const char *a[] = {"token:TK-2", ITEM, "key:K-1"};
	const char *b[] = {ITEM, "key:K-1", "token:TK-2"};
	const char *bad[] = {"token:TK-2", "a\nb"};
	const char text[] = "1f2e3d4c5b6a79881f2e3d4c5b6a7988\nkey:K-1\n"
	    "token:TK-2\n";
	char x[65], y[65], want[65];
	cy_error err;

	(void)state;
	assert_int_equal(cy_item_list_sha256(a, 3, x, &err), 0);
	assert_int_equal(cy_item_list_sha256(b, 3, y, &err), 0);
	cy_item_sha256_hex((const uint8_t *)text, strlen(text), want);
	assert_string_equal(x, want);
	assert_string_equal(y, want);
	assert_int_equal(cy_item_list_sha256(NULL, 0, x, &err), 0);
	assert_string_equal(x,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	expect_refusal(cy_item_list_sha256(bad, 2, x, &err), &err, CY_E_USAGE,
	    "declared item 2 is not an item id or TYPE:SERIAL (1 to 128 bytes, "
	    "no line feed)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_entry_names_agree),
		cmocka_unit_test(test_every_rule),
		cmocka_unit_test(test_move_refusals),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_apply_refusals),
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_view_record_refusals),
		cmocka_unit_test(test_list_sha256),
		cmocka_unit_test(test_destruction),
	};

	if (cy_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
