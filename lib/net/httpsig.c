/* RFC 9421 HTTP Message Signatures (Ed25519) and RFC 9530 Content-Digest
 * (sha-256), with the RFC 8941 structured-field parsing they need.
 * docs/httpsig.md.
 *
 * The parser takes exactly what RFC 8941 allows for the two fields and
 * refuses the rest with the offset of the fault; what RFC 9421 allows but
 * coyeu does not handle (component parameters such as ;sf ;key ;bs ;req
 * ;tr, unknown signature parameters) is refused, never silently ignored:
 * a verifier that mis-reads a component signs off on something else. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "base/crypto.h"
#include "coyeu/encoding.h"
#include "coyeu/httpsig.h"
#include "coyeu/secret.h"

#define KEY_MAX 64          /* an RFC 8941 key (a label, a parameter) */
#define LABELS_MAX 8        /* signatures in one field */
#define SIG_MAX 128         /* decoded signature bytes taken */
#define BASE_MAX 65536      /* a signature base */
#define INT_DIGITS_MAX 15   /* RFC 8941 §3.3.1 */
#define NONCE_BYTES 16      /* 128 random bits */

/* ---- the signature parameters, in a table so parsing, serialising and
 * the getters share one description ---- */

enum param { P_CREATED, P_EXPIRES, P_NONCE, P_ALG, P_KEYID, P_TAG, P_COUNT };

static const struct {
	const char *name;
	int is_integer;
} param_desc[P_COUNT] = {
	[P_CREATED] = {"created", 1}, [P_EXPIRES] = {"expires", 1},
	[P_NONCE] = {"nonce", 0},     [P_ALG] = {"alg", 0},
	[P_KEYID] = {"keyid", 0},     [P_TAG] = {"tag", 0},
};

struct cy_httpsig {
	char label[KEY_MAX + 1];
	char *components[CY_HTTPSIG_COMPONENTS_MAX];
	size_t ncomponents;
	/* Parameters in the order received: the signature base repeats them
	 * so. */
	enum param order[P_COUNT];
	size_t nparams;
	int present[P_COUNT];
	int64_t number[P_COUNT];
	char *string[P_COUNT];
	uint8_t sig[SIG_MAX];
	size_t siglen;
};

static void
sig_clear(cy_httpsig *h)
{
	size_t i;

	for (i = 0; i < h->ncomponents; i++)
		free(h->components[i]);
	for (i = 0; i < P_COUNT; i++)
		free(h->string[i]);
	memset(h, 0, sizeof(*h));
}

void
cy_httpsig_free(cy_httpsig *h)
{
	if (h == NULL)
		return;
	sig_clear(h);
	free(h);
}

const char *
cy_httpsig_keyid(const cy_httpsig *h)
{
	return h->string[P_KEYID];
}

const char *
cy_httpsig_nonce(const cy_httpsig *h)
{
	return h->string[P_NONCE];
}

const char *
cy_httpsig_alg(const cy_httpsig *h)
{
	return h->string[P_ALG];
}

int
cy_httpsig_has_created(const cy_httpsig *h)
{
	return h->present[P_CREATED];
}

int64_t
cy_httpsig_created(const cy_httpsig *h)
{
	return h->number[P_CREATED];
}

size_t
cy_httpsig_component_count(const cy_httpsig *h)
{
	return h->ncomponents;
}

const char *
cy_httpsig_component_name(const cy_httpsig *h, size_t i)
{
	return i < h->ncomponents ? h->components[i] : NULL;
}

int
cy_httpsig_covers(const cy_httpsig *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->ncomponents; i++)
		if (strcmp(h->components[i], name) == 0)
			return 1;
	return 0;
}

/* ---- component names ---- */

static const char *const derived_names[] = {
	"@method", "@target-uri", "@authority", "@scheme", "@request-target",
	"@path", "@query", NULL,
};

/* Lower-case tchar (RFC 9110 §5.6.2): what a field name may hold once
 * lower-cased, as RFC 9421 §2.1 asks. */
static int
is_lower_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* A component identifier coyeu handles: a known derived component or a
 * lower-case field name. */
static int
check_component_name(const char *name, cy_error *err)
{
	size_t i;

	if (name[0] == '@') {
		for (i = 0; derived_names[i] != NULL; i++)
			if (strcmp(name, derived_names[i]) == 0)
				return 0;
		if (strcmp(name, "@query-param") == 0)
			return cy_error_set(err, CY_E_FORMAT,
			    "the component \"@query-param\" (it needs ;name) is not supported");
		if (strcmp(name, "@status") == 0)
			return cy_error_set(err, CY_E_FORMAT,
			    "the component \"@status\" belongs to responses, not requests");
		return cy_error_set(err, CY_E_FORMAT,
		    "unknown derived component \"%.64s\"", name);
	}
	if (name[0] == '\0')
		return cy_error_set(err, CY_E_FORMAT, "an empty component name");
	for (i = 0; name[i] != '\0'; i++)
		if (!is_lower_tchar((unsigned char)name[i]))
			return cy_error_set(err, CY_E_FORMAT,
			    "the component \"%.64s\" is not a lower-case field name "
			    "(character %zu)", name, i + 1);
	return 0;
}

/* Adds a component, refusing a bad name, one too many or a repeat. */
static int
add_component(cy_httpsig *h, const char *name, size_t len, cy_error *err)
{
	char *copy;
	int r;

	if (h->ncomponents == CY_HTTPSIG_COMPONENTS_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE,
		    "the signature covers more than %d components",
		    CY_HTTPSIG_COMPONENTS_MAX);
	if ((copy = malloc(len + 1)) == NULL)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	memcpy(copy, name, len);
	copy[len] = '\0';
	if (strlen(copy) != len || (r = check_component_name(copy, err)) != 0) {
		r = strlen(copy) != len ? cy_error_set(err, CY_E_FORMAT,
		    "a component name holds a NUL") : r;
		free(copy);
		return r;
	}
	if (cy_httpsig_covers(h, copy)) {
		r = cy_error_set(err, CY_E_FORMAT,
		    "the signature covers \"%.64s\" twice", copy);
		free(copy);
		return r;
	}
	h->components[h->ncomponents++] = copy;
	return 0;
}

/* Sets a parameter; a repeat is refused (RFC 8941 would keep the last,
 * which would let one field read two ways). */
static int
set_param(cy_httpsig *h, enum param p, int64_t number, const char *s,
    size_t len, cy_error *err)
{
	if (h->present[p])
		return cy_error_set(err, CY_E_FORMAT,
		    "the signature parameter %s is given twice", param_desc[p].name);
	if (!param_desc[p].is_integer) {
		if ((h->string[p] = malloc(len + 1)) == NULL)
			return cy_error_set(err, CY_E_NOMEM, "out of memory");
		memcpy(h->string[p], s, len);
		h->string[p][len] = '\0';
	} else if (number < 0) {
		return cy_error_set(err, CY_E_FORMAT,
		    "the signature parameter %s is negative", param_desc[p].name);
	}
	h->number[p] = number;
	h->present[p] = 1;
	h->order[h->nparams++] = p;
	return 0;
}

/* ---- RFC 8941 serialisation ---- */

/* An sf-string's characters: printable ASCII. */
static int
is_sf_string(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

static void
put_sf_string(cy_buf *b, const char *s)
{
	cy_buf_puts(b, "\"");
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			cy_buf_puts(b, "\\");
		cy_buf_append(b, s, 1);
	}
	cy_buf_puts(b, "\"");
}

/* The inner list with its parameters: the Signature-Input member's value
 * and the @signature-params line's (RFC 9421 §2.3). */
static void
put_signature_params(cy_buf *b, const cy_httpsig *h)
{
	size_t i;
	enum param p;

	cy_buf_puts(b, "(");
	for (i = 0; i < h->ncomponents; i++) {
		if (i > 0)
			cy_buf_puts(b, " ");
		put_sf_string(b, h->components[i]);
	}
	cy_buf_puts(b, ")");
	for (i = 0; i < h->nparams; i++) {
		p = h->order[i];
		cy_buf_printf(b, ";%s=", param_desc[p].name);
		if (param_desc[p].is_integer)
			cy_buf_printf(b, "%" PRId64, h->number[p]);
		else
			put_sf_string(b, h->string[p]);
	}
}

/* ---- RFC 8941 parsing ---- */

struct sf {
	const char *start, *p;
	const char *field; /* for messages */
	cy_error *err;
};

static int
sf_fail(struct sf *s, const char *fmt, ...) CY_PRINTF(2, 3);

static int
sf_fail(struct sf *s, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return cy_error_set(s->err, CY_E_FORMAT, "%s: %s (at character %zu)",
	    s->field, what, (size_t)(s->p - s->start) + 1);
}

static void
sf_skip_sp(struct sf *s)
{
	while (*s->p == ' ')
		s->p++;
}

static void
sf_skip_ows(struct sf *s)
{
	while (*s->p == ' ' || *s->p == '\t')
		s->p++;
}

/* key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" ) */
static int
sf_key(struct sf *s, char out[KEY_MAX + 1])
{
	size_t n = 0;
	char c = *s->p;

	if (!((c >= 'a' && c <= 'z') || c == '*'))
		return sf_fail(s, "expected a key (a lower-case name)");
	while ((c = *s->p) != '\0' && ((c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || strchr("_-.*", c) != NULL)) {
		if (n == KEY_MAX)
			return sf_fail(s, "a key longer than %d characters",
			    KEY_MAX);
		out[n++] = c;
		s->p++;
	}
	out[n] = '\0';
	return 0;
}

/* sf-string, at its opening quote; the unescaped text goes to out. */
static int
sf_string(struct sf *s, cy_buf *out)
{
	unsigned char c;

	if (*s->p != '"')
		return sf_fail(s, "expected a string");
	s->p++;
	for (;;) {
		c = (unsigned char)*s->p;
		if (c == '\0')
			return sf_fail(s, "unterminated string");
		s->p++;
		if (c == '"')
			break;
		if (c == '\\') {
			c = (unsigned char)*s->p;
			if (c != '"' && c != '\\')
				return sf_fail(s, "a backslash escapes only \" and \\ in a string");
			s->p++;
		} else if (c < 0x20 || c > 0x7e) {
			s->p--;
			return sf_fail(s, "a string holds the byte 0x%02x", c);
		}
		cy_buf_append(out, &c, 1);
	}
	cy_buf_append(out, "", 0);
	return cy_buf_status(out) != 0 ?
	    cy_error_set(s->err, CY_E_NOMEM, "out of memory") : 0;
}

/* sf-integer; a decimal (a '.') is refused where an integer is asked. */
static int
sf_integer(struct sf *s, int64_t *out)
{
	int neg = 0;
	size_t n = 0;
	int64_t v = 0;

	if (*s->p == '-') {
		neg = 1;
		s->p++;
	}
	if (*s->p < '0' || *s->p > '9')
		return sf_fail(s, "expected an integer");
	while (*s->p >= '0' && *s->p <= '9') {
		if (++n > INT_DIGITS_MAX)
			return sf_fail(s, "an integer of more than %d digits",
			    INT_DIGITS_MAX);
		v = v * 10 + (*s->p - '0');
		s->p++;
	}
	if (*s->p == '.')
		return sf_fail(s, "a decimal where an integer is expected");
	*out = neg ? -v : v;
	return 0;
}

/* sf-binary, ":" base64 ":" with the standard alphabet and padding. */
static int
sf_bytes(struct sf *s, uint8_t *out, size_t cap, size_t *len)
{
	const char *b64;
	size_t n;

	if (*s->p != ':')
		return sf_fail(s, "expected a byte sequence (:base64:)");
	b64 = ++s->p;
	n = strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/=");
	s->p += n;
	if (*s->p != ':')
		return sf_fail(s, *s->p == '\0' ? "unterminated byte sequence" :
		    "a byte sequence holds a character outside base64");
	/* The decoded size, padding taken off, before decoding into out. */
	if (n % 4 == 0 && n > 0 && n / 4 * 3 - (b64[n - 1] == '=') -
	    (b64[n - 2] == '=') > cap)
		return sf_fail(s, "a byte sequence longer than %zu bytes", cap);
	if (n % 4 != 0 || cy_b64_decode(out, len, b64, n, 1) != 0) {
		s->p = b64;
		return sf_fail(s, "a byte sequence that is not canonical padded base64");
	}
	s->p++;
	return 0;
}

/* The parameters of a covered component: coyeu supports none of them
 * (;sf ;key ;bs ;req ;tr ;name change what is signed), so any is refused,
 * named. */
static int
sf_refuse_component_params(struct sf *s, const char *component)
{
	const char *at = s->p;
	char key[KEY_MAX + 1];
	int r;

	if (*s->p != ';')
		return 0;
	s->p++;
	sf_skip_sp(s);
	if ((r = sf_key(s, key)) != 0)
		return r;
	s->p = at;
	return sf_fail(s, "the component \"%.64s\" has the parameter ;%s, which coyeu does not support",
	    component, key);
}

/* The signature parameters after the inner list. */
static int
sf_signature_params(struct sf *s, cy_httpsig *h)
{
	char key[KEY_MAX + 1];
	cy_buf str = CY_BUF_INIT;
	int64_t number = 0;
	int r = 0;
	enum param p;
	const char *at;

	while (*s->p == ';') {
		at = s->p++;
		sf_skip_sp(s);
		if ((r = sf_key(s, key)) != 0)
			goto out;
		for (p = 0; p < P_COUNT; p++)
			if (strcmp(key, param_desc[p].name) == 0)
				break;
		if (p == P_COUNT) {
			s->p = at;
			r = sf_fail(s, "unknown signature parameter ;%s", key);
			goto out;
		}
		if (*s->p != '=') {
			s->p = at;
			r = sf_fail(s, "the signature parameter %s has no value",
			    key);
			goto out;
		}
		s->p++;
		str.len = 0;
		r = param_desc[p].is_integer ? sf_integer(s, &number) :
		    sf_string(s, &str);
		if (r != 0)
			goto out;
		if ((r = set_param(h, p, number, (const char *)str.data,
		    str.len, s->err)) != 0) {
			r = cy_error_wrap(s->err, "%s", s->field);
			goto out;
		}
	}
out:
	cy_buf_free(&str);
	return r;
}

/* inner-list = "(" *SP [ sf-item *( 1*SP sf-item ) *SP ] ")" parameters,
 * whose items are the component identifiers (strings). */
static int
sf_inner_list(struct sf *s, cy_httpsig *h)
{
	cy_buf name = CY_BUF_INIT;
	int r = 0;

	if (*s->p != '(') {
		r = sf_fail(s, "expected an inner list: (\"component\" …)");
		goto out;
	}
	s->p++;
	for (;;) {
		sf_skip_sp(s);
		if (*s->p == ')') {
			s->p++;
			break;
		}
		if (*s->p != '"') {
			r = sf_fail(s, *s->p == '\0' ? "unterminated inner list" :
			    "a component identifier is a quoted string");
			goto out;
		}
		name.len = 0;
		if ((r = sf_string(s, &name)) != 0)
			goto out;
		if ((r = sf_refuse_component_params(s,
		    (const char *)name.data)) != 0)
			goto out;
		if ((r = add_component(h, (const char *)name.data, name.len,
		    s->err)) != 0) {
			r = cy_error_wrap(s->err, "%s", s->field);
			goto out;
		}
		if (*s->p != ' ' && *s->p != ')') {
			r = sf_fail(s, *s->p == '\0' ? "unterminated inner list" :
			    "components are separated by spaces");
			goto out;
		}
	}
	r = sf_signature_params(s, h);
out:
	cy_buf_free(&name);
	return r;
}

/* One member's value: Signature-Input's is an inner list, Signature's a
 * byte sequence without parameters. */
typedef int member_fn(struct sf *s, cy_httpsig *h);

static int
signature_value(struct sf *s, cy_httpsig *h)
{
	int r;

	if ((r = sf_bytes(s, h->sig, sizeof(h->sig), &h->siglen)) != 0)
		return r;
	if (*s->p == ';')
		return sf_fail(s, "parameters on a signature value are not supported");
	return 0;
}

/* An RFC 8941 dictionary of signatures (§4.2.2): each member is parsed
 * and checked; the one labelled `label` (NULL: the only one) is moved to
 * out.  Labels repeat nowhere (RFC 8941 would keep the last). */
static int
sf_dictionary(const char *field, const char *text, const char *label,
    member_fn *value, cy_httpsig *out, size_t *count, cy_error *err)
{
	struct sf s = {text, text, field, err};
	char seen[LABELS_MAX][KEY_MAX + 1];
	char key[KEY_MAX + 1];
	cy_httpsig member;
	const char *at;
	size_t n = 0, i;
	int r = 0, found = 0;

	memset(&member, 0, sizeof(member));
	sf_skip_sp(&s);
	if (*s.p == '\0')
		return cy_error_set(err, CY_E_FORMAT, "%s is empty", field);
	for (;;) {
		at = s.p;
		if ((r = sf_key(&s, key)) != 0)
			goto out;
		for (i = 0; i < n; i++)
			if (strcmp(seen[i], key) == 0) {
				s.p = at;
				r = sf_fail(&s, "the label %s appears twice", key);
				goto out;
			}
		if (n == LABELS_MAX) {
			r = sf_fail(&s, "more than %d signatures", LABELS_MAX);
			goto out;
		}
		memcpy(seen[n++], key, sizeof(key));
		if (*s.p != '=') {
			r = sf_fail(&s, "the label %s has no value", key);
			goto out;
		}
		s.p++;
		if ((r = value(&s, &member)) != 0)
			goto out;
		if (label == NULL || strcmp(label, key) == 0) {
			if (found) {
				r = cy_error_set(err, CY_E_FORMAT,
				    "%s carries more than one signature (%s, %s): "
				    "name the label to check", field, out->label, key);
				goto out;
			}
			*out = member;
			memcpy(out->label, key, sizeof(key));
			memset(&member, 0, sizeof(member));
			found = 1;
		} else {
			sig_clear(&member);
		}
		sf_skip_ows(&s);
		if (*s.p == '\0')
			break;
		if (*s.p != ',') {
			r = sf_fail(&s, "expected a comma between members");
			goto out;
		}
		s.p++;
		sf_skip_ows(&s);
		if (*s.p == '\0') {
			r = sf_fail(&s, "a comma ends the field");
			goto out;
		}
	}
	if (!found)
		r = cy_error_set(err, CY_E_FORMAT, "%s has no signature labelled %s",
		    field, label != NULL ? label : "");
out:
	sig_clear(&member);
	*count = n;
	return r;
}

/* A field value, present and within the size cap. */
static int
check_field(const char *field, const char *text, cy_error *err)
{
	size_t len;

	if (text == NULL)
		return cy_error_set(err, CY_E_FORMAT, "the request has no %s field",
		    field);
	len = strnlen(text, CY_HTTPSIG_HEADER_MAX + 1);
	if (len > CY_HTTPSIG_HEADER_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE,
		    "%s is over %d bytes", field, CY_HTTPSIG_HEADER_MAX);
	return 0;
}

int
cy_httpsig_parse(const char *signature_input, const char *signature,
    const char *label, cy_httpsig **out, cy_error *err)
{
	cy_httpsig *h = NULL, sig;
	size_t ninput, nsig;
	int r;

	*out = NULL;
	memset(&sig, 0, sizeof(sig));
	if ((r = check_field("Signature-Input", signature_input, err)) != 0 ||
	    (r = check_field("Signature", signature, err)) != 0)
		goto out;
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = sf_dictionary("Signature-Input", signature_input, label,
	    sf_inner_list, h, &ninput, err)) != 0)
		goto out;
	/* Without a label, the one Signature value must be the one input's. */
	if ((r = sf_dictionary("Signature", signature, h->label,
	    signature_value, &sig, &nsig, err)) != 0)
		goto out;
	if (label == NULL && nsig != 1) {
		r = cy_error_set(err, CY_E_FORMAT,
		    "Signature carries %zu signatures but Signature-Input one", nsig);
		goto out;
	}
	memcpy(h->sig, sig.sig, sig.siglen);
	h->siglen = sig.siglen;
	*out = h;
	h = NULL;
out:
	sig_clear(&sig);
	cy_httpsig_free(h);
	return r;
}

/* ---- the target URI's derived components (RFC 9421 §2.2) ---- */

struct uri {
	const char *scheme, *host, *port, *path, *query;
	size_t scheme_len, host_len, port_len, path_len, query_len;
	int has_query;
};

/* An absolute URI: scheme "://" authority path-abempty [ "?" query ],
 * without userinfo or fragment. */
static int
parse_uri(const char *u, struct uri *out, cy_error *err)
{
	const char *p = u, *auth, *colon = NULL;

	memset(out, 0, sizeof(*out));
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		goto bad;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	    (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (strncmp(p, "://", 3) != 0)
		goto bad;
	out->scheme = u;
	out->scheme_len = (size_t)(p - u);
	auth = p += 3;
	while (*p != '\0' && *p != '/' && *p != '?' && *p != '#') {
		if (*p == '@')
			return cy_error_set(err, CY_E_FORMAT,
			    "the target URI holds user information");
		if (*p == ':')
			colon = p;
		else if (*p == ']')
			colon = NULL;  /* an IPv6 literal's colons */
		p++;
	}
	out->host = auth;
	out->host_len = (size_t)((colon != NULL ? colon : p) - auth);
	if (colon != NULL) {
		out->port = colon + 1;
		out->port_len = (size_t)(p - colon - 1);
	}
	if (out->host_len == 0)
		goto bad;
	out->path = p;
	out->path_len = strcspn(p, "?#");
	p += out->path_len;
	if (*p == '?') {
		out->has_query = 1;
		out->query = ++p;
		out->query_len = strcspn(p, "#");
		p += out->query_len;
	}
	if (*p == '#')
		return cy_error_set(err, CY_E_FORMAT,
		    "the target URI holds a fragment");
	return 0;
bad:
	return cy_error_set(err, CY_E_FORMAT,
	    "the target URI is not an absolute URI (scheme://host/path)");
}

static void
put_lower(cy_buf *b, const char *s, size_t n)
{
	size_t i;
	char c;

	for (i = 0; i < n; i++) {
		c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
		cy_buf_append(b, &c, 1);
	}
}

/* Appends the value of a component derived from the target URI; 1 when
 * name is not one of them. */
static int
derive_component(const char *name, const char *target_uri, cy_buf *b,
    cy_error *err)
{
	struct uri u;
	int r;
	int default_port;

	if (strcmp(name, "@authority") != 0 && strcmp(name, "@scheme") != 0 &&
	    strcmp(name, "@path") != 0 && strcmp(name, "@query") != 0 &&
	    strcmp(name, "@request-target") != 0)
		return 1;
	if (target_uri == NULL)
		return cy_error_set(err, CY_E_FORMAT,
		    "the request has no target URI to derive %s from", name);
	if ((r = parse_uri(target_uri, &u, err)) != 0)
		return r;
	if (strcmp(name, "@scheme") == 0) {
		put_lower(b, u.scheme, u.scheme_len);
	} else if (strcmp(name, "@authority") == 0) {
		/* §2.2.3: normalised as HTTP §4.2.3 says, host lower-case and
		 * the scheme's default port left out. */
		put_lower(b, u.host, u.host_len);
		default_port = (u.scheme_len == 5 &&
		    strncasecmp(u.scheme, "https", 5) == 0 && u.port_len == 3 &&
		    memcmp(u.port, "443", 3) == 0) ||
		    (u.scheme_len == 4 && strncasecmp(u.scheme, "http", 4) == 0 &&
		    u.port_len == 2 && memcmp(u.port, "80", 2) == 0);
		if (u.port != NULL && u.port_len > 0 && !default_port) {
			cy_buf_puts(b, ":");
			cy_buf_append(b, u.port, u.port_len);
		}
	} else if (strcmp(name, "@query") == 0) {
		/* §2.2.7: an absent query is "?" alone. */
		cy_buf_puts(b, "?");
		cy_buf_append(b, u.query, u.query_len);
	} else {
		if (u.path_len == 0)
			cy_buf_puts(b, "/");
		else
			cy_buf_append(b, u.path, u.path_len);
		if (strcmp(name, "@request-target") == 0 && u.has_query) {
			cy_buf_puts(b, "?");
			cy_buf_append(b, u.query, u.query_len);
		}
	}
	return 0;
}

/* ---- the signature base (RFC 9421 §2.5) ---- */

/* A value goes on one line of the base: a control character (a CR or LF
 * above all) would let a value forge the lines after it. */
static int
put_value(cy_buf *b, const char *name, const char *v, cy_error *err)
{
	size_t len, i;

	if (name[0] != '@') {
		/* §2.1: a field's value without leading or trailing space. */
		v += strspn(v, " \t");
		len = strlen(v);
		while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
			len--;
	} else {
		len = strlen(v);
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 && v[i] != '\t')
			return cy_error_set(err, CY_E_FORMAT,
			    "the value of %s holds a control character", name);
	cy_buf_append(b, v, len);
	return 0;
}

int
cy_httpsig_base(const cy_httpsig *h, cy_httpsig_component_fn *component,
    void *ctx, cy_buf *out, cy_error *err)
{
	const char *name, *v;
	size_t i;
	int r;

	out->len = 0;
	for (i = 0; i < h->ncomponents; i++) {
		name = h->components[i];
		cy_buf_printf(out, "\"%s\": ", name);
		if ((v = component(ctx, name)) != NULL)
			r = put_value(out, name, v, err);
		else
			r = derive_component(name, component(ctx, "@target-uri"),
			    out, err);
		if (r == 1)
			r = cy_error_set(err, CY_E_FORMAT,
			    "the signature covers %s, which the request does not have",
			    name);
		if (r != 0)
			return r;
		cy_buf_puts(out, "\n");
		if (out->len > BASE_MAX)
			return cy_error_set(err, CY_E_TOO_LARGE,
			    "the signature base is over %d bytes", BASE_MAX);
	}
	cy_buf_puts(out, "\"@signature-params\": ");
	put_signature_params(out, h);
	cy_buf_append(out, "", 0);
	if (cy_buf_status(out) != 0)
		return cy_error_set(err, CY_E_NOMEM, "out of memory");
	return 0;
}

/* ---- Content-Digest (RFC 9530) ---- */

#define DIGEST_PREFIX "sha-256=:"

int
cy_httpsig_digest(const uint8_t *body, size_t len, cy_buf *out,
    cy_error *err)
{
	uint8_t d[CY_SHA256_LEN];
	char b64[CY_B64_PADDED_LEN(CY_SHA256_LEN) + 1];

	cy_sha256_digest(body, len, d);
	cy_b64_encode(b64, d, sizeof(d), 1);
	out->len = 0;
	cy_buf_printf(out, "%s%s:", DIGEST_PREFIX, b64);
	return cy_buf_status(out) != 0 ?
	    cy_error_set(err, CY_E_NOMEM, "out of memory") : 0;
}

/* Content-Digest members are byte sequences, possibly with parameters,
 * which no algorithm defines and so are skipped. */
static int
digest_member(struct sf *s, uint8_t *out, size_t cap, size_t *len)
{
	char key[KEY_MAX + 1];
	int r;

	if ((r = sf_bytes(s, out, cap, len)) != 0)
		return r;
	while (*s->p == ';') {
		s->p++;
		sf_skip_sp(s);
		if ((r = sf_key(s, key)) != 0)
			return r;
		if (*s->p == '=')
			return sf_fail(s, "a Content-Digest parameter with a value");
	}
	return 0;
}

int
cy_httpsig_digest_check(const char *field, const uint8_t *body, size_t len,
    cy_error *err)
{
	struct sf s = {field, field, "Content-Digest", err};
	uint8_t want[CY_SHA256_LEN], got[64], keep[CY_SHA256_LEN];
	char key[KEY_MAX + 1];
	const char *at;
	size_t n;
	int r, have = 0;

	if ((r = check_field("Content-Digest", field, err)) != 0)
		return r;
	sf_skip_sp(&s);
	if (*s.p == '\0')
		return cy_error_set(err, CY_E_FORMAT, "Content-Digest is empty");
	for (;;) {
		at = s.p;
		if ((r = sf_key(&s, key)) != 0)
			return r;
		if (*s.p != '=')
			return sf_fail(&s, "the digest %s has no value", key);
		s.p++;
		if ((r = digest_member(&s, got, sizeof(got), &n)) != 0)
			return r;
		if (strcmp(key, "sha-256") == 0) {
			if (have) {
				s.p = at;
				return sf_fail(&s, "sha-256 is given twice");
			}
			if (n != CY_SHA256_LEN)
				return cy_error_set(err, CY_E_FORMAT,
				    "Content-Digest: the sha-256 digest is %zu bytes, not 32",
				    n);
			memcpy(keep, got, sizeof(keep));
			have = 1;
		}
		sf_skip_ows(&s);
		if (*s.p == '\0')
			break;
		if (*s.p != ',')
			return sf_fail(&s, "expected a comma between members");
		s.p++;
		sf_skip_ows(&s);
		if (*s.p == '\0')
			return sf_fail(&s, "a comma ends the field");
	}
	if (!have)
		return cy_error_set(err, CY_E_FORMAT,
		    "Content-Digest has no sha-256 digest");
	cy_sha256_digest(body, len, want);
	if (!cy_memeq(want, keep, sizeof(want)))
		return cy_error_set(err, CY_E_SIGNATURE,
		    "the body does not match its Content-Digest (sha-256)");
	return 0;
}

/* ---- signing ---- */

const char *
cy_httpsig_request_component(void *ctx, const char *name)
{
	const cy_httpsig_request *req = ctx;
	const char *const *h;

	if (strcmp(name, "@method") == 0)
		return req->method;
	if (strcmp(name, "@target-uri") == 0)
		return req->target_uri;
	if (name[0] == '@')
		return NULL;  /* derived from the target URI */
	if (strcmp(name, "content-type") == 0 && req->content_type != NULL)
		return req->content_type;
	if (strcmp(name, "content-digest") == 0 && req->content_digest != NULL)
		return req->content_digest;
	for (h = req->headers; h != NULL && h[0] != NULL && h[1] != NULL;
	    h += 2)
		if (strcmp(h[0], name) == 0)
			return h[1];
	return NULL;
}

/* A fresh nonce: 128 random bits, base64url without padding. */
static void
make_nonce(char out[CY_B64_UNPADDED_LEN(NONCE_BYTES) + 1])
{
	uint8_t raw[NONCE_BYTES];
	char *c;

	cy_random(raw, sizeof(raw));
	cy_b64_encode(out, raw, sizeof(raw), 0);
	for (c = out; *c != '\0'; c++)
		*c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
}

static int
set_string_param(cy_httpsig *h, enum param p, const char *s, cy_error *err)
{
	if (!is_sf_string(s))
		return cy_error_set(err, CY_E_USAGE,
		    "the %s holds a character outside printable ASCII",
		    param_desc[p].name);
	return set_param(h, p, 0, s, strlen(s), err);
}

/* A label is an RFC 8941 key. */
static int
check_label(const char *label, cy_error *err)
{
	char key[KEY_MAX + 1];
	struct sf s = {label, label, "the label", err};

	if (sf_key(&s, key) != 0 || *s.p != '\0')
		return cy_error_set(err, CY_E_USAGE,
		    "the label \"%.64s\" is not an RFC 8941 key (a-z 0-9 _ - . *)",
		    label);
	return 0;
}

int
cy_httpsig_sign(cy_httpsig_component_fn *component, void *ctx,
    const cy_httpsig_params *p, const cy_key *key, cy_buf *signature_input,
    cy_buf *signature, cy_error *err)
{
	cy_httpsig h;
	cy_buf base = CY_BUF_INIT;
	char nonce[CY_B64_UNPADDED_LEN(NONCE_BYTES) + 1];
	const char *label = p->label != NULL ? p->label : CY_HTTPSIG_LABEL;
	uint8_t sig[CY_KEY_SIGNATURE_LEN];
	char sig_b64[CY_B64_PADDED_LEN(CY_KEY_SIGNATURE_LEN) + 1];
	size_t i;
	int r;

	memset(&h, 0, sizeof(h));
	if ((r = check_label(label, err)) != 0)
		goto out;
	for (i = 0; p->components != NULL && p->components[i] != NULL; i++)
		if ((r = add_component(&h, p->components[i],
		    strlen(p->components[i]), err)) != 0)
			goto out;
	/* RFC 8941 integers have at most 15 digits. */
	if (p->created < 0 || p->created > INT64_C(999999999999999)) {
		r = cy_error_set(err, CY_E_USAGE, "a created time out of range");
		goto out;
	}
	if (p->created > 0 &&
	    (r = set_param(&h, P_CREATED, p->created, NULL, 0, err)) != 0)
		goto out;
	if (p->keyid != NULL &&
	    (r = set_string_param(&h, P_KEYID, p->keyid, err)) != 0)
		goto out;
	if (p->alg != NULL &&
	    (r = set_string_param(&h, P_ALG, p->alg, err)) != 0)
		goto out;
	if (p->nonce == NULL)
		make_nonce(nonce);
	if ((p->nonce == NULL || p->nonce[0] != '\0') &&
	    (r = set_string_param(&h, P_NONCE, p->nonce != NULL ? p->nonce :
	    nonce, err)) != 0)
		goto out;
	if ((r = cy_httpsig_base(&h, component, ctx, &base, err)) != 0)
		goto out;
	if ((r = cy_key_sign(key, base.data, base.len, sig, err)) != 0)
		goto out;
	signature_input->len = 0;
	cy_buf_printf(signature_input, "%s=", label);
	put_signature_params(signature_input, &h);
	cy_buf_append(signature_input, "", 0);
	signature->len = 0;
	cy_b64_encode(sig_b64, sig, sizeof(sig), 1);
	cy_buf_printf(signature, "%s=:%s:", label, sig_b64);
	if (cy_buf_status(signature_input) != 0 ||
	    cy_buf_status(signature) != 0)
		r = cy_error_set(err, CY_E_NOMEM, "out of memory");
out:
	sig_clear(&h);
	cy_buf_free(&base);
	return r;
}

int
cy_httpsig_sign_request(const cy_httpsig_request *req, const char *keyid,
    int64_t now, const cy_key *key, cy_buf *signature_input,
    cy_buf *signature, cy_error *err)
{
	static const char *const bare[] = {"@method", "@target-uri", NULL};
	static const char *const with_body[] = {"@method", "@target-uri",
	    "content-digest", "content-type", NULL};
	cy_httpsig_params p;

	if (keyid == NULL || now <= 0)
		return cy_error_set(err, CY_E_USAGE,
		    "signing a request needs a keyid and the time");
	memset(&p, 0, sizeof(p));
	p.components = req->content_digest != NULL ? with_body : bare;
	p.keyid = keyid;
	p.created = now;
	p.alg = "ed25519";
	/* The request is only read: the component function takes void *. */
	return cy_httpsig_sign(cy_httpsig_request_component, (void *)req, &p,
	    key, signature_input, signature, err);
}

/* ---- checking ---- */

static int
is_nonce_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
cy_httpsig_check_profile(const cy_httpsig *h, int has_body, int64_t now,
    int window, cy_error *err)
{
	static const char *const always[] = {"@method", "@target-uri", NULL};
	static const char *const body[] = {"content-digest", "content-type",
	    NULL};
	const char *alg = h->string[P_ALG], *nonce = h->string[P_NONCE];
	int64_t created = h->number[P_CREATED];
	size_t i, n;

	if (alg != NULL && strcmp(alg, "ed25519") != 0)
		return cy_error_set(err, CY_E_POLICY,
		    "the signature's alg is \"%.64s\": coyeu takes ed25519 only",
		    alg);
	if (h->string[P_KEYID] == NULL)
		return cy_error_set(err, CY_E_POLICY, "the signature has no keyid");
	if (nonce == NULL)
		return cy_error_set(err, CY_E_POLICY, "the signature has no nonce");
	n = strlen(nonce);
	if (n < CY_HTTPSIG_NONCE_MIN || n > CY_HTTPSIG_NONCE_MAX)
		return cy_error_set(err, CY_E_POLICY,
		    "the nonce is %zu characters (%d to %d are taken)", n,
		    CY_HTTPSIG_NONCE_MIN, CY_HTTPSIG_NONCE_MAX);
	for (i = 0; i < n; i++)
		if (!is_nonce_char(nonce[i]))
			return cy_error_set(err, CY_E_POLICY,
			    "the nonce holds a character outside A-Z a-z 0-9 - _");
	if (!h->present[P_CREATED])
		return cy_error_set(err, CY_E_POLICY,
		    "the signature has no created time");
	if (created < now - window)
		return cy_error_set(err, CY_E_POLICY,
		    "the signature was created %" PRId64 " s ago (the window is %d s)",
		    now - created, window);
	if (created > now + window)
		return cy_error_set(err, CY_E_POLICY,
		    "the signature was created %" PRId64 " s in the future "
		    "(the window is %d s)", created - now, window);
	if (h->present[P_EXPIRES] && h->number[P_EXPIRES] < now)
		return cy_error_set(err, CY_E_POLICY,
		    "the signature expired %" PRId64 " s ago",
		    now - h->number[P_EXPIRES]);
	for (i = 0; always[i] != NULL; i++)
		if (!cy_httpsig_covers(h, always[i]))
			return cy_error_set(err, CY_E_POLICY,
			    "the signature does not cover %s", always[i]);
	for (i = 0; has_body && body[i] != NULL; i++)
		if (!cy_httpsig_covers(h, body[i]))
			return cy_error_set(err, CY_E_POLICY,
			    "the signature does not cover %s", body[i]);
	return 0;
}

int
cy_httpsig_verify(const cy_httpsig *h, cy_httpsig_component_fn *component,
    void *ctx, const uint8_t pub[CY_KEY_SIGN_PUBLIC_LEN], cy_error *err)
{
	cy_buf base = CY_BUF_INIT;
	int r;

	if (h->string[P_ALG] != NULL && strcmp(h->string[P_ALG], "ed25519") != 0)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "the signature's alg is \"%.64s\", not ed25519", h->string[P_ALG]);
	if (h->siglen != CY_KEY_SIGNATURE_LEN)
		return cy_error_set(err, CY_E_SIGNATURE,
		    "the signature is %zu bytes; Ed25519's are %d", h->siglen,
		    CY_KEY_SIGNATURE_LEN);
	if ((r = cy_httpsig_base(h, component, ctx, &base, err)) != 0)
		goto out;
	if (crypto_sign_verify_detached(h->sig, base.data, base.len, pub) != 0)
		r = cy_error_set(err, CY_E_SIGNATURE,
		    "the signature does not verify with %s's key",
		    h->string[P_KEYID] != NULL ? h->string[P_KEYID] : "the signer");
out:
	cy_buf_free(&base);
	return r;
}
