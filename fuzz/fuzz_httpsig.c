/* The signed-request parsers: the input is Signature-Input, a newline,
 * Signature (and, after a second newline, a body).  Never crashes; a
 * parsed signature's getters agree with each other, its base builds or
 * is refused with a code, and the same bytes as a Content-Digest field
 * are checked against the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/httpsig.h"

static const char *const fuzz_headers[] = {
	"date", "Tue, 20 Apr 2021 02:07:55 GMT",
	"content-length", "18",
	NULL,
};

static const cy_httpsig_request fuzz_request = {
	.method = "POST",
	.target_uri = "https://reg.example:8443/v1/log/entries?x=1",
	.content_type = "application/json",
	.content_digest = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
	.headers = fuzz_headers,
};

/* The next newline-terminated part of s (NUL-terminated in place). */
static char *
next_part(char **s)
{
	char *part = *s, *nl;

	if (part == NULL)
		return NULL;
	if ((nl = strchr(part, '\n')) != NULL) {
		*nl = '\0';
		*s = nl + 1;
	} else {
		*s = NULL;
	}
	return part;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t zero_key[32];
	char *text, *rest, *input, *sig, *body;
	cy_buf base = CY_BUF_INIT;
	cy_httpsig *h = NULL;
	size_t i, n;
	int r;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rest = text;
	input = next_part(&rest);
	sig = next_part(&rest);
	body = rest != NULL ? rest : "";

	(void)cy_httpsig_digest_check(input, (const uint8_t *)body, strlen(body),
	    NULL);
	r = cy_httpsig_parse(input, sig != NULL ? sig : "", NULL, &h, NULL);
	if (r != 0) {
		if (h != NULL)
			abort();
		/* With the label named, the same text may parse. */
		r = cy_httpsig_parse(input, sig != NULL ? sig : "", "sig1", &h,
		    NULL);
	}
	if (r != 0)
		goto out;
	n = cy_httpsig_component_count(h);
	if (n == 0 && cy_httpsig_component_name(h, 0) != NULL)
		abort();
	for (i = 0; i < n; i++)
		if (!cy_httpsig_covers(h, cy_httpsig_component_name(h, i)))
			abort();
	if (cy_httpsig_base(h, cy_httpsig_request_component,
	    (void *)&fuzz_request, &base, NULL) == 0 &&
	    (base.data == NULL || strlen((char *)base.data) != base.len))
		abort();
	(void)cy_httpsig_check_profile(h, 1, 1700000000, CY_HTTPSIG_WINDOW,
	    NULL);
	if (cy_httpsig_verify(h, cy_httpsig_request_component,
	    (void *)&fuzz_request, zero_key, NULL) == 0)
		abort();
out:
	cy_httpsig_free(h);
	cy_buf_free(&base);
	free(text);
	return 0;
}
