/* The sealing engine under cy_doc_seal_fd: writes a label naming these
 * serials and stanzas for these keys, checking nothing about who they
 * are.  Internal (not exported): the library reaches it only through
 * cy_doc_seal_prepare's checks; unit tests use it to build forgeries. */
#ifndef COYEU_DOCSEAL_H
#define COYEU_DOCSEAL_H

#include "coyeu/document.h"
#include "coyeu/label.h"
#include "coyeu/policy.h"
#include "coyeu/release.h"

struct cy_doc_raw_seal {
	cy_label_params label;     /* recipients = their certificate serials */
	const cy_idkey *signer;
	const uint8_t (*seal_keys)[CY_X25519_KEY_LEN]; /* one per recipient */
	/* When not NULL, the file is post-quantum: stanza i goes to the
	 * hybrid key seal_pq_keys[i] (CY_PQ_PUB_LEN bytes), an
	 * mlkem768x25519 stanza, or a coyeu.v1/release-pq one. */
	const uint8_t *const *seal_pq_keys;
	cy_doc_seal_io io;
	/* Registry-mediated (release.h): when release_doc_id is set, stanza
	 * i is a release stanza for copy_ids[i] under release_secrets[i]
	 * (an empty copy_ids[i] gives an X25519 stanza: a test's forgery). */
	const char *release_doc_id;
	const char (*copy_ids)[CY_RELEASE_ID_SIZE];
	const uint8_t (*release_secrets)[CY_RELEASE_SECRET_LEN];
	cy_buf *label_out;  /* optional: receives the signed label text */
};

int cy_doc_seal_raw_fd(int in_fd, int out_fd, const struct cy_doc_raw_seal *p,
    cy_error *err) CY_MUST_CHECK;

/* The recipient stanzas h->stanzas[0..n) of a registry-mediated file:
 * all release stanzas (else CY_E_POLICY; malformed: CY_E_HEADER), one
 * doc-id across them (*doc_id receives it), distinct copy-ids. */
int cy_doc_release_stanzas_check(const cy_header *h, size_t n,
    char doc_id[CY_RELEASE_ID_SIZE], cy_error *err) CY_MUST_CHECK;

/* Verifies chain against trust at `at` (*leaf gets the verified leaf) and
 * fills *party from it and trust's lists, for cy_policy_decide. */
int cy_doc_party(const cy_chain *chain, const cy_trust *trust, int64_t at,
    cy_cert **leaf, cy_policy_party *party, cy_error *err) CY_MUST_CHECK;

/* The policy's view of a verified label, live (the register's state is
 * not known here); serials (CY_LABEL_RECIPIENTS_MAX entries) receives
 * the recipients. */
void cy_doc_policy_doc(const cy_label *l, const char **serials,
    cy_policy_doc *d);

/* Registry-mediated sealings: recipient i's R (guarded memory), or NULL;
 * for tests.  Callers outside use cy_doc_sealing_release_seal. */
const uint8_t *cy_doc_sealing_release_secret(const cy_doc_sealing *s,
    size_t i);

#endif
