/* An example of libcoyeu as a daemon would use it: public headers only
 * (built with -Iinclude and nothing else).  It makes a small authority
 * tree, seals a TỐI MẬT document to a cleared officer and opens it back,
 * then shows that the library itself refuses to seal to an officer whose
 * clearance is too low, one who is revoked, and one outside the
 * document's compartment: the caller passes chains, never raw keys, so it
 * cannot seal to the wrong person even by mistake.  Exit 0 when all holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "coyeu/age.h"
#include "coyeu/buf.h"
#include "coyeu/cert.h"
#include "coyeu/crl.h"
#include "coyeu/document.h"
#include "coyeu/idkey.h"
#include "coyeu/level.h"
#include "coyeu/secret.h"

#define DAY 86400

static int failures;

static void
check(int ok, const char *what, const cy_error *err)
{
	printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", what,
	    err != NULL && err->msg[0] ? ": " : "",
	    err != NULL ? err->msg : "");
	if (!ok)
		failures++;
}

struct officer {
	cy_idkey *key;
	cy_cert *cert;
	cy_chain *chain;
};

/* An officer (or, with by NULL, the root authority) certified at now. */
static int
issue(struct officer *o, const struct officer *by, const char *name,
    const char *unit, int role, int level, const char *compartments,
    int64_t now)
{
	cy_cert_params p;
	cy_buf text = CY_BUF_INIT;
	cy_error err;
	int r;

	memset(o, 0, sizeof(*o));
	memset(&p, 0, sizeof(p));
	if ((r = cy_idkey_generate(&o->key, &err)) != 0)
		goto out;
	p.name = name;
	p.unit = unit;
	p.role = role;
	p.clearance = level;
	p.compartments = compartments;
	p.not_before = now - DAY;
	p.not_after = now + 365 * DAY;
	p.sign_public = cy_idkey_sign_public(o->key);
	p.seal_public = cy_idkey_seal_public(o->key);
	if ((r = cy_cert_issue(&p, by ? by->cert : NULL, by ? by->key : o->key,
	    now, &o->cert, &err)) != 0 ||
	    (r = cy_chain_encode(o->cert, by ? by->chain : NULL, &text,
	    &err)) != 0 ||
	    (r = cy_chain_parse(text.data, text.len, &o->chain, &err)) != 0)
		goto out;
out:
	if (r != 0)
		fprintf(stderr, "issue %s: %s\n", name, err.msg);
	cy_buf_free(&text);
	return r;
}

static void
officer_free(struct officer *o)
{
	cy_chain_free(o->chain);
	cy_cert_free(o->cert);
	cy_idkey_free(o->key);
}

static int
temp_file(void)
{
	char path[] = "/tmp/coyeu-example-XXXXXX";
	int fd = mkstemp(path);

	if (fd >= 0)
		unlink(path);
	return fd;
}

/* Seals `text` from `sealer` to `to`, TỐI MẬT, compartment x: the
 * library's answer, with *refused saying whom it refused. */
static int
seal(const struct officer *sealer, const struct officer *to,
    const cy_trust *trust, const char *text, int out_fd, size_t *refused,
    cy_error *err)
{
	const cy_chain *recipients[1] = {to->chain};
	cy_doc_sealing *s = NULL;
	cy_doc_seal_params p;
	int in = temp_file(), r;

	memset(&p, 0, sizeof(p));
	p.document = "12/QĐ-VD";
	p.level = CY_LEVEL_TOI_MAT;
	p.compartments = "x";
	p.signer = sealer->key;
	p.signer_chain = sealer->chain;
	p.recipients = recipients;
	p.nrecipients = 1;
	p.trust = trust;
	if (in < 0 || write(in, text, strlen(text)) != (ssize_t)strlen(text) ||
	    lseek(in, 0, SEEK_SET) != 0) {
		r = cy_error_set(err, CY_E_IO, "cannot write the input");
		goto out;
	}
	if ((r = cy_doc_seal_prepare(&p, &s, refused, err)) == 0)
		r = cy_doc_seal_fd(in, out_fd, s, NULL, err);
out:
	cy_doc_sealing_free(s);
	if (in >= 0)
		close(in);
	return r;
}

/* Opens fd as `reader` (its chain checked too); 1 when it reads `text`. */
static int
opens_to(int fd, const struct officer *reader, const cy_trust *trust,
    const char *text, cy_error *err)
{
	cy_identity *id = NULL;
	cy_doc_open_params p;
	cy_doc_info info;
	char got[256];
	int out = temp_file(), ok = 0;
	ssize_t n;

	memset(&p, 0, sizeof(p));
	memset(&info, 0, sizeof(info));
	if (out < 0 || cy_identity_from_key(reader->key,
	    &id, err) != 0)
		goto out;
	p.identities = &id;
	p.nidentities = 1;
	p.trust = trust;
	p.reader = reader->chain;
	p.mode = CY_DOC_OPEN_VERIFY_FIRST;
	if (lseek(fd, 0, SEEK_SET) != 0 ||
	    cy_doc_open_fd(fd, out, &p, &info, err) != 0)
		goto out;
	n = pread(out, got, sizeof(got) - 1, 0);
	ok = n == (ssize_t)strlen(text) && memcmp(got, text, (size_t)n) == 0 &&
	    info.reader != NULL &&
	    cy_label_level(info.label) == CY_LEVEL_TOI_MAT;
	cy_doc_info_free(&info);
out:
	cy_identity_free(id);
	if (out >= 0)
		close(out);
	return ok;
}

/* A refusal: the code, the recipient refused, words in the message. */
static void
refused(const char *what, const struct officer *sealer,
    const struct officer *to, const cy_trust *trust, int code,
    const char *words)
{
	char line[512];
	size_t who = 99;
	cy_error err;
	int out = temp_file(), r;

	memset(&err, 0, sizeof(err));
	r = seal(sealer, to, trust, "never", out, &who, &err);
	snprintf(line, sizeof(line), "refused %s", what);
	check(r == code && who == 0 && strstr(err.msg, words) != NULL &&
	    lseek(out, 0, SEEK_END) == 0, line, &err);
	close(out);
}

int
main(void)
{
	struct officer root, sealer, cleared, low, revoked, nocomp;
	const char *text = "Quyết định số 12: nội dung mật.\n";
	cy_crl_revocation rev;
	const cy_crl *lists[1];
	cy_crl *crl = NULL;
	cy_trust trust;
	cy_error err;
	int64_t now = (int64_t)time(NULL);
	int fd;

	memset(&err, 0, sizeof(err));
	if (cy_init() != 0 ||
	    issue(&root, NULL, "Ban Cơ yếu", "vn", CY_ROLE_AUTHORITY,
	    CY_LEVEL_TUYET_MAT, "x", now) != 0 ||
	    issue(&sealer, &root, "Nguyễn Văn An", "vn/hcm", CY_ROLE_OFFICER,
	    CY_LEVEL_TOI_MAT, "x", now) != 0 ||
	    issue(&cleared, &root, "Trần Thị Bình", "vn/hcm", CY_ROLE_OFFICER,
	    CY_LEVEL_TOI_MAT, "x", now) != 0 ||
	    issue(&low, &root, "Lê Văn Cường", "vn/hcm", CY_ROLE_OFFICER,
	    CY_LEVEL_MAT, "x", now) != 0 ||
	    issue(&revoked, &root, "Phạm Văn Dũng", "vn/hcm", CY_ROLE_OFFICER,
	    CY_LEVEL_TOI_MAT, "x", now) != 0 ||
	    issue(&nocomp, &root, "Võ Thị Em", "vn/hcm", CY_ROLE_OFFICER,
	    CY_LEVEL_TOI_MAT, NULL, now) != 0)
		return 2;
	rev.serial = cy_cert_serial(revoked.cert);
	rev.reason = "key-compromise";
	rev.since = now - 60;
	if (cy_crl_extend(NULL, root.cert, root.key, &rev, now - 30, &crl,
	    &err) != 0) {
		fprintf(stderr, "revocation list: %s\n", err.msg);
		return 2;
	}
	lists[0] = crl;
	trust.root = root.cert;
	trust.crls = lists;
	trust.ncrls = 1;

	fd = temp_file();
	check(seal(&sealer, &cleared, &trust, text, fd, NULL, &err) == 0,
	    "sealed TỐI MẬT, compartment x, to a cleared officer", &err);
	check(opens_to(fd, &cleared, &trust, text, &err),
	    "the cleared officer opens it, her own chain checked", &err);
	close(fd);

	refused("a recipient cleared only for MẬT", &sealer, &low, &trust,
	    CY_E_POLICY, "lacks clearance TỐI MẬT (has MẬT)");
	refused("a revoked recipient", &sealer, &revoked, &trust, CY_E_REVOKED,
	    "key-compromise");
	refused("a recipient outside compartment x", &sealer, &nocomp, &trust,
	    CY_E_POLICY, "lacks compartment x");

	cy_crl_free(crl);
	officer_free(&root);
	officer_free(&sealer);
	officer_free(&cleared);
	officer_free(&low);
	officer_free(&revoked);
	officer_free(&nocomp);
	printf("seal example: %s\n", failures ? "FAILED" : "all checks held");
	return failures ? 1 : 0;
}
