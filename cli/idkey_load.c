/* Loading an officer's key file for the commands that sign, and giving
 * one a post-quantum part (coyeu id add-pq). */
#include <stdio.h>

#include "cli.h"
#include "coyeu/idkey.h"

struct pass_ctx {
	const char *file;
	const char *path;
};

static int
ask_pass(void *ctx, char *buf, size_t cap, cy_error *err)
{
	const struct pass_ctx *pc = ctx;
	char prompt[512];

	snprintf(prompt, sizeof(prompt), "Passphrase for %s: ", pc->path);
	return cli_passphrase(pc->file, prompt, 0, buf, cap, err);
}

int
cli_idkey_load(const char *path, const char *pass_file, cy_idkey **out)
{
	struct pass_ctx pc = {pass_file, path};
	cy_error err = {0, ""};
	char what[512];

	if (cy_idkey_load(path, ask_pass, &pc, out, &err) == 0)
		return CLI_OK;
	snprintf(what, sizeof(what), "cannot open key %s", path);
	return cli_fail(&err, what);
}

int
cli_idkey_add_pq(const char *path, const char *pass_file, int log_n)
{
	struct pass_ctx pc = {pass_file, path};
	cy_error err = {0, ""};
	char what[512];

	if (cy_idkey_file_add_pq(path, ask_pass, &pc, log_n, &err) == 0)
		return CLI_OK;
	snprintf(what, sizeof(what), "id add-pq: %s", path);
	return cli_fail(&err, what);
}
