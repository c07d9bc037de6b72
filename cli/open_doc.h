/* coyeu open -k KEY: open with an officer's key, verifying classified
 * documents before anything is released. */
#ifndef COYEU_CLI_OPEN_DOC_H
#define COYEU_CLI_OPEN_DOC_H

#include "trust.h"

struct open_doc_args {
	const char *key, *pass_file, *in, *out;
	const char *chain;        /* -c: the reader's own chain, or NULL */
	int threads;
	struct cli_trust trust;
};

int open_doc_run(struct open_doc_args *a);
/* Shared with inspect: loads the key, the reader's chain (-c, else the
 * keyring's when it certifies the key) and trust, maps IN (spooling a
 * pipe) and runs cy_doc_open_fd in `mode`. */
int open_doc_verify(struct open_doc_args *a, int mode, int out_fd,
    cy_doc_info *info);
/* The label for people, on f. */
void open_doc_print_label(FILE *f, const cy_doc_info *info);

#endif
