/* Helpers shared by the coyeu log commands. */
#ifndef COYEU_CLI_LOGCLI_H
#define COYEU_CLI_LOGCLI_H

#include <stdint.h>

#include "coyeu/log.h"
#include "coyeu/note.h"

#define CLI_LOG_KEY_FILE_MAX 1024

/* Each prints "coyeu: <what>: <why>" on failure; CLI_OK or CLI_FAIL. */
int cli_log_open(const char *path, int flags, cy_log **out);
/* The register's checkpoint key: from path, or (path NULL) from where
 * log init recorded it.  Refused when others may read the file. */
int cli_log_signer(const cy_log *l, const char *path, cy_note_signer **out);
int cli_log_signer_file(const char *path, cy_note_signer **out);
/* A verifier key given as its "name+hex8+base64" text or as a file. */
int cli_log_verifier(const char *arg, cy_note_verifier **out);
/* A small file read whole (cap bytes), printing why it could not be. */
int cli_log_read(const char *path, size_t cap, uint8_t **data, size_t *len);

/* A canonical decimal option value; else a usage error for cmd. */
int cli_log_u64(const char *cmd, const char *opt, const char *s, uint64_t *v);
/* A threads option value (0: all cores). */
int cli_log_threads(const char *cmd, const char *s, int *threads);

#define CLI_WITNESS_KEYS_MAX 16

/* The verify commands' options: --verifier-key VKEY (loaded into v),
 * --witness-key VKEY (repeatable, into witness), --json, --help and, with
 * want_entry, --entry FILE; then exactly nargs operands, described by
 * `operands` in the usage error.  Returns -1 to go on, or the status to
 * exit with (help printed, or a usage error); cli_log_verify_free after. */
struct cli_log_verify {
	const char *entry;
	int json;
	cy_note_verifier *v;
	cy_note_verifier *witness[CLI_WITNESS_KEYS_MAX];
	size_t nwitness;
};
int cli_log_verify_args(int argc, char **argv, const char *cmd,
    const char *usage, int want_entry, int nargs, const char *operands,
    struct cli_log_verify *o);
/* That the checkpoint note (signed by o->v) carries a valid cosignature by
 * each --witness-key; else prints "coyeu: <what>: the checkpoint carries
 * no cosignature by witness NAME" (or why it does not verify). */
int cli_log_require_witnesses(const struct cli_log_verify *o,
    const uint8_t *note, size_t len, const char *what);
void cli_log_verify_free(struct cli_log_verify *o);

#endif
