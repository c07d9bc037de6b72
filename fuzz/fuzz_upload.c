/* The registry's check of an uploaded document: never crashes whatever
 * the file and the label, and what it accepts is consistent.  Input: the
 * label's length (4 bytes, big-endian, clamped to what follows), the
 * label, then the file.  Trust: a fixed root, the one whose officer
 * sealed the seed in fuzz/corpus/upload, so a mutated seed reaches the
 * stanza, digest and payload checks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "base/crypto.h"
#include "coyeu/document.h"
#include "coyeu/source.h"

#define UPLOAD_MAX ((uint64_t)1 << 20)

static const char root_cert[] =
#include "upload_root.h"
    ;

static const cy_cert *
trusted_root(void)
{
	static cy_cert *root;

	if (root == NULL && cy_cert_parse((const uint8_t *)root_cert,
	    sizeof(root_cert) - 1, &root, NULL) != 0)
		abort();
	return root;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cy_trust trust = {trusted_root(), NULL, 0};
	uint8_t digest[CY_SHA256_LEN];
	const uint8_t *label, *file;
	cy_doc_upload *u = NULL;
	cy_source src;
	size_t llen, flen, i, n;

	if (size < 4)
		return 0;
	llen = (size_t)data[0] << 24 | (size_t)data[1] << 16 |
	    (size_t)data[2] << 8 | data[3];
	if (llen > size - 4)
		llen = size - 4;
	label = data + 4;
	file = label + llen;
	flen = size - 4 - llen;
	if (cy_source_mem(&src, file, flen, NULL) != 0)
		abort();
	if (cy_doc_upload_check(&src, UPLOAD_MAX, label, llen, &trust, &u,
	    NULL) != 0) {
		if (u != NULL)
			abort();
		return 0;
	}
	cy_sha256_digest(file, flen, digest);
	if (memcmp(digest, cy_doc_upload_sealed_sha256(u), sizeof(digest)))
		abort();
	cy_sha256_digest(label, llen, digest);
	if (memcmp(digest, cy_doc_upload_label_sha256(u), sizeof(digest)))
		abort();
	n = cy_label_recipient_count(cy_doc_upload_label(u));
	for (i = 0; i < n; i++)
		if (cy_doc_upload_copy_id(u, i) == NULL)
			abort();
	if (cy_doc_upload_copy_id(u, n) != NULL ||
	    cy_doc_upload_signer(u) == NULL ||
	    strlen(cy_doc_upload_doc_id(u)) != 32)
		abort();
	cy_doc_upload_free(u);
	return 0;
}
