/* Signed notes, checkpoints, timestamped cosignatures and note keys: never
 * crash; what opens has its text end at a newline; a parsed checkpoint
 * formats back to the start of its text; a verifying cosignature has a time
 * below 2^63; a parsed verifier key prints back as it was given. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "coyeu/note.h"

/* The C2SP signed-note specification's example key. */
static const char vkey[] =
    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";

static void
check_checkpoint(const uint8_t *data, size_t size)
{
	cy_buf text = CY_BUF_INIT;
	cy_checkpoint c;

	if (cy_checkpoint_parse(data, size, &c, NULL) != 0)
		return;
	if (cy_checkpoint_format(&c, &text, NULL) != 0 || text.len > size ||
	    memcmp(text.data, data, text.len) != 0)
		abort();
	cy_buf_free(&text);
}

/* The cosignature lines after the note's last blank line, whatever the
 * note signature says (reached only with the real key otherwise). */
static void
check_cosig(const uint8_t *data, size_t size, const cy_note_verifier *v)
{
	size_t split;
	uint64_t t;

	for (split = size; split > 1; split--)
		if (data[split - 2] == '\n' && data[split - 1] == '\n')
			break;
	if (split <= 1 || split >= size)
		return;
	if (cy_note_cosig_verify(data, size, split - 1, v, &t, NULL) == 0 &&
	    t > (uint64_t)INT64_MAX)
		abort();
}

static void
check_keys(const uint8_t *data, size_t size)
{
	char s[CY_NOTE_KEY_STR_MAX];
	cy_note_verifier *v = NULL;
	cy_note_signer *k = NULL;
	size_t n = size > 0 && data[size - 1] == '\n' ? size - 1 : size;

	if (cy_note_verifier_parse((const char *)data, size, &v, NULL) == 0) {
		cy_note_verifier_string(v, s);
		if (strlen(s) != n || memcmp(s, data, n) != 0)
			abort();
		cy_note_verifier_free(v);
	}
	if (cy_note_signer_parse((const char *)data, size, &k, NULL) == 0)
		cy_note_signer_free(k);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cy_note_verifier *v;
	cy_checkpoint c;
	size_t text_len;

	if (v == NULL && cy_note_verifier_parse(vkey, strlen(vkey), &v, NULL) != 0)
		abort();
	if (cy_note_open(data, size, (const cy_note_verifier *const *)&v, 1,
	    &text_len, NULL) == 0 && (text_len == 0 || text_len > size ||
	    data[text_len - 1] != '\n'))
		abort();
	(void)cy_checkpoint_open(data, size, v, &c, NULL);
	check_checkpoint(data, size);
	check_cosig(data, size, v);
	check_keys(data, size);
	return 0;
}
