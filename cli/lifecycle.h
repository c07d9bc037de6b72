/* coyeu recall, destroy, extend: what the three commands share
 * (cli/lifecycle.c; docs/exchange.md "Recall, destroy, extend"). */
#ifndef COYEU_CLI_LIFECYCLE_H
#define COYEU_CLI_LIFECYCLE_H

#include "coyeu/entry.h"

#include "exchange.h"

/* Which options a command takes besides the officer's and the registry's. */
enum lc_takes {
	LC_TAKES_COPY = 1,   /* --copy N|COPY-ID */
	LC_TAKES_REASON = 2, /* --reason TEXT */
	LC_TAKES_UNTIL = 4,  /* --until DATE */
};

struct lc_opts {
	struct cli_xc_opts xc; /* the officer and the registry */
	const char *doc;     /* the doc-id */
	const char *copy;    /* a copy number ("2" or "2/3") or copy-id */
	const char *reason;
	const char *until;
};

/* Parses argv for cmd (usage printed on --help: *done set); CLI_OK or
 * CLI_USAGE. */
int lc_parse(const char *cmd, const char *usage, int takes, int argc,
    char **argv, struct lc_opts *o, int *done);

/* Signs the entry of `type` (doc-id, copy-id when --copy, and extra),
 * posts it to /v1/documents/DOC/ROUTE, checks the receipt against the
 * pinned verifier key and prints `what` as done: "recalled copy 2/3 of
 * Số 12/QĐ (doc-id …); entry 41". */
int lc_run(const char *cmd, const char *route, const char *type,
    const char *what, const struct lc_opts *o, const cy_entry_field *extra,
    size_t nextra);

#endif
