/* The policy module: one table, a row per case — for every rule at least
 * one request it allows and one it refuses on exactly that rule — each row
 * an edit of a request the policy allows (../../fuzz/policy_text.h). */
#include "testutil.h"

#include "../../fuzz/policy_text.h"
#include "coyeu/crl.h"
#include "coyeu/policy.h"
#include "coyeu/secret.h"
#include "pki.h"

#define NRULES 20

struct row {
	const char *name;
	int action;
	const char *edits;
	int allow;
	int reason;
	const char *fragment; /* in the message; "" for an allowed row */
};

#define ALLOW(n, a, e) {n, a, e, 1, CY_POL_OK, ""}
#define DENY(n, a, e, r, f) {n, a, e, 0, r, f}

#define S CY_ACT_SEAL
#define O CY_ACT_OPEN
#define R CY_ACT_RELEASE
#define C CY_ACT_COPY
#define RC CY_ACT_RECALL
#define D CY_ACT_DESTROY
#define DC CY_ACT_DECLASSIFY
#define A CY_ACT_APPROVE

/* A TUYỆT MẬT document, and Bình cleared for it. */
#define TM "doc.level=tuyet-mat actor.clearance=tuyet-mat "
#define TM_T "doc.level=tuyet-mat target.clearance=tuyet-mat "
/* Bình, An, … as they appear in messages. */
#define BINH "Trần Thị Bình (serial " PT_BINH ")"
#define AN "Nguyễn Văn An (serial " PT_AN ")"
#define CUONG "Lê Văn Cường (serial " PT_CUONG ")"
#define XUAN "Phạm Văn Xuân (serial " PT_XUAN ")"

static const struct row rows[] = {
	/* the request of each action, as set up: allowed */
	ALLOW("seal: An seals to Bình", S, ""),
	ALLOW("open: Bình reads", O, ""),
	ALLOW("release: the registry releases to Bình", R, ""),
	ALLOW("copy: Bình copies for Cường", C, ""),
	ALLOW("recall: An recalls", RC, ""),
	ALLOW("destroy: An destroys", D, ""),
	ALLOW("declassify: after protect-until", DC, ""),
	ALLOW("approve: Xuân approves Bình", A, ""),

	/* 1: a complete, well-formed request */
	ALLOW("1 open ignores a target it does not take", O,
	    "target=cuong target.role=0 target.serial=null"),
	DENY("1 release without a target", R, "target=none",
	    CY_POL_BAD_REQUEST, "bad request: the target is missing or malformed"),
	ALLOW("1 seal without a target: the sealer's rules alone", S,
	    "target=none"),
	DENY("1 seal with a malformed target", S, "target.unit=vn//hcm",
	    CY_POL_BAD_REQUEST, "the target is missing or malformed"),
	DENY("1 an unknown action", 9, "", CY_POL_BAD_REQUEST,
	    "bad request: unknown action"),
	DENY("1 no actor", O, "actor=none", CY_POL_BAD_REQUEST,
	    "the actor is missing"),
	DENY("1 no document", O, "doc=none", CY_POL_BAD_REQUEST,
	    "the document is missing"),
	DENY("1 revocation status not given (zero)", O, "actor.rev=0",
	    CY_POL_BAD_REQUEST, "the actor is missing or malformed"),
	DENY("1 clearance not given (zero)", O, "actor.clearance=0",
	    CY_POL_BAD_REQUEST, "the actor is missing or malformed"),
	DENY("1 document state not given (zero)", O, "doc.state=0",
	    CY_POL_BAD_REQUEST, "the document is missing or malformed"),
	DENY("1 compartments out of order", O, "actor.compartments=y,x",
	    CY_POL_BAD_REQUEST, "the actor is missing or malformed"),
	DENY("1 a recipient serial in upper case", O,
	    "doc.recipients=B0000000000000000000000000000002",
	    CY_POL_BAD_REQUEST, "the document is missing or malformed"),
	DENY("1 a unit with a trailing slash", O, "doc.unit=vn/hcm/",
	    CY_POL_BAD_REQUEST, "the document is missing or malformed"),
	DENY("1 validity ending before it starts", O,
	    "actor.nb=1798761600 actor.na=1767225600", CY_POL_BAD_REQUEST,
	    "the actor is missing or malformed"),
	DENY("1 a time out of range", O, "time=-1", CY_POL_BAD_REQUEST,
	    "the time is out of range"),
	DENY("1 a malformed approver", O, "approvers=1 approver1.serial=xyz",
	    CY_POL_BAD_REQUEST, "an approver is malformed"),

	/* 2: the actor's role */
	ALLOW("2 an authority may recall", RC, "actor=authority"),
	DENY("2 an authority may not seal", S,
	    "actor=authority doc.unit=vn/hcm", CY_POL_ROLE,
	    "sealer Ban Cơ yếu TP.HCM (serial " PT_AUTHORITY ") is an "
	    "authority; to seal, the sealer must be an officer"),
	DENY("2 an officer may not release", R, "actor=an", CY_POL_ROLE,
	    "releaser " AN " is an officer; to release, the releaser must be "
	    "a registry"),
	DENY("2 a registry may not open", O,
	    "actor=registry doc.recipients=" PT_REGISTRY, CY_POL_ROLE,
	    "to open, the reader must be an officer"),

	/* 3: the actor's validity, both ends inclusive */
	ALLOW("3 valid at its last second", O, "time=1798761600"),
	DENY("3 expired one second later", O, "time=1798761601",
	    CY_POL_EXPIRED, "reader " BINH " expired at 2027-01-01T00:00:00Z "
	    "(time checked: 2027-01-01T00:00:01Z)"),
	ALLOW("3 valid from its first second", O, "actor.nb=1769817600"),
	DENY("3 not yet valid one second before", O, "actor.nb=1769817601",
	    CY_POL_NOT_YET_VALID, "reader " BINH " is not yet valid: valid "
	    "from 2026-01-31T00:00:01Z (time checked: 2026-01-31T00:00:00Z)"),

	/* 4: the actor's revocation, by reason class */
	ALLOW("4 key kept, revoked from the next second", O,
	    "actor.rev=from actor.since=1769817601"),
	DENY("4 key kept, revoked from this very second", O,
	    "actor.rev=from actor.since=1769817600", CY_POL_REVOKED,
	    "reader " BINH " is revoked since 2026-01-31T00:00:00Z"),
	DENY("4 key compromised, dated later: revoked all the same", O,
	    "actor.rev=always actor.since=1800000000", CY_POL_REVOKED,
	    "reader " BINH " is revoked at every time"),
	ALLOW("4 sealer who left after created (key kept)", S,
	    "actor.rev=from actor.since=1769817601"),
	DENY("4 sealer who left before created (key kept)", S,
	    "actor.rev=from actor.since=1769817599", CY_POL_REVOKED,
	    "sealer " AN " is revoked since 2026-01-30T23:59:59Z"),
	DENY("4 sealer whose key was compromised after created", S,
	    "actor.rev=always actor.since=1769817601", CY_POL_REVOKED,
	    "sealer " AN " is revoked at every time"),

	/* 5: the target's role */
	DENY("5 seal to a registry", S,
	    "target=registry doc.recipients=" PT_REGISTRY, CY_POL_ROLE,
	    "recipient Sổ đăng ký TP.HCM (serial " PT_REGISTRY ") is a "
	    "registry; to seal, the recipient must be an officer"),
	DENY("5 approve for an authority", A, "target=authority",
	    CY_POL_ROLE, "the requester must be an officer"),

	/* 6: the target's validity */
	DENY("6 seal to an expired recipient", S, "target.na=1769817599",
	    CY_POL_EXPIRED, "recipient " BINH " expired at "
	    "2026-01-30T23:59:59Z"),
	ALLOW("6 release to a requester valid from this second", R,
	    "target.nb=1769817600"),
	DENY("6 release to a requester not yet valid", R,
	    "target.nb=1769817601", CY_POL_NOT_YET_VALID,
	    "requester " BINH " is not yet valid"),

	/* 7: the target's revocation */
	ALLOW("7 seal to a recipient revoked (key kept) from later", S,
	    "target.rev=from target.since=1769817601"),
	DENY("7 seal to a compromised recipient", S, "target.rev=always",
	    CY_POL_REVOKED, "recipient " BINH " is revoked at every time"),

	/* 8: the document's state */
	DENY("8 open a recalled document", O, "doc.state=recalled",
	    CY_POL_STATE, "the document is recalled: it may not be opened"),
	DENY("8 release a destroyed document", R, "doc.state=destroyed",
	    CY_POL_STATE, "the document is destroyed: it may not be released"),
	DENY("8 destroy twice", D, "doc.state=destroyed", CY_POL_STATE,
	    "the document is destroyed: it may not be destroyed"),
	ALLOW("8 destroy a recalled document", D, "doc.state=recalled"),
	DENY("8 recall twice", RC, "doc.state=recalled", CY_POL_STATE,
	    "it may not be recalled"),
	DENY("8 seal a declassified document", S, "doc.state=declassified",
	    CY_POL_STATE, "the document is declassified: it may not be sealed"),
	DENY("8 approve on a recalled document", A, "doc.state=recalled",
	    CY_POL_STATE, "it may not be approved for access"),
	DENY("8 declassify twice", DC, "doc.state=declassified",
	    CY_POL_STATE, "it may not be declassified"),

	/* 9: sealing happens at created */
	DENY("9 seal with a back-dated created", S, "doc.created=1769817599",
	    CY_POL_SEAL_TIME, "the document says it was created at "
	    "2026-01-30T23:59:59Z, not at the time of sealing "
	    "2026-01-31T00:00:00Z"),

	/* 10: the protection period: (created, created + 10/20/30 years] */
	ALLOW("10 TỐI MẬT at its 20-year cap", S, "doc.protect=2400969600"),
	DENY("10 TỐI MẬT one second past the cap", S,
	    "doc.protect=2400969601", CY_POL_PROTECT,
	    "is more than 20 years after creation for TỐI MẬT (at most "
	    "2046-01-31T00:00:00Z)"),
	ALLOW("10 MẬT at its 10-year cap", S,
	    "doc.level=mat doc.protect=2085350400"),
	DENY("10 MẬT past 10 years", S, "doc.level=mat doc.protect=2085350401",
	    CY_POL_PROTECT, "more than 10 years after creation for MẬT"),
	ALLOW("10 TUYỆT MẬT at its 30-year cap", S, "doc.level=tuyet-mat "
	    "target.clearance=tuyet-mat doc.protect=2716502400"),
	DENY("10 protect-until equal to created", S, "doc.protect=1769817600",
	    CY_POL_PROTECT, "protect-until 2026-01-31T00:00:00Z is not after "
	    "the creation time"),

	/* 11: declassification is due only after protect-until */
	DENY("11 declassify at the last protected second", DC,
	    "doc.protect=1769817600", CY_POL_NOT_DUE, "the document is "
	    "protected until 2026-01-31T00:00:00Z (time checked: "
	    "2026-01-31T00:00:00Z): not yet due"),

	/* 12: the originating unit */
	DENY("12 seal from the parent unit", S, "actor.unit=vn/hcm",
	    CY_POL_UNIT, "sealer " AN " is of unit vn/hcm, but the document "
	    "names unit vn/hcm/so-noi-vu (the sealer's own)"),
	DENY("12 seal: vn/hcmx is not vn/hcm", S,
	    "actor.unit=vn/hcmx doc.unit=vn/hcm", CY_POL_UNIT,
	    "names unit vn/hcm (the sealer's own)"),
	ALLOW("12 recall from the unit above", RC, "actor.unit=vn/hcm"),
	DENY("12 recall: vn/hcm does not contain vn/hcmx/…", RC,
	    "actor.unit=vn/hcm doc.unit=vn/hcmx/so-noi-vu", CY_POL_UNIT,
	    "requester " AN " of unit vn/hcm is neither of the document's "
	    "unit vn/hcmx/so-noi-vu nor above it"),
	DENY("12 destroy from a sibling unit", D,
	    "actor.unit=vn/hcm/so-tu-phap", CY_POL_UNIT, "of unit "
	    "vn/hcm/so-tu-phap is neither of the document's unit"),
	ALLOW("12 declassify by the registry", DC, "actor=registry"),
	DENY("12 declassify by another city's registry", DC,
	    "actor=registry actor.unit=vn/hn", CY_POL_UNIT,
	    "of unit vn/hn is neither"),
	DENY("12 approver from below the document's unit", A,
	    "actor.unit=vn/hcm/so-noi-vu/phong-1", CY_POL_UNIT,
	    "approver " XUAN " of unit vn/hcm/so-noi-vu/phong-1 is neither"),

	/* 13: nobody approves their own access */
	DENY("13 an approver approving their own access", A, "target=xuan",
	    CY_POL_SELF, "approver " XUAN " may not approve their own access"),

	/* 14: named recipients; the subtree once declassified */
	DENY("14 open by a cleared officer who is not named", O, "actor=cuong",
	    CY_POL_NOT_RECIPIENT, "reader " CUONG " is not a named recipient "
	    "of the document"),
	DENY("14 release to someone not named", R, "target=cuong",
	    CY_POL_NOT_RECIPIENT, "requester " CUONG " is not a named"),
	DENY("14 seal to someone the label does not name", S, "target=cuong",
	    CY_POL_NOT_RECIPIENT, "recipient " CUONG " is not a named"),
	DENY("14 copy by someone who holds no copy", C, "actor=an",
	    CY_POL_NOT_RECIPIENT, "copier " AN " is not a named"),
	ALLOW("14 declassified: read within the originating subtree", O,
	    "actor=cuong doc.state=declassified"),
	DENY("14 declassified: vn/hcmx is outside vn/hcm", O,
	    "actor=cuong actor.unit=vn/hcmx doc.state=declassified",
	    CY_POL_UNIT, "reader " CUONG " of unit vn/hcmx is outside the "
	    "document's originating subtree vn/hcm"),
	DENY("14 declassified, no scope given: the originating unit only", O,
	    "actor=cuong doc.state=declassified doc.scope=null", CY_POL_UNIT,
	    "outside the document's originating subtree vn/hcm/so-noi-vu"),
	DENY("14 declassified: a copy for someone outside", C,
	    "doc.state=declassified target.unit=vn/hn", CY_POL_UNIT,
	    "copy recipient " CUONG " of unit vn/hn is outside"),
	ALLOW("14 declassified: release to an uncleared officer of the subtree",
	    R, "target=cuong target.clearance=mat doc.compartments=x,y "
	    "doc.state=declassified"),

	/* 15: only-named handling */
	DENY("15 copy of an only-named document", C, "doc.only_named=1",
	    CY_POL_ONLY_NAMED, "named recipients only (only-named-recipient): "
	    "it may not be copied"),
	ALLOW("15 an only-named document once declassified", C,
	    "doc.only_named=1 doc.state=declassified"),
	ALLOW("15 an only-named document opens for its recipient", O,
	    "doc.only_named=1"),

	/* 16: the actor's clearance */
	DENY("16 a reader below the level", O, "actor.clearance=mat",
	    CY_POL_CLEARANCE, "reader " BINH " lacks clearance TỐI MẬT (has "
	    "MẬT)"),
	DENY("16 a sealer below the level", S,
	    "doc.level=tuyet-mat actor.clearance=toi-mat", CY_POL_CLEARANCE,
	    "sealer " AN " lacks clearance TUYỆT MẬT (has TỐI MẬT)"),
	DENY("16 the sealer alone, below the level (open re-checks this)", S,
	    "target=none actor.clearance=mat", CY_POL_CLEARANCE,
	    "sealer " AN " lacks clearance TỐI MẬT (has MẬT)"),
	DENY("16 a recall by an under-cleared officer", RC,
	    "actor.clearance=mat", CY_POL_CLEARANCE,
	    "requester " AN " lacks clearance TỐI MẬT (has MẬT)"),
	DENY("16 an approver below the level", A, "actor.clearance=mat",
	    CY_POL_CLEARANCE, "approver " XUAN " lacks clearance TỐI MẬT"),
	ALLOW("16 declassified: clearance no longer needed", O,
	    "actor.clearance=mat doc.state=declassified"),

	/* 17: the actor's compartments */
	DENY("17 a reader without compartment y", O, "doc.compartments=x,y",
	    CY_POL_COMPARTMENT, "reader " BINH " lacks compartment y"),
	DENY("17 compartment x is not xy", O, "doc.compartments=xy",
	    CY_POL_COMPARTMENT, "lacks compartment xy"),
	ALLOW("17 no compartments asked, none held", O,
	    "doc.compartments= actor.compartments="),
	DENY("17 a sealer without the document's compartment", S,
	    "doc.compartments=x,z", CY_POL_COMPARTMENT,
	    "sealer " AN " lacks compartment z"),

	/* 18: the target's clearance */
	DENY("18 seal to an under-cleared recipient", S, "target.clearance=mat",
	    CY_POL_CLEARANCE, "recipient " BINH " lacks clearance TỐI MẬT "
	    "(has MẬT)"),
	DENY("18 copy for an under-cleared officer", C, "target.clearance=mat",
	    CY_POL_CLEARANCE, "copy recipient " CUONG " lacks clearance"),

	/* 19: the target's compartments */
	DENY("19 seal to a recipient without the compartment", S,
	    "target.compartments=", CY_POL_COMPARTMENT,
	    "recipient " BINH " lacks compartment x"),
	DENY("19 release to a requester without compartment y", R,
	    "doc.compartments=x,y", CY_POL_COMPARTMENT,
	    "requester " BINH " lacks compartment y"),

	/* 20: TUYỆT MẬT, two distinct approvers besides the parties */
	DENY("20 TUYỆT MẬT open without approvals", O, TM, CY_POL_APPROVALS,
	    "TUYỆT MẬT: to open needs 2 distinct approvers besides the "
	    "parties, 0 counted"),
	DENY("20 TUYỆT MẬT open with one approver", O, TM "approvers=1",
	    CY_POL_APPROVALS, "needs 2 distinct approvers besides the parties, "
	    "1 counted"),
	ALLOW("20 TUYỆT MẬT open with two distinct approvers", O,
	    TM "approvers=2"),
	DENY("20 the same approver twice", O, TM "approvers=2 approver2=xuan",
	    CY_POL_APPROVALS, "1 counted; approver " XUAN " not counted: "
	    "already counted"),
	DENY("20 the reader approving their own open", O,
	    TM "approvers=2 approver2=binh approver2.unit=vn/hcm "
	    "approver2.clearance=tuyet-mat", CY_POL_APPROVALS,
	    "approver " BINH " not counted: is a party to the request"),
	DENY("20 the requester approving their own release", R,
	    TM_T "approvers=2 approver1=binh approver1.unit=vn/hcm "
	    "approver1.clearance=tuyet-mat", CY_POL_APPROVALS,
	    "not counted: is a party to the request"),
	ALLOW("20 release with two approvers", R, TM_T "approvers=2"),
	DENY("20 the copy recipient as approver", C,
	    TM TM_T "approvers=2 approver2=cuong approver2.unit=vn/hcm "
	    "approver2.clearance=tuyet-mat", CY_POL_APPROVALS,
	    "approver " CUONG " not counted: is a party to the request"),
	DENY("20 a revoked approver", O, TM "approvers=2 approver2.rev=always",
	    CY_POL_APPROVALS, "not counted: revoked"),
	DENY("20 an approver of vn/hcmx", O,
	    TM "approvers=2 approver2.unit=vn/hcmx", CY_POL_APPROVALS,
	    "not counted: outside the document's unit"),
	DENY("20 an approver below TUYỆT MẬT", O,
	    TM "approvers=2 approver2.clearance=toi-mat", CY_POL_APPROVALS,
	    "not counted: lacks the clearance"),
	DENY("20 an approver expired", O, TM "approvers=2 approver2.na=1769817599",
	    CY_POL_APPROVALS, "not counted: not valid at the time"),
	DENY("20 an approver who is a registry", O,
	    TM "approvers=2 approver2=registry", CY_POL_APPROVALS,
	    "not counted: not an officer"),
	ALLOW("20 a refused approver, then the same one valid", O,
	    TM "approvers=3 approver2.rev=always approver3=yen"),
	DENY("20 destroying TUYỆT MẬT alone", D, "doc.level=tuyet-mat",
	    CY_POL_APPROVALS, "TUYỆT MẬT: to destroy needs 2"),
	ALLOW("20 destroying TUYỆT MẬT with two approvers", D,
	    "doc.level=tuyet-mat approvers=2"),
	ALLOW("20 recalling TUYỆT MẬT needs none", RC, "doc.level=tuyet-mat"),
	DENY("20 copying TUYỆT MẬT alone", C, TM TM_T, CY_POL_APPROVALS,
	    "to copy needs 2"),
	ALLOW("20 a declassified TUYỆT MẬT document needs none", O,
	    "doc.level=tuyet-mat doc.state=declassified"),
	/* offline open: the registry's key release enforces rule 20 */
	ALLOW("20 TUYỆT MẬT opened offline needs none here", O,
	    TM "offline=1"),
	DENY("20 offline does not lift clearance", O,
	    "doc.level=tuyet-mat offline=1", CY_POL_CLEARANCE,
	    "reader " BINH " lacks clearance TUYỆT MẬT (has TỐI MẬT)"),
	DENY("20 offline does not lift naming", O,
	    TM "offline=1 doc.recipients=" PT_CUONG, CY_POL_NOT_RECIPIENT,
	    "is not a named recipient"),
	DENY("1 offline on a release", R, TM_T "offline=1",
	    CY_POL_BAD_REQUEST, "offline applies to open only"),
	DENY("1 offline on a copy", C, "offline=1", CY_POL_BAD_REQUEST,
	    "offline applies to open only"),
	DENY("1 offline other than 1", O, "offline=2", CY_POL_BAD_REQUEST,
	    "offline applies to open only"),

	/* the order: the first rule that fails is the one reported */
	DENY("order: expiry before clearance and naming", O,
	    "actor=cuong actor.clearance=mat actor.na=1769817599",
	    CY_POL_EXPIRED, "reader " CUONG " expired"),
	DENY("order: state before naming", O, "actor=cuong doc.state=recalled",
	    CY_POL_STATE, "recalled"),
	DENY("order: clearance before compartments", O,
	    "actor.clearance=mat doc.compartments=x,y", CY_POL_CLEARANCE,
	    "lacks clearance"),
	DENY("order: the actor before the target", S,
	    "actor.clearance=mat target.clearance=mat", CY_POL_CLEARANCE,
	    "sealer " AN " lacks clearance"),
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* Runs one row; returns the refusing rule (0 if allowed), or -1 after
 * printing what went wrong. */
static int
run_row(const struct row *r)
{
	struct policy_text pt;
	cy_policy_decision d;
	cy_error err;
	char text[1024];
	int rc, rc2;

	policy_text_init(&pt, r->action);
	pt.rq.action = r->action;
	snprintf(text, sizeof(text), "%s", r->edits);
	policy_text_apply(&pt, text);
	rc = cy_policy_decide(&pt.rq, &d);
	rc2 = cy_policy_check(&pt.rq, &err);
	if (d.allow != r->allow || d.reason != r->reason ||
	    strstr(d.msg, r->fragment) == NULL || (rc == 0) != d.allow ||
	    rc2 != rc || (rc != 0 && strcmp(err.msg, d.msg) != 0)) {
		print_error("row '%s': got %s, reason %s, rule %d: '%s'; want %s, "
		    "reason %s, '%s'\n", r->name, d.allow ? "allow" : "deny",
		    cy_policy_reason_name(d.reason), d.rule, d.msg,
		    r->allow ? "allow" : "deny", cy_policy_reason_name(r->reason),
		    r->fragment);
		return -1;
	}
	return d.rule;
}

static void
test_rules_table(void **state)
{
	int refused_by[NRULES + 1] = {0}, allowed[CY_ACT_APPROVE + 1] = {0};
	size_t i, bad = 0;
	int rule;

	for (i = 0; i < NROWS; i++) {
		if ((rule = run_row(&rows[i])) < 0) {
			bad++;
			continue;
		}
		if (rule > NRULES)
			fail_msg("rule %d out of range", rule);
		refused_by[rule]++;
		if (rows[i].allow)
			allowed[rows[i].action]++;
	}
	assert_int_equal(bad, 0);
	for (rule = 1; rule <= NRULES; rule++)
		if (refused_by[rule] == 0)
			fail_msg("no row is refused by rule %d", rule);
	for (i = CY_ACT_SEAL; i <= CY_ACT_APPROVE; i++)
		if (allowed[i] == 0)
			fail_msg("no row allows %s", cy_policy_action_name((int)i));
}

/* Refusals map to the library's codes; `out` may be NULL. */
static void
test_codes(void **state)
{
	struct policy_text pt;
	char text[64];

	assert_int_equal(cy_policy_decide(NULL, NULL), CY_E_USAGE);
	policy_text_init(&pt, CY_ACT_OPEN);
	assert_int_equal(cy_policy_decide(&pt.rq, NULL), 0);
	snprintf(text, sizeof(text), "actor.rev=always");
	policy_text_apply(&pt, text);
	assert_int_equal(cy_policy_decide(&pt.rq, NULL), CY_E_REVOKED);
	policy_text_init(&pt, CY_ACT_OPEN);
	snprintf(text, sizeof(text), "actor=cuong");
	policy_text_apply(&pt, text);
	assert_int_equal(cy_policy_decide(&pt.rq, NULL), CY_E_POLICY);
	assert_string_equal(cy_policy_action_name(CY_ACT_DECLASSIFY),
	    "declassify");
	assert_null(cy_policy_action_name(0));
	assert_null(cy_policy_action_name(9));
	assert_string_equal(cy_policy_reason_name(CY_POL_CLEARANCE), "clearance");
	assert_string_equal(cy_policy_reason_name(CY_POL_APPROVALS), "approvals");
	assert_null(cy_policy_reason_name(17));
	assert_null(cy_policy_reason_name(-1));
}

static void
test_approvals_needed(void **state)
{
	static const int need[] = {CY_ACT_OPEN, CY_ACT_RELEASE, CY_ACT_COPY,
	    CY_ACT_DESTROY};
	static const int none[] = {CY_ACT_SEAL, CY_ACT_RECALL,
	    CY_ACT_DECLASSIFY, CY_ACT_APPROVE};
	size_t i;

	for (i = 0; i < 4; i++) {
		assert_int_equal(cy_policy_approvals_needed(need[i],
		    CY_LEVEL_TUYET_MAT, CY_DOC_LIVE), CY_POLICY_APPROVERS);
		assert_int_equal(cy_policy_approvals_needed(need[i],
		    CY_LEVEL_TUYET_MAT, CY_DOC_DECLASSIFIED), 0);
		assert_int_equal(cy_policy_approvals_needed(need[i],
		    CY_LEVEL_TOI_MAT, CY_DOC_LIVE), 0);
		assert_int_equal(cy_policy_approvals_needed(none[i],
		    CY_LEVEL_TUYET_MAT, CY_DOC_LIVE), 0);
	}
	assert_int_equal(cy_policy_approvals_needed(0, CY_LEVEL_TUYET_MAT,
	    CY_DOC_LIVE), 0);
}

/* The cap by calendar years, as cli/seal_doc.c's add_years computes it. */
static void
test_protect_cap(void **state)
{
	static const struct {
		int level;
		int64_t created, cap;
	} cases[] = {
		{CY_LEVEL_MAT, PT_NOW, 2085350400},        /* 2036-01-31 */
		{CY_LEVEL_TOI_MAT, PT_NOW, 2400969600},    /* 2046-01-31 */
		{CY_LEVEL_TUYET_MAT, PT_NOW, 2716502400},  /* 2056-01-31 */
		/* 2024-02-29T12:00:00Z: 2034 has no 29 February, 2044 has */
		{CY_LEVEL_MAT, 1709208000, 2024827200},    /* 2034-03-01 */
		{CY_LEVEL_TOI_MAT, 1709208000, 2340360000}, /* 2044-02-29 */
		{CY_LEVEL_TUYET_MAT, 1709208000, 2655979200}, /* 2054-03-01 */
	};
	int64_t cap;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(cy_policy_protect_cap(cases[i].level,
		    cases[i].created, &cap), 0);
		assert_int_equal(cap, cases[i].cap);
	}
	assert_int_equal(cy_policy_protect_cap(0, PT_NOW, &cap), CY_E_USAGE);
	assert_int_equal(cy_policy_protect_cap(4, PT_NOW, &cap), CY_E_USAGE);
	assert_int_equal(cy_policy_protect_cap(CY_LEVEL_MAT, -1, &cap),
	    CY_E_USAGE);
	/* 9990 + 10 years is past the last representable year. */
	assert_int_equal(cy_policy_protect_cap(CY_LEVEL_MAT, 253086854400LL,
	    &cap), CY_E_USAGE);
	assert_int_equal(cy_policy_protect_cap(CY_LEVEL_MAT, PT_NOW, NULL),
	    CY_E_USAGE);
}

static cy_crl *
crl_with(const struct pki_holder *by, const cy_crl *prev, const char *serial,
    const char *reason, int64_t since)
{
	cy_crl_revocation add = {serial, reason, since};
	cy_crl *crl = NULL;
	cy_error err;

	if (cy_crl_extend(prev, by->cert, by->key, &add, PKI_NOW, &crl,
	    &err) != 0)
		fail_msg("revoke: %s", err.msg);
	return crl;
}

/* From a real certificate and real lists: every field, and the most
 * severe revocation naming it. */
static void
test_party_from_cert(void **state)
{
	struct pki_holder root, officer;
	cy_crl *left, *both;
	const cy_crl *lists[2];
	cy_policy_party p;

	assert_int_equal(cy_init(), 0);
	root = pki_issue(NULL, "Ban Cơ yếu", "vn", CY_ROLE_AUTHORITY,
	    CY_LEVEL_TUYET_MAT, "x,y");
	officer = pki_issue(&root, "Trần Thị Bình", "vn/hcm/so-tu-phap",
	    CY_ROLE_OFFICER, CY_LEVEL_TOI_MAT, "x");
	assert_int_equal(cy_policy_party_from_cert(officer.cert, NULL, 0, &p), 0);
	assert_string_equal(p.serial, cy_cert_serial(officer.cert));
	assert_string_equal(p.name, "Trần Thị Bình");
	assert_string_equal(p.unit, "vn/hcm/so-tu-phap");
	assert_string_equal(p.compartments, "x");
	assert_int_equal(p.role, CY_ROLE_OFFICER);
	assert_int_equal(p.clearance, CY_LEVEL_TOI_MAT);
	assert_int_equal(p.not_before, PKI_T0);
	assert_int_equal(p.not_after, PKI_T0 + PKI_YEAR);
	assert_int_equal(p.revocation, CY_REV_NONE);

	left = crl_with(&root, NULL, cy_cert_serial(officer.cert), "left-unit",
	    PKI_T0 + 3600);
	lists[0] = left;
	assert_int_equal(cy_policy_party_from_cert(officer.cert, lists, 1, &p), 0);
	assert_int_equal(p.revocation, CY_REV_FROM);
	assert_int_equal(p.revoked_since, PKI_T0 + 3600);

	/* A second list calling it compromised wins, in either order. */
	both = crl_with(&root, NULL,
	    cy_cert_serial(officer.cert), "key-compromise", PKI_NOW);
	lists[0] = both;
	lists[1] = left;
	assert_int_equal(cy_policy_party_from_cert(officer.cert, lists, 2, &p), 0);
	assert_int_equal(p.revocation, CY_REV_ALWAYS);
	lists[0] = left;
	lists[1] = both;
	assert_int_equal(cy_policy_party_from_cert(officer.cert, lists, 2, &p), 0);
	assert_int_equal(p.revocation, CY_REV_ALWAYS);

	assert_int_equal(cy_policy_party_from_cert(NULL, NULL, 0, &p),
	    CY_E_USAGE);
	assert_int_equal(cy_policy_party_from_cert(officer.cert, NULL, 1, &p),
	    CY_E_USAGE);
	cy_crl_free(left);
	cy_crl_free(both);
	pki_holder_free(&officer);
	pki_holder_free(&root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_table),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_approvals_needed),
		cmocka_unit_test(test_protect_cap),
		cmocka_unit_test(test_party_from_cert),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
