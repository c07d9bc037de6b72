/* coyeu keygen: an age X25519 or post-quantum identity, as age-keygen
 * (-pq) writes it. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "coyeu/age.h"
#include "coyeu/buf.h"
#include "coyeu/file.h"
#include "coyeu/secret.h"

static const char keygen_usage[] =
    "usage: coyeu keygen [--pq] [-o FILE]\n"
    "\n"
    "Generates an age X25519 identity and writes it to FILE (created 0600,\n"
    "never overwriting) or to standard output. The public key (age1…) is\n"
    "printed to standard error when writing to a file.\n"
    "\n"
    "      --pq            a post-quantum hybrid identity instead\n"
    "                      (ML-KEM-768 + X25519, like age-keygen -pq):\n"
    "                      AGE-SECRET-KEY-PQ-1…, public key age1pq1…\n"
    "  -o, --output FILE   write the identity to FILE\n";

int
cli_write_identity(const cy_identity *id, const char *comment,
    const char *outpath, cy_error *err)
{
	char pub[CY_RECIPIENT_STR_MAX], sec[CY_IDENTITY_STR_MAX];
	int r;

	if ((r = cy_identity_recipient_string(id, pub, err)) == 0 &&
	    (r = cy_identity_string(id, sec, err)) == 0)
		r = cli_write_identity_text(pub, sec, comment, outpath, err);
	cy_wipe(sec, sizeof(sec));
	return r;
}

int
cli_write_identity_text(const char *pub, const char *sec,
    const char *comment, const char *outpath, cy_error *err)
{
	return cli_write_identities_text(&pub, &sec, 1, comment, outpath, err);
}

int
cli_write_identities_text(const char *const *pub, const char *const *sec,
    size_t n, const char *comment, const char *outpath, cy_error *err)
{
	cy_buf text = CY_BUF_INIT;
	size_t i;
	int r;

	cy_buf_printf(&text, "# %s\n", comment);
	for (i = 0; i < n; i++)
		cy_buf_printf(&text, "# public key: %s\n%s\n", pub[i], sec[i]);
	if ((r = cy_buf_status(&text)) != 0) {
		cy_error_set(err, r, "out of memory");
		goto out;
	}
	if (outpath != NULL && strcmp(outpath, "-") != 0) {
		if ((r = cy_file_write(outpath, text.data, text.len, 0600,
		    CY_OUT_EXCLUSIVE, err)) != 0)
			goto out;
		for (i = 0; i < n; i++)
			fprintf(stderr, "Public key: %s\n", pub[i]);
	} else if (cy_write_all(STDOUT_FILENO, text.data, text.len) != 0) {
		r = cy_error_set(err, CY_E_IO, "cannot write to standard output");
	}
out:
	cy_buf_free(&text);
	return r;
}

int
cmd_keygen(int argc, char **argv)
{
	enum { OPT_PQ = 256 };
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"pq", no_argument, NULL, OPT_PQ},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char when[64];
	const char *outpath = NULL;
	cy_identity *id = NULL;
	cy_error err = {0, ""};
	time_t now = time(NULL);
	int c, pq = 0, rc = CLI_FAIL;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': outpath = optarg; break;
		case OPT_PQ: pq = 1; break;
		case 'h': fputs(keygen_usage, stdout); return CLI_OK;
		default: return cli_usage_error("keygen", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("keygen", "unexpected argument '%s'",
		    argv[optind]);
	if ((rc = cli_check_path("keygen", "-o", outpath)) != CLI_OK)
		return rc;
	rc = CLI_FAIL;
	strftime(when, sizeof(when), "created: %Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if ((pq ? cy_identity_generate_pq(&id, &err) :
	    cy_identity_generate(&id, &err)) == 0 &&
	    cli_write_identity(id, when, outpath, &err) == 0)
		rc = CLI_OK;
	cy_identity_free(id);
	if (rc != CLI_OK)
		cli_fail(&err, "keygen");
	return rc;
}
