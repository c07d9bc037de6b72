#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "coyeu/file.h"
#include "coyeu/secret.h"

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("coyeu: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_fail(const cy_error *err, const char *what)
{
	const char *msg = err->msg[0] ? err->msg : cy_strerror(err->code);

	if (what != NULL)
		cli_warn("%s: %s", what, msg);
	else
		cli_warn("%s", msg);
	return CLI_FAIL;
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("coyeu: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry 'coyeu %s --help'\n", cmd);
	return CLI_USAGE;
}

int
cli_option_error(const char *cmd, const char *opt, const cy_error *err)
{
	return cli_usage_error(cmd, "%s: %s", opt,
	    err->msg[0] ? err->msg : cy_strerror(err->code));
}

int
cli_check_path(const char *cmd, const char *opt, const char *path)
{
	if (path != NULL && path[0] == '\0')
		return cli_usage_error(cmd, "%s: the path is empty", opt);
	return CLI_OK;
}

int
cli_conflict(const char *cmd, const char *a, const char *b, const char *why)
{
	return cli_usage_error(cmd, "%s does not go with %s (%s)", a, b, why);
}

static void
dispatch_help(FILE *f, const char *prog, const struct cli_command *cmds)
{
	const struct cli_command *c;

	fprintf(f, "usage: %s COMMAND [OPTIONS]\n\ncommands:\n", prog);
	for (c = cmds; c->name != NULL; c++)
		fprintf(f, "  %-14s %s\n", c->name, c->summary);
	fprintf(f, "\n'%s COMMAND --help' describes a command.\n", prog);
}

int
cli_dispatch(const char *prog, const struct cli_command *cmds, int argc,
    char **argv)
{
	const struct cli_command *c;

	if (argc < 2) {
		dispatch_help(stderr, prog, cmds);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		dispatch_help(stdout, prog, cmds);
		return CLI_OK;
	}
	for (c = cmds; c->name != NULL; c++)
		if (strcmp(c->name, argv[1]) == 0)
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "coyeu: unknown command '%s'\n", argv[1]);
	dispatch_help(stderr, prog, cmds);
	return CLI_USAGE;
}

int
cli_read_secret(const char *path, size_t cap, uint8_t **out, size_t *len,
    cy_error *err)
{
	struct stat st;
	int r;

	if ((r = cy_file_read_stat(path, cap, out, len, &st, err)) == 0 &&
	    S_ISREG(st.st_mode) && (st.st_mode & 077) != 0)
		cli_warn("warning: %s is %s by others (mode %04o); keep secrets "
		    "0600", path, st.st_mode & 044 ? "readable" : "writable",
		    (unsigned)(st.st_mode & 0777));
	return r;
}

int
cli_passphrase(const char *file, const char *prompt, int confirm, char *buf,
    size_t cap, cy_error *err)
{
	char *again = NULL;
	uint8_t *data = NULL;
	size_t len = 0, line;
	int r;

	if (file != NULL) {
		if ((r = cli_read_secret(file, cap - 1, &data, &len, err)) != 0)
			return r;
		line = strcspn((char *)data, "\r\n");
		memcpy(buf, data, line);
		buf[line] = '\0';
		cy_wipe(data, len);
		free(data);
		goto check;
	}
	if ((r = cli_tty_passphrase(prompt, buf, cap, err)) != 0)
		return r;
	if (confirm) {
		if ((again = cy_secret_alloc(cap)) == NULL)
			return cy_error_set(err, CY_E_NOMEM, "out of memory");
		r = cli_tty_passphrase("Confirm passphrase: ", again, cap, err);
		if (r == 0 && strcmp(buf, again) != 0)
			r = cy_error_set(err, CY_E_USAGE, "passphrases do not match");
		cy_secret_free(again);
		if (r != 0)
			return r;
	}
check:
	if (buf[0] == '\0')
		return cy_error_set(err, CY_E_USAGE, "empty passphrase");
	return 0;
}

int
cli_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (int)n;
}

int
cli_parse_int(const char *s, int min, int max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < min || v > max)
		return -1;
	return (int)v;
}
