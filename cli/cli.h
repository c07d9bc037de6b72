/* coyeu command line — shared helpers for sub-commands. */
#ifndef COYEU_CLI_H
#define COYEU_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/error.h"

/* Exit statuses (DESIGN.md §9). */
#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

#define CLI_PASSPHRASE_MAX 1024

typedef int cli_fn(int argc, char **argv);

struct cli_command {
	const char *name;
	cli_fn *fn;
	const char *summary;
};

/* Runs argv[1] from a table of sub-commands (for "coyeu cert issue" …);
 * prints the table on --help or when the name is unknown. */
int cli_dispatch(const char *prog, const struct cli_command *cmds, int argc,
    char **argv);

/* "coyeu: <msg>" on stderr. */
void cli_warn(const char *fmt, ...) CY_PRINTF(1, 2);
/* Prints err's message (or its code's text) prefixed by what, returns CLI_FAIL. */
int cli_fail(const cy_error *err, const char *what);
/* Prints a usage error and "try 'coyeu CMD --help'", returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) CY_PRINTF(2, 3);
/* The usage error for a value that err refused: "coyeu: OPT: why" and the
 * --help hint; returns CLI_USAGE.  For checks made right after parsing,
 * before any key or input is read. */
int cli_option_error(const char *cmd, const char *opt, const cy_error *err);
/* CLI_OK when the path given to opt is not empty; else a usage error. */
int cli_check_path(const char *cmd, const char *opt, const char *path);
/* "coyeu: A does not go with B (why)": an option that does not apply to
 * the mode another one chose; returns CLI_USAGE. */
int cli_conflict(const char *cmd, const char *a, const char *b,
    const char *why);

/* Look-alike text (cli/lookalike.c).  A text option (opt "--name",
 * "--doc"): a canonical value (no control, bidirectional or invisible
 * character …) and, unless allow_mixed, no word mixing scripts; CLI_OK, or
 * CLI_USAGE after "coyeu: --name: contains U+202E …; remove it". */
int cli_text_option(const char *opt, const char *value, int allow_mixed);
/* A text from a file about to be signed into a record (the name of a
 * request being certified): CLI_FAIL after saying so when a word mixes
 * scripts and allow_mixed is not set. */
int cli_text_refuse_mixed(const char *what, const char *value,
    int allow_mixed);
/* A text of a verified record being shown: "coyeu: warning: …" on
 * standard error when a word mixes scripts. */
void cli_text_warn_mixed(const char *what, const char *value);
/* The same for the name of every certificate in a chain. */
struct cy_chain;
void cli_chain_warn_mixed(const struct cy_chain *chain);

/* Reads a line from the terminal without echo into buf (wiped on failure);
 * the terminal is restored before a signal that interrupts it acts. */
int cli_tty_passphrase(const char *prompt, char *buf, size_t cap,
    cy_error *err);
/* Reads a secret age keeps in a file of its own (an identity file, a
 * passphrase file) with cy_file_read; warns, as ssh does, when others may
 * open the file: age reads such files, so they are not refused. */
int cli_read_secret(const char *path, size_t cap, uint8_t **out, size_t *len,
    cy_error *err) CY_MUST_CHECK;
/* Reads a passphrase: from file if non-NULL (first line), else from the
 * terminal without echo (twice if confirm).  buf holds CLI_PASSPHRASE_MAX. */
int cli_passphrase(const char *file, const char *prompt, int confirm, char *buf,
    size_t cap, cy_error *err);

/* Loads the key file at path, asking its passphrase from pass_file or the
 * terminal; on failure prints "cannot open key PATH: why" (cli/idkey_load.c). */
struct cy_key;
int cli_idkey_load(const char *path, const char *pass_file, struct cy_key **out);
/* cy_idkey_file_add_pq with the same passphrase prompt (or file). */
int cli_idkey_add_pq(const char *path, const char *pass_file, int log_n);

/* An age identity file ("# comment", "# public key: age1…", the secret
 * key) to outpath (0600, exclusive; "Public key:" on stderr) or stdout. */
struct cy_identity;
int cli_write_identity(const struct cy_identity *id, const char *comment,
    const char *outpath, cy_error *err);
/* The same file from the public key string and the secret key string. */
int cli_write_identity_text(const char *pub, const char *sec,
    const char *comment, const char *outpath, cy_error *err);
/* The same with n keys, one comment. */
int cli_write_identities_text(const char *const *pub,
    const char *const *sec, size_t n, const char *comment,
    const char *outpath, cy_error *err);

/* Number of online cores. */
int cli_cores(void);
/* Parses a positive int option value, or returns -1. */
int cli_parse_int(const char *s, int min, int max);

#endif
