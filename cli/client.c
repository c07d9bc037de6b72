/* coyeu as coyeud's client: the keyring's registry file, one libcurl
 * handle reused across a command's requests (keep-alive), signed requests
 * and the messages for refusals and failed transfers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "cli.h"
#include "client.h"
#include "common/timefmt.h"
#include "coyeu/file.h"
#include "coyeu/httpsig.h"
#include "coyeu/idkey.h"
#include "keyring.h"
#include "pki.h"

/* --- the registry file --- */

static void
pins_free(struct cli_registry_pin *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(p[i].url);
		free(p[i].vkey);
	}
	free(p);
}

void
cli_registry_conf_free(struct cli_registry_conf *rc)
{
	free(rc->url);
	free(rc->cacert);
	pins_free(rc->pins, rc->npins);
	memset(rc, 0, sizeof(*rc));
}

int
cli_registry_set_str(char **dst, const char *v)
{
	char *s = strdup(v);

	if (s == NULL) {
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	free(*dst);
	*dst = s;
	return CLI_OK;
}

const char *
cli_registry_pin(const struct cli_registry_conf *rc, const char *url)
{
	size_t i;

	for (i = 0; i < rc->npins; i++)
		if (strcmp(rc->pins[i].url, url) == 0)
			return rc->pins[i].vkey;
	return NULL;
}

int
cli_registry_set_pin(struct cli_registry_conf *rc, const char *url,
    const char *vkey)
{
	struct cli_registry_pin *p;
	size_t i;

	for (i = 0; i < rc->npins; i++)
		if (strcmp(rc->pins[i].url, url) == 0)
			return cli_registry_set_str(&rc->pins[i].vkey, vkey);
	if (rc->npins >= CLI_REGISTRY_PINS_MAX) {
		cli_warn("the keyring pins %d registries already",
		    CLI_REGISTRY_PINS_MAX);
		return CLI_FAIL;
	}
	if ((p = realloc(rc->pins, (rc->npins + 1) * sizeof(*p))) == NULL) {
		cli_warn("out of memory");
		return CLI_FAIL;
	}
	rc->pins = p;
	p += rc->npins;
	p->url = p->vkey = NULL;
	if (cli_registry_set_str(&p->url, url) != CLI_OK ||
	    cli_registry_set_str(&p->vkey, vkey) != CLI_OK) {
		free(p->url);
		return CLI_FAIL;
	}
	rc->npins++;
	return CLI_OK;
}

/* One line "WORD VALUE…" of the file; line is modified. */
static int
parse_line(struct cli_registry_conf *rc, char *line, const char *path,
    unsigned lineno)
{
	char *word = line, *v, *sp;

	if ((v = strchr(line, ' ')) == NULL)
		goto bad;
	*v++ = '\0';
	if (strcmp(word, "url") == 0 && rc->url == NULL && strchr(v, ' ') == NULL)
		return cli_registry_set_str(&rc->url, v);
	if (strcmp(word, "cacert") == 0 && rc->cacert == NULL)
		return cli_registry_set_str(&rc->cacert, v);
	if (strcmp(word, "pin") == 0 && (sp = strchr(v, ' ')) != NULL &&
	    strchr(sp + 1, ' ') == NULL) {
		*sp = '\0';
		if (cli_registry_pin(rc, v) != NULL)
			goto bad;
		return cli_registry_set_pin(rc, v, sp + 1);
	}
bad:
	cli_warn("%s, line %u: not a line of the registry file (url URL, "
	    "cacert FILE, pin URL VERIFIER-KEY, each once per URL)", path,
	    lineno);
	return CLI_FAIL;
}

int
cli_registry_conf_load(struct cli_registry_conf *rc)
{
	const char *path;
	uint8_t *data = NULL;
	size_t len;
	cy_error err = {0, ""};
	char *line, *next;
	unsigned lineno = 0;
	int rv = CLI_OK;

	memset(rc, 0, sizeof(*rc));
	if (cli_keyring_item(CLI_KR_REGISTRY, &path) != CLI_OK)
		return CLI_FAIL;
	if (path == NULL)
		return CLI_OK;
	if (cy_file_read(path, CLI_REGISTRY_FILE_MAX, &data, &len, &err) != 0)
		return cli_fail(&err, path);
	if (memchr(data, '\0', len) != NULL) {
		cli_warn("%s is not a text file", path);
		free(data);
		return CLI_FAIL;
	}
	for (line = (char *)data; rv == CLI_OK && line != NULL && *line != '\0';
	    line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (line[0] != '#' && line[0] != '\0')
			rv = parse_line(rc, line, path, lineno);
	}
	free(data);
	if (rv != CLI_OK)
		cli_registry_conf_free(rc);
	return rv;
}

int
cli_registry_conf_save(const struct cli_registry_conf *rc)
{
	cy_buf b = CY_BUF_INIT;
	cy_error err = {0, ""};
	const char *path;
	size_t i;
	int rv = CLI_OK;

	if (cli_keyring_create() != CLI_OK)
		return CLI_FAIL;
	path = cli_keyring_path(CLI_KR_REGISTRY);
	cy_buf_puts(&b, "# coyeu keyring: registries (docs/keyring.md)\n");
	if (rc->url != NULL)
		cy_buf_printf(&b, "url %s\n", rc->url);
	if (rc->cacert != NULL)
		cy_buf_printf(&b, "cacert %s\n", rc->cacert);
	for (i = 0; i < rc->npins; i++)
		cy_buf_printf(&b, "pin %s %s\n", rc->pins[i].url, rc->pins[i].vkey);
	if (cy_buf_status(&b) != 0 ||
	    cy_file_write(path, b.data, b.len, 0644, 0, &err) != 0) {
		if (err.code == 0)
			err.code = CY_E_NOMEM;
		rv = cli_fail(&err, path);
	}
	cy_buf_free(&b);
	return rv;
}

int
cli_registry_url_check(const char *cmd, const char *url, char *out,
    size_t cap)
{
	const char *host;
	size_t len = strlen(url), i;

	if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return cli_usage_error(cmd, "the registry's URL '%.80s' must start "
		    "with https:// (or http://)", url);
	while (len > 0 && url[len - 1] == '/')
		len--;
	if (len >= cap || len >= CLI_REGISTRY_URL_MAX || url + len <= host)
		return cli_usage_error(cmd, "the registry's URL '%.80s' names no "
		    "host or is too long", url);
	for (i = 0; i < len; i++)
		if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f ||
		    url[i] == '?' || url[i] == '#' || url[i] == '@')
			return cli_usage_error(cmd, "the registry's URL '%.80s' may "
			    "hold no space, control, '?', '#' or '@'", url);
	memcpy(out, url, len);
	out[len] = '\0';
	return CLI_OK;
}

/* --- the client --- */

/* The command line runs one command per process: main sets it once. */
static const char *default_url;

void
cli_client_set_default_url(const char *url)
{
	default_url = url;
}

const char *
cli_client_default_url(void)
{
	return default_url;
}

struct cli_client {
	CURL *curl;
	char url[CLI_REGISTRY_URL_MAX];
	char *cacert;
	char *vkey;              /* the pin for url, or NULL */
	const cy_key *key;
	char keyid[CY_SERIAL_HEX_LEN + 1];
	char errbuf[CURL_ERROR_SIZE];
	cy_buf answer;
	int too_big;
	size_t answer_max;   /* this request's cap: CLI_CLIENT_ANSWER_MAX, or a
	                      * file's (cli_client_get_bytes) */
	int unreached;       /* the last request got no answer */
};

const char *
cli_client_url(const cli_client *c)
{
	return c->url;
}

void
cli_client_sign_with(cli_client *c, const cy_key *key, const char *keyid)
{
	c->key = key;
	snprintf(c->keyid, sizeof(c->keyid), "%s", keyid);
}

static size_t
on_data(char *p, size_t size, size_t n, void *ctx)
{
	cli_client *c = ctx;
	size_t len = size * n; /* size is 1, as libcurl documents */

	if (len > c->answer_max - c->answer.len) {
		c->too_big = 1;
		return 0; /* stops the transfer */
	}
	cy_buf_append(&c->answer, p, len);
	return cy_buf_status(&c->answer) == 0 ? len : 0;
}

int
cli_client_open(const char *cmd, const char *url, const char *cacert,
    cli_client **out)
{
	struct cli_registry_conf rc;
	cli_client *c;
	const char *kr;
	int rv = CLI_FAIL;

	*out = NULL;
	if (cli_registry_conf_load(&rc) != CLI_OK)
		return CLI_FAIL;
	if (url == NULL)
		url = default_url;
	if (url == NULL && (url = rc.url) == NULL) {
		kr = cli_keyring_path(CLI_KR_REGISTRY);
		cli_registry_conf_free(&rc);
		return cli_usage_error(cmd, "no registry: give --registry URL, or "
		    "set one with 'coyeu keyring registry URL' (%s)",
		    kr != NULL ? kr : "no keyring");
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		cli_warn("out of memory");
		goto out;
	}
	if ((rv = cli_registry_url_check(cmd, url, c->url, sizeof(c->url))) !=
	    CLI_OK)
		goto out;
	rv = CLI_FAIL;
	if (cacert == NULL)
		cacert = rc.cacert;
	if ((cacert != NULL &&
	    cli_registry_set_str(&c->cacert, cacert) != CLI_OK) ||
	    (cli_registry_pin(&rc, c->url) != NULL &&
	    cli_registry_set_str(&c->vkey, cli_registry_pin(&rc, c->url)) != CLI_OK))
		goto out;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    (c->curl = curl_easy_init()) == NULL) {
		cli_warn("cannot start libcurl");
		goto out;
	}
	rv = CLI_OK;
out:
	cli_registry_conf_free(&rc);
	if (rv != CLI_OK)
		cli_client_free(c);
	else
		*out = c;
	return rv;
}

void
cli_client_free(cli_client *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	free(c->cacert);
	free(c->vkey);
	cy_buf_free(&c->answer);
	free(c);
}

/* Appends "Name: value" to the header list; 0, or -1 out of memory. */
static int
add_header(struct curl_slist **h, const char *name, const char *value)
{
	cy_buf line = CY_BUF_INIT;
	struct curl_slist *l = NULL;

	cy_buf_printf(&line, "%s: %s", name, value);
	if (cy_buf_status(&line) == 0)
		l = curl_slist_append(*h, (const char *)line.data);
	cy_buf_free(&line);
	if (l == NULL)
		return -1;
	*h = l;
	return 0;
}

/* The headers that describe the body and sign the request. */
static int
sign_headers(cli_client *c, const char *method, const char *target,
    const uint8_t *body, size_t len, struct curl_slist **h)
{
	cy_httpsig_request req = {method, target, NULL, NULL, NULL};
	cy_buf digest = CY_BUF_INIT, si = CY_BUF_INIT, sig = CY_BUF_INIT;
	cy_error err = {0, ""};
	int rv = CLI_FAIL;

	if (body != NULL) {
		req.content_type = "application/json";
		if (cy_httpsig_digest(body, len, &digest, &err) != 0)
			goto out;
		req.content_digest = (const char *)digest.data;
		if (add_header(h, "Content-Type", req.content_type) != 0 ||
		    add_header(h, "Content-Digest", req.content_digest) != 0)
			goto nomem;
	}
	if (c->key != NULL) {
		if (cy_httpsig_sign_request(&req, c->keyid, cmn_now(), c->key, &si,
		    &sig, &err) != 0)
			goto out;
		if (add_header(h, "Signature-Input", (const char *)si.data) != 0 ||
		    add_header(h, "Signature", (const char *)sig.data) != 0)
			goto nomem;
	}
	rv = CLI_OK;
	goto out;
nomem:
	err.code = CY_E_NOMEM;
out:
	if (rv != CLI_OK)
		cli_fail(&err, "cannot sign the request");
	cy_buf_free(&digest);
	cy_buf_free(&si);
	cy_buf_free(&sig);
	return rv;
}

/* The answer's first line, printable, for an answer that is not JSON. */
static void
answer_excerpt(const cli_client *c, char *out, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < c->answer.len && n + 1 < cap && n < 160; i++) {
		unsigned char ch = c->answer.data[i];

		if (ch == '\n')
			break;
		out[n++] = ch < ' ' || ch >= 0x7f ? '?' : (char)ch;
	}
	out[n] = '\0';
}

/* Whether a byte at s starts a control character: C0, DEL, or a C1
 * control in UTF-8 (0xC2 0x80-0x9F, which some terminals obey). */
static int
control_at(const unsigned char *s)
{
	return *s < ' ' || *s == 0x7f || (s[0] == 0xc2 && s[1] >= 0x80 &&
	    s[1] <= 0x9f);
}

int
cli_client_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (control_at((const unsigned char *)s))
			return 0;
	return 1;
}

/* A copy of s fit for the terminal (the registry is not trusted with it):
 * controls become '?'. */
static void
printable_copy(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	for (; *s != '\0' && n + 1 < cap; s++) {
		if (control_at((const unsigned char *)s)) {
			out[n++] = '?';
			if ((unsigned char)s[0] == 0xc2)
				s++;
		} else
			out[n++] = *s;
	}
	out[n] = '\0';
}

/* A refusal's message, from the answer's error and reason. */
static int
refused(const cli_client *c, long status, json_t *j)
{
	const char *code = NULL, *reason = NULL;
	char text[200], safe_reason[1024], safe_code[64];

	if (json_is_object(j)) {
		code = json_string_value(json_object_get(j, "error"));
		reason = json_string_value(json_object_get(j, "reason"));
	}
	if (code == NULL || reason == NULL) {
		answer_excerpt(c, text, sizeof(text));
		cli_warn("registry refused (%ld): %s", status,
		    text[0] ? text : "(no reason given)");
		return CLI_FAIL;
	}
	printable_copy(code, safe_code, sizeof(safe_code));
	printable_copy(reason, safe_reason, sizeof(safe_reason));
	cli_warn("registry refused (%ld %s): %s", status, safe_code, safe_reason);
	return CLI_FAIL;
}

/* One request; a 2xx answer is a JSON object into *out, or with bytes
 * not NULL the raw answer (at most max bytes) into *bytes. */
static int
request_ex(cli_client *c, const char *method, const char *path, json_t *body,
    json_t **out, cy_buf *bytes, size_t max)
{
	struct curl_slist *h = NULL, *expect;
	char target[CLI_REGISTRY_URL_MAX + 512], text[200];
	char *data = NULL;
	size_t len = 0;
	json_error_t jerr;
	json_t *j = NULL;
	CURLcode cc;
	long status = 0;
	int rv = CLI_FAIL;

	*out = NULL;
	if (snprintf(target, sizeof(target), "%s%s", c->url, path) >=
	    (int)sizeof(target)) {
		cli_warn("the request's URL is too long");
		return CLI_FAIL;
	}
	if (body != NULL) {
		if ((data = json_dumps(body, JSON_COMPACT)) == NULL) {
			cli_warn("out of memory");
			return CLI_FAIL;
		}
		len = strlen(data);
	}
	if (add_header(&h, "Accept", bytes != NULL ?
	    "application/octet-stream, application/json" :
	    "application/json") != 0 ||
	    (expect = curl_slist_append(h, "Expect:")) == NULL)
		goto nomem;
	h = expect; /* empty: curl would otherwise wait for a 100 Continue */
	if (sign_headers(c, method, target, (uint8_t *)data, len, &h) != CLI_OK)
		goto out;
	c->answer.len = 0;
	c->too_big = 0;
	c->answer_max = bytes != NULL ? max : CLI_CLIENT_ANSWER_MAX;
	c->unreached = 0;
	c->errbuf[0] = '\0';
	curl_easy_reset(c->curl); /* keeps the connection (keep-alive) */
	curl_easy_setopt(c->curl, CURLOPT_URL, target);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT,
	    (long)CLI_CLIENT_CONNECT_TIMEOUT);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, (long)CLI_CLIENT_TIMEOUT);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->cacert != NULL)
		curl_easy_setopt(c->curl, CURLOPT_CAINFO, c->cacert);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "coyeu");
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
	if (body != NULL) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, data);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	if ((cc = curl_easy_perform(c->curl)) != CURLE_OK) {
		if (c->too_big)
			cli_warn("the registry at %s answered more than %zu bytes: "
			    "refused", c->url, c->answer_max);
		else if ((c->unreached = 1))
			cli_warn("cannot reach the registry at %s: %s", c->url,
			    c->errbuf[0] ? c->errbuf : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	j = json_loadb(c->answer.data != NULL ? (const char *)c->answer.data : "",
	    c->answer.len, JSON_REJECT_DUPLICATES, &jerr);
	if (status < 200 || status > 299) {
		rv = refused(c, status, j);
		goto out;
	}
	if (bytes != NULL) {
		cy_buf_append(bytes, c->answer.data, c->answer.len);
		if (cy_buf_status(bytes) != 0)
			goto nomem;
		rv = CLI_OK;
		goto out;
	}
	if (!json_is_object(j)) {
		answer_excerpt(c, text, sizeof(text));
		cli_warn("the registry at %s answered %s %s with what is not a JSON "
		    "object (%s): %s", c->url, method, path,
		    j == NULL ? jerr.text : "another JSON value", text);
		goto out;
	}
	*out = j;
	j = NULL;
	rv = CLI_OK;
	goto out;
nomem:
	cli_warn("out of memory");
out:
	json_decref(j);
	curl_slist_free_all(h);
	free(data);
	return rv;
}

int
cli_client_get(cli_client *c, const char *path, json_t **out)
{
	return request_ex(c, "GET", path, NULL, out, NULL, 0);
}

int
cli_client_post(cli_client *c, const char *path, json_t *body, json_t **out)
{
	return request_ex(c, "POST", path, body, out, NULL, 0);
}

int
cli_client_get_bytes(cli_client *c, const char *path, size_t max,
    cy_buf *out)
{
	json_t *unused = NULL;

	return request_ex(c, "GET", path, NULL, &unused, out, max);
}

const char *
cli_client_str(const cli_client *c, json_t *obj, const char *name)
{
	const char *s = json_string_value(json_object_get(obj, name));

	if (s == NULL)
		cli_warn("the registry at %s answered without the string '%s'",
		    c->url, name);
	return s;
}

int
cli_client_verifier(const cli_client *c, cy_note_verifier **out)
{
	cy_error err = {0, ""};
	char what[CLI_REGISTRY_URL_MAX + 64];

	*out = NULL;
	if (c->vkey == NULL) {
		cli_warn("no verifier key pinned for the registry at %s: run "
		    "'coyeu keyring registry %s' first", c->url, c->url);
		return CLI_FAIL;
	}
	if (cy_note_verifier_parse(c->vkey, strlen(c->vkey), out, &err) != 0) {
		snprintf(what, sizeof(what), "the keyring's pin for %s", c->url);
		return cli_fail(&err, what);
	}
	return CLI_OK;
}

int
cli_client_officer(const char *cmd, const char *key_path,
    const char *chain_path, const char *pass_file, cy_key **key,
    cy_chain **chain, char **chain_text)
{
	uint8_t *data = NULL;
	size_t len;
	const cy_cert *leaf;

	*key = NULL;
	*chain = NULL;
	*chain_text = NULL;
	if (cli_keyring_default(cmd, CLI_KR_CHAIN, &chain_path) != CLI_OK ||
	    cli_keyring_default(cmd, CLI_KR_KEY, &key_path) != CLI_OK)
		return CLI_USAGE;
	if (cli_load_chain_data(chain_path, chain, &data, &len) != CLI_OK)
		return CLI_FAIL;
	leaf = cy_chain_get(*chain, 0);
	if (cli_idkey_load(key_path, pass_file, key) != CLI_OK)
		goto fail;
	if (memcmp(cy_key_sign_public(*key), cy_cert_sign_public(leaf),
	    CY_KEY_SIGN_PUBLIC_LEN) != 0) {
		cli_warn("the key %s is not the one certified by %s (serial %s): "
		    "give the chain of this key with -c", key_path, chain_path,
		    cy_cert_serial(leaf));
		goto fail;
	}
	if ((*chain_text = malloc(len + 1)) == NULL) {
		cli_warn("out of memory");
		goto fail;
	}
	memcpy(*chain_text, data, len);
	(*chain_text)[len] = '\0';
	free(data);
	return CLI_OK;
fail:
	free(data);
	cy_key_free(*key);
	cy_chain_free(*chain);
	*key = NULL;
	*chain = NULL;
	return CLI_FAIL;
}

int
cli_client_unreached(const cli_client *c)
{
	return c->unreached;
}
