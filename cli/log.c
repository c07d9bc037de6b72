/* coyeu log …: the register, and helpers its sub-commands share. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "coyeu/encoding.h"
#include "coyeu/file.h"
#include "coyeu/secret.h"
#include "coyeu/witness.h"
#include "logcli.h"

static const struct cli_command log_commands[] = {
	{"init", cmd_log_init, "create a register and its checkpoint key"},
	{"entry", cmd_log_entry, "make a signed register entry"},
	{"append", cmd_log_append, "append entries durably; print indices, write receipts"},
	{"checkpoint", cmd_log_checkpoint, "print the latest signed checkpoint"},
	{"prove", cmd_log_prove, "an entry's receipt (C2SP tlog-proof)"},
	{"consistency", cmd_log_consistency, "a consistency proof between two sizes"},
	{"verify-proof", cmd_log_verify_proof, "check a receipt against an entry file"},
	{"verify-consistency", cmd_log_verify_consistency, "check that a checkpoint extends another"},
	{"verify-tiles", cmd_log_verify_tiles, "check a tile folder and re-derive its root"},
	{"audit", cmd_log_audit, "re-check every entry, hash and checkpoint"},
	{"export-tiles", cmd_log_export_tiles, "write the register as C2SP tlog-tiles"},
	{NULL, NULL, NULL},
};

int
cmd_log(int argc, char **argv)
{
	return cli_dispatch("coyeu log", log_commands, argc, argv);
}

int
cli_log_open(const char *path, int flags, cy_log **out)
{
	cy_error err = {0, ""};

	if (cy_log_open(path, flags, out, &err) == 0)
		return CLI_OK;
	return cli_fail(&err, NULL);
}

int
cli_log_read(const char *path, size_t cap, uint8_t **data, size_t *len)
{
	cy_error err = {0, ""};
	char what[512];

	if (cy_file_read(path, cap, data, len, &err) == 0)
		return CLI_OK;
	snprintf(what, sizeof(what), "cannot read %s", path);
	return cli_fail(&err, what);
}

int
cli_log_signer_file(const char *path, cy_note_signer **out)
{
	cy_error err = {0, ""};
	char what[512];
	uint8_t *data = NULL;
	size_t len = 0;
	int r;

	snprintf(what, sizeof(what), "checkpoint key %s", path);
	if ((r = cy_file_read_private(path, CLI_LOG_KEY_FILE_MAX, &data, &len,
	    &err)) == 0)
		r = cy_note_signer_parse((char *)data, len, out, &err);
	if (data != NULL) {
		cy_wipe(data, len);
		free(data);
	}
	return r == 0 ? CLI_OK : cli_fail(&err, what);
}

int
cli_log_signer(const cy_log *l, const char *path, cy_note_signer **out)
{
	if (path == NULL)
		path = cy_log_key_path(l);
	if (path == NULL) {
		cli_warn("the register records no checkpoint key: give --key KEY");
		return CLI_FAIL;
	}
	return cli_log_signer_file(path, out);
}

typedef int key_parse_fn(const char *s, size_t len, cy_note_verifier **out,
    cy_error *err);

/* A key given as its text or as a file holding it. */
static int
key_text_or_file(const char *arg, key_parse_fn *parse, const char *what,
    cy_note_verifier **out)
{
	cy_error err = {0, ""}, ferr = {0, ""};
	uint8_t *data = NULL;
	size_t len;
	int r;

	if (parse(arg, strlen(arg), out, &err) == 0)
		return CLI_OK;
	if (access(arg, F_OK) != 0)
		return cli_fail(&err, what);
	if (cy_file_read(arg, CY_NOTE_KEY_STR_MAX, &data, &len, &ferr) != 0)
		return cli_fail(&ferr, what);
	r = parse((char *)data, len, out, &err);
	free(data);
	return r == 0 ? CLI_OK : cli_fail(&err, what);
}

int
cli_log_verifier(const char *arg, cy_note_verifier **out)
{
	return key_text_or_file(arg, cy_note_verifier_parse, "verifier key", out);
}

/* A witness's key: its cosignature form (type 0x04) or its note key. */
static int
cli_log_witness_key(const char *arg, cy_note_verifier **out)
{
	return key_text_or_file(arg, cy_witness_key_parse, "witness key", out);
}

int
cli_log_u64(const char *cmd, const char *opt, const char *s, uint64_t *v)
{
	if (cy_parse_u64(s, strlen(s), v) == 0)
		return CLI_OK;
	return cli_usage_error(cmd, "%s takes a decimal number, not '%s'", opt, s);
}

int
cli_log_threads(const char *cmd, const char *s, int *threads)
{
	if ((*threads = cli_parse_int(s, 0, 64)) >= 0)
		return CLI_OK;
	return cli_usage_error(cmd, "--threads takes 0 to 64, not '%s'", s);
}

int
cli_log_verify_args(int argc, char **argv, const char *cmd, const char *usage,
    int want_entry, int nargs, const char *operands, struct cli_log_verify *o)
{
	static const struct option opts[] = {
		{"verifier-key", required_argument, NULL, 'V'},
		{"witness-key", required_argument, NULL, 'W'},
		{"entry", required_argument, NULL, 'e'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *vkey = NULL;
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'V': vkey = optarg; break;
		case 'W':
			if (o->nwitness == CLI_WITNESS_KEYS_MAX)
				return cli_usage_error(cmd, "at most %d --witness-key",
				    CLI_WITNESS_KEYS_MAX);
			if (cli_log_witness_key(optarg,
			    &o->witness[o->nwitness]) != CLI_OK) {
				cli_log_verify_free(o);
				return CLI_FAIL;
			}
			o->nwitness++;
			break;
		case 'e':
			if (!want_entry)
				return cli_usage_error(cmd, "invalid option");
			o->entry = optarg;
			break;
		case 'j': o->json = 1; break;
		case 'h': fputs(usage, stdout); return CLI_OK;
		default: return cli_usage_error(cmd, "invalid option");
		}
	}
	if (optind + nargs != argc || vkey == NULL ||
	    (want_entry && o->entry == NULL)) {
		cli_log_verify_free(o);
		return cli_usage_error(cmd, "give --verifier-key VKEY%s and %s",
		    want_entry ? ", --entry FILE" : "", operands);
	}
	if (cli_log_verifier(vkey, &o->v) == CLI_OK)
		return -1;
	cli_log_verify_free(o);
	return CLI_FAIL;
}

void
cli_log_verify_free(struct cli_log_verify *o)
{
	size_t i;

	cy_note_verifier_free(o->v);
	o->v = NULL;
	for (i = 0; i < o->nwitness; i++)
		cy_note_verifier_free(o->witness[i]);
	o->nwitness = 0;
}

int
cli_log_require_witnesses(const struct cli_log_verify *o, const uint8_t *note,
    size_t len, const char *what)
{
	cy_error err = {0, ""};
	uint64_t t;
	size_t i;

	for (i = 0; i < o->nwitness; i++)
		if (cy_witness_cosig_verify(note, len, o->v, o->witness[i], &t,
		    &err) != 0)
			return cli_fail(&err, what);
	return CLI_OK;
}
