/* The signed routes' JSON bodies (server/bodies.c) on any bytes, and what
 * the routes then parse out of them: a chain (POST /v1/certs), a
 * revocation list (POST /v1/revocations), entries (POST /v1/log/entries),
 * a document's upload (POST /v1/documents), a copy's (POST
 * /v1/documents/{id}/copies) and a reseal's (POST
 * /v1/documents/{id}/reseal).
 * Never out of bounds; the entries found are at most the cap, each a
 * string of the length given. */
#include "fuzz.h"

#include "coyeu/cert.h"
#include "coyeu/crl.h"
#include "coyeu/entry.h"

#include "../server/bodies.c"

#define ENTRIES_MAX 256

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *ptrs[ENTRIES_MAX];
	size_t lens[ENTRIES_MAX], n, i, len;
	const char *text;
	cy_chain *ch;
	cy_crl *crl;
	cy_entry *e;
	struct cyd_doc_body doc;
	json_t *body;
	cy_error err;

	if (cyd_body_parse(data, size, &body, &err) != 0)
		return 0;
	if (cyd_body_member(body, "chain", &text, &len, &err) == 0 &&
	    cy_chain_parse((const uint8_t *)text, len, &ch, &err) == 0)
		cy_chain_free(ch);
	if (cyd_body_member(body, "crl", &text, &len, &err) == 0 &&
	    cy_crl_parse((const uint8_t *)text, len, &crl, &err) == 0)
		cy_crl_free(crl);
	if (cyd_body_entries(body, ENTRIES_MAX, ptrs, lens, &n, &err) == 0) {
		if (n == 0 || n > ENTRIES_MAX)
			abort();
		for (i = 0; i < n; i++) {
			if (strlen((const char *)ptrs[i]) > lens[i])
				abort();
			if (cy_entry_parse(ptrs[i], lens[i], &e, &err) == 0)
				cy_entry_free(e);
		}
	}
	json_decref(body);
	if (cyd_body_document(data, size, 4096, 8, &doc, &err) == 0 &&
	    (doc.file.len > 4096 || doc.label.len > CY_LABEL_MAX ||
	    doc.nentries < 2 || doc.nentries > 8 || doc.nsecrets > 8))
		abort();
	for (i = 0; i < doc.nsecrets; i++)
		if (doc.secrets[i].sealed.len > CY_RELEASE_SEALED_MAX)
			abort();
	cyd_body_document_free(&doc);
	/* A copy's upload (POST /v1/documents/{id}/copies): one entry. */
	if (cyd_body_upload(data, size, 4096, 1, &doc, &err) == 0 &&
	    (doc.file.len > 4096 || doc.nentries != 1 || doc.nsecrets != 1))
		abort();
	cyd_body_document_free(&doc);
	/* A reseal (POST /v1/documents/{id}/reseal): one entry, a record. */
	{
		cy_buf record = CY_BUF_INIT;

		if (cyd_body_reseal(data, size, 4096, &doc, &record,
		    &err) == 0 && (doc.file.len > 4096 || doc.nentries != 1 ||
		    doc.nsecrets == 0 || doc.nsecrets > CY_LABEL_RECIPIENTS_MAX ||
		    record.len > CY_RESEAL_MAX))
			abort();
		cyd_body_document_free(&doc);
		cy_buf_free(&record);
	}
	return 0;
}
