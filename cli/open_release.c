/* Opening a registry-mediated document: the release request, the checks
 * of the registry's answer, then the file (open_release.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "common/timefmt.h"
#include "exchange.h"
#include "coyeu/encoding.h"
#include "coyeu/entry.h"
#include "coyeu/file.h"
#include "coyeu/header.h"
#include "coyeu/merkle.h"
#include "coyeu/secret.h"
#include "coyeu/tlogproof.h"
#include "open_release.h"

/* Sends of one release entry when no answer comes back: the same entry
 * each time, so the register holds it once. */
#define RELEASE_TRIES 3
#define FETCH_MAX ((size_t)64 * 1024 * 1024) /* coyeud's default doc_max */

int
open_release_is_doc_id(const char *s)
{
	cy_error err;

	return strlen(s) == CY_RELEASE_ID_LEN &&
	    cy_release_id_check(s, &err) == 0;
}

int
open_release_mediated(int in_fd, char doc_id[CY_RELEASE_ID_SIZE])
{
	char d[CY_RELEASE_ID_SIZE], c[CY_RELEASE_ID_SIZE], mark;
	size_t i, release = 0, other = 0;
	cy_header h;
	cy_error err = {0, ""};
	int r;

	memset(&h, 0, sizeof(h));
	doc_id[0] = '\0';
	if (cy_doc_inspect_fd(in_fd, &h, &mark, &err) != 0)
		return cli_fail(&err, "the file's header"), -1;
	for (i = 0; i < h.nstanzas; i++) {
		if (strcmp(h.stanzas[i].type, CY_LABEL_STANZA) == 0)
			continue;
		r = cy_release_stanza_ids(&h.stanzas[i], d, c, &err);
		if (r == CY_E_NO_MATCH) {
			other++;
			continue;
		}
		if (r != 0 || (release > 0 && strcmp(d, doc_id) != 0)) {
			if (r == 0)
				cy_error_set(&err, CY_E_HEADER, "its release stanzas "
				    "name two documents, %s and %s", doc_id, d);
			cy_header_free(&h);
			return cli_fail(&err, "the file's header"), -1;
		}
		memcpy(doc_id, d, CY_RELEASE_ID_SIZE);
		release++;
	}
	cy_header_free(&h);
	if (release > 0 && other > 0) {
		cli_warn("the file mixes release stanzas with other recipients: "
		    "refused");
		return -1;
	}
	if (lseek(in_fd, 0, SEEK_SET) != 0) {
		cli_warn("cannot rewind the file: %m");
		return -1;
	}
	return release > 0;
}

/* --- the registry --- */

struct session {
	const struct open_release *o;
	cli_client *cl;
	cy_note_verifier *v;
	const char *serial;
	char doc_id[CY_RELEASE_ID_SIZE], copy_id[CY_RELEASE_ID_SIZE];
	int hybrid;   /* the copy's stanza is coyeu.v1/release-pq */
};

static int
session_open(struct session *s, const struct open_release *o,
    const char *doc_id)
{
	memset(s, 0, sizeof(*s));
	s->o = o;
	s->serial = cy_cert_serial(cy_chain_get(o->chain, 0));
	snprintf(s->doc_id, sizeof(s->doc_id), "%s", doc_id);
	if (cli_client_open(o->cmd, o->registry, o->cacert, &s->cl) != CLI_OK ||
	    cli_client_verifier(s->cl, &s->v) != CLI_OK)
		return CLI_FAIL;
	cli_client_sign_with(s->cl, o->key, s->serial);
	return CLI_OK;
}

static void
session_close(struct session *s)
{
	cy_note_verifier_free(s->v);
	cli_client_free(s->cl);
}

/* The caller's copy of the document, from its inbox; with in_fd (>= 0)
 * one of the file's own stanzas. */
static int
find_copy(struct session *s, int in_fd)
{
	char d[CY_RELEASE_ID_SIZE], c[CY_RELEASE_ID_SIZE], mark;
	const char *doc, *copy;
	json_t *ans = NULL, *item;
	cy_header h;
	cy_error err = {0, ""};
	size_t i, k;
	int found = 0, rc;

	memset(&h, 0, sizeof(h));
	if (in_fd >= 0 && (cy_doc_inspect_fd(in_fd, &h, &mark, &err) != 0 ||
	    lseek(in_fd, 0, SEEK_SET) != 0))
		return cli_fail(&err, "the file's header");
	if ((rc = cli_client_get(s->cl, "/v1/inbox", &ans)) != CLI_OK)
		goto out;
	json_array_foreach(json_object_get(ans, "documents"), i, item) {
		doc = json_string_value(json_object_get(item, "doc_id"));
		copy = json_string_value(json_object_get(item, "copy_id"));
		if (doc == NULL || copy == NULL || strcmp(doc, s->doc_id) != 0 ||
		    !open_release_is_doc_id(copy))
			continue;
		for (k = 0; in_fd >= 0 && k < h.nstanzas; k++)
			if (cy_release_stanza_ids(&h.stanzas[k], d, c, &err) == 0 &&
			    strcmp(c, copy) == 0)
				break;
		if (in_fd < 0 || k < h.nstanzas) {
			snprintf(s->copy_id, sizeof(s->copy_id), "%s", copy);
			s->hybrid = in_fd >= 0 && strcmp(h.stanzas[k].type,
			    CY_RELEASE_PQ_STANZA) == 0;
			found = 1;
			break;
		}
	}
	if (!found) {
		cli_warn("%s: the registry at %s lists no copy of document %s "
		    "for %s%s", s->o->cmd, cli_client_url(s->cl), s->doc_id,
		    s->serial, in_fd >= 0 ? " that this file holds" : "");
		rc = CLI_FAIL;
	}
out:
	cy_header_free(&h);
	json_decref(ans);
	return rc;
}

int
open_release_fetch(const struct open_release *o, const char *doc_id, int *fd)
{
	struct session s;
	cy_buf file = CY_BUF_INIT;
	cy_error err = {0, ""};
	char path[160];
	int rc;

	*fd = -1;
	if ((rc = session_open(&s, o, doc_id)) != CLI_OK ||
	    (rc = find_copy(&s, -1)) != CLI_OK)
		goto out;
	snprintf(path, sizeof(path), "/v1/documents/%s/file?copy=%s",
	    s.doc_id, s.copy_id);
	if ((rc = cli_client_get_bytes(s.cl, path, FETCH_MAX, &file)) != CLI_OK)
		goto out;
	rc = CLI_FAIL;
	if ((*fd = cy_file_spool(&err)) < 0)
		cli_fail(&err, "a temporary file");
	else if (cy_write_all(*fd, file.data, file.len) != 0 ||
	    lseek(*fd, 0, SEEK_SET) != 0)
		cli_warn("cannot write the fetched file: %m");
	else
		rc = CLI_OK;
out:
	if (rc != CLI_OK && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	cy_buf_free(&file);
	session_close(&s);
	return rc;
}

/* The caller's signed release entry, with a fresh request-sha256. */
static int
make_entry(const struct session *s, cy_buf *entry)
{
	uint8_t nonce[32], hash[CY_HASH_LEN];
	char hex[2 * CY_HASH_LEN + 1], when[CY_CANON_TIME_LEN + 1];
	cy_error err = {0, ""};
	cy_entry_field f[6] = {
		{"time", cmn_time_text(cmn_now(), when)},
		{"actor", s->serial},
		{"doc-id", s->doc_id},
		{"copy-id", s->copy_id},
		{"recipient", s->serial},
		{"request-sha256", hex},
	};

	if (getrandom(nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce)) {
		cli_warn("cannot draw random bytes: %m");
		return CLI_FAIL;
	}
	if (cy_sha256(NULL, nonce, sizeof(nonce), hash) != 0) {
		cli_warn("cannot hash");
		return CLI_FAIL;
	}
	cy_hex_encode(hex, hash, sizeof(hash));
	if (cy_entry_create("release", f, 6, s->o->key, entry, &err) != 0)
		return cli_fail(&err, "the release entry");
	return CLI_OK;
}

/* POST /v1/releases; after no answer, the same entry again. */
static int
post_release(struct session *s, const cy_buf *entry, json_t **ans)
{
	char *b64 = malloc(CY_B64_PADDED_LEN(entry->len) + 1);
	json_t *body;
	int rc = CLI_FAIL, tries;

	*ans = NULL;
	if (b64 == NULL) {
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	cy_b64_encode(b64, entry->data, entry->len, 1);
	body = json_pack("{s:s}", "entry", b64);
	free(b64);
	if (body == NULL) {
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	for (tries = 1; tries <= RELEASE_TRIES; tries++) {
		rc = cli_client_post(s->cl, "/v1/releases", body, ans);
		if (rc == CLI_OK || !cli_client_unreached(s->cl))
			break;
		if (tries < RELEASE_TRIES) {
			cli_warn("%s: no answer; sending the same release entry "
			    "again", s->o->cmd);
			sleep((unsigned)tries);
		}
	}
	json_decref(body);
	return rc;
}

/* A base64 member of the answer, decoded (at most max bytes). */
static int
answer_b64(const struct session *s, json_t *ans, const char *name, size_t max,
    uint8_t **out, size_t *len)
{
	const char *v = cli_client_str(s->cl, ans, name);
	size_t n;

	*out = NULL;
	if (v == NULL)
		return CLI_FAIL;
	n = strlen(v);
	if (n > CY_B64_PADDED_LEN(max) ||
	    (*out = malloc(n / 4 * 3 + 3)) == NULL ||
	    cy_b64_decode(*out, len, v, n, 1) != 0) {
		free(*out);
		*out = NULL;
		cli_warn("the registry at %s answered a '%s' that is not base64 "
		    "of at most %zu bytes", cli_client_url(s->cl), name, max);
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* What the answer proves, checked before any key is used. */
struct released {
	uint64_t index;
	uint8_t *reg;             /* the doc.register entry */
	size_t reg_len;
	uint8_t label_sha256[CY_HASH_LEN];
	char signer[CY_SERIAL_HEX_LEN + 1];
	uint8_t signer_key[CY_ENTRY_KEY_LEN];
	cy_identity *id;          /* opens this copy: the officer's key and R */
};

/* cli_receipt_check, at index (any_index: at the index the receipt
 * names, the doc.register's). */
static int
receipt_check(const struct session *s, uint64_t index, int any_index,
    const char *receipt, const uint8_t *entry, size_t len)
{
	cy_tlogproof *p = NULL;
	cy_error err = {0, ""};

	if (any_index && receipt != NULL) {
		if (strlen(receipt) > CY_TLOGPROOF_MAX ||
		    cy_tlogproof_parse((const uint8_t *)receipt, strlen(receipt),
		    &p, &err) != 0)
			return cli_fail(&err, "the registry's receipt for the "
			    "doc.register entry does not verify");
		index = cy_tlogproof_index(p);
		cy_tlogproof_free(p);
	}
	if (cli_receipt_check(s->v, index, receipt, entry, len) == CLI_OK)
		return CLI_OK;
	cli_warn("%s: nothing is decrypted", s->o->cmd);
	return CLI_FAIL;
}

/* The doc.register entry: it verifies, names this document, and its
 * receipt proves it under the pinned key. */
static int
check_register(const struct session *s, json_t *ans, struct released *rl)
{
	const char *receipt = cli_client_str(s->cl, ans, "register_receipt");
	const char *v, *label = json_string_value(json_object_get(ans,
	    "label_sha256"));
	cy_entry *e = NULL;
	cy_error err = {0, ""};
	int rc = CLI_FAIL;

	if (receipt == NULL || answer_b64(s, ans, "register_entry",
	    CY_ENTRY_MAX, &rl->reg, &rl->reg_len) != CLI_OK)
		return CLI_FAIL;
	if (cy_entry_verify(rl->reg, rl->reg_len, &err) != 0 ||
	    cy_entry_parse(rl->reg, rl->reg_len, &e, &err) != 0)
		return cli_fail(&err, "the document's doc.register entry");
	/* A numbered copy's label is its copier's: bound by its copy.issue
	 * entry, as the document's is by doc.register. */
	if ((strcmp(cy_entry_type(e), "doc.register") != 0 &&
	    (strcmp(cy_entry_type(e), "copy.issue") != 0 ||
	    strcmp(cy_entry_get(e, "form"), "original") == 0 ||
	    strcmp(cy_entry_get(e, "copy-id"), s->copy_id) != 0)) ||
	    (v = cy_entry_get(e, "doc-id")) == NULL ||
	    strcmp(v, s->doc_id) != 0) {
		cli_warn("the registry at %s answered with another entry than "
		    "the doc.register of document %s: refused",
		    cli_client_url(s->cl), s->doc_id);
		goto out;
	}
	if ((v = cy_entry_get(e, "label-sha256")) == NULL) {
		cli_warn("the doc.register entry of document %s has no "
		    "label-sha256: its label cannot be checked; refused",
		    s->doc_id);
		goto out;
	}
	if (label == NULL || strcmp(label, v) != 0) {
		cli_warn("the registry's label_sha256 is not the one its "
		    "doc.register entry signs: refused");
		goto out;
	}
	if (cy_hex_decode(rl->label_sha256, sizeof(rl->label_sha256), v,
	    strlen(v)) != 0)
		goto out;
	snprintf(rl->signer, sizeof(rl->signer), "%s", cy_entry_get(e,
	    "actor"));
	memcpy(rl->signer_key, cy_entry_actor_key(e), CY_ENTRY_KEY_LEN);
	rc = receipt_check(s, 0, 1, receipt, rl->reg, rl->reg_len);
out:
	cy_entry_free(e);
	return rc;
}

/* The answer: the release's receipt proves the entry sent, the register
 * entry, then the identity that opens this copy, from the secret sealed
 * to the officer (it must open for this doc-id and copy-id). */
static int
check_answer(const struct session *s, json_t *ans, const cy_buf *entry,
    const cy_identity *x, const cy_identity *pq, struct released *rl)
{
	json_t *ji = json_object_get(ans, "index");
	const char *receipt = cli_client_str(s->cl, ans, "receipt");
	uint8_t *sealed = NULL;
	size_t len = 0;
	cy_error err = {0, ""};
	int rc = CLI_FAIL;

	if (receipt == NULL)
		return CLI_FAIL;
	if (!json_is_integer(ji) || json_integer_value(ji) < 0) {
		cli_warn("the registry at %s answered without the release's "
		    "index", cli_client_url(s->cl));
		return CLI_FAIL;
	}
	rl->index = (uint64_t)json_integer_value(ji);
	if (receipt_check(s, rl->index, 0, receipt, entry->data,
	    entry->len) != CLI_OK || check_register(s, ans, rl) != CLI_OK)
		return CLI_FAIL;
	if (answer_b64(s, ans, "secret", CY_RELEASE_SEALED_MAX, &sealed,
	    &len) != CLI_OK)
		return CLI_FAIL;
	/* R comes sealed to the X25519 key either way; a hybrid copy opens
	 * with the key's hybrid part. */
	if ((pq != NULL ? cy_release_identity_sealed_pq(x, pq, s->doc_id,
	    s->copy_id, sealed, len, &rl->id, &err) :
	    cy_release_identity_sealed(x, s->doc_id, s->copy_id, sealed, len,
	    &rl->id, &err)) != 0)
		cli_fail(&err, "the released secret");
	else
		rc = CLI_OK;
	free(sealed);
	return rc;
}

/* The label the file decrypts to is the registered one (the library
 * checks p->label_sha256), by the doc.register entry's signer: checked
 * with no payload written. */
static int
check_label(const struct session *s, int in_fd, cy_doc_open_params *p,
    const struct released *rl)
{
	cy_doc_info info;
	cy_error err = {0, ""};
	int mode = p->mode, rc = CLI_FAIL;

	p->mode = CY_DOC_OPEN_LABEL_ONLY;
	if (cy_doc_open_fd(in_fd, -1, p, &info, &err) != 0) {
		p->mode = mode;
		return cli_fail(&err, "the document");
	}
	p->mode = mode;
	if (strcmp(cy_cert_serial(info.signer), rl->signer) != 0 ||
	    memcmp(cy_cert_sign_public(info.signer), rl->signer_key,
	    CY_ENTRY_KEY_LEN) != 0) {
		cli_warn("the doc.register entry of document %s is signed by %s, "
		    "not by the label's signer %s: refused", s->doc_id,
		    rl->signer, cy_cert_serial(info.signer));
		goto out;
	}
	rc = lseek(in_fd, 0, SEEK_SET) == 0 ? CLI_OK : CLI_FAIL;
out:
	cy_doc_info_free(&info);
	return rc;
}

int
open_release_fd(int in_fd, int out_fd, int mode,
    const struct open_release *o, cy_doc_info *info)
{
	struct released rl;
	struct session s;
	char doc_id[CY_RELEASE_ID_SIZE];
	cy_identity *x = NULL, *pq = NULL;
	cy_doc_open_params p;
	cy_buf entry = CY_BUF_INIT;
	json_t *ans = NULL;
	cy_error err = {0, ""};
	int rc;

	memset(info, 0, sizeof(*info));
	memset(&rl, 0, sizeof(rl));
	memset(&s, 0, sizeof(s));
	if ((rc = open_release_mediated(in_fd, doc_id)) != 1) {
		if (rc == 0)
			cli_warn("the file has no release stanza");
		return CLI_FAIL;
	}
	if ((rc = session_open(&s, o, doc_id)) != CLI_OK ||
	    (rc = find_copy(&s, in_fd)) != CLI_OK)
		goto out;
	/* The key must open this kind of copy before a release is asked
	 * for (and recorded). */
	if (cy_identity_from_key(o->key, &x, &err) != 0 ||
	    (s.hybrid && cy_identity_from_key_pq(o->key, &pq, &err) != 0)) {
		rc = cli_fail(&err, s.hybrid ? "the officer's key (its copy is "
		    "post-quantum: coyeu.v1/release-pq)" : "the officer's key");
		goto out;
	}
	if ((rc = make_entry(&s, &entry)) != CLI_OK ||
	    (rc = post_release(&s, &entry, &ans)) != CLI_OK)
		goto out;
	rc = CLI_FAIL;
	if (check_answer(&s, ans, &entry, x, pq, &rl) != CLI_OK)
		goto out;
	if (!o->quiet)
		fprintf(stderr, "coyeu: release of copy %s recorded in the "
		    "register at index %llu (receipt verified)\n", s.copy_id,
		    (unsigned long long)rl.index);
	memset(&p, 0, sizeof(p));
	p.identities = &rl.id;
	p.nidentities = 1;
	p.trust = o->trust;
	p.reader = o->chain;
	p.mode = mode;
	p.threads = o->threads;
	p.label_sha256 = rl.label_sha256;
	if (check_label(&s, in_fd, &p, &rl) != CLI_OK)
		goto out;
	if (cy_doc_open_fd(in_fd, out_fd, &p, info, &err) != 0) {
		cli_fail(&err, "the document");
		goto out;
	}
	rc = CLI_OK;
out:
	cy_identity_free(rl.id);
	cy_identity_free(pq);
	cy_identity_free(x);
	free(rl.reg);
	json_decref(ans);
	cy_buf_free(&entry);
	session_close(&s);
	return rc;
}
