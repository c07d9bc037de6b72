/* A policy request as text, for fuzz_policy.c and tests/unit/test_policy.c.
 *
 * policy_text_init(pt, action) sets up a request that the policy allows
 * for that action (a TỐI MẬT document of vn/hcm/so-noi-vu, compartment x,
 * sealed by An to Bình); policy_text_apply edits it with whitespace-
 * separated KEY=VALUE tokens, applied in order:
 *
 *   action=N | seal | open | …     time=N    offline=N
 *   actor=P   target=P   approverK=P     (K = 1..8: the party preset P:
 *                                         an, binh, cuong, registry,
 *                                         authority, xuan, yen; or none)
 *   approvers=N                          (the first N approver slots count)
 *   actor.F=V  target.F=V  approverK.F=V (F: serial name role clearance
 *                                         unit compartments nb na rev since)
 *   doc=none   doc.F=V                   (F: level unit scope compartments
 *                                         only_named recipients created
 *                                         protect state)
 *
 * Names (officer, toi-mat, live, from, …) or plain integers; the value
 * `null` makes a string field NULL; recipients are comma-separated.
 * Unknown tokens are ignored.  Strings point into the text, which must
 * outlive the request.
 */
#ifndef COYEU_FUZZ_POLICY_TEXT_H
#define COYEU_FUZZ_POLICY_TEXT_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/level.h"
#include "coyeu/policy.h"

#define PT_T0 1767225600LL             /* 2026-01-01T00:00:00Z */
#define PT_DAY 86400LL
#define PT_NOW (PT_T0 + 30 * PT_DAY)   /* 2026-01-31T00:00:00Z */
#define PT_UNTIL (PT_T0 + 365 * PT_DAY) /* validity end */
#define PT_APPROVERS 8
#define PT_RECIPIENTS 16

#define PT_AN "a0000000000000000000000000000001"
#define PT_BINH "b0000000000000000000000000000002"
#define PT_CUONG "c0000000000000000000000000000003"
#define PT_REGISTRY "e0000000000000000000000000000004"
#define PT_AUTHORITY "d0000000000000000000000000000005"
#define PT_XUAN "f0000000000000000000000000000006"
#define PT_YEN "f0000000000000000000000000000007"

struct policy_text {
	cy_policy_request rq;
	cy_policy_party actor, target, approvers[PT_APPROVERS];
	cy_policy_doc doc;
	const char *recipients[PT_RECIPIENTS];
};

static const struct pt_preset {
	const char *key;
	cy_policy_party p;
} pt_presets[] = {
	{"an", {PT_AN, "Nguyễn Văn An", CY_ROLE_OFFICER, CY_LEVEL_TUYET_MAT,
	    "vn/hcm/so-noi-vu", "x,y", PT_T0, PT_UNTIL, CY_REV_NONE, 0}},
	{"binh", {PT_BINH, "Trần Thị Bình", CY_ROLE_OFFICER, CY_LEVEL_TOI_MAT,
	    "vn/hcm/so-tu-phap", "x", PT_T0, PT_UNTIL, CY_REV_NONE, 0}},
	{"cuong", {PT_CUONG, "Lê Văn Cường", CY_ROLE_OFFICER, CY_LEVEL_TOI_MAT,
	    "vn/hcm/so-tu-phap", "x", PT_T0, PT_UNTIL, CY_REV_NONE, 0}},
	{"registry", {PT_REGISTRY, "Sổ đăng ký TP.HCM", CY_ROLE_REGISTRY,
	    CY_LEVEL_MAT, "vn/hcm", "", PT_T0, PT_UNTIL, CY_REV_NONE, 0}},
	{"authority", {PT_AUTHORITY, "Ban Cơ yếu TP.HCM", CY_ROLE_AUTHORITY,
	    CY_LEVEL_TUYET_MAT, "vn/hcm", "x,y", PT_T0, PT_UNTIL, CY_REV_NONE,
	    0}},
	{"xuan", {PT_XUAN, "Phạm Văn Xuân", CY_ROLE_OFFICER, CY_LEVEL_TUYET_MAT,
	    "vn/hcm", "", PT_T0, PT_UNTIL, CY_REV_NONE, 0}},
	{"yen", {PT_YEN, "Võ Thị Yến", CY_ROLE_OFFICER, CY_LEVEL_TUYET_MAT,
	    "vn/hcm", "", PT_T0, PT_UNTIL, CY_REV_NONE, 0}},
};

/* Who acts and who is the target in the allowed request of each action. */
static const struct {
	const char *actor, *target;
} pt_cast[] = {
	[CY_ACT_SEAL] = {"an", "binh"},
	[CY_ACT_OPEN] = {"binh", NULL},
	[CY_ACT_RELEASE] = {"registry", "binh"},
	[CY_ACT_COPY] = {"binh", "cuong"},
	[CY_ACT_RECALL] = {"an", NULL},
	[CY_ACT_DESTROY] = {"an", NULL},
	[CY_ACT_DECLASSIFY] = {"an", NULL},
	[CY_ACT_APPROVE] = {"xuan", "binh"},
};

static const cy_policy_party *
pt_preset(const char *key)
{
	size_t i;

	for (i = 0; key != NULL && i < sizeof(pt_presets) / sizeof(pt_presets[0]);
	    i++)
		if (strcmp(pt_presets[i].key, key) == 0)
			return &pt_presets[i].p;
	return NULL;
}

static inline void
policy_text_init(struct policy_text *pt, int action)
{
	const cy_policy_party *a = NULL, *t = NULL;
	size_t i;

	memset(pt, 0, sizeof(*pt));
	if (action >= CY_ACT_SEAL && action <= CY_ACT_APPROVE) {
		a = pt_preset(pt_cast[action].actor);
		t = pt_preset(pt_cast[action].target);
	}
	pt->actor = *(a != NULL ? a : pt_preset("an"));
	pt->target = *(t != NULL ? t : pt_preset("cuong"));
	for (i = 0; i < PT_APPROVERS; i++)
		pt->approvers[i] = *pt_preset(i % 2 ? "yen" : "xuan");
	pt->recipients[0] = PT_BINH;
	pt->doc.level = CY_LEVEL_TOI_MAT;
	pt->doc.unit = "vn/hcm/so-noi-vu";
	pt->doc.scope = "vn/hcm";
	pt->doc.compartments = "x";
	pt->doc.recipients = pt->recipients;
	pt->doc.nrecipients = 1;
	pt->doc.created = action == CY_ACT_SEAL ? PT_NOW : PT_NOW - PT_DAY;
	pt->doc.protect_until = action == CY_ACT_DECLASSIFY ? PT_NOW - 1 :
	    pt->doc.created + 10 * 365 * PT_DAY;
	pt->doc.state = CY_DOC_LIVE;
	pt->rq.action = action;
	pt->rq.time = PT_NOW;
	pt->rq.actor = &pt->actor;
	pt->rq.target = t != NULL ? &pt->target : NULL;
	pt->rq.doc = &pt->doc;
	pt->rq.approvers = pt->approvers;
}

/* A name from names[1..n) or an integer; 0 if neither (never valid). */
static int
pt_enum(const char *v, const char *const *names, int n)
{
	char *end;
	long x;
	int i;

	for (i = 1; i < n; i++)
		if (names[i] != NULL && strcmp(v, names[i]) == 0)
			return i;
	x = strtol(v, &end, 10);
	return *v != '\0' && *end == '\0' && x > -1000 && x < 1000 ? (int)x : 0;
}

static int64_t
pt_int(const char *v)
{
	return (int64_t)strtoll(v, NULL, 10);
}

static const char *
pt_str(const char *v)
{
	return strcmp(v, "null") == 0 ? NULL : v;
}

static const char *const pt_roles[] = {NULL, "authority", "registry",
    "officer"};
static const char *const pt_levels[] = {NULL, "mat", "toi-mat", "tuyet-mat"};
static const char *const pt_revs[] = {NULL, "none", "from", "always"};
static const char *const pt_states[] = {NULL, "live", "declassified",
    "recalled", "destroyed"};
static const char *const pt_actions[] = {NULL, "seal", "open", "release",
    "copy", "recall", "destroy", "declassify", "approve"};

#define PT_N(a) ((int)(sizeof(a) / sizeof(a[0])))

/* "a,b,c" in place into the recipients. */
static void
pt_recipients(struct policy_text *pt, char *v)
{
	char *p, *comma;

	pt->doc.nrecipients = 0;
	if (*v == '\0')
		return;
	for (p = v; pt->doc.nrecipients < PT_RECIPIENTS; p = comma + 1) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma = '\0';
		pt->recipients[pt->doc.nrecipients++] = p;
		if (comma == NULL)
			break;
	}
}

/* The fields KEY.F=V may set: where, and how V reads. */
enum pt_kind { PT_STR, PT_I64, PT_INT, PT_ENUM };

struct pt_field {
	const char *name;
	enum pt_kind kind;
	size_t off;
	const char *const *names; /* PT_ENUM */
	int nnames;
};

#define PT_F(t, n, f, k) {n, k, offsetof(t, f), NULL, 0}
#define PT_E(t, n, f, e) {n, PT_ENUM, offsetof(t, f), e, PT_N(e)}

static const struct pt_field pt_party_fields[] = {
	PT_F(cy_policy_party, "serial", serial, PT_STR),
	PT_F(cy_policy_party, "name", name, PT_STR),
	PT_E(cy_policy_party, "role", role, pt_roles),
	PT_E(cy_policy_party, "clearance", clearance, pt_levels),
	PT_F(cy_policy_party, "unit", unit, PT_STR),
	PT_F(cy_policy_party, "compartments", compartments, PT_STR),
	PT_F(cy_policy_party, "nb", not_before, PT_I64),
	PT_F(cy_policy_party, "na", not_after, PT_I64),
	PT_E(cy_policy_party, "rev", revocation, pt_revs),
	PT_F(cy_policy_party, "since", revoked_since, PT_I64),
	{NULL, PT_STR, 0, NULL, 0},
};

static const struct pt_field pt_doc_fields[] = {
	PT_E(cy_policy_doc, "level", level, pt_levels),
	PT_F(cy_policy_doc, "unit", unit, PT_STR),
	PT_F(cy_policy_doc, "scope", scope, PT_STR),
	PT_F(cy_policy_doc, "compartments", compartments, PT_STR),
	PT_F(cy_policy_doc, "only_named", only_named, PT_INT),
	PT_F(cy_policy_doc, "created", created, PT_I64),
	PT_F(cy_policy_doc, "protect", protect_until, PT_I64),
	PT_E(cy_policy_doc, "state", state, pt_states),
	{NULL, PT_STR, 0, NULL, 0},
};

static void
pt_set(void *base, const struct pt_field *fields, const char *f,
    const char *v)
{
	char *at;

	for (; fields->name != NULL; fields++) {
		if (strcmp(fields->name, f) != 0)
			continue;
		at = (char *)base + fields->off;
		if (fields->kind == PT_STR)
			*(const char **)(void *)at = pt_str(v);
		else if (fields->kind == PT_I64)
			*(int64_t *)(void *)at = pt_int(v);
		else if (fields->kind == PT_INT)
			*(int *)(void *)at = (int)pt_int(v);
		else
			*(int *)(void *)at = pt_enum(v, fields->names,
			    fields->nnames);
		return;
	}
}

/* The party slot named by key[0..len): actor, target, approver1..8. */
static cy_policy_party *
pt_slot(struct policy_text *pt, const char *key, size_t len,
    int *is_target)
{
	*is_target = 0;
	if (len == 5 && memcmp(key, "actor", 5) == 0)
		return &pt->actor;
	if (len == 6 && memcmp(key, "target", 6) == 0) {
		*is_target = 1;
		return &pt->target;
	}
	if (len == 9 && memcmp(key, "approver", 8) == 0 && key[8] >= '1' &&
	    key[8] <= '0' + PT_APPROVERS)
		return &pt->approvers[key[8] - '1'];
	return NULL;
}

/* KEY=VALUE, key and value NUL-terminated in place. */
static void
pt_token(struct policy_text *pt, char *key, char *v)
{
	const cy_policy_party *preset;
	cy_policy_party *slot;
	int64_t n;
	char *dot = strchr(key, '.');
	size_t klen = dot != NULL ? (size_t)(dot - key) : strlen(key);
	int is_target;

	if (strcmp(key, "action") == 0)
		pt->rq.action = pt_enum(v, pt_actions, PT_N(pt_actions));
	else if (strcmp(key, "time") == 0)
		pt->rq.time = pt_int(v);
	else if (strcmp(key, "offline") == 0)
		pt->rq.offline = (int)pt_int(v);
	else if (strcmp(key, "approvers") == 0) {
		n = pt_int(v);
		pt->rq.napprovers = n < 0 ? 0 : n > PT_APPROVERS ? PT_APPROVERS :
		    (size_t)n;
	}
	else if (strcmp(key, "doc") == 0)
		pt->rq.doc = strcmp(v, "none") == 0 ? NULL : &pt->doc;
	else if (strcmp(key, "doc.recipients") == 0)
		pt_recipients(pt, v);
	else if (klen == 3 && memcmp(key, "doc", 3) == 0 && dot != NULL)
		pt_set(&pt->doc, pt_doc_fields, dot + 1, v);
	else if ((slot = pt_slot(pt, key, klen, &is_target)) == NULL)
		return;
	else if (dot != NULL)
		pt_set(slot, pt_party_fields, dot + 1, v);
	else if (strcmp(v, "none") == 0 && slot == &pt->actor)
		pt->rq.actor = NULL;
	else if (strcmp(v, "none") == 0 && is_target)
		pt->rq.target = NULL;
	else if ((preset = pt_preset(v)) != NULL) {
		*slot = *preset;
		if (slot == &pt->actor)
			pt->rq.actor = slot;
		if (is_target)
			pt->rq.target = slot;
	}
}

/* Applies every KEY=VALUE token of text (modified in place). */
static inline void
policy_text_apply(struct policy_text *pt, char *text)
{
	char *tok, *save = NULL, *eq;

	for (tok = strtok_r(text, " \t\r\n", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\r\n", &save))
		if ((eq = strchr(tok, '=')) != NULL) {
			*eq = '\0';
			pt_token(pt, tok, eq + 1);
		}
}

#endif
