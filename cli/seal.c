/* coyeu seal: encrypt to recipients (age v1). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "coyeu/age.h"
#include "coyeu/file.h"
#include "coyeu/secret.h"
#include "io.h"

#define RECIPIENTS_FILE_MAX (1024 * 1024)

static const char seal_usage[] =
    "usage: coyeu seal [-r RECIPIENT]... [-R FILE]... [-p] [-a] [-o OUT] [IN]\n"
    "\n"
    "Encrypts IN (or standard input) into an age v1 file.\n"
    "\n"
    "  -r, --recipient R        seal to the age1… public key R (repeatable)\n"
    "  -R, --recipients-file F  seal to every recipient listed in F (repeatable)\n"
    "  -p, --passphrase         seal with a passphrase (scrypt) instead\n"
    "      --passphrase-file F  read the passphrase from the first line of F\n"
    "  -a, --armor              write PEM-armored text\n"
    "  -o, --output OUT         write to OUT atomically (default: standard output)\n"
    "  -j, --threads N          worker threads (default: all cores)\n";

struct seal_args {
	cy_recipient **rcpts;
	size_t nrcpts;
	int passphrase, armor, threads;
	const char *passfile, *out, *in;
};

static int
add_recipients(struct seal_args *a, cy_recipient **more, size_t n)
{
	cy_recipient **p;

	p = realloc(a->rcpts, (a->nrcpts + n) * sizeof(*p));
	if (p == NULL)
		return CY_E_NOMEM;
	memcpy(p + a->nrcpts, more, n * sizeof(*p));
	a->rcpts = p;
	a->nrcpts += n;
	return 0;
}

static int
add_recipient_string(struct seal_args *a, const char *s, cy_error *err)
{
	cy_recipient *r;

	if (cy_recipient_parse(s, &r, err) != 0)
		return CY_E_FORMAT;
	if (add_recipients(a, &r, 1) != 0) {
		cy_recipient_free(r);
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	}
	return 0;
}

static int
add_recipients_file(struct seal_args *a, const char *path, cy_error *err)
{
	cy_recipient **list = NULL;
	uint8_t *buf = NULL;
	size_t len, n = 0;
	int r;

	if ((r = cy_file_read(path, RECIPIENTS_FILE_MAX, &buf, &len, err)) != 0)
		return r;
	if ((r = cy_recipients_file_parse(buf, len, &list, &n, err)) != 0) {
		cy_error_wrap(err, "%s", path);
		goto out;
	}
	if ((r = add_recipients(a, list, n)) != 0) {
		cy_recipients_free(list, n);
		list = NULL;
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
out:
	free(list);
	free(buf);
	return r;
}

static int
add_passphrase(struct seal_args *a, cy_error *err)
{
	cy_recipient *r = NULL;
	char *pass;
	int rc;

	if ((pass = cy_secret_alloc(CLI_PASSPHRASE_MAX)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	rc = cli_passphrase(a->passfile, "Enter passphrase: ", 1, pass,
	    CLI_PASSPHRASE_MAX, err);
	if (rc == 0)
		rc = cy_recipient_scrypt(pass, strlen(pass),
		    CY_SCRYPT_DEFAULT_LOG_N, &r, err);
	if (rc == 0 && add_recipients(a, &r, 1) != 0) {
		cy_recipient_free(r);
		rc = cy_error_set(err, CY_E_NOMEM, "out of memory");
	}
	cy_secret_free(pass);
	return rc;
}

int
cmd_seal(int argc, char **argv)
{
	static const struct option opts[] = {
		{"recipient", required_argument, NULL, 'r'},
		{"recipients-file", required_argument, NULL, 'R'},
		{"passphrase", no_argument, NULL, 'p'},
		{"passphrase-file", required_argument, NULL, 'P'},
		{"armor", no_argument, NULL, 'a'},
		{"output", required_argument, NULL, 'o'},
		{"threads", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct seal_args a;
	struct cli_io io;
	cy_seal_params p;
	cy_error err = {0, ""};
	int c, rc = CLI_FAIL, opened = 0;

	memset(&a, 0, sizeof(a));
	while ((c = getopt_long(argc, argv, "r:R:pao:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (add_recipient_string(&a, optarg, &err) != 0)
				goto out;
			break;
		case 'R':
			if (add_recipients_file(&a, optarg, &err) != 0)
				goto out;
			break;
		case 'p': a.passphrase = 1; break;
		case 'P': a.passfile = optarg; a.passphrase = 1; break;
		case 'a': a.armor = 1; break;
		case 'o': a.out = optarg; break;
		case 'j':
			if ((a.threads = cli_parse_int(optarg, 1, 64)) < 0) {
				rc = cli_usage_error("seal",
				    "-j takes a number of threads from 1 to 64");
				goto done;
			}
			break;
		case 'h': fputs(seal_usage, stdout); rc = CLI_OK; goto done;
		default: rc = cli_usage_error("seal", "invalid option"); goto done;
		}
	}
	if (argc - optind > 1) {
		rc = cli_usage_error("seal", "too many arguments");
		goto done;
	}
	a.in = optind < argc ? argv[optind] : NULL;
	if (a.passphrase && a.nrcpts > 0) {
		rc = cli_usage_error("seal",
		    "-p cannot be combined with -r or -R (age requires a passphrase to stand alone)");
		goto done;
	}
	if (!a.passphrase && a.nrcpts == 0) {
		rc = cli_usage_error("seal", "no recipients: give -r, -R or -p");
		goto done;
	}
	if (a.passphrase && add_passphrase(&a, &err) != 0)
		goto out;
	if (cli_io_open(&io, a.in, a.out, a.armor, "sealing", &err) != 0)
		goto out;
	opened = 1;
	memset(&p, 0, sizeof(p));
	p.recipients = a.rcpts;
	p.nrecipients = a.nrcpts;
	p.armor = a.armor;
	p.threads = a.threads;
	p.progress = cli_progress_cb;
	p.progress_ctx = &io.progress;
	p.size_hint = io.size;
	if (cy_age_seal_fd(io.in_fd, cli_io_out_fd(&io), &p, &err) != 0)
		goto out;
	opened = 0;
	if (cli_io_close(&io, 1, &err) != 0)
		goto out;
	rc = CLI_OK;
out:
	if (opened)
		cli_io_close(&io, 0, NULL);
	if (rc == CLI_FAIL)
		cli_fail(&err, a.in);
done:
	cy_recipients_free(a.rcpts, a.nrcpts);
	return rc;
}
