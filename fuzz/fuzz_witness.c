/* The witness endpoint (c2sp.org/tlog-witness): the add-checkpoint body
 * parser and the decision with a fixed log key, and what a log parses of a
 * witness's answers.  Never crash; a parsed body builds back to itself; a
 * cosigned checkpoint is the size the decision was asked about and its
 * cosignature verifies.  The checkpoint text is also re-signed with the
 * log key so that the proof checks are reached. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/witness.h"

#define LOG_KEY "PRIVATE+KEY+city.example/register+"
static cy_note_signer *log_signer, *witness;
static cy_note_verifier *log_v, *witness_v;
static cy_buf checkpoint = CY_BUF_INIT; /* size 1, signed by the log */

/* Fixed keys: the same inputs reach the same paths every run. */
static const char log_key[] =
    "PRIVATE+KEY+city.example/register+cb3c133a+"
    "AW2J7zwNUl1VkNfXDz6nj8SQ/oYOm6n2uQgelivDMkAq";
static const char witness_key[] =
    "PRIVATE+KEY+national.example/witness+c4e6fa1d+"
    "AcdfxjZtFD+MrKmhj4inVjUwVgIAjUZM8stbA4UuzsfA";

static void
keys(void)
{
	char vs[CY_NOTE_KEY_STR_MAX];
	cy_checkpoint c;

	if (log_signer != NULL)
		return;
	if (cy_note_signer_parse(log_key, strlen(log_key), &log_signer,
	    NULL) != 0 ||
	    cy_note_signer_parse(witness_key, strlen(witness_key), &witness,
	    NULL) != 0)
		abort();
	cy_note_signer_verifier_string(log_signer, vs);
	if (cy_note_verifier_parse(vs, strlen(vs), &log_v, NULL) != 0)
		abort();
	cy_note_signer_verifier_string(witness, vs);
	if (cy_witness_key_parse(vs, strlen(vs), &witness_v, NULL) != 0)
		abort();
	memset(&c, 0, sizeof(c));
	strcpy(c.origin, "city.example/register");
	c.size = 1;
	if (cy_checkpoint_sign(&c, log_signer, &checkpoint, NULL) != 0)
		abort();
}

/* The decision on rq; on success, the cosignature verifies. */
static void
decide(const cy_witness_request *rq, const cy_witness_state *st)
{
	cy_buf cosig = CY_BUF_INIT, note = CY_BUF_INIT;
	cy_witness_result res;
	uint64_t t;
	int r;

	r = cy_witness_add(rq, log_v, st, witness, 1765000000, &cosig, &res,
	    NULL);
	if ((r == 0) != (res.status == 200))
		abort();
	if (r == 0) {
		if (res.checkpoint.size < rq->old_size)
			abort();
		cy_buf_append(&note, rq->note, rq->note_len);
		cy_buf_append(&note, cosig.data, cosig.len);
		if (cy_buf_status(&note) != 0 ||
		    cy_witness_cosig_verify(note.data, note.len, log_v, witness_v,
		    &t, NULL) != 0 || t != 1765000000)
			abort();
	}
	cy_buf_free(&cosig);
	cy_buf_free(&note);
}

/* The request again with its checkpoint text signed by the log key. */
static void
resigned(const cy_witness_request *rq, const cy_witness_state *st)
{
	cy_witness_request again = *rq;
	cy_buf note = CY_BUF_INIT;
	const uint8_t *p;
	size_t text_len;

	p = memmem(rq->note, rq->note_len, "\n\n", 2);
	text_len = p != NULL ? (size_t)(p - rq->note) + 1 : rq->note_len;
	if (cy_note_sign(rq->note, text_len, log_signer, &note, NULL) == 0) {
		again.note = note.data;
		again.note_len = note.len;
		decide(&again, st);
		decide(&again, NULL);
	}
	cy_buf_free(&note);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cy_buf back = CY_BUF_INIT, line = CY_BUF_INIT;
	cy_note_verifier *v = NULL;
	cy_witness_request rq;
	cy_witness_state st;
	const uint8_t *note;
	size_t note_len;
	uint64_t n, t;

	keys();
	if (cy_witness_request_parse(data, size, &rq, NULL) == 0) {
		if (cy_witness_request_build(rq.old_size,
		    (const uint8_t (*)[CY_HASH_LEN])rq.proof, rq.nproof, rq.note,
		    rq.note_len, &back, NULL) != 0 || back.len != size ||
		    memcmp(back.data, data, size) != 0)
			abort();
		/* A held state from the proof's first hash, at the old size. */
		memset(&st, 0, sizeof(st));
		st.size = rq.old_size;
		if (rq.nproof > 0)
			memcpy(st.root, rq.proof[0], CY_HASH_LEN);
		decide(&rq, &st);
		resigned(&rq, &st);
	}
	if (cy_witness_state_parse(data, size, &st, &note, &note_len, NULL) == 0 &&
	    (note < data || note + note_len != data + size))
		abort();
	if (cy_witness_size_parse(data, size, &n, NULL) == 0 && size > 21)
		abort();
	if (cy_witness_key_parse((const char *)data, size, &v, NULL) == 0)
		cy_note_verifier_free(v);
	(void)cy_witness_response_take((const uint8_t *)"city\n", 5, log_v, data,
	    size, witness_v, &line, &t, NULL);
	cy_buf_free(&back);
	cy_buf_free(&line);
	return 0;
}
