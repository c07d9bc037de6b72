/* What the exchange commands share (exchange.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common/timefmt.h"
#include "coyeu/cert.h"
#include "coyeu/tlogproof.h"
#include "exchange.h"

int
cli_xc_opt(struct cli_xc_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'k': o->key = arg; return 1;
	case 'c': o->chain = arg; return 1;
	case 'P': o->pass_file = arg; return 1;
	case 'R': o->url = arg; return 1;
	case 'C': o->cacert = arg; return 1;
	default: return 0;
	}
}

int
cli_xc_open(const char *cmd, const struct cli_xc_opts *o, struct cli_xc *x)
{
	int rc;

	memset(x, 0, sizeof(*x));
	if ((rc = cli_client_open(cmd, o->url, o->cacert, &x->cl)) != CLI_OK ||
	    (rc = cli_client_verifier(x->cl, &x->v)) != CLI_OK ||
	    (rc = cli_client_officer(cmd, o->key, o->chain, o->pass_file,
	    &x->key, &x->chain, &x->chain_text)) != CLI_OK)
		return rc;
	x->serial = cy_cert_serial(cy_chain_get(x->chain, 0));
	cli_client_sign_with(x->cl, x->key, x->serial);
	return CLI_OK;
}

void
cli_xc_close(struct cli_xc *x)
{
	free(x->chain_text);
	cy_chain_free(x->chain);
	cy_key_free(x->key);
	cy_note_verifier_free(x->v);
	cli_client_free(x->cl);
	memset(x, 0, sizeof(*x));
}

int
cli_xc_entry(struct cli_xc *x, const char *type, const cy_entry_field *f,
    size_t n, cy_buf *out)
{
	cy_entry_field all[16];
	char now[CY_CANON_TIME_LEN + 1];
	cy_error err = {0, ""};
	char what[64];

	if (n > 14) {
		cli_warn("too many fields for a %s entry", type);
		return CLI_FAIL;
	}
	all[0].name = "time", all[0].value = cmn_time_text(cmn_now(), now);
	all[1].name = "actor", all[1].value = x->serial;
	memcpy(all + 2, f, n * sizeof(*f));
	if (cy_entry_create(type, all, n + 2, x->key, out, &err) == 0)
		return CLI_OK;
	snprintf(what, sizeof(what), "cannot make the %s entry", type);
	return cli_fail(&err, what);
}

int
cli_receipt_check(const cy_note_verifier *v, uint64_t index,
    const char *receipt, const uint8_t *entry, size_t len)
{
	cy_tlogproof *p = NULL;
	cy_checkpoint cp;
	cy_error err = {0, ""};
	char what[128];
	int ok;

	ok = receipt != NULL && cy_tlogproof_parse((const uint8_t *)receipt,
	    strlen(receipt), &p, &err) == 0;
	if (receipt == NULL)
		snprintf(err.msg, sizeof(err.msg), "there is none");
	if (ok && cy_tlogproof_index(p) != index) {
		err.code = CY_E_FORMAT;
		snprintf(err.msg, sizeof(err.msg), "it proves index %llu, not the "
		    "index %llu the registry answered",
		    (unsigned long long)cy_tlogproof_index(p),
		    (unsigned long long)index);
		ok = 0;
	}
	if (ok)
		ok = cy_tlogproof_verify(p, v, entry, len, &cp, &err) == 0;
	cy_tlogproof_free(p);
	if (ok)
		return CLI_OK;
	snprintf(what, sizeof(what), "the registry's receipt for entry %llu "
	    "does not verify", (unsigned long long)index);
	return cli_fail(&err, what);
}

int
cli_xc_doc_id(const char *cmd, const char *doc_id)
{
	if (cy_serial_valid(doc_id, strlen(doc_id)))
		return CLI_OK;
	return cli_usage_error(cmd, "DOC is a document id: 32 lowercase hex "
	    "digits (as coyeu send and coyeu inbox print it)");
}

const char *
cli_xc_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(out, 32, "-");
	else
		strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm);
	return out;
}

const char *
cli_xc_safe(const json_t *o, const char *name)
{
	const char *v = json_string_value(json_object_get(o, name));

	return v != NULL && cli_client_printable(v) ? v : "?";
}

size_t
cli_xc_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0;

	for (; *p != '\0'; p++) {
		if ((*p & 0xc0) == 0x80)
			continue;
		if (p[0] == 0xcc || (p[0] == 0xcd && p[1] < 0xb0))
			continue;
		w++;
	}
	return w;
}

void
cli_xc_pad(const char *s, size_t width)
{
	size_t w = cli_xc_width(s);

	printf("%s%*s", s, w < width ? (int)(width - w) : 0, "");
}
