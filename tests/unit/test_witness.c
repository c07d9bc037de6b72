/* c2sp.org/tlog-witness: the add-checkpoint body and the witness's
 * decision — cosigning a first checkpoint and a consistent growth, and
 * refusing a replayed older checkpoint (409), a fork (409), a stranger's
 * signature (403), an unknown log (404), a bad proof (422) and malformed
 * bodies (400). */
#include "memtree.h"

#include "coyeu/encoding.h"
#include "coyeu/note.h"
#include "coyeu/secret.h"
#include "coyeu/witness.h"

#define LOG_NAME "city.example/register"
#define WITNESS_NAME "national.example/witness"
#define NOW 1765000000

static cy_note_signer *log_signer, *witness_signer, *stranger;
static cy_note_verifier *log_v, *witness_v;

static cy_note_verifier *
verifier_of(const cy_note_signer *s)
{
	char vs[CY_NOTE_KEY_STR_MAX];
	cy_note_verifier *v;

	cy_note_signer_verifier_string(s, vs);
	assert_int_equal(cy_note_verifier_parse(vs, strlen(vs), &v, NULL), 0);
	return v;
}

static int
setup(void **state)
{
	(void)state;
	assert_int_equal(cy_init(), 0);
	assert_int_equal(cy_hasher_new(&H, NULL), 0);
	assert_int_equal(cy_note_signer_generate(LOG_NAME, &log_signer, NULL), 0);
	assert_int_equal(cy_note_signer_generate(WITNESS_NAME, &witness_signer,
	    NULL), 0);
	/* Another key under the log's name: its signature is no log's. */
	assert_int_equal(cy_note_signer_generate(LOG_NAME, &stranger, NULL), 0);
	log_v = verifier_of(log_signer);
	witness_v = verifier_of(witness_signer);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cy_note_signer_free(log_signer);
	cy_note_signer_free(witness_signer);
	cy_note_signer_free(stranger);
	cy_note_verifier_free(log_v);
	cy_note_verifier_free(witness_v);
	cy_hasher_free(H);
	return 0;
}

/* The checkpoint of t signed by s (with its own timestamped cosignature,
 * as a coyeu register signs them). */
static void
checkpoint_of(const struct memtree *t, const cy_note_signer *s, cy_buf *note)
{
	cy_checkpoint c;

	memset(&c, 0, sizeof(c));
	strcpy(c.origin, LOG_NAME);
	c.size = t->size;
	c.time = NOW - 10;
	assert_int_equal(cy_merkle_root(memtree_node, (void *)t, H, t->size,
	    c.root, NULL), 0);
	note->len = 0;
	assert_int_equal(cy_checkpoint_sign(&c, s, note, NULL), 0);
}

/* The body for t's checkpoint (signed by s) with the proof from old. */
static void
body_for(const struct memtree *t, const cy_note_signer *s, uint64_t old,
    cy_buf *body)
{
	uint8_t proof[CY_MERKLE_PROOF_MAX][CY_HASH_LEN];
	cy_buf note = CY_BUF_INIT;
	size_t n = 0;

	if (old > 0 && old < t->size)
		assert_int_equal(cy_merkle_consistency_proof(memtree_node,
		    (void *)t, H, old, t->size, proof, &n, NULL), 0);
	checkpoint_of(t, s, &note);
	body->len = 0;
	assert_int_equal(cy_witness_request_build(old,
	    (const uint8_t (*)[CY_HASH_LEN])proof, n, note.data, note.len, body,
	    NULL), 0);
	cy_buf_free(&note);
}

/* The witness's decision on body: the status, the cosignature into cosig. */
static int
decide(const cy_buf *body, const cy_note_verifier *log,
    const cy_witness_state *st, cy_buf *cosig, cy_witness_result *res,
    cy_error *err)
{
	cy_witness_request rq;
	int r;

	assert_int_equal(cy_witness_request_parse(body->data, body->len, &rq,
	    err), 0);
	cosig->len = 0;
	r = cy_witness_add(&rq, log, st, witness_signer, NOW, cosig, res, err);
	assert_int_equal(r == 0, res->status == 200);
	return res->status;
}

/* Cosigns t's checkpoint from st (updated), checking the cosignature as a
 * client would: appended to the checkpoint, by the witness's key. */
static void
cosign_ok(const struct memtree *t, uint64_t old, cy_witness_state *st,
    int have_state)
{
	cy_buf body = CY_BUF_INIT, cosig = CY_BUF_INIT, note = CY_BUF_INIT,
	    line = CY_BUF_INIT;
	cy_witness_result res;
	cy_error err;
	uint64_t when;

	body_for(t, log_signer, old, &body);
	assert_int_equal(decide(&body, log_v, have_state ? st : NULL, &cosig,
	    &res, &err), 200);
	assert_int_equal(res.checkpoint.size, t->size);
	/* What the log does with the answer. */
	checkpoint_of(t, log_signer, &note);
	assert_int_equal(cy_witness_response_take(note.data, note.len, log_v,
	    cosig.data, cosig.len, witness_v, &line, &when, &err), 0);
	assert_int_equal(when, NOW);
	cy_buf_append(&note, line.data, line.len);
	assert_int_equal(cy_witness_cosig_verify(note.data, note.len, log_v,
	    witness_v, &when, &err), 0);
	assert_int_equal(when, NOW);
	st->size = res.checkpoint.size;
	memcpy(st->root, res.checkpoint.root, CY_HASH_LEN);
	cy_buf_free(&body);
	cy_buf_free(&cosig);
	cy_buf_free(&note);
	cy_buf_free(&line);
}

static void
test_first_and_growth(void **state)
{
	struct memtree t8, t20;
	cy_witness_state st;

	(void)state;
	memtree_build(&t8, 8, 1);
	memtree_build(&t20, 20, 1);
	memset(&st, 0, sizeof(st));
	cosign_ok(&t8, 0, &st, 0);
	assert_int_equal(st.size, 8);
	cosign_ok(&t20, 8, &st, 1);
	assert_int_equal(st.size, 20);
	/* The same checkpoint again: the same tree, cosigned again. */
	cosign_ok(&t20, 20, &st, 1);
	memtree_free(&t8);
	memtree_free(&t20);
}

/* The witness holds 20: an older checkpoint, or one from an older size,
 * is refused with the size it holds. */
static void
test_replay_older(void **state)
{
	struct memtree t8, t20, t30;
	cy_buf body = CY_BUF_INIT, cosig = CY_BUF_INIT;
	cy_witness_state st;
	cy_witness_result res;
	cy_error err;

	(void)state;
	memtree_build(&t8, 8, 1);
	memtree_build(&t20, 20, 1);
	memtree_build(&t30, 30, 1);
	memset(&st, 0, sizeof(st));
	cosign_ok(&t20, 0, &st, 0);
	body_for(&t8, log_signer, 8, &body);
	assert_int_equal(decide(&body, log_v, &st, &cosig, &res, &err), 409);
	assert_int_equal(res.size, 20);
	assert_string_equal(err.msg, "the witness last cosigned size 20 of "
	    "\"" LOG_NAME "\", not 8");
	assert_int_equal(cosig.len, 0);
	/* A consistent growth whose proof starts elsewhere. */
	body_for(&t30, log_signer, 8, &body);
	assert_int_equal(decide(&body, log_v, &st, &cosig, &res, &err), 409);
	assert_int_equal(res.size, 20);
	/* A witness that never cosigned holds size 0. */
	assert_int_equal(decide(&body, log_v, NULL, &cosig, &res, &err), 409);
	assert_int_equal(res.size, 0);
	/* An old size above the checkpoint's own. */
	body_for(&t8, log_signer, 20, &body);
	assert_int_equal(decide(&body, log_v, &st, &cosig, &res, &err), 400);
	assert_string_equal(err.msg,
	    "the old size 20 is above the checkpoint's size 8");
	cy_buf_free(&body);
	cy_buf_free(&cosig);
	memtree_free(&t8);
	memtree_free(&t20);
	memtree_free(&t30);
}

/* A second tree of the size the witness holds, and growth from it. */
static void
test_fork(void **state)
{
	struct memtree a20, b20, b30;
	cy_buf body = CY_BUF_INIT, cosig = CY_BUF_INIT;
	cy_witness_state st;
	cy_witness_result res;
	cy_error err;

	(void)state;
	memtree_build(&a20, 20, 1);
	memtree_build(&b20, 20, 2);
	memtree_build(&b30, 30, 2);
	memset(&st, 0, sizeof(st));
	cosign_ok(&a20, 0, &st, 0);
	body_for(&b20, log_signer, 20, &body);
	assert_int_equal(decide(&body, log_v, &st, &cosig, &res, &err), 409);
	assert_int_equal(res.size, 20);
	assert_string_equal(err.msg, "the log shows a second tree of size 20: "
	    "its root differs from the one cosigned (a fork)");
	/* The other branch grows with a proof valid for it, not for ours. */
	body_for(&b30, log_signer, 20, &body);
	assert_int_equal(decide(&body, log_v, &st, &cosig, &res, &err), 422);
	assert_int_equal(err.code, CY_E_PROOF);
	assert_int_equal(cosig.len, 0);
	cy_buf_free(&body);
	cy_buf_free(&cosig);
	memtree_free(&a20);
	memtree_free(&b20);
	memtree_free(&b30);
}

static void
test_wrong_log_key(void **state)
{
	struct memtree t8;
	cy_buf body = CY_BUF_INIT, cosig = CY_BUF_INIT;
	cy_note_verifier *other;
	cy_witness_result res;
	cy_error err;

	(void)state;
	memtree_build(&t8, 8, 1);
	/* Signed under the log's name by another key. */
	body_for(&t8, stranger, 0, &body);
	assert_int_equal(decide(&body, log_v, NULL, &cosig, &res, &err), 403);
	assert_int_equal(err.code, CY_E_SIGNATURE);
	assert_string_equal(err.msg, "note is not signed by a known key");
	/* A log the witness does not know. */
	body_for(&t8, log_signer, 0, &body);
	assert_int_equal(decide(&body, NULL, NULL, &cosig, &res, &err), 404);
	assert_string_equal(err.msg, "this witness does not witness the log "
	    "\"" LOG_NAME "\"");
	/* Another log's key: not this origin's. */
	other = verifier_of(witness_signer);
	assert_int_equal(decide(&body, other, NULL, &cosig, &res, &err), 404);
	assert_int_equal(cosig.len, 0);
	cy_note_verifier_free(other);
	cy_buf_free(&body);
	cy_buf_free(&cosig);
	memtree_free(&t8);
}

/* Replaces the body's proof line i (0-based) with a changed hash. */
static void
flip_proof_line(cy_buf *body, size_t i)
{
	char *p = strchr((char *)body->data, '\n') + 1;

	while (i-- > 0)
		p = strchr(p, '\n') + 1;
	p[5] = p[5] == 'A' ? 'B' : 'A';
}

static void
test_bad_proof(void **state)
{
	struct memtree t8, t20;
	cy_buf body = CY_BUF_INIT, cosig = CY_BUF_INIT, note = CY_BUF_INIT;
	uint8_t proof[1][CY_HASH_LEN];
	cy_witness_state st;
	cy_witness_result res;
	cy_error err;

	(void)state;
	memtree_build(&t8, 8, 1);
	memtree_build(&t20, 20, 1);
	memset(&st, 0, sizeof(st));
	cosign_ok(&t8, 0, &st, 0);
	body_for(&t20, log_signer, 8, &body);
	flip_proof_line(&body, 1);
	assert_int_equal(decide(&body, log_v, &st, &cosig, &res, &err), 422);
	assert_non_null(strstr(err.msg, "the consistency proof from size 8 to 20 "
	    "does not verify"));
	/* No proof at all. */
	checkpoint_of(&t20, log_signer, &note);
	body.len = 0;
	assert_int_equal(cy_witness_request_build(8, NULL, 0, note.data,
	    note.len, &body, NULL), 0);
	assert_int_equal(decide(&body, log_v, &st, &cosig, &res, &err), 422);
	/* A proof from size 0 must be empty. */
	memset(proof, 7, sizeof(proof));
	body.len = 0;
	assert_int_equal(cy_witness_request_build(0,
	    (const uint8_t (*)[CY_HASH_LEN])proof, 1, note.data, note.len, &body,
	    NULL), 0);
	assert_int_equal(decide(&body, log_v, NULL, &cosig, &res, &err), 422);
	assert_string_equal(err.msg, "the proof from size 0 must be empty");
	/* Between equal sizes too. */
	body.len = 0;
	checkpoint_of(&t8, log_signer, &note);
	assert_int_equal(cy_witness_request_build(8,
	    (const uint8_t (*)[CY_HASH_LEN])proof, 1, note.data, note.len, &body,
	    NULL), 0);
	assert_int_equal(decide(&body, log_v, &st, &cosig, &res, &err), 422);
	assert_int_equal(cosig.len, 0);
	cy_buf_free(&body);
	cy_buf_free(&cosig);
	cy_buf_free(&note);
	memtree_free(&t8);
	memtree_free(&t20);
}

static int
parse_text(const char *s, cy_error *err)
{
	cy_witness_request rq;

	return cy_witness_request_parse((const uint8_t *)s, strlen(s), &rq, err);
}

static void
test_malformed(void **state)
{
	static const char hash[] = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n";
	static const char cp[] = "city\n1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n";
	cy_witness_request rq;
	cy_buf b = CY_BUF_INIT;
	cy_error err;
	int i;

	(void)state;
	assert_int_equal(parse_text("", &err), CY_E_FORMAT);
	assert_string_equal(err.msg, "the body must start with \"old <size>\" "
	    "(a decimal without leading zeroes) and a newline");
	assert_int_equal(parse_text("old 01\n\ncity\n", &err), CY_E_FORMAT);
	assert_int_equal(parse_text("old -1\n\ncity\n", &err), CY_E_FORMAT);
	assert_int_equal(parse_text("old  1\n\ncity\n", &err), CY_E_FORMAT);
	assert_int_equal(parse_text("old 18446744073709551616\n\ncity\n", &err),
	    CY_E_FORMAT);
	assert_int_equal(parse_text("OLD 1\n\ncity\n", &err), CY_E_FORMAT);
	assert_int_equal(parse_text("old 1", &err), CY_E_FORMAT);
	assert_int_equal(parse_text("old 1\nnot-base64\n\ncity\n", &err),
	    CY_E_FORMAT);
	assert_string_equal(err.msg, "consistency proof line 1 is not a base64 "
	    "SHA-256 hash");
	assert_int_equal(parse_text("old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw\n\ncity\n",
	    &err), CY_E_FORMAT);
	assert_int_equal(parse_text("old 1\n", &err), CY_E_FORMAT);
	assert_string_equal(err.msg,
	    "the body has no blank line before the checkpoint");
	assert_int_equal(parse_text("old 1\n\n", &err), CY_E_FORMAT);
	assert_int_equal(parse_text("old 1\n\n\ncity\n", &err), CY_E_FORMAT);
	assert_int_equal(parse_text("old 1\n\ncity", &err), CY_E_FORMAT);
	/* 63 proof lines parse; 64 do not. */
	cy_buf_puts(&b, "old 1\n");
	for (i = 0; i < 63; i++)
		cy_buf_puts(&b, hash);
	cy_buf_printf(&b, "\n%s", cp);
	assert_int_equal(cy_witness_request_parse(b.data, b.len, &rq, &err), 0);
	assert_int_equal(rq.nproof, 63);
	assert_int_equal(rq.old_size, 1);
	assert_string_equal(rq.origin, "city");
	assert_int_equal(rq.note_len, strlen(cp));
	b.len = 0;
	cy_buf_puts(&b, "old 1\n");
	for (i = 0; i < 64; i++)
		cy_buf_puts(&b, hash);
	cy_buf_printf(&b, "\n%s", cp);
	assert_int_equal(cy_witness_request_parse(b.data, b.len, &rq, &err),
	    CY_E_FORMAT);
	assert_string_equal(err.msg, "a consistency proof has at most 63 lines");
	/* Over the cap. */
	assert_int_equal(cy_witness_request_parse(b.data,
	    CY_WITNESS_BODY_MAX + 1, &rq, &err), CY_E_TOO_LARGE);
	cy_buf_free(&b);
}

/* A checkpoint that parses as a body but not as a note or checkpoint. */
static void
test_malformed_checkpoint(void **state)
{
	static const char body[] = "old 0\n\n" LOG_NAME "\nnot a size\n";
	cy_buf cosig = CY_BUF_INIT, b = CY_BUF_INIT;
	cy_witness_result res;
	cy_error err;

	(void)state;
	cy_buf_puts(&b, body);
	assert_int_equal(decide(&b, log_v, NULL, &cosig, &res, &err), 400);
	assert_int_equal(err.code, CY_E_FORMAT);
	cy_buf_free(&b);
	cy_buf_free(&cosig);
}

static void
test_keys_and_records(void **state)
{
	char cs[CY_NOTE_KEY_STR_MAX], vs[CY_NOTE_KEY_STR_MAX];
	cy_witness_state st, got;
	cy_note_verifier *v;
	const uint8_t *note;
	cy_buf b = CY_BUF_INIT;
	size_t note_len;
	uint64_t size;
	cy_error err;

	(void)state;
	/* A witness key in its cosignature form, or as a note key. */
	cy_note_verifier_cosig_string(witness_v, cs);
	assert_int_equal(cy_witness_key_parse(cs, strlen(cs), &v, &err), 0);
	cy_note_verifier_string(v, vs);
	cy_note_verifier_free(v);
	cy_note_signer_verifier_string(witness_signer, cs);
	assert_string_equal(vs, cs);
	assert_int_equal(cy_witness_key_parse(vs, strlen(vs), &v, &err), 0);
	cy_note_verifier_free(v);
	/* A cosignature key whose ID is wrong. */
	cy_note_verifier_cosig_string(witness_v, cs);
	cs[strlen(WITNESS_NAME) + 1] ^= 1;
	assert_int_equal(cy_witness_key_parse(cs, strlen(cs), &v, &err),
	    CY_E_FORMAT);
	assert_string_equal(err.msg,
	    "the witness key's ID does not match its name and key");
	/* The state record, and the 409 answer's body. */
	st.size = 42;
	memset(st.root, 0xab, sizeof(st.root));
	assert_int_equal(cy_witness_state_format(&st, (const uint8_t *)"cp\n", 3,
	    &b, &err), 0);
	assert_int_equal(cy_witness_state_parse(b.data, b.len, &got, &note,
	    &note_len, &err), 0);
	assert_int_equal(got.size, 42);
	assert_memory_equal(got.root, st.root, CY_HASH_LEN);
	assert_int_equal(note_len, 3);
	assert_memory_equal(note, "cp\n", 3);
	assert_int_equal(cy_witness_size_parse((const uint8_t *)"20852014\n", 9,
	    &size, &err), 0);
	assert_int_equal(size, 20852014);
	assert_int_equal(cy_witness_size_parse((const uint8_t *)"20\n\n", 4,
	    &size, &err), CY_E_FORMAT);
	assert_int_equal(cy_witness_size_parse((const uint8_t *)"020\n", 4,
	    &size, &err), CY_E_FORMAT);
	cy_buf_free(&b);
}

/* A client requiring a witness's cosignature; the log's answer handling. */
static void
test_cosig_required(void **state)
{
	static const char other[] =
	    "other\n1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n";
	struct memtree t8;
	cy_buf note = CY_BUF_INIT, line = CY_BUF_INIT, bad = CY_BUF_INIT;
	uint64_t t;
	cy_error err;

	(void)state;
	memtree_build(&t8, 8, 1);
	checkpoint_of(&t8, log_signer, &note);
	assert_int_equal(cy_witness_cosig_verify(note.data, note.len, log_v,
	    witness_v, &t, &err), CY_E_SIGNATURE);
	assert_string_equal(err.msg, "the checkpoint carries no cosignature by "
	    "witness " WITNESS_NAME);
	/* An answer with no line by the witness, or not signature lines. */
	cy_buf_puts(&bad, "\xe2\x80\x94 other.example/w AAAAAAAAAAAAAAAA\n");
	assert_int_equal(cy_witness_response_take(note.data, note.len, log_v,
	    bad.data, bad.len, witness_v, &line, &t, &err), CY_E_SIGNATURE);
	assert_string_equal(err.msg, "the witness answered no cosignature by "
	    WITNESS_NAME);
	assert_int_equal(cy_witness_response_take(note.data, note.len, log_v,
	    (const uint8_t *)"hello\n", 6, witness_v, &line, &t, &err),
	    CY_E_FORMAT);
	/* A cosignature by the witness's key over another checkpoint. */
	bad.len = 0;
	assert_int_equal(cy_note_cosign((const uint8_t *)other, strlen(other),
	    NOW, witness_signer, &bad, NULL), 0);
	assert_int_equal(cy_witness_response_take(note.data, note.len, log_v,
	    bad.data, bad.len, witness_v, &line, &t, &err), CY_E_SIGNATURE);
	assert_int_equal(line.len, 0);
	cy_buf_append(&note, bad.data, bad.len);
	assert_int_equal(cy_witness_cosig_verify(note.data, note.len, log_v,
	    witness_v, &t, &err), CY_E_SIGNATURE);
	assert_non_null(strstr(err.msg, "does not verify"));
	cy_buf_free(&note);
	cy_buf_free(&line);
	cy_buf_free(&bad);
	memtree_free(&t8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_and_growth),
		cmocka_unit_test(test_replay_older),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_wrong_log_key),
		cmocka_unit_test(test_bad_proof),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_malformed_checkpoint),
		cmocka_unit_test(test_keys_and_records),
		cmocka_unit_test(test_cosig_required),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
