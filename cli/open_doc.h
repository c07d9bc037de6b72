/* coyeu open -k KEY: open with an officer's key, verifying classified
 * documents before anything is released. */
#ifndef COYEU_CLI_OPEN_DOC_H
#define COYEU_CLI_OPEN_DOC_H

#include "trust.h"

struct open_doc_args {
	const char *key, *pass_file, *in, *out;
	int threads;
	struct cli_trust trust;
	char note[CLI_NOTE_MAX];  /* what the reader should know, or "" */
};

int open_doc_run(struct open_doc_args *a);
/* Shared with inspect: loads the key and trust, maps IN (spooling a pipe)
 * and runs cy_doc_open_fd in `mode`. */
int open_doc_verify(struct open_doc_args *a, int mode, int out_fd,
    cy_doc_info *info);
/* The label for people, on f. */
void open_doc_print_label(FILE *f, const cy_doc_info *info, const char *note);

#endif
