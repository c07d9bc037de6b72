/* coyeu — the inventory of cryptographic equipment and keys (DESIGN.md
 * §11, docs/inventory.md).
 *
 * An item (a cipher device, token, key, key set, software product or an
 * officer's key pair) lives through a state machine whose transitions are
 * one table (cy_item_rules): which exist, who may make each, and which need
 * a second officer.  Every step is a register entry signed by whoever acts
 * (item.add, item.change, item.confirm: docs/register.md); an item's
 * current state (cy_item_view) is the fold of its entries through
 * cy_item_apply, so a registry's record and a replay of the history from
 * receipts agree by construction.
 *
 * Everything here is pure: no store, no clock, no global state.
 */
#ifndef COYEU_INVENTORY_H
#define COYEU_INVENTORY_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/buf.h"
#include "coyeu/cert.h"
#include "coyeu/error.h"

#define CY_ITEM_ID_LEN 32          /* hex digits of an item id */
#define CY_ITEM_SERIAL_MAX 64      /* bytes of a maker's serial */
#define CY_ITEM_TEXT_MAX 256       /* maker, model, version, notes, reason */
#define CY_ITEM_HOLDS_MAX 16       /* certificates one item holds keys of */
#define CY_ITEM_HOLDS_SIZE (CY_ITEM_HOLDS_MAX * (CY_SERIAL_HEX_LEN + 1))
#define CY_ITEM_DATE_LEN 10        /* YYYY-MM-DD */
#define CY_ITEM_VIEW_MAX 8192      /* an encoded view (cy_item_view_encode) */

/* --- types: data, not code --- */

/* Extra fields a type takes (cy_item_type.fields) or needs (.required). */
enum cy_item_field {
	CY_ITEM_F_HOLDS_CERTS = 1,  /* holds-certs: serials whose keys it holds */
	CY_ITEM_F_PERIOD_UNTIL = 2, /* period-until: end of the crypto-period */
	CY_ITEM_F_COUNT = 4,        /* count: keys in a set */
	/* product-version: a software product's ("version" is every entry's
	 * first line). */
	CY_ITEM_F_VERSION = 8,
};

typedef struct cy_item_type {
	const char *name;   /* "cipher-device", … */
	const char *vi;     /* "thiết bị mật mã" */
	const char *en;     /* "cipher device" */
	unsigned fields;    /* cy_item_field bits it takes */
	unsigned required;  /* … of which it needs */
} cy_item_type;

/* The types, *n of them. */
CY_API const cy_item_type *cy_item_types(size_t *n);
/* The type named `name`, or NULL. */
CY_API const cy_item_type *cy_item_type_find(const char *name);
/* The entry field name of one cy_item_field bit ("holds-certs", …), or NULL. */
CY_API const char *cy_item_field_name(unsigned field);

/* --- states --- */

enum cy_item_state {
	CY_ITEM_NEW = 0, /* before item.add: no state yet */
	CY_ITEM_RECEIVED,
	CY_ITEM_IN_STOCK,
	CY_ITEM_IN_SERVICE,
	CY_ITEM_MAINTENANCE,
	CY_ITEM_TRANSFERRED, /* a handover waiting for the taker */
	CY_ITEM_DECOMMISSIONED,
	CY_ITEM_DESTROYED,   /* final */
	CY_ITEM_LOST,
	CY_ITEM_COMPROMISED,
	CY_ITEM_NSTATES
};
#define CY_ITEM_STATE_BIT(s) (1u << (s))
/* Every state but destroyed (and new). */
#define CY_ITEM_LIVE (((1u << CY_ITEM_NSTATES) - 1) & \
	~(CY_ITEM_STATE_BIT(CY_ITEM_NEW) | CY_ITEM_STATE_BIT(CY_ITEM_DESTROYED)))

/* "received", "in-stock", … ("new" for CY_ITEM_NEW); NULL if not a state. */
CY_API const char *cy_item_state_name(int state);
/* "đã tiếp nhận" … / "received" … (lang "vi" or "en"); NULL if not. */
CY_API const char *cy_item_state_label(int state, const char *lang);
/* The state named p[0..len), or -1. */
CY_API int cy_item_state_parse(const char *p, size_t len);

/* --- actions and the rules table --- */

#define CY_ITEM_ADD "add"
#define CY_ITEM_STOCK "stock"
#define CY_ITEM_ISSUE "issue"
#define CY_ITEM_RETURN "return"
#define CY_ITEM_MAINTAIN "maintain"
#define CY_ITEM_RESTORE "restore"
#define CY_ITEM_TRANSFER "transfer"
#define CY_ITEM_DECOMMISSION "decommission"
#define CY_ITEM_DESTROY "destroy"
#define CY_ITEM_LOSE "lose"
#define CY_ITEM_COMPROMISE "compromise"
#define CY_ITEM_FIND "find"
/* The second officer's answers to a pending change (item.confirm). */
#define CY_ITEM_ACCEPT "accept"
#define CY_ITEM_DECLINE "decline"

/* Who may act (cy_item_rule.actors). */
enum cy_item_actor {
	/* An officer of the item's unit: its certificate's unit contains the
	 * item's unit, clearance at least the item's level; or an authority
	 * whose may-issue subtree contains the unit, at that clearance. */
	CY_ITEM_BY_UNIT = 1,
	CY_ITEM_BY_CUSTODIAN = 2, /* the item's custodian (by serial) */
	/* The second officer named by the pending change (accept, decline). */
	CY_ITEM_BY_SECOND = 4,
};

/* Which second officer a change waits for (cy_item_rule.second). */
enum cy_item_second {
	CY_ITEM_SECOND_NONE = 0,
	CY_ITEM_SECOND_WITNESS = 1, /* another officer of the unit */
	CY_ITEM_SECOND_TAKER = 2,   /* an officer of the taking unit, or the
	                             * taking custodian */
};

typedef struct cy_item_rule {
	const char *action;  /* CY_ITEM_ADD … CY_ITEM_DECLINE */
	unsigned from;       /* CY_ITEM_STATE_BIT set it starts from */
	int to;              /* the state it leads to; for accept and decline
	                      * -1: the pending change decides */
	unsigned actors;     /* cy_item_actor bits */
	int second;          /* cy_item_second */
	/* What else it needs: CY_ITEM_NEEDS_* bits. */
	unsigned needs;
	const char *vi, *en; /* the action shown to people */
} cy_item_rule;

enum cy_item_needs {
	CY_ITEM_NEEDS_CUSTODIAN = 1, /* issue: the custodian it goes to */
	CY_ITEM_NEEDS_TARGET = 2,    /* transfer: a taking unit or custodian */
	CY_ITEM_NEEDS_REASON = 4,    /* find: where and how */
	CY_ITEM_NEEDS_PENDING = 8,   /* accept, decline: a pending change */
};

/* The table, *n rows; iterate it (docs and tests do). */
CY_API const cy_item_rule *cy_item_rules(size_t *n);
/* The row of `action`, or NULL. */
CY_API const cy_item_rule *cy_item_rule_find(const char *action);

/* --- an item's current state --- */

typedef struct cy_item_view {
	char id[CY_ITEM_ID_LEN + 1];
	char type[32];
	char serial[CY_ITEM_SERIAL_MAX + 1];
	char maker[CY_ITEM_TEXT_MAX + 1];
	char model[CY_ITEM_TEXT_MAX + 1];
	int level;                             /* enum cy_level */
	char unit[CY_UNIT_MAX + 1];
	char custodian[CY_SERIAL_HEX_LEN + 1]; /* "" = none */
	int state;                             /* enum cy_item_state */
	char received[CY_ITEM_DATE_LEN + 1];
	char period_until[CY_ITEM_DATE_LEN + 1]; /* "" = none */
	char version[CY_ITEM_TEXT_MAX + 1];      /* "" = none */
	uint32_t count;                          /* 0 = none */
	char holds_certs[CY_ITEM_HOLDS_SIZE];    /* "s1,s2" or "" */
	char notes_sha256[65];                   /* "" = no notes */
	char notes[CY_ITEM_TEXT_MAX + 1];        /* cy_item_view_set_notes */
	/* A change waiting for its second officer: the action ("" = none),
	 * the SHA-256 (hex) of its item.change entry, who is expected ("" =
	 * any eligible officer), the state a decline returns to, and for a
	 * transfer where it goes. */
	char pending[16];
	char pending_sha256[65];
	char pending_second[CY_SERIAL_HEX_LEN + 1];
	char pending_by[CY_SERIAL_HEX_LEN + 1]; /* who made the change */
	int pending_from;
	char pending_unit[CY_UNIT_MAX + 1];
	char pending_custodian[CY_SERIAL_HEX_LEN + 1];
	char updated[21];  /* time of the last entry folded in */
	uint64_t index;    /* register index of that entry (the caller's) */
	uint64_t changes;  /* entries folded in */
} cy_item_view;

/* What a change asks for, beyond its action.  Certificates are the
 * verified ones the caller knows (NULL when unknown: a rule that needs one
 * is then refused). */
typedef struct cy_item_move {
	const char *unit;       /* transfer: the taking unit (NULL: the same) */
	const char *custodian;  /* issue, transfer: the custodian (serial) */
	const cy_cert *custodian_cert;
	const char *second;     /* the witness or taker named (NULL: any) */
	const char *reason;     /* find: where it was found */
	int pending;            /* the change waits for its second officer */
} cy_item_move;

/* Decides whether `actor` may make `action` on `item` (for add: the item
 * as item.add describes it, state CY_ITEM_NEW).  0, or CY_E_POLICY with
 * the rule in the message (docs/inventory.md lists them):
 *   item <id>: destroyed items never come back
 *   item <id>: stock is not allowed from state in-service
 *   item <id>: transfer needs the taker's acceptance
 *   officer <name> (serial <s>) is outside unit <u> (item's unit)
 *   officer <name> lacks clearance TỐI MẬT for this item (has MẬT)
 * CY_E_USAGE for an unknown action.  move may be NULL (no extras). */
CY_API int cy_item_decide(const cy_item_view *item, const char *action,
    const cy_cert *actor, const cy_item_move *move,
    cy_error *err) CY_MUST_CHECK;

/* The verified certificate of `serial`, or NULL when unknown. */
typedef const cy_cert *cy_item_cert_fn(void *ctx, const char *serial);

/* Folds one entry into the view: item.add (into a zeroed view: text
 * fields stay zero-filled past their values, so views of one history are
 * equal bytes), then
 * item.change and item.confirm.  The entry's form and signature are
 * checked; it must be this item's, start from the view's state, carry the
 * table's target state, and a confirmation must name the pending change's
 * SHA-256.  With find (may be NULL: the form and the state machine only)
 * the actor (whose certificate must hold the entry's actor-key), the
 * custodian and the second officer are looked up and cy_item_decide
 * judges.  index is recorded in the view.  On any refusal the view is
 * left as it was. */
CY_API int cy_item_apply(cy_item_view *view, const uint8_t *entry, size_t len,
    uint64_t index, cy_item_cert_fn *find, void *find_ctx,
    cy_error *err) CY_MUST_CHECK;

/* Sets the view's notes: their SHA-256 must be the item.add's
 * notes-sha256 (CY_E_FORMAT otherwise). */
CY_API int cy_item_view_set_notes(cy_item_view *view, const char *notes,
    cy_error *err) CY_MUST_CHECK;

/* A view as a canonical text record (one "key: value" line per field set,
 * docs/inventory.md), for a registry's records; parse checks every value
 * (refuses what cy_item_apply could never have made) and is safe on any
 * input up to CY_ITEM_VIEW_MAX bytes. */
CY_API int cy_item_view_encode(const cy_item_view *view, cy_buf *out,
    cy_error *err) CY_MUST_CHECK;
CY_API int cy_item_view_parse(const uint8_t *in, size_t len,
    cy_item_view *view, cy_error *err) CY_MUST_CHECK;

/* The lowercase hex SHA-256 of an entry's bytes (item.confirm's
 * change-sha256, stocktake's serials-sha256). */
CY_API void cy_item_sha256_hex(const uint8_t *data, size_t len, char out[65]);

/* stocktake.declare's serials-sha256: the lowercase hex SHA-256 of the
 * declared items (item ids or TYPE:SERIAL), sorted bytewise, each followed
 * by LF.  Each must be 1 to CY_ITEM_REF_MAX bytes without LF (CY_E_USAGE
 * names the first that is not); n may be 0. */
#define CY_ITEM_REF_MAX 128
CY_API int cy_item_list_sha256(const char *const *items, size_t n,
    char out[65], cy_error *err) CY_MUST_CHECK;

/* An item's serial: 1 to 64 of [A-Za-z0-9._/-]. */
CY_API int cy_item_serial_valid(const char *p, size_t len);

#endif
