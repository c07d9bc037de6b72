/* The officer's keyring (docs/keyring.md): a private folder holding the
 * officer's key, chain, pinned root, revocation lists and other officers'
 * chains, from which commands take the options left out.  Command-line
 * policy only: the library knows nothing of it. */
#ifndef COYEU_CLI_KEYRING_H
#define COYEU_CLI_KEYRING_H

#include <stddef.h>

#include "coyeu/cert.h"

/* What the keyring holds, by file name inside its folder. */
enum cli_kr_item {
	CLI_KR_DIR,   /* the folder itself */
	CLI_KR_KEY,   /* key: the officer's key file (coyeu id new) */
	CLI_KR_PUB,   /* key.pub: its sealing key as an age recipient */
	CLI_KR_CHAIN, /* chain: the officer's own certificate chain */
	CLI_KR_ROOT,  /* root.cert: the pinned root */
	CLI_KR_CRLS,  /* crl/: revocation lists, ISSUER.crl */
	CLI_KR_CERTS, /* certs/: other officers' chains, SERIAL.chain */
	CLI_KR_REGISTRY, /* registry: the registry's URL, pinned verifier keys
	                  * (cli/client.h) */
	CLI_KR_NITEMS
};

#define CLI_KR_CRL_SUFFIX ".crl"
#define CLI_KR_CHAIN_SUFFIX ".chain"

/* The path of an item: under $COYEU_HOME, else $XDG_CONFIG_HOME/coyeu,
 * else $HOME/.config/coyeu; NULL when none of them is set. */
const char *cli_keyring_path(int item);

enum { CLI_KR_BROKEN = -1, CLI_KR_ABSENT = 0, CLI_KR_READY = 1 };
/* Whether the folder exists and may be used: a directory of this user that
 * nobody else can enter.  CLI_KR_BROKEN after printing what is wrong and
 * what to run (chmod 700 …). */
int cli_keyring_state(void);
/* Creates the folder (parents too) and crl/, certs/, all 0700, when
 * missing; then CLI_OK when it may be used, else CLI_FAIL (printed). */
int cli_keyring_create(void);

/* The item's path in *path when the keyring holds it, NULL when not;
 * CLI_FAIL (printed) when the keyring is unusable. */
int cli_keyring_item(int item, const char **path);
/* For an option left out (*path NULL): the keyring's item, or a usage
 * error for cmd naming both ways ("no key: give -k KEY, or create one in
 * the keyring with 'coyeu id new' (PATH)"). */
int cli_keyring_default(const char *cmd, int item, const char **path);

/* A chain the keyring knows: its file, and whether it is the own chain. */
struct cli_kr_chain {
	char *path;
	cy_chain *chain;
	int self;
};

/* Every parsable chain in certs/ (and the own chain when with_self); a
 * file that does not parse is named on stderr and skipped. */
int cli_keyring_chains(int with_self, struct cli_kr_chain **out, size_t *n);
void cli_keyring_chains_free(struct cli_kr_chain *c, size_t n);

/* Calls fn on the path of each file of the folder item (crl/ or certs/)
 * ending in suffix, in name order; stops at the first non-CLI_OK. */
int cli_keyring_each(int item, const char *suffix,
    int (*fn)(void *ctx, const char *path), void *ctx);

/* The keyring's chain (own or in certs/) whose leaf has serial `what` (any
 * case), name or unit `what`, exactly one: *path gets a copy of its file
 * name.  Otherwise a refusal (CLI_FAIL) naming the candidates, prefixed by
 * `opt` and, when no_file, by "no such file". */
int cli_keyring_find(const char *what, const char *opt, int no_file,
    char **path);
/* The chain `what` names (--to, cert verify's CHAIN): a value starting
 * with '/' or '.' is a file; any other is looked up by cli_keyring_find,
 * and is a file only when nothing in the keyring matches it.  When both a
 * file of that name and a keyring certificate match, it is ambiguous: a
 * usage error (CLI_USAGE) saying to write ./NAME for the file. */
int cli_keyring_load_chain(const char *what, const char *opt, cy_chain **out);

/* For coyeu open without -k or -i: the keyring's key, unless IN is a file
 * sealed with a passphrase (*key then stays NULL). */
int cli_keyring_open_key(const char *in, const char **key);

/* One line for people: "NAME, UNIT, LEVEL (level), serial S". */
void cli_keyring_describe(const cy_cert *c, char *buf, size_t cap);

/* Writes key.pub for the key whose sealing key is `recipient` (age1…). */
int cli_keyring_write_pub(const char *recipient);
/* The recipient (age1…) in key.pub into out, "" when there is none;
 * CLI_FAIL (printed) when key.pub does not hold exactly one. */
int cli_keyring_pub(char *out, size_t cap);
/* 1 when the leaf's sealing key is the keyring key's (by key.pub), 0 when
 * not or when there is no key.pub. */
int cli_keyring_is_own(const cy_cert *leaf);

#endif
