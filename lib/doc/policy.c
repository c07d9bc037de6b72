/* Policy: one small function per rule, run in the fixed order of the
 * rules[] table below (docs/policy.md lists the same table). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "coyeu/canon.h"
#include "coyeu/label.h"
#include "coyeu/level.h"
#include "coyeu/policy.h"
#include "pki/signed.h"

#define BIT(a) (1u << (a))
#define ROLE_BIT(r) (1u << (r))
#define STATE_BIT(s) (1u << (s))

#define WITH_TARGET (BIT(CY_ACT_SEAL) | BIT(CY_ACT_RELEASE) | \
    BIT(CY_ACT_COPY) | BIT(CY_ACT_APPROVE))
#define ALL_ACTIONS (BIT(CY_ACT_SEAL) | BIT(CY_ACT_OPEN) | \
    BIT(CY_ACT_RELEASE) | BIT(CY_ACT_COPY) | BIT(CY_ACT_RECALL) | \
    BIT(CY_ACT_DESTROY) | BIT(CY_ACT_DECLASSIFY) | BIT(CY_ACT_APPROVE))

/* What each action lets whom do, and in which document states. */
static const struct action {
	const char *name, *done; /* "seal", "sealed" */
	const char *actor_noun, *target_noun;
	unsigned actor_roles;  /* ROLE_BIT set */
	unsigned states;       /* STATE_BIT set */
	int approvals;         /* the two-person rule applies (TUYỆT MẬT) */
} actions[] = {
	[CY_ACT_SEAL] = {"seal", "sealed", "sealer", "recipient",
	    ROLE_BIT(CY_ROLE_OFFICER), STATE_BIT(CY_DOC_LIVE), 0},
	[CY_ACT_OPEN] = {"open", "opened", "reader", NULL, ROLE_BIT(CY_ROLE_OFFICER),
	    STATE_BIT(CY_DOC_LIVE) | STATE_BIT(CY_DOC_DECLASSIFIED), 1},
	[CY_ACT_RELEASE] = {"release", "released", "releaser", "requester",
	    ROLE_BIT(CY_ROLE_REGISTRY),
	    STATE_BIT(CY_DOC_LIVE) | STATE_BIT(CY_DOC_DECLASSIFIED), 1},
	[CY_ACT_COPY] = {"copy", "copied", "copier", "copy recipient",
	    ROLE_BIT(CY_ROLE_OFFICER),
	    STATE_BIT(CY_DOC_LIVE) | STATE_BIT(CY_DOC_DECLASSIFIED), 1},
	[CY_ACT_RECALL] = {"recall", "recalled", "requester", NULL,
	    ROLE_BIT(CY_ROLE_OFFICER) | ROLE_BIT(CY_ROLE_AUTHORITY),
	    STATE_BIT(CY_DOC_LIVE), 0},
	[CY_ACT_DESTROY] = {"destroy", "destroyed", "requester", NULL,
	    ROLE_BIT(CY_ROLE_OFFICER) | ROLE_BIT(CY_ROLE_AUTHORITY),
	    STATE_BIT(CY_DOC_LIVE) | STATE_BIT(CY_DOC_RECALLED) |
	    STATE_BIT(CY_DOC_DECLASSIFIED), 1},
	[CY_ACT_DECLASSIFY] = {"declassify", "declassified", "requester", NULL,
	    ROLE_BIT(CY_ROLE_OFFICER) | ROLE_BIT(CY_ROLE_AUTHORITY) |
	    ROLE_BIT(CY_ROLE_REGISTRY), STATE_BIT(CY_DOC_LIVE), 0},
	[CY_ACT_APPROVE] = {"approve", "approved for access", "approver", "requester",
	    ROLE_BIT(CY_ROLE_OFFICER), STATE_BIT(CY_DOC_LIVE), 0},
};

#define NACTIONS ((int)(sizeof(actions) / sizeof(actions[0])))

static const char *const reason_names[] = {
	"ok", "bad-request", "role", "not-yet-valid", "expired", "revoked",
	"state", "seal-time", "protect", "not-due", "unit", "self",
	"not-recipient", "only-named", "clearance", "compartment", "approvals",
};

static const char *const state_names[] = {
	NULL, "live", "declassified", "recalled", "destroyed",
};

struct ctx {
	const cy_policy_request *rq;
	const cy_policy_party *target; /* rq->target for actions that take
	                                * one, else NULL */
	const struct action *act;
	cy_policy_decision *out;
	int declassified;
};

/* --- messages --- */

/* Cuts a truncated message back to whole UTF-8 characters. */
static void
trim_utf8(char *s)
{
	size_t n = strlen(s), i = n;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i > 0 && ((unsigned char)s[i - 1] & 0x80) != 0 &&
	    !cy_canon_utf8_valid(s + i - 1, n - i + 1))
		s[i - 1] = '\0';
}

static int
deny(struct ctx *c, int reason, int who, const char *fmt, ...)
    CY_PRINTF(4, 5);

static int
deny(struct ctx *c, int reason, int who, const char *fmt, ...)
{
	va_list ap;

	c->out->allow = 0;
	c->out->reason = reason;
	c->out->who = who;
	va_start(ap, fmt);
	vsnprintf(c->out->msg, sizeof(c->out->msg), fmt, ap);
	va_end(ap);
	trim_utf8(c->out->msg);
	return reason;
}

/* "recipient Nguyễn Văn A (serial 7b17…)" or "recipient 7b17…". */
static const char *
describe(const char *noun, const cy_policy_party *p,
    char out[CY_ERROR_MSG_MAX])
{
	if (p->name != NULL && p->name[0] != '\0')
		snprintf(out, CY_ERROR_MSG_MAX, "%s %s (serial %s)", noun,
		    p->name, p->serial);
	else
		snprintf(out, CY_ERROR_MSG_MAX, "%s %s", noun, p->serial);
	return out;
}

static const char *
list_or_empty(const char *l)
{
	return l != NULL ? l : "";
}

/* --- rule 1: the request is complete and well-formed --- */

static int
list_ok(const char *l)
{
	return cy_canon_list_check(list_or_empty(l), strlen(list_or_empty(l)),
	    cy_compartment_valid, "compartments", NULL) == 0;
}

static int
unit_ok(const char *u)
{
	return u != NULL && cy_unit_valid(u, strlen(u));
}

static int
serial_ok(const char *s)
{
	return s != NULL && cy_serial_valid(s, strlen(s));
}

static int
party_ok(const cy_policy_party *p)
{
	return p != NULL && serial_ok(p->serial) &&
	    (p->name == NULL || (strlen(p->name) <= CY_NAME_MAX &&
	    cy_canon_utf8_valid(p->name, strlen(p->name)))) &&
	    cy_role_name(p->role) != NULL &&
	    cy_level_name(p->clearance) != NULL && unit_ok(p->unit) &&
	    list_ok(p->compartments) && p->not_before <= p->not_after &&
	    p->revocation >= CY_REV_NONE && p->revocation <= CY_REV_ALWAYS;
}

static int
doc_ok(const cy_policy_doc *d)
{
	size_t i;

	if (d == NULL || cy_level_name(d->level) == NULL || !unit_ok(d->unit) ||
	    (d->scope != NULL && !unit_ok(d->scope)) ||
	    !list_ok(d->compartments) || d->state < CY_DOC_LIVE ||
	    d->state > CY_DOC_DESTROYED ||
	    d->nrecipients > CY_LABEL_RECIPIENTS_MAX ||
	    (d->nrecipients > 0 && d->recipients == NULL))
		return 0;
	for (i = 0; i < d->nrecipients; i++)
		if (!serial_ok(d->recipients[i]))
			return 0;
	return 1;
}

static const char *
request_fault(const cy_policy_request *rq, unsigned bit)
{
	size_t i;

	if (rq->time < CY_CANON_TIME_MIN || rq->time > CY_CANON_TIME_MAX)
		return "the time is out of range";
	if (rq->offline != 0 && (bit != BIT(CY_ACT_OPEN) || rq->offline != 1))
		return "offline applies to open only, as 1";
	if (!party_ok(rq->actor))
		return "the actor is missing or malformed";
	/* Seal may omit the target: then only the sealer's rules run (what
	 * a reader re-checks at `created`). */
	if ((bit & WITH_TARGET) && (rq->target != NULL ||
	    bit != BIT(CY_ACT_SEAL)) && !party_ok(rq->target))
		return "the target is missing or malformed";
	if (!doc_ok(rq->doc))
		return "the document is missing or malformed";
	if (rq->napprovers > CY_POLICY_APPROVERS_MAX ||
	    (rq->napprovers > 0 && rq->approvers == NULL))
		return "too many approvals, or none given with a count";
	for (i = 0; i < rq->napprovers; i++)
		if (!party_ok(&rq->approvers[i]))
			return "an approver is malformed";
	return NULL;
}

static int
rule_request(struct ctx *c)
{
	const char *why = request_fault(c->rq, BIT(c->rq->action));

	return why == NULL ? 0 :
	    deny(c, CY_POL_BAD_REQUEST, CY_POL_WHO_NONE, "bad request: %s", why);
}

/* --- rules 2–7: the parties' roles, validity and revocation --- */

/* "an officer", "an officer or an authority", … */
static const char *
role_text(unsigned roles)
{
	static const struct {
		unsigned roles;
		const char *text;
	} texts[] = {
		{ROLE_BIT(CY_ROLE_OFFICER), "an officer"},
		{ROLE_BIT(CY_ROLE_REGISTRY), "a registry"},
		{ROLE_BIT(CY_ROLE_AUTHORITY), "an authority"},
		{ROLE_BIT(CY_ROLE_OFFICER) | ROLE_BIT(CY_ROLE_AUTHORITY),
		    "an officer or an authority"},
		{ROLE_BIT(CY_ROLE_OFFICER) | ROLE_BIT(CY_ROLE_AUTHORITY) |
		    ROLE_BIT(CY_ROLE_REGISTRY),
		    "an officer, an authority or a registry"},
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i].roles == roles)
			return texts[i].text;
	return "another role";
}

static int
role_fault(struct ctx *c, const char *noun, const cy_policy_party *p, int who)
{
	unsigned roles = who == CY_POL_WHO_ACTOR ? c->act->actor_roles :
	    ROLE_BIT(CY_ROLE_OFFICER);
	char d[CY_ERROR_MSG_MAX];

	if (roles & ROLE_BIT(p->role))
		return 0;
	return deny(c, CY_POL_ROLE, who, "%s is %s; to %s, the %s must be %s",
	    describe(noun, p, d), role_text(ROLE_BIT(p->role)), c->act->name,
	    noun, role_text(roles));
}

/* CY_POL_NOT_YET_VALID, CY_POL_EXPIRED or 0 at time t. */
static int
validity_at(const cy_policy_party *p, int64_t t)
{
	if (t < p->not_before)
		return CY_POL_NOT_YET_VALID;
	return t > p->not_after ? CY_POL_EXPIRED : 0;
}

static int
revoked_at(const cy_policy_party *p, int64_t t)
{
	return p->revocation == CY_REV_ALWAYS ||
	    (p->revocation == CY_REV_FROM && t >= p->revoked_since);
}

static int
validity_fault(struct ctx *c, const char *noun, const cy_policy_party *p,
    int who)
{
	char d[CY_ERROR_MSG_MAX], t1[CY_TIME_STR_MAX], t2[CY_TIME_STR_MAX];
	int r = validity_at(p, c->rq->time);

	if (r == CY_POL_NOT_YET_VALID)
		return deny(c, r, who, "%s is not yet valid: valid from %s "
		    "(time checked: %s)", describe(noun, p, d),
		    cy_time_str(p->not_before, t1), cy_time_str(c->rq->time, t2));
	if (r == CY_POL_EXPIRED)
		return deny(c, r, who, "%s expired at %s (time checked: %s)",
		    describe(noun, p, d), cy_time_str(p->not_after, t1),
		    cy_time_str(c->rq->time, t2));
	return 0;
}

static int
revocation_fault(struct ctx *c, const char *noun, const cy_policy_party *p,
    int who)
{
	char d[CY_ERROR_MSG_MAX], t1[CY_TIME_STR_MAX], t2[CY_TIME_STR_MAX];

	if (!revoked_at(p, c->rq->time))
		return 0;
	if (p->revocation == CY_REV_FROM)
		return deny(c, CY_POL_REVOKED, who, "%s is revoked since %s "
		    "(time checked: %s)", describe(noun, p, d),
		    cy_time_str(p->revoked_since, t1), cy_time_str(c->rq->time, t2));
	return deny(c, CY_POL_REVOKED, who, "%s is revoked at every time "
	    "(key compromise or another reason that voids its past)",
	    describe(noun, p, d));
}

/* --- rules 8–11: the document's state and protection period --- */

static int
rule_state(struct ctx *c)
{
	int st = c->rq->doc->state;

	if (c->act->states & STATE_BIT(st))
		return 0;
	return deny(c, CY_POL_STATE, CY_POL_WHO_DOCUMENT,
	    "the document is %s: it may not be %s", state_names[st],
	    c->act->done);
}

static int
rule_seal_time(struct ctx *c)
{
	char t1[CY_TIME_STR_MAX], t2[CY_TIME_STR_MAX];

	if (c->rq->doc->created == c->rq->time)
		return 0;
	return deny(c, CY_POL_SEAL_TIME, CY_POL_WHO_DOCUMENT,
	    "the document says it was created at %s, not at the time of "
	    "sealing %s", cy_time_str(c->rq->doc->created, t1),
	    cy_time_str(c->rq->time, t2));
}

static int
rule_protection(struct ctx *c)
{
	const cy_policy_doc *d = c->rq->doc;
	cy_error err;

	if (cy_policy_protect_check(d->level, d->created, d->protect_until,
	    &err) == 0)
		return 0;
	return deny(c, CY_POL_PROTECT, CY_POL_WHO_DOCUMENT, "%s", err.msg);
}

static int
rule_due(struct ctx *c)
{
	char t1[CY_TIME_STR_MAX], t2[CY_TIME_STR_MAX];

	if (c->rq->time > c->rq->doc->protect_until)
		return 0;
	return deny(c, CY_POL_NOT_DUE, CY_POL_WHO_DOCUMENT,
	    "the document is protected until %s (time checked: %s): not yet "
	    "due for declassification", cy_time_str(c->rq->doc->protect_until,
	    t1), cy_time_str(c->rq->time, t2));
}

/* --- rules 12–15: units, self-approval, holders, handling --- */

static int
unit_fault(struct ctx *c, const char *noun, const cy_policy_party *p,
    const char *unit, int who)
{
	char d[CY_ERROR_MSG_MAX];

	if (cy_unit_contains(unit, p->unit))
		return 0;
	return deny(c, CY_POL_UNIT, who, "%s of unit %s is outside the "
	    "document's %s %s", describe(noun, p, d), p->unit,
	    c->declassified ? "originating subtree" : "unit", unit);
}

static int
rule_origin(struct ctx *c)
{
	const cy_policy_party *a = c->rq->actor;
	const char *unit = c->rq->doc->unit;
	char d[CY_ERROR_MSG_MAX];

	if (c->rq->action != CY_ACT_SEAL) {
		if (cy_unit_contains(a->unit, unit))
			return 0;
		return deny(c, CY_POL_UNIT, CY_POL_WHO_ACTOR, "%s of unit %s is "
		    "neither of the document's unit %s nor above it",
		    describe(c->act->actor_noun, a, d), a->unit, unit);
	}
	if (strcmp(a->unit, unit) == 0)
		return 0;
	return deny(c, CY_POL_UNIT, CY_POL_WHO_ACTOR, "%s is of unit %s, but "
	    "the document names unit %s (the sealer's own)",
	    describe(c->act->actor_noun, a, d), a->unit, unit);
}

static int
same_party(const cy_policy_party *a, const cy_policy_party *b)
{
	return a != NULL && b != NULL && strcmp(a->serial, b->serial) == 0;
}

static int
rule_self(struct ctx *c)
{
	char d[CY_ERROR_MSG_MAX];

	if (!same_party(c->rq->actor, c->target))
		return 0;
	return deny(c, CY_POL_SELF, CY_POL_WHO_ACTOR, "%s may not approve "
	    "their own access", describe(c->act->actor_noun, c->rq->actor, d));
}

static int
is_recipient(const cy_policy_doc *d, const char *serial)
{
	size_t i;

	for (i = 0; i < d->nrecipients; i++)
		if (strcmp(d->recipients[i], serial) == 0)
			return 1;
	return 0;
}

/* On a declassified document everyone gaining access must be within the
 * originating authority's subtree. */
static int
holder_scope(struct ctx *c)
{
	const cy_policy_doc *d = c->rq->doc;
	const char *scope = d->scope != NULL ? d->scope : d->unit;
	int r = 0;

	if (c->rq->action != CY_ACT_RELEASE)
		r = unit_fault(c, c->act->actor_noun, c->rq->actor, scope,
		    CY_POL_WHO_ACTOR);
	if (r == 0 && c->target != NULL)
		r = unit_fault(c, c->act->target_noun, c->target, scope,
		    CY_POL_WHO_TARGET);
	return r;
}

/* On a live document: the reader (open), the requester (release, seal's
 * recipient) or the copier (copy) is named in the label. */
static int
rule_holder(struct ctx *c)
{
	int on_target = c->rq->action == CY_ACT_SEAL ||
	    c->rq->action == CY_ACT_RELEASE;
	const cy_policy_party *p = on_target ? c->target : c->rq->actor;
	char d[CY_ERROR_MSG_MAX];

	if (c->declassified)
		return holder_scope(c);
	if (p == NULL || is_recipient(c->rq->doc, p->serial))
		return 0;
	return deny(c, CY_POL_NOT_RECIPIENT,
	    on_target ? CY_POL_WHO_TARGET : CY_POL_WHO_ACTOR,
	    "%s is not a named recipient of the document",
	    describe(on_target ? c->act->target_noun : c->act->actor_noun, p,
	    d));
}

static int
rule_only_named(struct ctx *c)
{
	if (c->declassified || !c->rq->doc->only_named)
		return 0;
	return deny(c, CY_POL_ONLY_NAMED, CY_POL_WHO_DOCUMENT,
	    "the document is for its named recipients only "
	    "(" CY_HANDLING_ONLY_NAMED "): it may not be copied");
}

/* --- rules 16–19: clearance and compartments (no read up) --- */

static int
clearance_fault(struct ctx *c, const char *noun, const cy_policy_party *p,
    int who)
{
	char d[CY_ERROR_MSG_MAX];
	int level = c->rq->doc->level;

	if (c->declassified || p->clearance >= level)
		return 0;
	return deny(c, CY_POL_CLEARANCE, who, "%s lacks clearance %s (has %s)",
	    describe(noun, p, d), cy_level_display(level),
	    cy_level_display(p->clearance));
}

static int
compartment_fault(struct ctx *c, const char *noun, const cy_policy_party *p,
    int who)
{
	const char *want = list_or_empty(c->rq->doc->compartments);
	const char *have = list_or_empty(p->compartments), *missing;
	char d[CY_ERROR_MSG_MAX];
	size_t mlen;

	if (c->declassified || cy_canon_list_subset(want, strlen(want), have,
	    strlen(have), &missing, &mlen))
		return 0;
	return deny(c, CY_POL_COMPARTMENT, who, "%s lacks compartment %.*s",
	    describe(noun, p, d), (int)mlen, missing);
}

/* --- rule 20: the two-person rule --- */

/* Why approver a does not count (NULL when it does): the same tests as
 * an APPROVE decision, plus being someone other than the parties. */
static const char *
approver_fault(const struct ctx *c, const cy_policy_party *a)
{
	const cy_policy_request *rq = c->rq;

	if (a->role != CY_ROLE_OFFICER)
		return "not an officer";
	if (validity_at(a, rq->time) != 0)
		return "not valid at the time";
	if (revoked_at(a, rq->time))
		return "revoked";
	if (!cy_unit_contains(a->unit, rq->doc->unit))
		return "outside the document's unit";
	if (a->clearance < rq->doc->level)
		return "lacks the clearance";
	if (same_party(a, rq->actor) || same_party(a, c->target))
		return "is a party to the request";
	return NULL;
}

static int
already_counted(const struct ctx *c, size_t upto)
{
	size_t i;

	for (i = 0; i < upto; i++)
		if (same_party(&c->rq->approvers[i], &c->rq->approvers[upto]) &&
		    approver_fault(c, &c->rq->approvers[i]) == NULL)
			return 1;
	return 0;
}

static int
rule_approvals(struct ctx *c)
{
	const cy_policy_request *rq = c->rq;
	const char *why, *first = NULL;
	const cy_policy_party *firstp = NULL;
	char d[CY_ERROR_MSG_MAX], note[CY_ERROR_MSG_MAX] = "";
	int need = cy_policy_approvals_needed(rq->action, rq->doc->level,
	    rq->doc->state);
	size_t i, have = 0;

	/* Offline, the registry's key release enforces it (issue 14). */
	if (rq->offline)
		return 0;
	for (i = 0; i < rq->napprovers; i++) {
		why = approver_fault(c, &rq->approvers[i]);
		if (why == NULL && already_counted(c, i))
			why = "already counted";
		if (why == NULL)
			have++;
		else if (first == NULL) {
			first = why;
			firstp = &rq->approvers[i];
		}
	}
	if (have >= (size_t)need)
		return 0;
	if (first != NULL)
		snprintf(note, sizeof(note), "; %s not counted: %s",
		    describe("approver", firstp, d), first);
	return deny(c, CY_POL_APPROVALS, CY_POL_WHO_APPROVERS,
	    "%s: to %s needs %d distinct approvers besides the parties, "
	    "%zu counted%s", cy_level_display(rq->doc->level), c->act->name,
	    need, have, note);
}

/* --- the rules about one party: the actor or the target --- */

enum side { ACTOR = 0, TARGET = 1 };

typedef int party_fault_fn(struct ctx *c, const char *noun,
    const cy_policy_party *p, int who);

static int
on_side(struct ctx *c, int side, party_fault_fn *fn)
{
	if (side == ACTOR)
		return fn(c, c->act->actor_noun, c->rq->actor, CY_POL_WHO_ACTOR);
	return fn(c, c->act->target_noun, c->target, CY_POL_WHO_TARGET);
}

/* --- the order --- */

/* A rule about the document or the request as a whole, or a check of one
 * party (the actor's or the target's, per `side`). */
typedef int rule_fn(struct ctx *c);

static const struct rule {
	unsigned actions;
	rule_fn *fn;
	party_fault_fn *party;
	int side;
} rules[] = {
	/*  1 */ {ALL_ACTIONS, rule_request, NULL, 0},
	/*  2 */ {ALL_ACTIONS, NULL, role_fault, ACTOR},
	/*  3 */ {ALL_ACTIONS, NULL, validity_fault, ACTOR},
	/*  4 */ {ALL_ACTIONS, NULL, revocation_fault, ACTOR},
	/*  5 */ {WITH_TARGET, NULL, role_fault, TARGET},
	/*  6 */ {WITH_TARGET, NULL, validity_fault, TARGET},
	/*  7 */ {WITH_TARGET, NULL, revocation_fault, TARGET},
	/*  8 */ {ALL_ACTIONS, rule_state, NULL, 0},
	/*  9 */ {BIT(CY_ACT_SEAL), rule_seal_time, NULL, 0},
	/* 10 */ {BIT(CY_ACT_SEAL), rule_protection, NULL, 0},
	/* 11 */ {BIT(CY_ACT_DECLASSIFY), rule_due, NULL, 0},
	/* 12 */ {BIT(CY_ACT_SEAL) | BIT(CY_ACT_RECALL) | BIT(CY_ACT_DESTROY) |
	    BIT(CY_ACT_DECLASSIFY) | BIT(CY_ACT_APPROVE), rule_origin, NULL, 0},
	/* 13 */ {BIT(CY_ACT_APPROVE), rule_self, NULL, 0},
	/* 14 */ {BIT(CY_ACT_SEAL) | BIT(CY_ACT_OPEN) | BIT(CY_ACT_RELEASE) |
	    BIT(CY_ACT_COPY), rule_holder, NULL, 0},
	/* 15 */ {BIT(CY_ACT_COPY), rule_only_named, NULL, 0},
	/* 16 */ {BIT(CY_ACT_SEAL) | BIT(CY_ACT_OPEN) | BIT(CY_ACT_COPY) |
	    BIT(CY_ACT_RECALL) | BIT(CY_ACT_DESTROY) | BIT(CY_ACT_APPROVE),
	    NULL, clearance_fault, ACTOR},
	/* 17 */ {BIT(CY_ACT_SEAL) | BIT(CY_ACT_OPEN) | BIT(CY_ACT_COPY),
	    NULL, compartment_fault, ACTOR},
	/* 18 */ {BIT(CY_ACT_SEAL) | BIT(CY_ACT_RELEASE) | BIT(CY_ACT_COPY),
	    NULL, clearance_fault, TARGET},
	/* 19 */ {BIT(CY_ACT_SEAL) | BIT(CY_ACT_RELEASE) | BIT(CY_ACT_COPY),
	    NULL, compartment_fault, TARGET},
	/* 20 */ {BIT(CY_ACT_OPEN) | BIT(CY_ACT_RELEASE) | BIT(CY_ACT_COPY) |
	    BIT(CY_ACT_DESTROY), rule_approvals, NULL, 0},
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

static int
error_code(int reason)
{
	if (reason == CY_POL_OK)
		return 0;
	if (reason == CY_POL_BAD_REQUEST)
		return CY_E_USAGE;
	return reason == CY_POL_REVOKED ? CY_E_REVOKED : CY_E_POLICY;
}

static void
run_rules(struct ctx *c)
{
	unsigned bit = BIT(c->rq->action);
	size_t i;

	for (i = 0; i < NRULES; i++) {
		if (!(rules[i].actions & bit) ||
		    (rules[i].side == TARGET && c->target == NULL))
			continue;
		if ((rules[i].fn != NULL ? rules[i].fn(c) :
		    on_side(c, rules[i].side, rules[i].party)) != 0) {
			c->out->rule = (int)i + 1;
			return;
		}
		/* Known only once the document passed rule 1. */
		if (i == 0)
			c->declassified = c->rq->doc->state == CY_DOC_DECLASSIFIED;
	}
	c->out->allow = 1;
}

int
cy_policy_decide(const cy_policy_request *rq, cy_policy_decision *out)
{
	cy_policy_decision local;
	struct ctx c;

	if (out == NULL)
		out = &local;
	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.rq = rq;
	c.out = out;
	if (rq == NULL || cy_policy_action_name(rq->action) == NULL) {
		out->rule = 1;
		deny(&c, CY_POL_BAD_REQUEST, CY_POL_WHO_NONE,
		    "bad request: %s", rq == NULL ? "no request" :
		    "unknown action");
		return CY_E_USAGE;
	}
	c.act = &actions[rq->action];
	if (BIT(rq->action) & WITH_TARGET)
		c.target = rq->target;
	run_rules(&c);
	return error_code(out->reason);
}

int
cy_policy_check(const cy_policy_request *rq, cy_error *err)
{
	cy_policy_decision d;
	int r = cy_policy_decide(rq, &d);

	return r == 0 ? 0 : cy_error_set(err, r, "%s", d.msg);
}

/* --- helpers --- */

static void
note_revocation(cy_policy_party *p, const char *reason, int64_t since)
{
	if (!cy_crl_reason_keeps_past(reason))
		p->revocation = CY_REV_ALWAYS;
	else if (p->revocation == CY_REV_NONE ||
	    (p->revocation == CY_REV_FROM && since < p->revoked_since)) {
		p->revocation = CY_REV_FROM;
		p->revoked_since = since;
	}
}

int
cy_policy_party_from_cert(const cy_cert *c, const cy_crl *const *crls,
    size_t ncrls, cy_policy_party *p)
{
	const char *reason;
	int64_t since;
	size_t i;

	if (p == NULL)
		return CY_E_USAGE;
	memset(p, 0, sizeof(*p));
	if (c == NULL || (ncrls > 0 && crls == NULL))
		return CY_E_USAGE;
	p->serial = cy_cert_serial(c);
	p->name = cy_cert_name(c);
	p->role = cy_cert_role(c);
	p->clearance = cy_cert_clearance(c);
	p->unit = cy_cert_unit(c);
	p->compartments = cy_cert_compartments(c);
	p->not_before = cy_cert_not_before(c);
	p->not_after = cy_cert_not_after(c);
	p->revocation = CY_REV_NONE;
	for (i = 0; i < ncrls; i++)
		if (crls[i] != NULL && cy_crl_lookup(crls[i], p->serial, &reason,
		    &since) && p->revocation != CY_REV_ALWAYS)
			note_revocation(p, reason, since);
	return 0;
}

int
cy_policy_protect_cap(int level, int64_t created, int64_t *cap)
{
	if (cap == NULL)
		return CY_E_USAGE;
	*cap = cy_level_protect_limit(level, created);
	return *cap == 0 ? CY_E_USAGE : 0;
}

int
cy_policy_protect_check(int level, int64_t created, int64_t until,
    cy_error *err)
{
	char t1[CY_TIME_STR_MAX], t2[CY_TIME_STR_MAX];
	int64_t cap;

	if (until <= created)
		return cy_error_set(err, CY_E_POLICY,
		    "protect-until %s is not after the creation time %s",
		    cy_time_str(until, t1), cy_time_str(created, t2));
	if (cy_policy_protect_cap(level, created, &cap) != 0 || until > cap)
		return cy_error_set(err, CY_E_POLICY,
		    "protect-until %s is more than %d years after creation for %s "
		    "(at most %s): sealing may shorten protection, not lengthen it",
		    cy_time_str(until, t1), cy_level_protect_years(level),
		    cy_level_display(level) ? cy_level_display(level) : "?",
		    cap > 0 ? cy_time_str(cap, t2) : "none");
	return 0;
}

int
cy_policy_approvals_needed(int action, int level, int state)
{
	if (cy_policy_action_name(action) == NULL || !actions[action].approvals ||
	    level != CY_LEVEL_TUYET_MAT || state == CY_DOC_DECLASSIFIED)
		return 0;
	return CY_POLICY_APPROVERS;
}

const char *
cy_policy_action_name(int action)
{
	return action >= 1 && action < NACTIONS ? actions[action].name : NULL;
}

const char *
cy_policy_reason_name(int reason)
{
	return reason >= 0 && reason <
	    (int)(sizeof(reason_names) / sizeof(reason_names[0])) ?
	    reason_names[reason] : NULL;
}
