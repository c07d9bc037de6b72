/* What coyeu send, inbox, fetch and status share (docs/exchange.md): the
 * registry's client with the officer who signs, the pinned verifier key,
 * the officer's entries and the registry's receipts for them. */
#ifndef COYEU_CLI_EXCHANGE_H
#define COYEU_CLI_EXCHANGE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "coyeu/entry.h"
#include "coyeu/note.h"

#include "client.h"

/* The options every exchange command takes. */
struct cli_xc_opts {
	const char *url, *cacert, *key, *chain, *pass_file;
};

/* getopt_long rows for them, and their handling: 1 when c was one. */
#define CLI_XC_LONGOPTS \
	{"key", required_argument, NULL, 'k'}, \
	{"chain", required_argument, NULL, 'c'}, \
	{"passphrase-file", required_argument, NULL, 'P'}, \
	{"registry", required_argument, NULL, 'R'}, \
	{"cacert", required_argument, NULL, 'C'}
int cli_xc_opt(struct cli_xc_opts *o, int c, const char *arg);
#define CLI_XC_USAGE \
    "  -k, --key KEY            the officer's key (default: the keyring's)\n" \
    "  -c, --chain CHAIN        its chain (default: the keyring's)\n" \
    "      --passphrase-file F  read the key's passphrase from F\n" \
    "      --registry URL       this registry, not the keyring's\n" \
    "      --cacert FILE        CA certificates TLS trusts (default: the\n" \
    "                           keyring's, else the system's)\n"

struct cli_xc {
	cli_client *cl;
	cy_note_verifier *v;   /* pinned for the registry's URL */
	cy_key *key;
	cy_chain *chain;
	char *chain_text;
	const char *serial;    /* the officer's */
};

/* The client, signing as the officer, with the pinned verifier key. */
int cli_xc_open(const char *cmd, const struct cli_xc_opts *o,
    struct cli_xc *x);
void cli_xc_close(struct cli_xc *x);

/* An entry of type by the officer, now: fields (n, at most 14) plus time
 * and actor, appended to out. */
int cli_xc_entry(struct cli_xc *x, const char *type,
    const cy_entry_field *f, size_t n, cy_buf *out);

/* A receipt (tlog-proof) that proves this very entry at index under a
 * checkpoint the pinned key signed; CLI_FAIL after saying why. */
int cli_receipt_check(const cy_note_verifier *v, uint64_t index,
    const char *receipt, const uint8_t *entry, size_t len);

/* /v1/documents/<doc-id>… with doc_id checked (32 lowercase hex
 * digits): a usage error for cmd otherwise. */
int cli_xc_doc_id(const char *cmd, const char *doc_id);

/* A time for people: "2026-12-07 22:50 UTC"; "-" for 0. */
const char *cli_xc_time(int64_t t, char out[32]);

/* The registry's chain (GET /v1/registry): under trust's root at now, a
 * registry's, certifying the verifier key pinned for its URL; only then
 * is R sealed to its sealing key (cli/xc_registry.c). */
struct cy_trust;
int cli_xc_registry_chain(struct cli_xc *x, const struct cy_trust *t,
    int64_t now, cy_chain **out);

/* A string member from the registry, fit for the terminal: "?" when
 * absent or not printable. */
const char *cli_xc_safe(const json_t *o, const char *name);
/* Columns s takes on a terminal: UTF-8 code points, less combining marks
 * (U+0300–U+036F, which a Vietnamese name in NFD would carry). */
size_t cli_xc_width(const char *s);
/* Prints s, then spaces up to width columns. */
void cli_xc_pad(const char *s, size_t width);

/* Standard base64 (padded) of p as a JSON string, or NULL. */
json_t *cli_xc_b64(const uint8_t *p, size_t len);

/* The locale that governs messages (LC_ALL, else LC_MESSAGES, else LANG)
 * starts with "en": English headings; Vietnamese otherwise. */
int cli_xc_english(void);
/* A table cell padded to width, two spaces after the one before it (col
 * > 0); the last ends the line. */
void cli_xc_cell(const char *s, size_t width, size_t col, int last);
/* heads (ncols), then nrows rows of cells (row-major), each column as
 * wide as its widest cell. */
void cli_xc_table(const char *const *heads, size_t ncols, char *const *cells,
    size_t nrows);
/* One CSV field (RFC 4180: quoted when it holds a comma, quote or line
 * break). */
void cli_xc_csv_field(const char *s);

#endif
