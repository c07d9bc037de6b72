/* coyeu — policy: may X do A on document D, now (docs/policy.md).
 *
 * One pure decision over plain data: no I/O, no clock, no global state.
 * The caller supplies what it has already verified — certificates whose
 * chains passed cy_chain_verify (cert.h), the label whose signature
 * verified, the approvals whose signed entries verified — and the time.
 * The module checks the rules of the state-secret law and DESIGN.md §3–§5
 * and §12 on top of that: roles, validity, revocation, clearance,
 * compartments, units, named recipients, only-named handling, the
 * document's state, the protection period and the two-person rule.
 *
 * Rules run in one fixed order (docs/policy.md), so the refusal reported
 * is always the first rule that fails.  Every refusal carries a stable
 * reason code and a sentence in the project's style:
 *   "recipient Nguyễn Văn A (serial 7b17…) lacks clearance TỐI MẬT (has MẬT)"
 *
 * Zero is never a valid role, level, state or revocation status, so a
 * field the caller forgot to fill is refused (CY_POL_BAD_REQUEST), never
 * read as "fine".  Fill parties with cy_policy_party_from_cert.
 */
#ifndef COYEU_POLICY_H
#define COYEU_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/cert.h"
#include "coyeu/crl.h"
#include "coyeu/error.h"


/* TUYỆT MẬT: distinct approvers needed besides the requester (§12). */
#define CY_POLICY_APPROVERS 2
/* Approvals a request may carry. */
#define CY_POLICY_APPROVERS_MAX 64

enum cy_policy_action {
	CY_ACT_SEAL = 1,       /* actor seals D to target (one call per
	                        * recipient; no target: the sealer's
	                        * entitlement alone) */
	CY_ACT_OPEN = 2,       /* actor reads D (it holds a key to it) */
	CY_ACT_RELEASE = 3,    /* actor, a registry, releases D to target */
	CY_ACT_COPY = 4,       /* actor, a holder, copies D for target */
	CY_ACT_RECALL = 5,     /* actor recalls every copy of D */
	CY_ACT_DESTROY = 6,    /* actor destroys D (every copy, for good) */
	CY_ACT_DECLASSIFY = 7, /* actor records that D's protection ended */
	CY_ACT_APPROVE = 8,    /* actor approves target's access to D */
};

enum cy_policy_doc_state {
	CY_DOC_LIVE = 1,
	CY_DOC_DECLASSIFIED = 2,
	CY_DOC_RECALLED = 3,
	CY_DOC_DESTROYED = 4,
};

/* A certificate's revocation, as the revocation lists (crl.h) or the
 * register say.  The class follows cy_crl_reason_keeps_past. */
enum cy_policy_revocation {
	CY_REV_NONE = 1,       /* not revoked */
	CY_REV_FROM = 2,       /* key stayed with its holder (superseded,
	                        * left-unit, cessation): revoked from
	                        * revoked_since on */
	CY_REV_ALWAYS = 3,     /* key compromise, unspecified, unknown:
	                        * revoked at every time */
};

/* Stable reason codes: never renumbered, new ones appended. */
enum cy_policy_reason {
	CY_POL_OK = 0,
	CY_POL_BAD_REQUEST = 1,   /* a field missing or malformed */
	CY_POL_ROLE = 2,          /* this role may not take this part */
	CY_POL_NOT_YET_VALID = 3,
	CY_POL_EXPIRED = 4,
	CY_POL_REVOKED = 5,
	CY_POL_STATE = 6,         /* recalled, destroyed, declassified … */
	CY_POL_SEAL_TIME = 7,     /* created is not the time of sealing */
	CY_POL_PROTECT = 8,       /* protect-until outside (created, cap] */
	CY_POL_NOT_DUE = 9,       /* protection has not ended */
	CY_POL_UNIT = 10,         /* unit outside the one the rule needs */
	CY_POL_SELF = 11,         /* approving one's own request */
	CY_POL_NOT_RECIPIENT = 12,
	CY_POL_ONLY_NAMED = 13,   /* only-named-recipient: no copies */
	CY_POL_CLEARANCE = 14,
	CY_POL_COMPARTMENT = 15,
	CY_POL_APPROVALS = 16,    /* two-person rule not met */
};

/* Who a refusal is about. */
enum cy_policy_who {
	CY_POL_WHO_NONE = 0,
	CY_POL_WHO_ACTOR = 1,
	CY_POL_WHO_TARGET = 2,
	CY_POL_WHO_DOCUMENT = 3,
	CY_POL_WHO_APPROVERS = 4,
};

/* A person or service, from its verified certificate.  Strings are
 * borrowed: they must outlive the decision. */
typedef struct cy_policy_party {
	const char *serial;       /* 32 hex digits */
	const char *name;         /* for messages; may be NULL */
	int role;                 /* enum cy_role */
	int clearance;            /* enum cy_level */
	const char *unit;         /* unit path */
	const char *compartments; /* canonical list; NULL or "" for none */
	int64_t not_before;       /* validity, both ends inclusive */
	int64_t not_after;
	int revocation;           /* enum cy_policy_revocation */
	int64_t revoked_since;    /* CY_REV_FROM only */
} cy_policy_party;

/* The document, from its verified label and the register. */
typedef struct cy_policy_doc {
	int level;                /* enum cy_level */
	const char *unit;         /* originating unit (the sealer's) */
	const char *scope;        /* the originating authority's may-issue
	                           * subtree: who may read it once
	                           * declassified; NULL = unit */
	const char *compartments; /* canonical list; NULL or "" for none */
	int only_named;           /* handling: only-named-recipient */
	const char *const *recipients; /* the label's serials */
	size_t nrecipients;
	int64_t created;
	int64_t protect_until;    /* with any extensions; protected through
	                           * this second inclusive */
	int state;                /* enum cy_policy_doc_state */
} cy_policy_doc;

typedef struct cy_policy_request {
	int action;               /* enum cy_policy_action */
	int64_t time;             /* Unix seconds: the time of the act */
	const cy_policy_party *actor;
	const cy_policy_party *target; /* release, copy, approve; seal: each
	                                * recipient, or NULL to check the
	                                * sealer alone */
	const cy_policy_doc *doc;
	/* Approvals already verified as signed `approve` entries for this
	 * document, action and requester: one party per entry. */
	const cy_policy_party *approvers;
	size_t napprovers;
	/* Open only: 1 when the reader opens offline, with a key it already
	 * holds (coyeu open -k, cy_doc_open_fd).  The two-person rule (rule
	 * 20) is then not this decision's to enforce: the registry enforces
	 * it when it releases a key (DESIGN.md §5, §12).  Set for any other
	 * action, the request is malformed. */
	int offline;
} cy_policy_request;

typedef struct cy_policy_decision {
	int allow;                /* 1 allowed, 0 refused */
	int reason;               /* enum cy_policy_reason */
	int rule;                 /* number of the refusing rule, 0 if allowed */
	int who;                  /* enum cy_policy_who */
	char msg[CY_ERROR_MSG_MAX]; /* "" when allowed */
} cy_policy_decision;

/* Decides.  Returns 0 when allowed; when refused CY_E_REVOKED (revoked),
 * CY_E_USAGE (bad request) or CY_E_POLICY (any other rule).  out (may be
 * NULL) receives the decision in full, every byte set. */
CY_API int cy_policy_decide(const cy_policy_request *rq,
    cy_policy_decision *out) CY_MUST_CHECK;

/* The same, with the refusal as an error: err->msg is the sentence. */
CY_API int cy_policy_check(const cy_policy_request *rq, cy_error *err)
    CY_MUST_CHECK;

/* Fills p from a certificate whose chain verified (cy_chain_verify), and
 * its revocation from the lists that verification accepted: the most
 * severe entry naming the serial wins (a list can only make it stricter).
 * p borrows c's strings. */
CY_API int cy_policy_party_from_cert(const cy_cert *c,
    const cy_crl *const *crls, size_t ncrls, cy_policy_party *p)
    CY_MUST_CHECK;

/* The latest protect-until a document of `level` created at `created` may
 * carry: cy_level_protect_limit (level.h, the one definition), as an
 * error code: CY_E_USAGE for an unknown level or a time out of range. */
CY_API int cy_policy_protect_cap(int level, int64_t created, int64_t *cap)
    CY_MUST_CHECK;

/* Rule 10 alone: created < until <= the cap.  CY_E_POLICY with the
 * rule's sentence ("protect-until … is more than 20 years after creation
 * for TỐI MẬT …"), so a caller can refuse a bad protect-until before any
 * other work. */
CY_API int cy_policy_protect_check(int level, int64_t created, int64_t until,
    cy_error *err) CY_MUST_CHECK;

/* Distinct approvers `action` needs on a document of `level` in `state`:
 * CY_POLICY_APPROVERS or 0. */
CY_API int cy_policy_approvals_needed(int action, int level, int state);

/* "seal", "open", … and "clearance", "revoked", … (stable tokens for logs
 * and JSON); NULL when unknown. */
CY_API const char *cy_policy_action_name(int action);
CY_API const char *cy_policy_reason_name(int reason);

#endif
