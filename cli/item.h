/* coyeu item and coyeu stocktake (docs/inventory.md): what their
 * sub-commands share — the item a command names, the entries they sign
 * and post with the receipt checked, the words of the inventory in
 * Vietnamese or English. */
#ifndef COYEU_CLI_ITEM_H
#define COYEU_CLI_ITEM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "coyeu/buf.h"
#include "coyeu/entry.h"

#include "exchange.h"

#define ITEM_ID_LEN 32
#define ITEM_FIELDS_MAX 14

/* Sub-commands (cli/item_*.c, cli/stocktake.c). */
int cmd_item_add(int argc, char **argv);
int cmd_item_show(int argc, char **argv);
int cmd_item_list(int argc, char **argv);
int cmd_item_history(int argc, char **argv);
int cmd_item_transition(int argc, char **argv);
int cmd_item_accept(int argc, char **argv);
int cmd_item_report(int argc, char **argv);
int cmd_item_revoke_keys(int argc, char **argv);

/* The words of the inventory: a type's, state's or action's name for
 * people (Vietnamese, or English when en); the name itself when unknown. */
const char *item_type_text(const char *type, int en);
const char *item_state_text(const char *state, int en);
/* An action of the transition table ("stock": "nhập kho"). */
const char *item_action_text(const char *action, int en);
/* A view member shown in a cell: levels as MẬT, types and states in the
 * language, lists joined by ", ", absent as "—"; never a control
 * character. */
void item_cell(const json_t *view, const char *member, int en, char *out,
    size_t cap);

/* 1 when s[0..n) names an item as the commands take it: an item id, or
 * TYPE:SERIAL (a type's name, then a serial). */
int item_ref_valid(const char *s, size_t n);
/* ITEM as the commands take it: an item id (32 lowercase hex digits) or
 * TYPE:SERIAL.  Its view in *view (json_decref it; the answer's "item"
 * when it has one) and its id in id. */
int item_fetch(struct cli_xc *x, const char *cmd, const char *item,
    json_t **view, char id[ITEM_ID_LEN + 1]);
/* Every page of GET /v1/items?QUERY (QUERY: "unit=U&type=T…", or ""),
 * following the answers' "next", appended to all. */
#define ITEM_PAGE 500
#define ITEM_PAGES_MAX 1000
int item_list_all(struct cli_xc *x, const char *query, json_t *all);
/* The view in an answer: its "item" member, else the answer itself. */
json_t *item_view_of(json_t *ans);

/* Signs an entry of type with fields (time and actor added), posts
 * {"entry": base64} merged with extra (may be NULL) to path, and checks
 * the answer's receipt against the pinned key: it must prove this very
 * entry.  The answer in *ans, the entry's index in *index; the entry's
 * bytes in entry when not NULL. */
int item_post_entry(struct cli_xc *x, const char *path, const char *type,
    const cy_entry_field *f, size_t n, json_t *extra, json_t **ans,
    uint64_t *index, cy_buf *entry);

/* GET /v1/items/ID/history: its "entries" ([{index, entry (base64),
 * receipt?}…], in register order) in *entries. */
int item_history_get(struct cli_xc *x, const char *id, json_t **entries);
/* A history row's entry bytes (malloc'd in *data). */
int item_entry_bytes(const json_t *row, uint8_t **data, size_t *len);

/* Folds a history's entries (item_history_get) into *view with the
 * library's state machine (cy_item_apply, no certificate lookup: what
 * receipts alone prove); CLI_FAIL after naming the entry that does not
 * fit. */
struct cy_item_view;
int item_replay(const char *id, json_t *entries, struct cy_item_view *view);

/* The view, one labelled line a member, in the language. */
void item_print_view(const json_t *view, int en);

/* The serials of the certificates whose keys the item holds (the view's
 * holds_certs, a list or "a,b"), as a new JSON list (empty when none). */
json_t *item_holds_certs(const json_t *view);

/* Revocation lists for the certificates an item's keys were (serials),
 * reason key-compromise: signed by the officer x, who must be an
 * authority, extending its newest list at the registry.  item_crl_make
 * leaves *out NULL (after saying so) when every serial is listed
 * already; item_crl_json is the list as the routes take it ("crl");
 * item_crl_report prints what the registry's answer ({"revoked",
 * "entries"}) says it revoked; item_revoke_certs makes the list and posts
 * it to POST /v1/revocations. */
struct cy_crl;
int item_crl_make(struct cli_xc *x, const char *item_id, json_t *serials,
    struct cy_crl **out);
json_t *item_crl_json(const struct cy_crl *crl);
void item_crl_report(struct cli_xc *x, const struct cy_crl *crl,
    json_t *ans);
int item_revoke_certs(struct cli_xc *x, const char *item_id,
    json_t *serials);

#endif
