/* The officer's keyring: where it is, whether it may be used, and the
 * defaults the commands take from it (docs/keyring.md). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "coyeu/age.h"
#include "coyeu/document.h"
#include "coyeu/file.h"
#include "coyeu/header.h"
#include "coyeu/level.h"
#include "keyring.h"
#include "pki.h"

#define PUB_FILE_MAX 4096

static const struct {
	const char *name;
	const char *missing; /* what to do when an option needs it */
} items[CLI_KR_NITEMS] = {
	[CLI_KR_DIR] = {"", NULL},
	[CLI_KR_KEY] = {"key", "no key: give -k KEY, or create one in the "
	    "keyring with 'coyeu id new'"},
	[CLI_KR_PUB] = {"key.pub", NULL},
	[CLI_KR_CHAIN] = {"chain", "no certificate chain: give -c CHAIN, or "
	    "add yours to the keyring with 'coyeu keyring add CHAIN'"},
	[CLI_KR_ROOT] = {"root.cert", "no trusted root: give --trust ROOT, or "
	    "pin one in the keyring with 'coyeu keyring init --trust ROOT.cert'"},
	[CLI_KR_CRLS] = {"crl", NULL},
	[CLI_KR_CERTS] = {"certs", NULL},
	[CLI_KR_REGISTRY] = {"registry", NULL},
};

/* The command line runs once per process: the paths are worked out once. */
static char home[PATH_MAX];
static char paths[CLI_KR_NITEMS][PATH_MAX];
static int located = -1; /* -1 not yet, 0 no folder, 1 paths[] filled */
static int state = -2;   /* -2 not checked yet, else CLI_KR_* */

static int
locate(void)
{
	const char *v;
	size_t len;
	int i, n = -1;

	if (located >= 0)
		return located;
	located = 0;
	if ((v = getenv("COYEU_HOME")) != NULL && v[0] != '\0')
		n = snprintf(home, PATH_MAX, "%s", v);
	else if ((v = getenv("XDG_CONFIG_HOME")) != NULL && v[0] == '/')
		n = snprintf(home, PATH_MAX, "%s/coyeu", v);
	else if ((v = getenv("HOME")) != NULL && v[0] != '\0')
		n = snprintf(home, PATH_MAX, "%s/.config/coyeu", v);
	if (n < 0 || n >= PATH_MAX - 16)
		return 0;
	len = (size_t)n;
	while (len > 1 && home[len - 1] == '/')
		home[--len] = '\0';
	memcpy(paths[CLI_KR_DIR], home, len + 1);
	for (i = CLI_KR_DIR + 1; i < CLI_KR_NITEMS; i++)
		if (snprintf(paths[i], PATH_MAX, "%s/%s", home, items[i].name) >=
		    PATH_MAX)
			return 0;
	return located = 1;
}

const char *
cli_keyring_path(int item)
{
	return locate() ? paths[item] : NULL;
}

/* As ssh treats ~/.ssh: a folder others can enter or one of another user
 * is refused, since whoever writes in it chooses whom you trust. */
static int
check(const char *dir)
{
	struct stat st;
	int fd, r;

	/* The folder opened is the one judged (fstat), not a path looked up
	 * twice. */
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return CLI_KR_ABSENT;
		if (errno == ENOTDIR)
			cli_warn("keyring %s is not a folder", dir);
		else
			cli_warn("keyring %s: %m", dir);
		return CLI_KR_BROKEN;
	}
	r = fstat(fd, &st);
	close(fd);
	if (r != 0) {
		cli_warn("keyring %s: %m", dir);
		return CLI_KR_BROKEN;
	}
	if (st.st_uid != geteuid()) {
		cli_warn("keyring %s belongs to user %u, not to you (%u): it is "
		    "not used", dir, (unsigned)st.st_uid, (unsigned)geteuid());
		return CLI_KR_BROKEN;
	}
	if ((st.st_mode & 077) != 0) {
		cli_warn("keyring %s is open to others (mode %03o): it is not "
		    "used; run chmod 700 %s", dir, (unsigned)(st.st_mode & 0777),
		    dir);
		return CLI_KR_BROKEN;
	}
	return CLI_KR_READY;
}

int
cli_keyring_state(void)
{
	if (state != -2)
		return state;
	if (!locate()) {
		state = CLI_KR_ABSENT;
		return state;
	}
	return state = check(paths[CLI_KR_DIR]);
}

static int
make_dir(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return CLI_OK;
	cli_warn("cannot create the keyring folder %s: %m", path);
	return CLI_FAIL;
}

int
cli_keyring_create(void)
{
	char parent[PATH_MAX], *p;
	int created = 0;

	if (!locate()) {
		cli_warn("no keyring folder: set COYEU_HOME (or HOME)");
		return CLI_FAIL;
	}
	if ((state = check(paths[CLI_KR_DIR])) == CLI_KR_BROKEN)
		return CLI_FAIL;
	if (state == CLI_KR_ABSENT) {
		snprintf(parent, sizeof(parent), "%s", paths[CLI_KR_DIR]);
		for (p = parent + 1; (p = strchr(p, '/')) != NULL; p++) {
			*p = '\0';
			if (make_dir(parent) != CLI_OK)
				return CLI_FAIL;
			*p = '/';
		}
		if (make_dir(paths[CLI_KR_DIR]) != CLI_OK)
			return CLI_FAIL;
		/* Exactly 0700, whatever the umask. */
		if (chmod(paths[CLI_KR_DIR], 0700) != 0) {
			cli_warn("cannot chmod 700 %s: %m", paths[CLI_KR_DIR]);
			return CLI_FAIL;
		}
		created = 1;
	}
	if (make_dir(paths[CLI_KR_CRLS]) != CLI_OK ||
	    make_dir(paths[CLI_KR_CERTS]) != CLI_OK)
		return CLI_FAIL;
	if ((state = check(paths[CLI_KR_DIR])) != CLI_KR_READY)
		return CLI_FAIL;
	if (created)
		fprintf(stderr, "coyeu: created the keyring %s\n",
		    paths[CLI_KR_DIR]);
	return CLI_OK;
}

int
cli_keyring_item(int item, const char **path)
{
	*path = NULL;
	switch (cli_keyring_state()) {
	case CLI_KR_BROKEN:
		return CLI_FAIL;
	case CLI_KR_READY:
		if (access(paths[item], F_OK) == 0)
			*path = paths[item];
		break;
	}
	return CLI_OK;
}

int
cli_keyring_default(const char *cmd, int item, const char **path)
{
	if (*path != NULL)
		return CLI_OK;
	if (cli_keyring_item(item, path) != CLI_OK)
		return CLI_FAIL;
	if (*path != NULL)
		return CLI_OK;
	if (!locate())
		return cli_usage_error(cmd, "%s (no keyring: neither COYEU_HOME "
		    "nor HOME is set)", items[item].missing);
	return cli_usage_error(cmd, "%s (%s)", items[item].missing,
	    paths[item]);
}

static int
skip_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int
has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && strcmp(name + n - s, suffix) == 0;
}

int
cli_keyring_each(int item, const char *suffix,
    int (*fn)(void *ctx, const char *path), void *ctx)
{
	struct dirent **list = NULL;
	char path[PATH_MAX];
	int i, n, rc = CLI_OK;

	if (cli_keyring_state() != CLI_KR_READY)
		return cli_keyring_state() == CLI_KR_BROKEN ? CLI_FAIL : CLI_OK;
	if ((n = scandir(paths[item], &list, skip_hidden, alphasort)) < 0) {
		if (errno == ENOENT)
			return CLI_OK;
		cli_warn("cannot list %s: %m", paths[item]);
		return CLI_FAIL;
	}
	for (i = 0; i < n; i++) {
		if (rc == CLI_OK && has_suffix(list[i]->d_name, suffix)) {
			snprintf(path, sizeof(path), "%s/%s", paths[item],
			    list[i]->d_name);
			rc = fn(ctx, path);
		}
		free(list[i]);
	}
	free(list);
	return rc;
}

struct chains {
	struct cli_kr_chain *c;
	size_t n;
};

static int
collect_chain(void *ctx, const char *path)
{
	struct chains *cs = ctx;
	struct cli_kr_chain *c;
	cy_chain *chain;

	if (cli_load_chain(path, &chain) != CLI_OK)
		return CLI_OK; /* named on stderr; the others still count */
	if ((c = realloc(cs->c, (cs->n + 1) * sizeof(*c))) == NULL) {
		cy_chain_free(chain);
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	cs->c = c;
	c += cs->n;
	c->chain = chain;
	c->self = 0;
	if ((c->path = strdup(path)) == NULL) {
		cy_chain_free(chain);
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	cs->n++;
	return CLI_OK;
}

int
cli_keyring_chains(int with_self, struct cli_kr_chain **out, size_t *n)
{
	struct chains cs = {NULL, 0};
	const char *own;
	int rc = CLI_OK;

	if (with_self && (rc = cli_keyring_item(CLI_KR_CHAIN, &own)) == CLI_OK &&
	    own != NULL && (rc = collect_chain(&cs, own)) == CLI_OK && cs.n == 1)
		cs.c[0].self = 1;
	if (rc == CLI_OK)
		rc = cli_keyring_each(CLI_KR_CERTS, CLI_KR_CHAIN_SUFFIX,
		    collect_chain, &cs);
	if (rc != CLI_OK) {
		cli_keyring_chains_free(cs.c, cs.n);
		cs.c = NULL;
		cs.n = 0;
	}
	*out = cs.c;
	*n = cs.n;
	return rc;
}

void
cli_keyring_chains_free(struct cli_kr_chain *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(c[i].path);
		cy_chain_free(c[i].chain);
	}
	free(c);
}

void
cli_keyring_describe(const cy_cert *c, char *buf, size_t cap)
{
	char lv[64];

	snprintf(buf, cap, "%s, %s, %s, serial %s", cy_cert_name(c),
	    cy_cert_unit(c), cli_level_text(cy_cert_clearance(c), lv,
	    sizeof(lv)), cy_cert_serial(c));
}

static int
matches(const cy_cert *leaf, const char *what)
{
	return strcasecmp(cy_cert_serial(leaf), what) == 0 ||
	    strcmp(cy_cert_name(leaf), what) == 0 ||
	    strcmp(cy_cert_unit(leaf), what) == 0;
}

static void
list_candidates(const struct cli_kr_chain *c, size_t n, const char *what)
{
	char line[1024];
	size_t i;

	for (i = 0; i < n; i++) {
		if (what != NULL && !matches(cy_chain_get(c[i].chain, 0), what))
			continue;
		cli_keyring_describe(cy_chain_get(c[i].chain, 0), line,
		    sizeof(line));
		fprintf(stderr, "  %s%s\n", line, c[i].self ? " (you)" : "");
	}
}

static size_t
count_matches(const struct cli_kr_chain *c, size_t n, const char *what,
    size_t *hit)
{
	size_t i, found = 0;

	for (i = 0; i < n; i++)
		if (matches(cy_chain_get(c[i].chain, 0), what)) {
			found++;
			*hit = i;
		}
	return found;
}

/* The refusals of resolve(), each naming what the keyring knows. */
static int
refuse(const struct cli_kr_chain *c, size_t n, size_t found, const char *what,
    const char *opt, int file, const char *nf)
{
	if (file) {
		cli_warn("%s '%s' is ambiguous: a file of that name is in this "
		    "folder and the keyring knows the officer%s below; write "
		    "./%s for the file, or the serial for the officer:", opt,
		    what, found == 1 ? "" : "s", what);
		list_candidates(c, n, what);
		return CLI_USAGE;
	}
	if (found > 1) {
		cli_warn("%s '%s' matches %zu certificates in the keyring; give "
		    "the serial of one:", opt, what, found);
		list_candidates(c, n, what);
	} else if (n == 0) {
		cli_warn("%s '%s': %sthe keyring (%s) knows no certificates; "
		    "add them with 'coyeu keyring add CHAIN'", opt, what, nf,
		    locate() ? paths[CLI_KR_DIR] : "none");
	} else {
		cli_warn("%s '%s': %sno certificate in the keyring has that "
		    "serial, name or unit; it knows:", opt, what, nf);
		list_candidates(c, n, NULL);
	}
	return CLI_FAIL;
}

/* `what` in the keyring: exactly one match gives *path (a copy).  When a
 * file of that name exists too (file), any match makes it ambiguous, and
 * none leaves *path NULL: the file it is. */
static int
resolve(const char *what, const char *opt, int file, const char *nf,
    char **path)
{
	struct cli_kr_chain *c;
	size_t n, found, hit = 0;
	int rc = CLI_OK;

	*path = NULL;
	if (cli_keyring_chains(1, &c, &n) != CLI_OK)
		return CLI_FAIL;
	found = count_matches(c, n, what, &hit);
	if (found == 1 && !file) {
		if ((*path = strdup(c[hit].path)) == NULL) {
			cli_warn("out of memory");
			rc = CLI_FAIL;
		}
	} else if (found > 0 || !file) {
		rc = refuse(c, n, found, what, opt, file, nf);
	}
	cli_keyring_chains_free(c, n);
	return rc;
}

int
cli_keyring_find(const char *what, const char *opt, int no_file,
    char **path)
{
	return resolve(what, opt, 0, no_file ? "no such file, and " : "", path);
}

int
cli_keyring_load_chain(const char *what, const char *opt, cy_chain **out)
{
	char *path;
	int rc;

	*out = NULL;
	/* Written as a path: a file, never looked up. */
	if (what[0] == '/' || what[0] == '.')
		return cli_load_chain(what, out);
	if ((rc = resolve(what, opt, access(what, F_OK) == 0,
	    "no such file, and ", &path)) != CLI_OK)
		return rc;
	rc = cli_load_chain(path != NULL ? path : what, out);
	free(path);
	return rc;
}

/* 1 when the age file at path starts with a passphrase (scrypt) stanza. */
static int
passphrase_sealed(const char *path)
{
	cy_header h;
	cy_error err = {0, ""};
	char mark;
	int fd, r = 0;

	if (path == NULL || strcmp(path, "-") == 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	if (cy_doc_inspect_fd(fd, &h, &mark, &err) == 0) {
		r = h.nstanzas > 0 && strcmp(h.stanzas[0].type, "scrypt") == 0;
		cy_header_free(&h);
	}
	close(fd);
	return r;
}

int
cli_keyring_open_key(const char *in, const char **key)
{
	*key = NULL;
	if (passphrase_sealed(in))
		return CLI_OK;
	return cli_keyring_item(CLI_KR_KEY, key);
}

int
cli_keyring_write_pub(const char *recipient)
{
	cy_error err = {0, ""};
	char text[512];
	int n;

	n = snprintf(text, sizeof(text), "# coyeu keyring: the sealing key of "
	    "./key, as an age recipient\n%s\n", recipient);
	if (!locate() || n < 0 || (size_t)n >= sizeof(text))
		return CLI_FAIL;
	if (cy_file_write(paths[CLI_KR_PUB], text, (size_t)n, 0644, 0, &err) != 0)
		return cli_fail(&err, paths[CLI_KR_PUB]);
	return CLI_OK;
}

int
cli_keyring_pub(char *out, size_t cap)
{
	cy_recipient **r = NULL;
	cy_error err = {0, ""};
	const char *pub, *line, *next;
	uint8_t *data = NULL;
	size_t len = 0, n = 0, l;
	int rc = CLI_FAIL;

	out[0] = '\0';
	if (cli_keyring_item(CLI_KR_PUB, &pub) != CLI_OK || pub == NULL)
		return CLI_OK;
	if (cy_file_read(pub, PUB_FILE_MAX, &data, &len, &err) != 0 ||
	    cy_recipients_file_parse(data, len, &r, &n, &err) != 0) {
		cli_fail(&err, pub);
		goto out;
	}
	if (n != 1) {
		cli_warn("%s holds %zu recipients instead of one", pub, n);
		goto out;
	}
	/* It parsed: the one line that is neither blank nor a comment. */
	for (line = (const char *)data; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			next++;
		l = strcspn(line, "\r\n");
		if (l > 0 && line[0] != '#' && l < cap) {
			memcpy(out, line, l);
			out[l] = '\0';
			rc = CLI_OK;
			break;
		}
	}
out:
	cy_recipients_free(r, n);
	free(data);
	return rc;
}

int
cli_keyring_is_own(const cy_cert *leaf)
{
	char pub[CY_RECIPIENT_STR_MAX];

	return cli_keyring_pub(pub, sizeof(pub)) == CLI_OK &&
	    strcmp(pub, cy_cert_seal_recipient(leaf)) == 0;
}
