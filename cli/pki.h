/* Loading and printing certificates, chains, lists and requests, and new
 * key files: the helpers of the id, authority, cert and keyring commands. */
#ifndef COYEU_CLI_PKI_H
#define COYEU_CLI_PKI_H

#include <stdint.h>
#include <stdio.h>

#include "coyeu/age.h"
#include "coyeu/canon.h"
#include "coyeu/cert.h"
#include "coyeu/crl.h"
#include "coyeu/idkey.h"
#include "coyeu/request.h"

#define CLI_DEFAULT_DAYS 365
#define CLI_ROOT_DAYS 3650
#define CLI_DAYS_MAX 36500

/* Each reads and parses a file, printing "cannot read WHAT FILE: why" on
 * failure; CLI_OK or CLI_FAIL. */
int cli_load_chain(const char *path, cy_chain **out);
/* The same, also handing over the file's bytes (*data, to free). */
int cli_load_chain_data(const char *path, cy_chain **out, uint8_t **data,
    size_t *len);
int cli_load_cert(const char *path, cy_cert **out);
int cli_load_crl(const char *path, cy_crl **out);
int cli_load_request(const char *path, cy_request **out);

/* How to protect a new key file: the options id new and authority init
 * share (CLI_NEWKEY_OPTIONS in their getopt tables). */
struct cli_newkey {
	int unprotected;
	const char *pass_file;
	int log_n;
	int pq;  /* also a post-quantum hybrid part (cy_idkey_generate_pq) */
};
enum { CLI_OPT_UNPROTECTED = 1000, CLI_OPT_PASSFILE, CLI_OPT_WORK };
#define CLI_NEWKEY_OPTIONS \
	{"unprotected", no_argument, NULL, CLI_OPT_UNPROTECTED}, \
	{"passphrase-file", required_argument, NULL, CLI_OPT_PASSFILE}, \
	{"work-factor", required_argument, NULL, CLI_OPT_WORK}
#define CLI_NEWKEY_USAGE \
    "      --unprotected        no passphrase (services only; still 0600)\n" \
    "      --passphrase-file F  read the passphrase from F\n" \
    "      --work-factor N      scrypt work factor, log2 (10-22, default 18)\n"
#define CLI_NEWKEY_INIT {0, NULL, CY_SCRYPT_DEFAULT_LOG_N, 0}

/* Takes one of the CLI_NEWKEY_OPTIONS: 1 when c was one, 0 when not, or
 * CLI_USAGE (after printing) for a bad value. */
int cli_newkey_option(const char *cmd, int c, const char *arg,
    struct cli_newkey *nk);
/* A new key file at path: passphrase from nk->pass_file or the terminal
 * (asked twice), or none when unprotected (with a warning). */
int cli_idkey_create(const char *path, const struct cli_newkey *nk,
    cy_idkey **out);

/* A hybrid public key for people: "age1pq1" and a few characters, "…",
 * the last few, and its SHA-256 fingerprint (the whole age1pq1… string
 * is 1959 characters); the whole string when full. */
#define CLI_PQ_KEY_TEXT_MAX CY_RECIPIENT_STR_MAX
const char *cli_pq_key_text(const char *recipient, int full, char *buf,
    size_t cap);

/* "2026-11-25T00:00:00Z" or "2026-11-25"; else a usage error for cmd. */
int cli_parse_time(const char *cmd, const char *s, int64_t *t);
/* "UNIT:LEVEL" of --may-issue. */
int cli_parse_may_issue(const char *cmd, const char *s, char **unit,
    int *level);

/* A certificate for people ("certificate 1 of 3"). */
void cli_cert_print(FILE *f, const cy_cert *c, size_t i, size_t n,
    int full);
/* "MẬT (mat)" */
const char *cli_level_text(int level, char *buf, size_t cap);

#endif
