/* HTTP through libmicrohttpd: requests in, the route table, answers out,
 * one log line and the metrics per request (http.c). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "coyeu/file.h"
#include "internal.h"

/* Connections beyond connections_max are still accepted up to this many
 * more, only to be told 429; past that the library closes them unread. */
#define OVERFLOW_SLACK 16
#define LISTEN_BACKLOG 1024
#define TLS_FILE_MAX (64 * 1024)

/* One request's state, from its first line to the end of its answer. */
struct exchange {
	cyd_server *srv;
	char *target;      /* as sent */
	double start;
	cy_buf body;
	int too_large;     /* the body passed its limit: it is dropped */
	size_t limit;      /* the body's limit (cyd_body_limit) */
	int started;       /* the access handler has seen it */
	int parked;        /* suspended until the writer is done */
	char id[17];
	/* The request as handlers see it: here, not on the stack, so that a
	 * parked one outlives the access handler's call. */
	cyd_request rq;
	cyd_response rs;
};

static unsigned long active_connections;
static unsigned long in_flight;
static uint32_t id_prefix;
static uint64_t id_counter;

/* --- answers --- */

static int
set_body(cyd_response *rs, int status, const char *type, const void *p,
    size_t len)
{
	rs->status = status;
	rs->content_type = type;
	rs->body.len = 0;
	cy_buf_append(&rs->body, p, len);
	return 0;
}

int
cyd_json(cyd_response *rs, int status, json_t *obj)
{
	char *text;
	int r;

	text = obj != NULL ? json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER) :
	    NULL;
	json_decref(obj);
	if (text == NULL)
		return set_body(rs, 500, NULL, "{\"error\":\"internal\",\"reason\":"
		    "\"out of memory\"}", 46);
	r = set_body(rs, status, NULL, text, strlen(text));
	cy_buf_append(&rs->body, "\n", 1);
	free(text);
	return r;
}

int
cyd_text(cyd_response *rs, int status, const char *content_type,
    const void *p, size_t len)
{
	return set_body(rs, status, content_type, p, len);
}

int
cyd_error(cyd_response *rs, int status, const char *code, const char *fmt,
    ...)
{
	char reason[CY_ERROR_MSG_MAX + 128];
	json_t *o;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	o = json_object();
	json_object_set_new(o, "error", json_string(code));
	json_object_set_new(o, "reason", json_string(reason));
	cyd_json(rs, status, o);
	/* The log line keeps the reason too: it names serials, units and
	 * rules, never a body or a key. */
	memcpy(rs->reason_text, reason, sizeof(rs->reason_text) - 1);
	rs->reason_text[sizeof(rs->reason_text) - 1] = '\0';
	rs->reason = rs->reason_text;
	rs->code = code;
	return 0;
}

int
cyd_error_lib(cyd_response *rs, const cy_error *err)
{
	switch (err->code) {
	case CY_E_FORMAT:
	case CY_E_USAGE:
		return cyd_error(rs, 400, "bad-request", "%s", err->msg);
	case CY_E_SIGNATURE:
		return cyd_error(rs, 401, "unauthenticated", "%s", err->msg);
	case CY_E_POLICY:
	case CY_E_REVOKED:
		return cyd_error(rs, 403, "forbidden", "%s", err->msg);
	case CY_E_NOT_FOUND:
		return cyd_error(rs, 404, "not-found", "%s", err->msg);
	case CY_E_TOO_LARGE:
		return cyd_error(rs, 413, "too-large", "%s", err->msg);
	case CY_E_STORE_RETRY:
	case CY_E_STORE:
	case CY_E_IO:
		return cyd_error(rs, 503, "unavailable", "%s", err->msg);
	default:
		return cyd_error(rs, 500, "internal", "%s", err->msg);
	}
}

const char *
cyd_query(const cyd_request *rq, const char *name, char *buf, size_t cap)
{
	const char *v;

	v = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
	if (v == NULL || strlen(v) >= cap)
		return NULL;
	memcpy(buf, v, strlen(v) + 1);
	return buf;
}

static const char *
header_of(const cyd_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

/* --- the log line --- */

/* Paths as the log keeps them: printable ASCII, the rest '?'. */
static json_t *
printable(const char *s)
{
	char buf[512];
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < sizeof(buf); i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return json_string(buf);
}

/* Text as JSON: as it is when it is UTF-8, else printable(). */
static json_t *
text_value(const char *s)
{
	json_t *j = json_string(s);

	return j != NULL ? j : printable(s);
}

static void
log_request(const struct exchange *x, const char *method,
    const cyd_request *rq, const cyd_response *rs, double seconds)
{
	json_t *f;

	if (!cyd_log_enabled(rs->status >= 500 ? CYD_WARN : CYD_INFO))
		return;
	f = json_object();

	json_object_set_new(f, "id", json_string(x->id));
	json_object_set_new(f, "method", printable(method));
	json_object_set_new(f, "path", printable(x->target != NULL ? x->target :
	    "?"));
	if (rq != NULL && rq->route != NULL)
		json_object_set_new(f, "route", json_string(rq->route->name));
	json_object_set_new(f, "status", json_integer(rs->status));
	json_object_set_new(f, "ms", json_real((double)(long long)(seconds *
	    1e6) / 1e3));
	if (rq != NULL && rq->caller != NULL && rq->caller->serial != NULL)
		json_object_set_new(f, "caller", json_string(rq->caller->serial));
	if (rs->code != NULL)
		json_object_set_new(f, "error", json_string(rs->code));
	if (rs->reason != NULL)
		json_object_set_new(f, "reason", text_value(rs->reason));
	cyd_log_json(rs->status >= 500 ? CYD_WARN : CYD_INFO, "request", f);
	json_decref(f);
}

static enum MHD_Result
send_answer(struct MHD_Connection *conn, struct exchange *x,
    const char *method, const cyd_request *rq, cyd_response *rs)
{
	struct MHD_Response *resp;
	enum MHD_Result ok;
	double seconds;

	if (rs->status == 0 || cy_buf_status(&rs->body) != 0)
		cyd_error(rs, 500, "internal", "the answer could not be made");
	resp = MHD_create_response_from_buffer(rs->body.len,
	    rs->body.data != NULL ? rs->body.data : (void *)"",
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    rs->content_type != NULL ? rs->content_type : "application/json");
	if (rs->cache_control != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
		    rs->cache_control);
	MHD_add_response_header(resp, "X-Request-Id", x->id);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (x->srv->stopping || rs->status == 413 || rs->status == 429 ||
	    rs->status == 431)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ok = MHD_queue_response(conn, (unsigned)rs->status, resp);
	MHD_destroy_response(resp);
	seconds = cyd_monotonic() - x->start;
	cyd_metrics_request(x->srv->metrics, rq != NULL && rq->route != NULL ?
	    rq->route->name : "none", rs->status, seconds);
	log_request(x, method, rq, rs, seconds);
	cy_buf_free(&rs->body);
	return ok;
}

/* --- dispatch --- */

/* A path the tile routes could be tricked by: dot segments, empty
 * segments, encoded dots or slashes, controls. */
static const char *
path_problem(const char *path, const char *target)
{
	const char *p, *end;

	if (path[0] != '/')
		return "the path must begin with '/'";
	for (p = path; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return "the path holds a control character or '\\'";
	if (strstr(path, "//") != NULL || strstr(path, "/./") != NULL ||
	    strstr(path, "/../") != NULL)
		return "the path holds an empty, '.' or '..' segment";
	end = path + strlen(path);
	if ((end - path >= 2 && strcmp(end - 2, "/.") == 0) ||
	    (end - path >= 3 && strcmp(end - 3, "/..") == 0))
		return "the path ends in a '.' or '..' segment";
	end = strchr(target, '?');
	for (p = target; *p != '\0' && (end == NULL || p < end); p++)
		if (*p == '%' && (strncasecmp(p, "%2e", 3) == 0 ||
		    strncasecmp(p, "%2f", 3) == 0 || strncasecmp(p, "%5c", 3) == 0 ||
		    strncmp(p, "%00", 3) == 0))
			return "the path holds an encoded '.', '/', '\\' or NUL";
	return NULL;
}

/* Whether a route needs a verified caller. */
static int
needs_auth(const cyd_server *srv, const cyd_route *r)
{
	switch (r->who) {
	case CYD_PUBLIC:
	case CYD_WITNESS:
		return 0;
	case CYD_REGISTER:
		return !srv->cfg.register_public;
	default:
		return 1;
	}
}

static void
dispatch(struct exchange *x, struct MHD_Connection *conn, const char *method,
    const char *path, cyd_request *rq, cyd_response *rs)
{
	const char *why, *q;
	int method_ok = 1;

	rq->srv = x->srv;
	rq->method = method;
	rq->path = path;
	rq->target = x->target != NULL ? x->target : path;
	q = strchr(rq->target, '?');
	rq->query = q != NULL ? q + 1 : NULL;
	rq->body = x->body.data;
	rq->body_len = x->body.len;
	rq->header = header_of;
	rq->conn = conn;
	rq->now = (int64_t)time(NULL);
	memcpy(rq->id, x->id, sizeof(rq->id));
	if ((why = path_problem(path, rq->target)) != NULL) {
		cyd_error(rs, 400, "bad-request", "%s", why);
		return;
	}
	rq->route = cyd_route_find(strcmp(method, "HEAD") == 0 ? "GET" : method,
	    path, &method_ok);
	if (rq->route == NULL) {
		if (!method_ok)
			cyd_error(rs, 405, "method-not-allowed", "%s is not allowed "
			    "on %s", method, path);
		else
			cyd_error(rs, 404, "not-found", "no route %s", path);
		return;
	}
	if (needs_auth(x->srv, rq->route) && cyd_auth(rq, rs) != 0) {
		if (rs->status == 0)
			cyd_error(rs, 401, "unauthenticated", "the request is not "
			    "signed");
		return;
	}
	if (rq->route->fn(rq, rs) != 0 && rs->status == 0)
		cyd_error(rs, 500, "internal", "the handler failed");
}

/* --- the library's callbacks --- */

static enum MHD_Result
header_size(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	size_t *sum = cls;

	*sum += strlen(key) + (value != NULL ? strlen(value) : 0) + 4;
	return MHD_YES;
}

static void
new_id(char out[17])
{
	uint64_t n = __atomic_add_fetch(&id_counter, 1, __ATOMIC_RELAXED);

	snprintf(out, 17, "%08x%08x", id_prefix, (uint32_t)n);
}

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct exchange *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	x->srv = cls;
	x->start = cyd_monotonic();
	x->target = strdup(uri);
	new_id(x->id);
	__atomic_add_fetch(&in_flight, 1, __ATOMIC_RELAXED);
	return x;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct exchange *x = *con_cls;

	if (x == NULL)
		return;
	cy_buf_free(&x->body);
	free(x->target);
	free(x);
	*con_cls = NULL;
	__atomic_sub_fetch(&in_flight, 1, __ATOMIC_RELAXED);
}

static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		__atomic_add_fetch(&active_connections, 1, __ATOMIC_RELAXED);
	else
		__atomic_sub_fetch(&active_connections, 1, __ATOMIC_RELAXED);
}

/* Refusals decided before the body is read. */
static int
refuse_early(cyd_server *srv, struct MHD_Connection *conn, size_t limit,
    cyd_response *rs)
{
	const char *cl;
	size_t hsize = 0;
	char *end;
	unsigned long long n;

	if (__atomic_load_n(&active_connections, __ATOMIC_RELAXED) >
	    srv->cfg.connections_max)
		return cyd_error(rs, 429, "too-many", "more than %u connections; "
		    "try again later", srv->cfg.connections_max), 1;
	MHD_get_connection_values(conn, MHD_HEADER_KIND, header_size, &hsize);
	if (hsize > srv->cfg.headers_max)
		return cyd_error(rs, 431, "too-large", "the headers hold %zu bytes, "
		    "more than the %zu allowed", hsize, srv->cfg.headers_max), 1;
	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL) {
		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno == 0 && *end == '\0' && n > limit)
			return cyd_error(rs, 413, "too-large", "the body holds %llu "
			    "bytes, more than the %zu allowed", n, limit), 1;
	}
	return 0;
}

int
cyd_can_park(const cyd_request *rq)
{
	return rq->srv->cfg.threads != 0 && !rq->srv->stopping;
}

void
cyd_park(cyd_request *rq, int (*resume)(cyd_request *rq, cyd_response *rs),
    void *ctx)
{
	rq->parked = 1;
	rq->resume = resume;
	rq->resume_ctx = ctx;
	MHD_suspend_connection(rq->conn);
}

void
cyd_unpark(cyd_request *rq)
{
	/* The connection's own thread calls on_request again, at the
	 * earliest once the call that parked it has returned. */
	MHD_resume_connection(rq->conn);
}

/* The answer of x->rq, and the caller freed. */
static enum MHD_Result
answer_request(struct MHD_Connection *conn, struct exchange *x,
    const char *method)
{
	enum MHD_Result ok = send_answer(conn, x, method, &x->rq, &x->rs);

	cyd_caller_free(x->rq.caller);
	x->rq.caller = NULL;
	return ok;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	cyd_server *srv = cls;
	struct exchange *x = *con_cls;
	cyd_response rs;

	if (x == NULL)
		return MHD_NO; /* out of memory in on_uri: drop the connection */
	if (x->parked) {
		/* Back from the writer (cyd_unpark): the handler answers. */
		x->parked = 0;
		x->rq.parked = 0;
		if (x->rq.resume(&x->rq, &x->rs) != 0 && x->rs.status == 0)
			cyd_error(&x->rs, 500, "internal", "the handler failed");
		return answer_request(conn, x, method);
	}
	memset(&rs, 0, sizeof(rs));
	if (!x->started) {
		x->started = 1;
		x->limit = cyd_body_limit(srv, method, url);
		if (refuse_early(srv, conn, x->limit, &rs))
			return send_answer(conn, x, method, NULL, &rs);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (x->body.len + *upload_data_size > x->limit)
			x->too_large = 1;
		if (!x->too_large)
			cy_buf_append(&x->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (x->too_large) {
		cyd_error(&rs, 413, "too-large", "the body is larger than the %zu "
		    "bytes allowed", x->limit);
		return send_answer(conn, x, method, NULL, &rs);
	}
	memset(&x->rq, 0, sizeof(x->rq));
	memset(&x->rs, 0, sizeof(x->rs));
	dispatch(x, conn, method, url, &x->rq, &x->rs);
	if (x->rq.parked) {
		x->parked = 1;
		return MHD_YES;
	}
	return answer_request(conn, x, method);
}

static void
on_library_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	cyd_log(CYD_DEBUG, "libmicrohttpd", "detail", msg, NULL);
}

/* --- the listening socket --- */

static int
listen_unix(const char *path)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		cyd_log(CYD_ERROR, "listen: the socket path is too long", "path",
		    path, NULL);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	/* A socket left by a previous run is replaced; nothing else is. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    chmod(path, 0660) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
		cyd_log(CYD_ERROR, "listen failed", "listen", path, "error",
		    strerror(errno), NULL);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* "host:port", "[v6]:port" or "unix:/path"; the bound address into
 * bound (for the log and the default url). */
static int
listen_on(const char *spec, char *bound, size_t cap)
{
	struct addrinfo hints, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[256], port[32], h[128], p[32];
	const char *colon;
	size_t hl;
	int fd = -1, one = 1, r;

	if (strncmp(spec, "unix:", 5) == 0) {
		snprintf(bound, cap, "%s", spec);
		return listen_unix(spec + 5);
	}
	if ((colon = strrchr(spec, ':')) == NULL ||
	    (hl = (size_t)(colon - spec)) >= sizeof(host) ||
	    strlen(colon + 1) >= sizeof(port) || colon[1] == '\0') {
		cyd_log(CYD_ERROR, "listen is host:port, [v6]:port or unix:/path",
		    "listen", spec, NULL);
		return -1;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	snprintf(port, sizeof(port), "%s", colon + 1);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((r = getaddrinfo(host[0] != '\0' ? host : NULL, port, &hints,
	    &ai)) != 0) {
		cyd_log(CYD_ERROR, "listen: bad address", "listen", spec, "error",
		    gai_strerror(r), NULL);
		return -1;
	}
	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, LISTEN_BACKLOG) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), p, sizeof(p),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		cyd_log(CYD_ERROR, "listen failed", "listen", spec, "error",
		    strerror(errno), NULL);
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	snprintf(bound, cap, strchr(h, ':') != NULL ? "[%s]:%s" : "%s:%s", h, p);
	return fd;
}

static char *tls_cert_pem, *tls_key_pem;

static int
load_tls(const cyd_config *c)
{
	cy_error err = {0, ""};
	uint8_t *d;
	size_t n;

	if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
		cyd_log(CYD_ERROR, "tls_cert is set but libmicrohttpd has no TLS",
		    NULL);
		return -1;
	}
	if (cy_file_read(c->tls_cert, TLS_FILE_MAX, &d, &n, &err) != 0) {
		cyd_log(CYD_ERROR, "cannot read tls_cert", "error", err.msg, NULL);
		return -1;
	}
	tls_cert_pem = (char *)d;
	if (cy_file_read_private(c->tls_key, TLS_FILE_MAX, &d, &n, &err) != 0) {
		cyd_log(CYD_ERROR, "cannot read tls_key", "error", err.msg, NULL);
		return -1;
	}
	tls_key_pem = (char *)d;
	return 0;
}

int
cyd_http_start(cyd_server *srv)
{
	const cyd_config *c = &srv->cfg;
	unsigned flags = MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
	char bound[300], threads[32], url[320];
	size_t pool;
	int fd, tls = c->tls_cert != NULL, per_connection = c->threads == 0;

	if (getrandom(&id_prefix, sizeof(id_prefix), 0) != sizeof(id_prefix))
		id_prefix = (uint32_t)getpid();
	if (tls && load_tls(c) != 0)
		return -1;
	if ((fd = listen_on(c->listen, bound, sizeof(bound))) < 0)
		return -1;
	if (srv->cfg.url == NULL) {
		snprintf(url, sizeof(url), "%s://%s", tls ? "https" : "http",
		    strncmp(bound, "unix:", 5) == 0 ? "localhost" : bound);
		srv->cfg.url = strdup(url);
	}
	if (tls)
		flags |= MHD_USE_TLS;
	/* Handlers wait while their batch commits, so a pool thread serves
	 * none of its other connections meanwhile, and a batch holds at most
	 * one request per thread.  threads = 0: a thread per connection
	 * (connections_max bounds them), every request can join the batch
	 * that is forming. */
	if (per_connection)
		flags |= MHD_USE_AUTO_INTERNAL_THREAD |
		    MHD_USE_THREAD_PER_CONNECTION;
	else
		flags |= MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME;
	/* The memory pool holds the headers and the answer's headers; the
	 * headers' own limit is checked exactly in refuse_early. */
	pool = c->headers_max * 2 + 16 * 1024;
	srv->httpd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, on_library_log, srv,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    per_connection ? MHD_OPTION_CONNECTION_TIMEOUT :
	    MHD_OPTION_THREAD_POOL_SIZE,
	    per_connection ? c->timeout : (unsigned)c->threads,
	    MHD_OPTION_CONNECTION_LIMIT, c->connections_max + OVERFLOW_SLACK,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    strncmp(bound, "unix:", 5) == 0 ? 0u : c->per_ip_max,
	    MHD_OPTION_CONNECTION_TIMEOUT, c->timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)LISTEN_BACKLOG,
	    tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, tls_cert_pem,
	    MHD_OPTION_HTTPS_MEM_KEY, tls_key_pem,
	    MHD_OPTION_END);
	if (srv->httpd == NULL) {
		cyd_log(CYD_ERROR, "the HTTP server did not start", "listen",
		    c->listen, NULL);
		close(fd);
		return -1;
	}
	if (per_connection)
		snprintf(threads, sizeof(threads), "per-connection");
	else
		snprintf(threads, sizeof(threads), "%d", c->threads);
	cyd_log(CYD_INFO, "listening", "listen", bound, "url", srv->cfg.url,
	    "threads", threads, "tls", tls ? "yes" : "no", NULL);
	return 0;
}

void
cyd_http_stop(cyd_server *srv)
{
	struct MHD_Daemon *d = srv->httpd;
	double until;
	int fd;

	if (d == NULL)
		return;
	srv->stopping = 1;
	/* No new connections; those open finish what they asked. */
	fd = (int)MHD_quiesce_daemon(d);
	if (fd >= 0)
		close(fd);
	until = cyd_monotonic() + srv->cfg.timeout;
	while (__atomic_load_n(&in_flight, __ATOMIC_RELAXED) > 0 &&
	    cyd_monotonic() < until)
		usleep(10000);
	MHD_stop_daemon(d);
	srv->httpd = NULL;
	free(tls_cert_pem);
	if (tls_key_pem != NULL) {
		memset(tls_key_pem, 0, strlen(tls_key_pem));
		free(tls_key_pem);
	}
	tls_cert_pem = tls_key_pem = NULL;
}
