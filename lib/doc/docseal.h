/* The sealing engine under cy_doc_seal_fd: writes a label naming these
 * serials and stanzas for these keys, checking nothing about who they
 * are.  Internal (not exported): the library reaches it only through
 * cy_doc_seal_prepare's checks; unit tests use it to build forgeries. */
#ifndef COYEU_DOCSEAL_H
#define COYEU_DOCSEAL_H

#include "coyeu/document.h"
#include "coyeu/label.h"
#include "coyeu/policy.h"

struct cy_doc_raw_seal {
	cy_label_params label;     /* recipients = their certificate serials */
	const cy_idkey *signer;
	const uint8_t (*seal_keys)[CY_X25519_KEY_LEN]; /* one per recipient */
	cy_doc_seal_io io;
};

int cy_doc_seal_raw_fd(int in_fd, int out_fd, const struct cy_doc_raw_seal *p,
    cy_error *err) CY_MUST_CHECK;

/* Verifies chain against trust at `at` (*leaf gets the verified leaf) and
 * fills *party from it and trust's lists, for cy_policy_decide. */
int cy_doc_party(const cy_chain *chain, const cy_trust *trust, int64_t at,
    cy_cert **leaf, cy_policy_party *party, cy_error *err) CY_MUST_CHECK;

/* The policy's view of a verified label, live (the register's state is
 * not known here); serials (CY_LABEL_RECIPIENTS_MAX entries) receives
 * the recipients. */
void cy_doc_policy_doc(const cy_label *l, const char **serials,
    cy_policy_doc *d);

#endif
