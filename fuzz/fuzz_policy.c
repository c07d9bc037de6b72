/* The policy decision: never crashes; the same request gets the same
 * decision; a refusal always names a reason, a rule and a sentence; an
 * allowed request never has a revoked, expired or under-cleared party, a
 * missing approval, or a protection period past the cap.
 *
 * Input: one byte choosing the action whose allowed request is the
 * starting point ('0' seal … '7' approve, by value mod 8), then
 * KEY=VALUE edits in the text format of policy_text.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/canon.h"
#include "policy_text.h"

#define MAX_TEXT 4096

static int
revoked_at(const cy_policy_party *p, int64_t t)
{
	return p->revocation == CY_REV_ALWAYS ||
	    (p->revocation == CY_REV_FROM && t >= p->revoked_since);
}

/* Valid, unrevoked and (unless the document is declassified) cleared. */
static void
check_party(const cy_policy_request *rq, const cy_policy_party *p,
    int cleared)
{
	if (p == NULL || rq->time < p->not_before || rq->time > p->not_after ||
	    revoked_at(p, rq->time))
		abort();
	if (cleared && rq->doc->state != CY_DOC_DECLASSIFIED &&
	    p->clearance < rq->doc->level)
		abort();
}

static int
is_party(const cy_policy_request *rq, const cy_policy_party *a, int target)
{
	return strcmp(a->serial, rq->actor->serial) == 0 ||
	    (target && rq->target != NULL &&
	    strcmp(a->serial, rq->target->serial) == 0);
}

/* At least `need` distinct serials among approvers who are not parties;
 * an offline open only (the registry's key release counts them). */
static void
check_approvals(const cy_policy_request *rq, int target)
{
	int need = cy_policy_approvals_needed(rq->action, rq->doc->level,
	    rq->doc->state);
	size_t i, j, distinct = 0;

	if (rq->offline) {
		if (rq->action != CY_ACT_OPEN || rq->offline != 1)
			abort();
		return;
	}

	for (i = 0; i < rq->napprovers; i++) {
		if (is_party(rq, &rq->approvers[i], target))
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(rq->approvers[j].serial,
			    rq->approvers[i].serial) == 0)
				break;
		distinct += j == i;
	}
	if (distinct < (size_t)need)
		abort();
}

static void
check_seal(const cy_policy_request *rq)
{
	int64_t cap;

	if (rq->doc->created != rq->time ||
	    rq->doc->protect_until <= rq->doc->created ||
	    cy_policy_protect_cap(rq->doc->level, rq->doc->created, &cap) != 0 ||
	    rq->doc->protect_until > cap)
		abort();
}

static void
check_allowed(const cy_policy_request *rq)
{
	int a = rq->action;
	int target = a == CY_ACT_SEAL || a == CY_ACT_RELEASE || a == CY_ACT_COPY ||
	    a == CY_ACT_APPROVE;

	if (rq->doc == NULL || rq->doc->state == CY_DOC_DESTROYED)
		abort();
	check_party(rq, rq->actor, a != CY_ACT_RELEASE && a != CY_ACT_DECLASSIFY);
	/* Only seal may go without a target (the sealer's rules alone). */
	if (target && (rq->target != NULL || a != CY_ACT_SEAL))
		check_party(rq, rq->target, a != CY_ACT_APPROVE);
	check_approvals(rq, target);
	if (a == CY_ACT_SEAL)
		check_seal(rq);
}

static void
check_refused(const cy_policy_decision *d, int rc)
{
	size_t len = strlen(d->msg);

	if (d->reason <= CY_POL_OK || cy_policy_reason_name(d->reason) == NULL ||
	    d->rule < 1 || d->rule > 20 || len == 0 ||
	    len >= sizeof(d->msg) || !cy_canon_utf8_valid(d->msg, len))
		abort();
	if ((rc == CY_E_REVOKED) != (d->reason == CY_POL_REVOKED) ||
	    (rc == CY_E_USAGE) != (d->reason == CY_POL_BAD_REQUEST) ||
	    (rc != CY_E_REVOKED && rc != CY_E_USAGE && rc != CY_E_POLICY))
		abort();
}

/* The cap is N calendar years on: between N × 365 and N × 366 days. */
static void
check_cap(const cy_policy_doc *d)
{
	int years = cy_level_protect_years(d->level);
	int64_t cap;

	if (cy_policy_protect_cap(d->level, d->created, &cap) != 0)
		return;
	if (cap - d->created < years * 365 * PT_DAY ||
	    cap - d->created > years * 366 * PT_DAY)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy_text pt;
	static char text[MAX_TEXT + 1];
	cy_policy_decision d1, d2;
	cy_error err;
	int rc;

	if (size == 0 || size > MAX_TEXT)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	policy_text_init(&pt, data[0] % 8 + 1);
	policy_text_apply(&pt, text);
	rc = cy_policy_decide(&pt.rq, &d1);
	if (cy_policy_decide(&pt.rq, &d2) != rc ||
	    memcmp(&d1, &d2, sizeof(d1)) != 0 ||
	    cy_policy_decide(&pt.rq, NULL) != rc ||
	    cy_policy_check(&pt.rq, &err) != rc || (rc == 0) != d1.allow)
		abort();
	if (rc == 0 && (d1.reason != CY_POL_OK || d1.rule != 0 ||
	    d1.who != CY_POL_WHO_NONE || d1.msg[0] != '\0'))
		abort();
	if (rc == 0)
		check_allowed(&pt.rq);
	else if (strcmp(err.msg, d1.msg) != 0)
		abort();
	else
		check_refused(&d1, rc);
	if (pt.rq.doc != NULL)
		check_cap(pt.rq.doc);
	return 0;
}
