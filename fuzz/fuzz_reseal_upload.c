/* The registry's check of a resealed upload (cy_doc_reseal_upload_check):
 * never crashes whatever the file, label and record, and what it accepts
 * is consistent.  Input: the label's length and the record's (4 bytes
 * each, big-endian, clamped to what follows), the label, the record, then
 * the file.  Trust: fuzz_upload's root. */
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

static size_t
take_len(const uint8_t *p, size_t left)
{
	size_t n = (size_t)p[0] << 24 | (size_t)p[1] << 16 |
	    (size_t)p[2] << 8 | p[3];

	return n > left ? left : n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cy_cert *root;
	cy_trust trust = {NULL, NULL, 0};
	uint8_t digest[CY_SHA256_LEN];
	const uint8_t *label, *record, *file;
	const cy_doc_reseal *rs;
	cy_doc_upload *u = NULL;
	cy_source src;
	size_t llen, rlen;

	if (root == NULL && cy_cert_parse((const uint8_t *)root_cert,
	    sizeof(root_cert) - 1, &root, NULL) != 0)
		abort();
	trust.root = root;
	if (size < 8)
		return 0;
	llen = take_len(data, size - 8);
	rlen = take_len(data + 4, size - 8 - llen);
	label = data + 8;
	record = label + llen;
	file = record + rlen;
	if (cy_source_mem(&src, file, size - 8 - llen - rlen, NULL) != 0)
		abort();
	if (cy_doc_reseal_upload_check(&src, UPLOAD_MAX, label, llen, record,
	    rlen, &trust, 1767225600, &u, NULL) != 0) {
		if (u != NULL)
			abort();
		return 0;
	}
	rs = cy_doc_upload_reseal(u);
	cy_sha256_digest(record, rlen, digest);
	if (rs == NULL || cy_doc_reseal_resealer(rs) == NULL ||
	    memcmp(digest, cy_doc_reseal_sha256(rs), sizeof(digest)) != 0 ||
	    cy_doc_reseal_count(rs) != cy_label_recipient_count(
	    cy_doc_upload_label(u)))
		abort();
	cy_doc_upload_free(u);
	return 0;
}
