/* Opening a registry-mediated document (docs/exchange.md, "POST
 * /v1/releases"): its recipient stanzas are release stanzas, so the file
 * opens only with R, which the registry gives after it has recorded a
 * `release` entry.  Shared by coyeu open and coyeu copy. */
#ifndef COYEU_CLI_OPEN_RELEASE_H
#define COYEU_CLI_OPEN_RELEASE_H

#include "coyeu/cert.h"
#include "coyeu/document.h"
#include "coyeu/key.h"
#include "coyeu/release.h"

struct open_release {
	const char *cmd;          /* for messages: "open", "copy" */
	const cy_key *key;        /* the officer's key: signs, opens R */
	const cy_chain *chain;    /* its chain: whose copy, the reader */
	const cy_trust *trust;
	const char *registry;     /* NULL: --registry, else the keyring's */
	const char *cacert;       /* NULL: the keyring's */
	int threads;
	int quiet;                /* 1: no "release recorded" line */
};

/* 1 when every recipient stanza of the file in_fd is a release stanza
 * (doc_id receives the document's id), 0 when none is, -1 (after saying
 * why) for a file that mixes them or whose header is bad. */
int open_release_mediated(int in_fd, char doc_id[CY_RELEASE_ID_SIZE]);

/* 1 when s is a doc-id (32 lowercase hex digits). */
int open_release_is_doc_id(const char *s);

/* The caller's copy of document doc_id, fetched from the registry into a
 * private unlinked temporary file (*fd, at offset 0). */
int open_release_fetch(const struct open_release *o, const char *doc_id,
    int *fd);

/* Asks the registry for the caller's release of the file in_fd (a
 * regular file), verifies the answer (the receipt against the pinned
 * verifier key proves the very entry sent; the doc.register entry is
 * signed by the label's signer and proved too; the sealed secret opens
 * for this copy), checks the decrypted label's SHA-256 against the
 * registered one, and only then writes the plaintext to out_fd in `mode`
 * (enum cy_doc_open_mode; the caller keeps a streamed output private
 * until success).  info receives what cy_doc_open_fd verified.
 * CLI_OK or CLI_FAIL after saying why. */
int open_release_fd(int in_fd, int out_fd, int mode,
    const struct open_release *o, cy_doc_info *info);

/* The release of the caller's copy of in_fd, asked and verified as
 * open_release_fd does, without opening anything: *id opens the copy's
 * (classical) stanza over *x, the key's X25519 identity (free *id first).
 * For coyeu reseal, which re-wraps the file key; the release is recorded
 * like an open.  CLI_OK or CLI_FAIL after saying why. */
int open_release_identity(int in_fd, const struct open_release *o,
    cy_identity **x, cy_identity **id);

#endif
