/* coyeu as coyeud's client (docs/coyeud.md): one HTTP client per command,
 * its registry's URL and pinned verifier key taken from the keyring's
 * `registry` file (docs/keyring.md) unless --registry names another,
 * requests signed by an officer's key (RFC 9421, include/coyeu/httpsig.h),
 * answers parsed as JSON and refusals printed as the command line's
 * messages.  Every function prints what went wrong and returns CLI_OK or
 * CLI_FAIL (CLI_USAGE where it says). */
#ifndef COYEU_CLI_CLIENT_H
#define COYEU_CLI_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "coyeu/buf.h"
#include "coyeu/cert.h"
#include "coyeu/key.h"
#include "coyeu/note.h"

#define CLI_CLIENT_CONNECT_TIMEOUT 10  /* seconds */
#define CLI_CLIENT_TIMEOUT 60          /* seconds, a whole request */
#define CLI_CLIENT_ANSWER_MAX (16 * 1024 * 1024)
#define CLI_REGISTRY_URL_MAX 2048
#define CLI_REGISTRY_PINS_MAX 256
#define CLI_REGISTRY_FILE_MAX (256 * 1024)

/* --- the keyring's `registry` file ---
 *
 *   # coyeu keyring: registries (docs/keyring.md)
 *   url https://reg.example:8443
 *   cacert /home/an/.config/coyeu/ca.pem
 *   pin https://reg.example:8443 registry.example/hcm+0a1b2c3d+AQ…
 *
 * `url` the default registry, `cacert` the CA file TLS trusts (absent: the
 * system's), one `pin` per registry met: its verifier key, pinned the first
 * time, as ssh's known_hosts. */
struct cli_registry_pin {
	char *url;
	char *vkey;
};
struct cli_registry_conf {
	char *url;
	char *cacert;
	struct cli_registry_pin *pins;
	size_t npins;
};

/* Reads the keyring's file; an absent file (or keyring) is an empty conf. */
int cli_registry_conf_load(struct cli_registry_conf *rc);
/* Writes it atomically (0644 in the 0700 keyring). */
int cli_registry_conf_save(const struct cli_registry_conf *rc);
void cli_registry_conf_free(struct cli_registry_conf *rc);
/* The pinned verifier key string for url, or NULL. */
const char *cli_registry_pin(const struct cli_registry_conf *rc,
    const char *url);
/* Replaces a string field (url, cacert) with a copy of v. */
int cli_registry_set_str(char **field, const char *v);
/* Sets (adds or replaces) url's pin. */
int cli_registry_set_pin(struct cli_registry_conf *rc, const char *url,
    const char *vkey);

/* A URL as the keyring keeps it: http:// or https://, a host, no query or
 * fragment, no user, trailing '/' removed.  CLI_USAGE after a usage error
 * for cmd. */
int cli_registry_url_check(const char *cmd, const char *url, char *out,
    size_t cap);

/* --- the client --- */

typedef struct cli_client cli_client;

/* `coyeu --registry URL COMMAND`: the URL the commands take when their
 * own --registry is left out; cli_client_default_url() is it, or NULL. */
void cli_client_set_default_url(const char *url);
const char *cli_client_default_url(void);

/* A client for url (NULL: the global --registry, else the keyring's
 * registry; none is a usage error
 * naming both ways) trusting cacert (NULL: the keyring's, else the
 * system's CAs).  TLS certificates and names are always verified; no
 * redirect is followed (a signature covers the URL). */
int cli_client_open(const char *cmd, const char *url, const char *cacert,
    cli_client **out);
void cli_client_free(cli_client *c);
const char *cli_client_url(const cli_client *c);

/* Signs the following requests with key (which must outlive the client)
 * as keyid, the signer's certificate serial. */
void cli_client_sign_with(cli_client *c, const cy_key *key, const char *keyid);

/* GET path ("/v1/registry") or POST path with body (compact JSON,
 * Content-Type and Content-Digest set): the answer's JSON object in *out
 * (json_decref it).  A refusal prints "registry refused (STATUS ERROR):
 * REASON", a failed transfer "cannot reach the registry at URL: WHY". */
int cli_client_get(cli_client *c, const char *path, json_t **out);
int cli_client_post(cli_client *c, const char *path, json_t *body,
    json_t **out);
/* GET path whose answer is bytes (a sealed file): at most max of them,
 * appended to out. */
int cli_client_get_bytes(cli_client *c, const char *path, size_t max,
    cy_buf *out);

/* 1 when the last request got no answer (connection, timeout): the
 * registry may or may not have served it. */
int cli_client_unreached(const cli_client *c);

/* The verifier key pinned for the client's URL (keyring registry URL pins
 * it); none is refused, saying to run that. */
int cli_client_verifier(const cli_client *c, cy_note_verifier **out);

/* 1 when s holds no control character (C0, DEL, C1 in UTF-8). */
int cli_client_printable(const char *s);

/* A string member of an answer, or NULL after saying the answer lacks it. */
const char *cli_client_str(const cli_client *c, json_t *obj, const char *name);

/* The officer who signs: the key (-k, else the keyring's) and the chain
 * (-c, else the keyring's), whose leaf must hold the key's signing key. */
int cli_client_officer(const char *cmd, const char *key_path,
    const char *chain_path, const char *pass_file, cy_key **key,
    cy_chain **chain, char **chain_text);

#endif
