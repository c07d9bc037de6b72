/* coyeud — the registry server (docs/coyeud.md): `coyeud init` creates the
 * store and the register, `coyeud --config FILE` serves it (main.c). */
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timefmt.h"
#include "coyeu/file.h"
#include "coyeu/secret.h"
#include "coyeu/version.h"
#include "docs.h"
#include "internal.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2

static const char usage[] =
    "usage: coyeud --config FILE          serve the registry\n"
    "       coyeud init --config FILE     create its store and register\n"
    "       coyeud --help | --version\n"
    "\n"
    "FILE holds `key = value` lines (see dist/coyeud.conf): at least db,\n"
    "key (the registry's unprotected officer key, 0600), chain (its --role\n"
    "registry chain) and trust (the pinned root certificate).  init creates\n"
    "the store named by db and the register, whose checkpoints the key\n"
    "signs under the origin (default coyeu.<unit>/register).  Serving logs\n"
    "JSON lines on stderr; SIGTERM or SIGINT stops accepting, finishes the\n"
    "requests in flight and exits 0.\n";

static int
fail(const char *what, const cy_error *err)
{
	fprintf(stderr, "coyeud: %s%s%s\n", what, err != NULL ? ": " : "",
	    err != NULL ? err->msg : "");
	return EXIT_FAIL;
}

/* The registry's identity: key, chain (verified against the root, its
 * leaf a registry holding this key), origin and checkpoint signer. */
static int
load_identity(cyd_server *srv)
{
	cy_error err = {0, ""};
	const cy_cert *leaf;
	uint8_t *data = NULL;
	size_t len;
	char origin[CY_ORIGIN_MAX + 1];

	if (cy_idkey_load(srv->cfg.key, NULL, NULL, &srv->key, &err) != 0)
		return fail(err.code == CY_E_USAGE ? "cannot open key (a "
		    "registry's key must be unprotected: coyeu id new "
		    "--unprotected)" : "cannot open key", &err);
	if (cy_file_read(srv->cfg.trust, CY_CERT_MAX, &data, &len, &err) != 0 ||
	    cy_cert_parse(data, len, &srv->root, &err) != 0) {
		free(data);
		return fail("cannot read the trust root (trust =)", &err);
	}
	free(data);
	if (!cy_cert_is_self_signed(srv->root) ||
	    cy_cert_role(srv->root) != CY_ROLE_AUTHORITY)
		return fail("trust = must name a root authority's self-signed "
		    "certificate", NULL);
	if (cy_file_read(srv->cfg.chain, CY_CHAIN_FILE_MAX, &data, &len,
	    &err) != 0 || cy_chain_parse(data, len, &srv->chain, &err) != 0) {
		free(data);
		return fail("cannot read the registry's chain (chain =)", &err);
	}
	srv->chain_text = (char *)data; /* NUL-terminated by cy_file_read */
	leaf = cy_chain_get(srv->chain, 0);
	if (cy_cert_role(leaf) != CY_ROLE_REGISTRY) {
		fprintf(stderr, "coyeud: the chain's certificate (serial %s) has "
		    "role %s, not registry: issue one with `coyeu cert issue "
		    "--role registry`\n", cy_cert_serial(leaf),
		    cy_role_name(cy_cert_role(leaf)) != NULL ?
		    cy_role_name(cy_cert_role(leaf)) : "?");
		return EXIT_FAIL;
	}
	if (cy_chain_verify(srv->chain, srv->root, NULL, 0, cmn_now(), NULL,
	    &err) != 0)
		return fail("the registry's chain does not verify against the "
		    "trust root", &err);
	if (memcmp(cy_cert_sign_public(leaf), cy_idkey_sign_public(srv->key),
	    CY_SIGN_PUBLIC_LEN) != 0) {
		fprintf(stderr, "coyeud: key %s is not the key of the chain's "
		    "certificate (serial %s)\n", srv->cfg.key,
		    cy_cert_serial(leaf));
		return EXIT_FAIL;
	}
	if (srv->cfg.origin != NULL)
		snprintf(origin, sizeof(origin), "%s", srv->cfg.origin);
	else
		snprintf(origin, sizeof(origin), "coyeu.%s/register",
		    cy_cert_unit(leaf));
	if ((srv->origin = strdup(origin)) == NULL)
		return fail("out of memory", NULL);
	if (cy_note_signer_from_key(srv->origin, srv->key, &srv->signer,
	    &err) != 0)
		return fail("bad origin (origin =)", &err);
	if (cy_identity_from_key(srv->key, &srv->seal_id, &err) != 0)
		return fail("cannot use the key's sealing half", &err);
	if (cyd_doc_cache_new(&srv->docs) != 0)
		return fail("out of memory", NULL);
	srv->drv = cy_store_driver_for(srv->cfg.db, &srv->dsn);
	return 0;
}

static void
server_free(cyd_server *srv)
{
	cyd_reader_pool_free(srv);
	cyd_metrics_free(srv->metrics);
	cy_note_signer_free(srv->signer);
	cy_identity_free(srv->seal_id);
	cyd_doc_cache_free(srv->docs);
	cy_idkey_free(srv->key);
	cy_chain_free(srv->chain);
	cy_cert_free(srv->root);
	free(srv->chain_text);
	free(srv->origin);
	cyd_config_free(&srv->cfg);
	pthread_mutex_destroy(&srv->pool_lock);
}

static int
do_init(cyd_server *srv)
{
	char vkey[CY_NOTE_KEY_STR_MAX];
	cy_error err = {0, ""};
	cy_store *s = NULL;
	int rc;

	if (cy_store_open(srv->drv, srv->dsn, CY_STORE_CREATE, &s, &err) != 0)
		return fail("cannot create the store (db =; an existing one is "
		    "never taken over)", &err);
	rc = cy_log_create_store(s, srv->signer, NULL, NULL, &err);
	cy_store_close(s);
	if (rc != 0)
		return fail("cannot create the register", &err);
	cy_note_signer_verifier_string(srv->signer, vkey);
	printf("created the register %s\norigin: %s\nverifier key: %s\n",
	    srv->cfg.db, srv->origin, vkey);
	return 0;
}

/* Brings the store's schema up to date and checks it holds this
 * registry's register. */
static int
check_store(cyd_server *srv)
{
	cy_error err = {0, ""};
	cy_store *s = NULL;
	cy_log *l = NULL;
	int rc = EXIT_FAIL;

	if (cy_store_open(srv->drv, srv->dsn, 0, &s, &err) != 0) {
		fail("cannot open the store (db =; `coyeud init` creates it)",
		    &err);
		goto out;
	}
	if (cy_store_has(s, 2)) {
		if (s->drv->begin(s, 1, &err) != 0 || s->drv->migrate(s, &err) != 0 ||
		    s->drv->commit(s, &err) != 0) {
			s->drv->rollback(s);
			fail("cannot bring the store's schema up to date", &err);
			goto out;
		}
	}
	if (cy_log_open_store(s, NULL, &l, &err) != 0) {
		fail("cannot open the register", &err);
		goto out;
	}
	if (strcmp(cy_log_origin(l), srv->origin) != 0) {
		fprintf(stderr, "coyeud: the register's origin is %s, not %s "
		    "(origin =)\n", cy_log_origin(l), srv->origin);
		goto out;
	}
	if (memcmp(cy_note_verifier_key(cy_log_verifier(l)),
	    cy_idkey_sign_public(srv->key), CY_SIGN_PUBLIC_LEN) != 0) {
		fprintf(stderr, "coyeud: the register's checkpoints are signed by "
		    "another key than %s\n", srv->cfg.key);
		goto out;
	}
	srv->size = cy_log_size(l);
	rc = 0;
out:
	cy_log_close(l);
	cy_store_close(s);
	return rc;
}

static int
serve(cyd_server *srv)
{
	cy_error err = {0, ""};
	sigset_t stop;
	int sig, rc;

	if ((rc = check_store(srv)) != 0)
		return rc;
	/* Every thread started from here on leaves SIGTERM and SIGINT to
	 * sigwait below; a broken pipe is an error return, not a death. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (cyd_metrics_new(&srv->metrics) != 0)
		return fail("out of memory", NULL);
	if (cyd_writer_start(srv, &srv->writer, &err) != 0)
		return fail("cannot start the writer", &err);
	if (cyd_witness_start(srv, &err) != 0) {
		cyd_writer_stop(srv->writer);
		return fail("cannot start witnessing", &err);
	}
	if (cyd_http_start(srv) != 0) {
		cyd_witness_stop(srv);
		cyd_writer_stop(srv->writer);
		return EXIT_FAIL;
	}
	cyd_log(CYD_INFO, "serving", "origin", srv->origin, "db", srv->cfg.db,
	    "version", cy_version(), NULL);
	sigwait(&stop, &sig);
	cyd_log(CYD_INFO, "stopping", "signal", sig == SIGTERM ? "TERM" : "INT",
	    NULL);
	cyd_http_stop(srv);
	cyd_witness_stop(srv);
	cyd_writer_stop(srv->writer);
	srv->writer = NULL;
	cyd_log(CYD_INFO, "stopped", NULL);
	return 0;
}

static int
level_of(const char *name)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return CYD_INFO;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL;
	cy_error err = {0, ""};
	cyd_server srv;
	int c, init = 0, rc;

	/* Keep freed heap memory instead of giving it back to the kernel
	 * after each request and faulting it in again: glibc's trimming
	 * (madvise, munmap: a TLB shootdown on every core) and regrowth were
	 * a third of a release's CPU (docs/performance.md, "Releases"). */
	(void)mallopt(M_MMAP_THRESHOLD, 4 << 20);
	(void)mallopt(M_TRIM_THRESHOLD, 128 << 20);
	/* `coyeud init --config FILE`: the command comes first. */
	if (argc > 1 && strcmp(argv[1], "init") == 0) {
		init = 1;
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V': printf("coyeud %s\n", cy_version()); return 0;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "coyeud: unexpected argument '%s'\n%s",
		    argv[optind], usage);
		return EXIT_USAGE;
	}
	if (config == NULL) {
		fprintf(stderr, "coyeud: give --config FILE\n%s", usage);
		return EXIT_USAGE;
	}
	if (cy_init() != 0) {
		fputs("coyeud: the crypto library did not start\n", stderr);
		return EXIT_FAIL;
	}
	memset(&srv, 0, sizeof(srv));
	pthread_mutex_init(&srv.pool_lock, NULL);
	if (cyd_config_load(config, &srv.cfg, &err) != 0) {
		fprintf(stderr, "coyeud: %s\n", err.msg);
		server_free(&srv);
		return err.code == CY_E_IO ? EXIT_FAIL : EXIT_USAGE;
	}
	cyd_log_level(level_of(srv.cfg.log_level));
	if ((rc = load_identity(&srv)) == 0)
		rc = init ? do_init(&srv) : serve(&srv);
	server_free(&srv);
	return rc;
}
