/* JSON output for people's tools: what coyeu and coyeud print with --json. */
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "common/timefmt.h"
#include "coyeu/encoding.h"
#include "coyeu/level.h"

void
cmn_json_string(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void
json_field(FILE *f, const char *key, const char *value, int last)
{
	fprintf(f, "\"%s\":", key);
	cmn_json_string(f, value);
	if (!last)
		fputc(',', f);
}

/* "a,b" as ["a","b"] (items are [a-z0-9-], nothing to escape). */
static void
json_list(FILE *f, const char *key, const char *list)
{
	const char *p = list, *comma;

	fprintf(f, "\"%s\":[", key);
	while (*p != '\0') {
		comma = strchr(p, ',');
		fprintf(f, "%s\"%.*s\"", p == list ? "" : ",",
		    (int)(comma ? (size_t)(comma - p) : strlen(p)), p);
		p = comma ? comma + 1 : p + strlen(p);
	}
	fputs("],", f);
}

void
cmn_json_cert(FILE *f, const cy_cert *c)
{
	char t[CY_CANON_TIME_LEN + 1], b64[64];
	uint8_t raw[CY_SIGN_PUBLIC_LEN];

	memcpy(raw, cy_cert_sign_public(c), sizeof(raw));
	cy_b64_encode(b64, raw, sizeof(raw), 0);
	fputc('{', f);
	json_field(f, "serial", cy_cert_serial(c), 0);
	json_field(f, "name", cy_cert_name(c), 0);
	json_field(f, "unit", cy_cert_unit(c), 0);
	json_field(f, "role", cy_role_name(cy_cert_role(c)), 0);
	json_field(f, "clearance", cy_level_name(cy_cert_clearance(c)), 0);
	json_field(f, "clearance_display",
	    cy_level_display(cy_cert_clearance(c)), 0);
	json_list(f, "compartments", cy_cert_compartments(c));
	json_field(f, "not_before", cmn_time_text(cy_cert_not_before(c), t), 0);
	json_field(f, "not_after", cmn_time_text(cy_cert_not_after(c), t), 0);
	json_field(f, "sign_key", b64, 0);
	json_field(f, "seal_key", cy_cert_seal_recipient(c), 0);
	if (cy_cert_seal_pq_recipient(c) != NULL)
		json_field(f, "seal_pq_key", cy_cert_seal_pq_recipient(c), 0);
	if (cy_cert_role(c) == CY_ROLE_AUTHORITY) {
		json_field(f, "may_issue_unit", cy_cert_may_issue_unit(c), 0);
		json_field(f, "may_issue_level",
		    cy_level_name(cy_cert_may_issue_level(c)), 0);
	}
	json_field(f, "issuer", cy_cert_issuer(c), 1);
	fputc('}', f);
}
