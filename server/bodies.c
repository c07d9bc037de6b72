/* coyeud — the signed routes' JSON bodies (bodies.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coyeu/cert.h"
#include "coyeu/encoding.h"
#include "coyeu/label.h"
#include "coyeu/release.h"

#include "bodies.h"
#include "coyeu/document.h"

int
cyd_body_parse(const uint8_t *body, size_t len, json_t **out, cy_error *err)
{
	json_error_t je;
	json_t *o;

	*out = NULL;
	if ((o = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES,
	    &je)) == NULL)
		return cy_error_set(err, CY_E_FORMAT,
		    "malformed JSON: %s (at byte %d)", je.text, je.position);
	if (!json_is_object(o)) {
		json_decref(o);
		return cy_error_set(err, CY_E_FORMAT,
		    "malformed JSON: the body must be an object");
	}
	*out = o;
	return 0;
}

int
cyd_body_member(json_t *obj, const char *name, const char **text,
    size_t *len, cy_error *err)
{
	json_t *v = json_object_get(obj, name);

	if (!json_is_string(v))
		return cy_error_set(err, CY_E_FORMAT,
		    "malformed JSON: the body needs a \"%s\" string", name);
	*text = json_string_value(v);
	*len = json_string_length(v);
	return 0;
}

int
cyd_body_entries(json_t *obj, size_t max, const uint8_t **ptrs,
    size_t *lens, size_t *n, cy_error *err)
{
	json_t *list = json_object_get(obj, "entries"), *v;
	size_t i;

	*n = json_array_size(list);
	if (!json_is_array(list) || *n == 0 || *n > max)
		return cy_error_set(err, CY_E_FORMAT, "malformed JSON: "
		    "\"entries\" must be an array of 1 to %zu entries", max);
	for (i = 0; i < *n; i++) {
		v = json_array_get(list, i);
		if (!json_is_string(v))
			return cy_error_set(err, CY_E_FORMAT,
			    "entry %zu is not a string", i);
		ptrs[i] = (const uint8_t *)json_string_value(v);
		lens[i] = json_string_length(v);
	}
	return 0;
}

int
cyd_body_b64(json_t *obj, const char *name, size_t max, cy_buf *out,
    cy_error *err)
{
	const char *text;
	size_t len, n;
	uint8_t *p;

	if (cyd_body_member(obj, name, &text, &len, err) != 0)
		return err->code;
	if (len / 4 * 3 > max + 2)
		return cy_error_set(err, CY_E_TOO_LARGE, "\"%s\" is over %zu "
		    "bytes", name, max);
	if ((p = malloc(len / 4 * 3 + 1)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if (cy_b64_decode(p, &n, text, len, 1) != 0) {
		free(p);
		return cy_error_set(err, CY_E_FORMAT, "\"%s\" is not standard "
		    "base64 (with padding)", name);
	}
	if (n > max) {
		free(p);
		return cy_error_set(err, CY_E_TOO_LARGE, "\"%s\" is over %zu "
		    "bytes", name, max);
	}
	cy_buf_free(out);
	out->data = p, out->len = n, out->cap = len / 4 * 3 + 1;
	p[n] = 0;
	return 0;
}

static int
doc_secrets(json_t *obj, size_t max, struct cyd_doc_body *b, cy_error *err)
{
	json_t *list = json_object_get(obj, "secrets"), *v;
	const char *id;
	size_t i, j, n = json_array_size(list);

	if (!json_is_array(list) || n == 0 || n > max)
		return cy_error_set(err, CY_E_FORMAT, "malformed JSON: "
		    "\"secrets\" must be an array of 1 to %zu objects", max);
	if ((b->secrets = calloc(n, sizeof(*b->secrets))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		v = json_array_get(list, i);
		if (!json_is_object(v) ||
		    (id = json_string_value(json_object_get(v,
		    "copy_id"))) == NULL || !cy_serial_valid(id, strlen(id)))
			return cy_error_set(err, CY_E_FORMAT, "secret %zu needs "
			    "a \"copy_id\" of 32 lowercase hex digits", i);
		for (j = 0; j < i; j++)
			if (strcmp(b->secrets[j].copy_id, id) == 0)
				return cy_error_set(err, CY_E_FORMAT, "secrets "
				    "%zu and %zu are both for copy %s", j, i,
				    id);
		snprintf(b->secrets[i].copy_id, sizeof(b->secrets[i].copy_id),
		    "%s", id);
		b->nsecrets = i + 1;
		if (cyd_body_b64(v, "sealed", CY_RELEASE_SEALED_MAX,
		    &b->secrets[i].sealed, err) != 0)
			return cy_error_wrap(err, "secret %zu", i);
	}
	return 0;
}

int
cyd_body_document(const uint8_t *body, size_t len, size_t file_max,
    size_t entries_max, struct cyd_doc_body *b, cy_error *err)
{
	int r;

	if ((r = cyd_body_upload(body, len, file_max, entries_max, b,
	    err)) != 0)
		return r;
	if (b->nentries < 2)
		return cy_error_set(err, CY_E_FORMAT, "malformed JSON: "
		    "\"entries\" must hold a doc.register and a copy.issue per "
		    "recipient");
	return 0;
}

static int
body_upload(const uint8_t *body, size_t len, size_t file_max,
    size_t entries_max, size_t secrets_max, struct cyd_doc_body *b,
    cy_error *err)
{
	int r;

	memset(b, 0, sizeof(*b));
	if ((r = cyd_body_parse(body, len, &b->json, err)) != 0)
		return r;
	if ((b->entries = calloc(entries_max, sizeof(*b->entries))) == NULL ||
	    (b->lens = calloc(entries_max, sizeof(*b->lens))) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	if ((r = cyd_body_b64(b->json, "file", file_max, &b->file, err)) != 0 ||
	    (r = cyd_body_b64(b->json, "label", CY_LABEL_MAX, &b->label,
	    err)) != 0 ||
	    (r = cyd_body_entries(b->json, entries_max, b->entries, b->lens,
	    &b->nentries, err)) != 0 ||
	    (r = doc_secrets(b->json, secrets_max, b, err)) != 0)
		return r;
	return 0;
}

int
cyd_body_upload(const uint8_t *body, size_t len, size_t file_max,
    size_t entries_max, struct cyd_doc_body *b, cy_error *err)
{
	return body_upload(body, len, file_max, entries_max, entries_max, b,
	    err);
}

int
cyd_body_reseal(const uint8_t *body, size_t len, size_t file_max,
    struct cyd_doc_body *b, cy_buf *record, cy_error *err)
{
	int r;

	if ((r = body_upload(body, len, file_max, 1, CY_LABEL_RECIPIENTS_MAX,
	    b, err)) != 0)
		return r;
	return cyd_body_b64(b->json, "record", CY_RESEAL_MAX, record, err);
}

void
cyd_body_document_free(struct cyd_doc_body *b)
{
	size_t i;

	for (i = 0; i < b->nsecrets; i++)
		cy_buf_free(&b->secrets[i].sealed);
	free(b->secrets);
	free(b->entries);
	free(b->lens);
	cy_buf_free(&b->file);
	cy_buf_free(&b->label);
	json_decref(b->json);
	memset(b, 0, sizeof(*b));
}
