/* llm-mock - a local provider-compatible streaming server: replays captured
 * streams (or a built-in set, or the request's own words with --echo) in
 * the dialect of the endpoint called, with timing and injected faults.
 *
 * HTTP is libmicrohttpd's, one thread per connection: each stream's
 * content callback may sleep for its timing without holding up others. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "args.h"
#include "buf.h"
#include "clock.h"
#include "conv.h"
#include "dialect.h"
#include "emit.h"
#include "err.h"
#include "jvx.h"
#include "mem.h"
#include "mock_capture.h"
#include "mock_http.h"
#include "mock_proxy.h"
#include "mock_record.h"
#include "mock_serve.h"
#include "out.h"
#include "provider.h"
#include "req_spec.h"

static const char usage_text[] =
"Usage: llm-mock [OPTIONS] [CAPTURE...]\n"
"Serve provider-compatible streaming endpoints on a local port and print\n"
"the base URL (http://HOST:PORT) on stdout once listening. Answers come\n"
"from the CAPTURE files of the endpoint's dialect (raw SSE, sse-decode -t\n"
"NDJSON, Ollama NDJSON), else from a built-in set, or with --echo from the\n"
"request's last user message.\n"
"\n"
"  -l, --listen HOST:PORT       address to listen on (default 127.0.0.1:0)\n"
"  -e, --echo                   answer with the last user message, word by word\n"
"  -p, --pick FIELD             choose the capture whose file name contains\n"
"                               the request body's FIELD (e.g. model)\n"
"      --ttft MS                wait MS before the first event\n"
"      --delay MS               wait MS between events\n"
"      --timing recorded|fixed  use the captures' recorded \"t\" (default\n"
"                               recorded, where present) or --delay\n"
"      --jitter MS              add a random -MS..+MS to every wait\n"
"      --seed N                 seed of the jitter (default 1)\n"
"      --fail N:STATUS[:RETRY]  the first N requests get HTTP STATUS with a\n"
"                               provider-shaped error (Retry-After: RETRY)\n"
"      --fail-header 'NAME: VALUE'  extra header on --fail answers\n"
"                               (repeatable)\n"
"      --cut-after K            close the connection abruptly after K events\n"
"      --stall-after K:SECONDS  after K events send nothing for SECONDS\n"
"      --error-after K          after K events send the dialect's in-stream\n"
"                               error event and end\n"
"      --trickle                write one byte at a time with a small pause\n"
"      --require-key[=TOKEN]    401 unless the dialect's key header is sent\n"
"                               (with TOKEN: unless it holds TOKEN)\n"
"      --cors ORIGIN            answer pages from ORIGIN (repeatable; * for\n"
"                               any): preflight and Access-Control headers\n"
"      --proxy URL              forward each request to the provider at URL,\n"
"                               with the key from the environment\n"
"                               (@KEY_VARS@) or --api-key-file\n"
"      --api-key-file FILE      read --proxy's key from FILE (not from argv)\n"
"      --proxy-timeout SECONDS  give up an upstream silent that long\n"
"                               (default 600; 504 before its headers)\n"
"      --record DIR             keep each exchange as a capture in DIR\n"
"      --strict                 400, as the provider answers, for a body it\n"
"                               refuses (a parameter the model does not\n"
"                               take, tools in another provider's shape)\n"
"      --log-requests FILE      append each request as one NDJSON line\n"
"                               (credentials replaced by \"<redacted>\")\n"
"      --max-body SIZE          largest request body accepted (default 16M)\n"
"      --max-body-total SIZE    request bodies held at once, all connections\n"
"                               together; over it, 503 (default 64M)\n"
"  -v, --verbose                one line per request on stderr\n"
"  -q, --quiet                  no warnings on stderr\n"
"  -h, --help                   show this help and exit\n"
"  -V, --version                show the version and exit\n"
"\n"
"Endpoints: POST @POSTS@; GET @GETS@.\n"
"Stops cleanly on SIGTERM or SIGINT.\n"
"\n"
"Exit status: 0 success (stopped by a signal), 1 failure (cannot listen,\n"
"bad capture), 2 usage.\n";

enum {
	OPT_TTFT = 256, OPT_DELAY, OPT_TIMING, OPT_JITTER, OPT_SEED, OPT_FAIL,
	OPT_FAIL_HEADER, OPT_CUT_AFTER, OPT_STALL_AFTER, OPT_ERROR_AFTER,
	OPT_TRICKLE, OPT_REQUIRE_KEY, OPT_LOG_REQUESTS, OPT_MAX_BODY,
	OPT_MAX_BODY_TOTAL, OPT_STRICT, OPT_CORS, OPT_PROXY, OPT_KEY_FILE, OPT_RECORD,
	OPT_PROXY_TIMEOUT
};

static const struct option long_opts[] = {
	{ "listen", required_argument, NULL, 'l' },
	{ "echo", no_argument, NULL, 'e' },
	{ "pick", required_argument, NULL, 'p' },
	{ "ttft", required_argument, NULL, OPT_TTFT },
	{ "delay", required_argument, NULL, OPT_DELAY },
	{ "timing", required_argument, NULL, OPT_TIMING },
	{ "jitter", required_argument, NULL, OPT_JITTER },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "fail", required_argument, NULL, OPT_FAIL },
	{ "fail-header", required_argument, NULL, OPT_FAIL_HEADER },
	{ "cut-after", required_argument, NULL, OPT_CUT_AFTER },
	{ "stall-after", required_argument, NULL, OPT_STALL_AFTER },
	{ "error-after", required_argument, NULL, OPT_ERROR_AFTER },
	{ "trickle", no_argument, NULL, OPT_TRICKLE },
	{ "require-key", optional_argument, NULL, OPT_REQUIRE_KEY },
	{ "cors", required_argument, NULL, OPT_CORS },
	{ "proxy", required_argument, NULL, OPT_PROXY },
	{ "api-key-file", required_argument, NULL, OPT_KEY_FILE },
	{ "proxy-timeout", required_argument, NULL, OPT_PROXY_TIMEOUT },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "log-requests", required_argument, NULL, OPT_LOG_REQUESTS },
	{ "max-body", required_argument, NULL, OPT_MAX_BODY },
	{ "max-body-total", required_argument, NULL, OPT_MAX_BODY_TOTAL },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

#define NDIALECTS DIALECT_COUNT
#define TRICKLE_US 1000
#define MAX_FAIL_HEADERS 32

static struct {
	char *host, *port;
	int echo;
	const char *pick;
	double ttft, delay, jitter;
	int ttft_set, fixed_timing;
	uint64_t seed;
	long fail_n;
	int fail_status;
	char fail_retry[64];
	char *fail_hname[MAX_FAIL_HEADERS], *fail_hvalue[MAX_FAIL_HEADERS];
	int nfail_headers;
	long cut_after, error_after, stall_after;
	double stall_s, proxy_timeout;
	int trickle, require_key, verbose, quiet;
	int strict;
	int log_fd;
	size_t max_body, max_body_total;
	int max_body_total_set;
	const char *token, *proxy, *key_file, *record;
} opt = { .cut_after = -1, .error_after = -1, .stall_after = -1,
	.log_fd = -1, .seed = 1, .max_body = (size_t)16 << 20,
	.max_body_total = (size_t)64 << 20 };

/* The bytes of request bodies held (or announced by a Content-Length and
 * so reserved), all connections together: at most opt.max_body_total. */
static size_t held;
static pthread_mutex_t held_mu = PTHREAD_MUTEX_INITIALIZER;

static int
hold(size_t n)
{
	int rc = -1;

	pthread_mutex_lock(&held_mu);
	if (n <= opt.max_body_total - held) {
		held += n;
		rc = 0;
	}
	pthread_mutex_unlock(&held_mu);
	return rc;
}

static void
release(size_t n)
{
	pthread_mutex_lock(&held_mu);
	held -= n;
	pthread_mutex_unlock(&held_mu);
}

/* Captures by dialect, read-only once the server runs. */
static struct emit_stream *caps[NDIALECTS];
static size_t ncaps[NDIALECTS];
static atomic_ulong rr[NDIALECTS];
static atomic_long nrequests, nfailed;

/* Stopping: every wait ends at once when the server stops. */
static atomic_int stopping;
static pthread_mutex_t stop_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cv;

/* wait_until sleeps until the monotonic deadline (microseconds). Returns
 * 0, or -1 when the server is stopping. */
static int
wait_until(int64_t deadline)
{
	struct timespec ts;

	pthread_mutex_lock(&stop_mu);
	while (!atomic_load(&stopping) && clock_mono_us() < deadline) {
		ts.tv_sec = (time_t)(deadline / 1000000);
		ts.tv_nsec = (long)(deadline % 1000000) * 1000;
		pthread_cond_timedwait(&stop_cv, &stop_mu, &ts);
	}
	pthread_mutex_unlock(&stop_mu);
	return atomic_load(&stopping) ? -1 : 0;
}

/* ---- one request ---- */

struct req {
	struct buf body;
	size_t reserved;       /* counted in held */
	int refused;           /* 413 or 503 queued before the body's end */
};

struct route {
	enum dialect d;
	enum { R_UNKNOWN, R_GENERATE, R_MODELS, R_BAD_METHOD } kind;
	int stream;            /* the path says stream (1) or not (0), or -1 */
	char model[256];       /* the model in the path, or "" */
};

/* route_of: the table's reading of the path, and whether the method
 * fits it. */
static void
route_of(const char *url, const char *method, struct route *r)
{
	struct provider_route pr;

	provider_route(url, &pr);
	memset(r, 0, sizeof *r);
	r->d = pr.d;
	r->stream = pr.stream;
	snprintf(r->model, sizeof r->model, "%s", pr.model);
	if (pr.kind == PROUTE_GENERATE)
		r->kind = strcmp(method, "POST") == 0 ? R_GENERATE :
		    R_BAD_METHOD;
	else if (pr.kind == PROUTE_MODELS)
		r->kind = strcmp(method, "GET") == 0 ? R_MODELS : R_BAD_METHOD;
}

/* ---- the request log ---- */

static int body_field(jv body, const char *field, char *out, size_t n);
static void verbose(const char *method, const char *url, int status,
    const char *what);

struct hdrs {
	jv obj;       /* lowercased name -> value */
	int redact;   /* replace credentials */
};

static enum MHD_Result
collect(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct hdrs *h = cls;
	char name[256];
	size_t i;
	jv old;

	(void)kind;
	for (i = 0; key[i] && i < sizeof name - 1; i++)
		name[i] = (key[i] >= 'A' && key[i] <= 'Z') ? key[i] + 32 : key[i];
	name[i] = '\0';
	if (h->redact && req_header_is_secret(name, strlen(name)))
		value = "<redacted>";
	if (value == NULL)
		value = "";
	old = jv_object_get(jv_copy(h->obj), jv_string(name));
	if (jv_get_kind(old) == JV_KIND_STRING)
		h->obj = jv_object_set(h->obj, jv_string(name),
		    jv_string_fmt("%s, %s", jv_string_value(old), value));
	else
		h->obj = jv_object_set(h->obj, jv_string(name),
		    jv_string(value));
	jv_free(old);
	return MHD_YES;
}

/* query_secret: a query parameter that carries a key (a provider's
 * key_query). */
static int
query_secret(const char *name)
{
	const struct provider *p;
	size_t i;

	for (i = 0; (p = provider_at(i)) != NULL; i++)
		if (p->key_query && strcmp(p->key_query, name) == 0)
			return 1;
	return 0;
}

/* query_arg rebuilds the query string (without "?") from the decoded
 * arguments; the value of a key parameter (query_secret) is replaced by
 * <redacted>. */
static enum MHD_Result
query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct buf *b = cls;

	(void)kind;
	if (b->len)
		buf_putc(b, '&');
	buf_put_pct(b, key);
	if (value == NULL)
		return MHD_YES;
	buf_putc(b, '=');
	if (query_secret(key))
		buf_puts(b, "<redacted>");
	else
		buf_put_pct(b, value);
	return MHD_YES;
}

/* key_header: the (lowercased) name of the first provider key header
 * the request carries, in table order, or NULL. */
static const char *
key_header(struct MHD_Connection *c, char *name, size_t n)
{
	const struct provider *p;
	size_t i;

	for (i = 0; (p = provider_at(i)) != NULL; i++)
		if (p->key_header && MHD_lookup_connection_value(c,
		    MHD_HEADER_KIND, p->key_header)) {
			provider_header_name(p->key_header, name, n);
			return name;
		}
	return NULL;
}

/* request_line writes the request as one NDJSON line (credentials
 * redacted) into out: --log-requests' line, --record's request. */
static void
request_line(struct MHD_Connection *c, const char *method, const char *url,
    const struct req *q, jv body, struct buf *out)
{
	struct hdrs h;
	jv line, s;
	char khbuf[64];
	const char *kh = key_header(c, khbuf, sizeof khbuf);
	struct buf b;

	line = jv_object();
	line = jv_object_set(line, jv_string("method"), jv_string(method));
	line = jv_object_set(line, jv_string("path"), jv_string(url));
	buf_init(&b, 0);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_arg, &b);
	line = jv_object_set(line, jv_string("query"),
	    jv_string_sized(b.p ? b.p : "", (int)b.len));
	buf_free(&b);
	h.redact = 1;
	h.obj = jv_object();
	MHD_get_connection_values(c, MHD_HEADER_KIND, collect, &h);
	line = jv_object_set(line, jv_string("headers"), h.obj);
	line = jv_object_set(line, jv_string("key_header"),
	    kh ? jv_string(kh) : jv_null());
	if (jv_is_valid(body))
		line = jv_object_set(line, jv_string("body"), jv_copy(body));
	else
		line = jv_object_set(line, jv_string("body"),
		    jv_string_sized(q->body.p ? q->body.p : "",
		    (int)q->body.len));
	s = jv_dump_string(line, 0);
	buf_append(out, jv_string_value(s),
	    (size_t)jv_string_length_bytes(jv_copy(s)));
	buf_putc(out, '\n');
	jv_free(s);
}

static void
log_request(struct MHD_Connection *c, const char *method, const char *url,
    const struct req *q, jv body)
{
	struct buf b;

	buf_init(&b, 0);
	request_line(c, method, url, q, body, &b);
	/* one write per line: O_APPEND keeps concurrent lines whole */
	if (write_all(opt.log_fd, b.p, b.len) == -1 && !opt.quiet)
		warnx("log-requests: %s", strerror(errno));
	buf_free(&b);
}

/* record starts --record's capture of a replayed stream. */
static struct mock_rec *
record(struct MHD_Connection *c, const char *method, const char *url,
    const struct req *q, enum dialect d, const char *model)
{
	struct mock_rec *r;
	struct buf line;
	char err[512];
	jv body = q->body.len ? jvx_parse(q->body.p, q->body.len) :
	    jv_invalid();

	buf_init(&line, 0);
	request_line(c, method, url, q, body, &line);
	jv_free(body);
	r = mock_rec_new(opt.record, model, provider_get(d)->ndjson, line.p,
	    line.len, err, sizeof err);
	if (r == NULL && !opt.quiet)
		warnx("record: %s", err);
	buf_free(&line);
	return r;
}

/* proxy forwards the request (mock_proxy.h), its redacted line kept for
 * --record. */
static enum MHD_Result
proxy(struct MHD_Connection *c, const char *url, const char *method,
    const struct req *q, const struct route *rt, jv body)
{
	struct buf line;
	char mbuf[256];
	const char *model = NULL;
	enum MHD_Result rc;

	if (jv_get_kind(body) == JV_KIND_OBJECT &&
	    body_field(body, "model", mbuf, sizeof mbuf))
		model = mbuf;
	else if (rt->model[0])
		model = rt->model;
	buf_init(&line, 0);
	if (opt.record)
		request_line(c, method, url, q, body, &line);
	verbose(method, url, 0, "--proxy");
	rc = mock_proxy_answer(c, url, method, rt->d, model, q->body.p,
	    q->body.len, line.p ? line.p : "", line.len);
	buf_free(&line);
	jv_free(body);
	return rc;
}

/* ---- responses ---- */

static enum MHD_Result
queue_buffer(struct MHD_Connection *c, int status, const char *type,
    const char *p, size_t n, int fault)
{
	struct MHD_Response *rs;
	enum MHD_Result rc;
	int i;

	rs = MHD_create_response_from_buffer(n, (void *)p,
	    MHD_RESPMEM_MUST_COPY);
	if (rs == NULL)
		return MHD_NO;
	MHD_add_response_header(rs, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (fault) {
		if (opt.fail_retry[0])
			MHD_add_response_header(rs, "Retry-After",
			    opt.fail_retry);
		for (i = 0; i < opt.nfail_headers; i++)
			MHD_add_response_header(rs, opt.fail_hname[i],
			    opt.fail_hvalue[i]);
	}
	rc = mock_queue(c, (unsigned)status, rs);
	MHD_destroy_response(rs);
	return rc;
}

static enum MHD_Result
send_error(struct MHD_Connection *c, enum dialect d, int status,
    const char *msg, int fault)
{
	struct buf b;
	enum MHD_Result rc;

	buf_init(&b, 0);
	emit_error_body(&b, d, status, msg);
	rc = queue_buffer(c, status, "application/json", b.p, b.len, fault);
	buf_free(&b);
	return rc;
}

/* send_models: the model list of d, or of another provider listing the
 * same path whose extra header the request carries. */
static enum MHD_Result
send_models(struct MHD_Connection *c, const char *url, enum dialect d)
{
	const struct provider *p = provider_get(d), *q;
	const char *const *v;
	char name[64];
	size_t i;

	for (i = 0; (q = provider_at(i)) != NULL; i++) {
		if (q == p || q->extra_header == NULL)
			continue;
		provider_header_name(q->extra_header, name, sizeof name);
		for (v = q->models_paths; v && *v; v++)
			if (strcmp(*v, url) == 0 && MHD_lookup_connection_value(
			    c, MHD_HEADER_KIND, name))
				p = q;
	}
	return queue_buffer(c, 200, "application/json", p->models_body,
	    strlen(p->models_body), 0);
}

/* loopback_host: a Host header's name (port aside) is localhost, a
 * 127.x address or [::1] */
static int
loopback_host(const char *h)
{
	size_t n;

	if (h == NULL)
		return 0;
	if (h[0] == '[')
		return strncmp(h, "[::1]", 5) == 0 && (h[5] == 0 || h[5] == ':');
	n = strcspn(h, ":");
	return (n == 9 && strncasecmp(h, "localhost", 9) == 0) ||
	    (n > 4 && strncmp(h, "127.", 4) == 0 &&
	    strspn(h, "0123456789.") == n);
}

/* token_is: v is the client token of --require-key=TOKEN (any key
 * without one), compared in constant time. */
static int
token_is(const char *v)
{
	size_t i, n;
	unsigned char d;

	if (opt.token == NULL)
		return 1;
	n = strlen(opt.token);
	if (strlen(v) != n)
		return 0;
	for (i = 0, d = 0; i < n; i++)
		d |= (unsigned char)(v[i] ^ opt.token[i]);
	return d == 0;
}

/* has_key: the request carries the key of d (models: of any provider)
 * in its key header (after its prefix, "Bearer "), or in the path's key
 * query parameter (key_query). A provider that needs no key (no key
 * variable) takes any request. */
static int
has_key(struct MHD_Connection *c, enum dialect d, int models)
{
	const struct provider *p;
	const char *v;
	size_t i, n;

	if (provider_get(d)->key_env == NULL && opt.token == NULL)
		return 1;
	for (i = 0; (p = provider_at(i)) != NULL; i++) {
		if (!models && p->id != d)
			continue;
		if (p->key_header && (v = MHD_lookup_connection_value(c,
		    MHD_HEADER_KIND, p->key_header)) != NULL) {
			n = strlen(p->key_prefix);
			if (strncasecmp(v, p->key_prefix, n) == 0 && v[n] &&
			    token_is(v + n))
				return 1;
		}
		if (p->key_header_alt && (v = MHD_lookup_connection_value(c,
		    MHD_HEADER_KIND, p->key_header_alt)) != NULL) {
			n = strlen(p->key_prefix_alt);
			if (strncasecmp(v, p->key_prefix_alt, n) == 0 && v[n] &&
			    token_is(v + n))
				return 1;
		}
		if (p->key_query && p->id == d && (v =
		    MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
		    p->key_query)) != NULL && *v && token_is(v))
			return 1;
	}
	return 0;
}

/* ---- what to answer ---- */

/* body_field writes body[field] as text (numbers and booleans too) into
 * out; returns 1, or 0 when the field is absent or of another kind. */
static int
body_field(jv body, const char *field, char *out, size_t n)
{
	jv v = jvx_get(body, field);
	const char *s;
	int ok = 1;

	if ((s = jvx_str(v, NULL)) != NULL)
		snprintf(out, n, "%s", s);
	else if (jv_get_kind(v) == JV_KIND_NUMBER)
		snprintf(out, n, "%.17g", jv_number_value(v));
	else if (jv_get_kind(v) == JV_KIND_TRUE ||
	    jv_get_kind(v) == JV_KIND_FALSE)
		snprintf(out, n, "%s", jv_get_kind(v) == JV_KIND_TRUE ?
		    "true" : "false");
	else
		ok = 0;
	jv_free(v);
	return ok;
}

static const struct emit_stream *
pick_capture(enum dialect d, jv body, const struct route *rt, int stream)
{
	char want[256];
	const char *base;
	size_t i, n, k;
	int pass;

	if (ncaps[d] == 0)
		return NULL;
	if (opt.pick) {
		int got = body_field(body, opt.pick, want, sizeof want);

		if (!got && strcmp(opt.pick, "model") == 0 && rt->model[0]) {
			snprintf(want, sizeof want, "%s", rt->model);
			got = 1;
		}
		/* a file named exactly so (but for the extension) first,
		 * else the first whose name contains the value */
		for (pass = 0; got && want[0] && pass < 2; pass++)
			for (i = 0; i < ncaps[d]; i++) {
				if (stream && caps[d][i].body)
					continue;
				base = strrchr(caps[d][i].name, '/');
				base = base ? base + 1 : caps[d][i].name;
				n = strlen(want);
				if (pass == 0 ? strncmp(base, want, n) == 0 &&
				    (base[n] == '\0' || (base[n] == '.' &&
				    strchr(base + n + 1, '.') == NULL)) :
				    strstr(base, want) != NULL)
					return &caps[d][i];
			}
	}
	/* round-robin; a recorded body answers no streaming request */
	for (k = 0; k < ncaps[d]; k++) {
		i = atomic_fetch_add(&rr[d], 1) % ncaps[d];
		if (!(stream && caps[d][i].body))
			return &caps[d][i];
	}
	return NULL;
}

/* tokens splits s into words, each with its leading white space; the
 * pointers index into b, which holds NUL-separated copies. */
static size_t
tokens(const char *s, size_t n, struct buf *b, const char ***out)
{
	size_t i = 0, start, nt = 0, *offs = NULL, cap = 0;
	const char **v;

	buf_reset(b);
	while (i < n) {
		start = i;
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
		    s[i] == '\r'))
			i++;
		while (i < n && !(s[i] == ' ' || s[i] == '\t' ||
		    s[i] == '\n' || s[i] == '\r'))
			i++;
		if (i == n && nt > 0 && start < n) {
			/* trailing blanks stay with the last word */
			int only_blank = 1;
			size_t k;

			for (k = start; k < n; k++)
				if (!(s[k] == ' ' || s[k] == '\t' ||
				    s[k] == '\n' || s[k] == '\r'))
					only_blank = 0;
			if (only_blank) {
				b->len--; /* drop the NUL, extend the last */
				buf_append(b, s + start, i - start);
				buf_putc(b, '\0');
				continue;
			}
		}
		if (nt == cap) {
			cap = cap ? cap * 2 : 16;
			offs = xrealloc(offs, cap * sizeof *offs);
		}
		offs[nt++] = b->len;
		buf_append(b, s + start, i - start);
		buf_putc(b, '\0');
	}
	v = xcalloc(nt ? nt : 1, sizeof *v);
	for (i = 0; i < nt; i++)
		v[i] = b->p + offs[i];
	free(offs);
	*out = v;
	return nt;
}

static const char *const builtin_text[] = {
	"Hello", "!", " I", " am", " llm-mock", ",", " a", " local", " stand-in",
	" for", " a", " streaming", " LLM", " API", "."
};
static const char *const builtin_args[] = { "{\"ci", "ty\": \"Pa", "ris\"}" };
static const struct emit_call builtin_call = { NULL, "get_weather",
	builtin_args, 3 };

/* answer builds the stream of a generated answer (--echo or built-in) in
 * s. Returns the name of what was chosen. */
static const char *
answer(struct emit_stream *s, enum dialect d, jv body, const char *model)
{
	struct emit_msg m;
	struct buf text, words;
	const char **tok = NULL;
	const char *name;
	char want[256];
	jv tools;
	int use_tools = 0, last;

	memset(&m, 0, sizeof m);
	emit_stream_init(s, d);
	m.model = model;
	m.created = 1735689600; /* fixed, so answers are byte for byte equal */
	m.output_tokens = -1;
	tools = jvx_get(body, "tools");
	use_tools = jv_get_kind(tools) == JV_KIND_ARRAY &&
	    jv_array_length(jv_copy(tools)) > 0;
	jv_free(tools);
	/* a tool loop ends: tool results are answered in text, a new user
	 * message with tools by a call */
	buf_init(&text, 0);
	last = conv_last(d, body, &text);
	if (last == 2)
		use_tools = 0;
	if (opt.echo && (!use_tools || last != 1)) {
		buf_init(&words, 0);
		if (last == 0)
			provider_last_user(d, body, &text);
		m.ntext = tokens(text.p ? text.p : "", text.len, &words, &tok);
		m.text = tok;
		m.input_tokens = (long long)m.ntext;
		emit_message(s, &m);
		free(tok);
		buf_free(&text);
		buf_free(&words);
		return "echo";
	}
	buf_free(&text);
	if (opt.pick && body_field(body, opt.pick, want, sizeof want)) {
		if (strstr(want, "tool"))
			use_tools = 1;
		else if (strstr(want, "text"))
			use_tools = 0;
	}
	m.input_tokens = 12;
	if (use_tools) {
		m.calls = &builtin_call;
		m.ncalls = 1;
		name = "builtin:tools";
	} else {
		m.text = builtin_text;
		m.ntext = sizeof builtin_text / sizeof builtin_text[0];
		name = "builtin:text";
	}
	emit_message(s, &m);
	return name;
}

/* ---- streaming ---- */

struct play {
	struct emit_stream own;        /* generated answer, when any */
	struct emit_stream err;        /* --error-after frames */
	struct emit_stream shaped;     /* src reshaped for the endpoint */
	struct mock_rec *rec;          /* --record's capture, or NULL */
	const struct emit_stream *src; /* the frames played */
	size_t nmain, total, i, off;
	int64_t start_us, last_us;
	int stalled;
	uint64_t rng;
};

static const struct emit_frame *
frame_at(const struct play *p, size_t i)
{
	return i < p->nmain ? &p->src->v[i] : &p->err.v[i - p->nmain];
}

static double
jitter(struct play *p)
{
	uint64_t x;

	if (opt.jitter <= 0)
		return 0;
	/* xorshift64*: small, seeded, one state per stream */
	p->rng ^= p->rng >> 12;
	p->rng ^= p->rng << 25;
	p->rng ^= p->rng >> 27;
	x = p->rng * 2685821657736338717ULL;
	return ((double)(x >> 11) / 9007199254740992.0 * 2 - 1) * opt.jitter;
}

/* gap_ms is the wait before frame i. */
static double
gap_ms(struct play *p, size_t i)
{
	const struct emit_frame *f = frame_at(p, i), *prev;
	double ms;

	if (i == 0)
		ms = !opt.ttft_set && !opt.fixed_timing && i < p->nmain &&
		    f->has_t ? f->t * 1000 : opt.ttft;
	else {
		prev = frame_at(p, i - 1);
		if (!opt.fixed_timing && i < p->nmain && f->has_t &&
		    prev->has_t)
			ms = (f->t - prev->t) * 1000;
		else
			ms = opt.delay;
	}
	ms += jitter(p);
	return ms > 0 ? ms : 0;
}

static ssize_t
play_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct play *p = cls;
	const struct emit_frame *f;
	size_t n;
	int64_t base;

	(void)pos;
	if (atomic_load(&stopping))
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (p->off == 0) {
		/* p->i frames are out */
		if (opt.stall_after >= 0 && !p->stalled &&
		    p->i >= (size_t)opt.stall_after) {
			p->stalled = 1;
			if (wait_until(clock_mono_us() +
			    (int64_t)(opt.stall_s * 1e6)) == -1)
				return MHD_CONTENT_READER_END_WITH_ERROR;
		}
		if (opt.cut_after >= 0 && (p->i >= (size_t)opt.cut_after ||
		    p->i >= p->total))
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (p->i >= p->total)
			return MHD_CONTENT_READER_END_OF_STREAM;
		base = p->i == 0 ? p->start_us : p->last_us;
		if (wait_until(base + (int64_t)(gap_ms(p, p->i) * 1000)) == -1)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		p->last_us = clock_mono_us();
	} else if (opt.trickle) {
		if (wait_until(clock_mono_us() + TRICKLE_US) == -1)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	f = frame_at(p, p->i);
	n = f->len - p->off;
	if (n > max)
		n = max;
	if (opt.trickle && n > 1)
		n = 1;
	memcpy(out, f->p + p->off, n);
	p->off += n;
	if (p->off == f->len) {
		if (p->rec)
			mock_rec_bytes(p->rec, f->p, f->len, (double)(
			    clock_mono_us() - p->start_us) / 1e6);
		p->i++;
		p->off = 0;
	}
	return (ssize_t)n;
}

static void
play_free(void *cls)
{
	struct play *p = cls;
	char err[512];

	if (p->rec && mock_rec_close(p->rec, err, sizeof err) == -1 &&
	    !opt.quiet)
		warnx("record: %s", err);
	emit_stream_free(&p->own);
	emit_stream_free(&p->err);
	emit_stream_free(&p->shaped);
	free(p);
}

/* ---- non-streaming: the provider's body (mock_serve.h) ---- */

/* send_native answers s's non-streaming body: a recorded body as it is,
 * else the one mock_serve_native builds; with --record, a 200 is kept
 * (the request q to method url, model for the name). */
static enum MHD_Result
send_native(struct MHD_Connection *c, const struct emit_stream *s,
    const char *method, const char *url, const struct req *q,
    const char *model)
{
	struct buf b;
	enum MHD_Result rc;
	int status = 200;
	int64_t start = clock_mono_us();
	struct mock_rec *rec;
	char err[512];

	if (opt.ttft > 0 && wait_until(clock_mono_us() +
	    (int64_t)(opt.ttft * 1000)) == -1)
		return MHD_NO;
	buf_init(&b, 0);
	if (s->body)
		buf_append(&b, s->body, s->body_len);
	else
		status = mock_serve_native(s, &b);
	if (opt.record && status == 200 &&
	    (rec = record(c, method, url, q, s->d, model)) != NULL) {
		mock_rec_body(rec, provider_get(s->d)->name);
		mock_rec_bytes(rec, b.p ? b.p : "", b.len,
		    (double)(clock_mono_us() - start) / 1e6);
		if (mock_rec_close(rec, err, sizeof err) == -1 && !opt.quiet)
			warnx("record: %s", err);
	}
	rc = queue_buffer(c, status, "application/json", b.p ? b.p : "",
	    b.len, 0);
	buf_free(&b);
	return rc;
}

/* ---- the access handler ---- */

static int
wants_stream(const struct route *rt, jv body)
{
	if (rt->stream >= 0)
		return rt->stream;
	return provider_body_streams(rt->d, body);
}

static void
verbose(const char *method, const char *url, int status, const char *what)
{
	if (opt.verbose)
		warnx("%s %s %d %s", method, url, status, what);
}

/* strict_refusal: with --strict, 1 when the provider d refuses body
 * (req_refuse), with its 400 queued (*rc); else 0. */
static int
strict_refusal(struct MHD_Connection *c, const char *method, const char *url,
    enum dialect d, jv body, enum MHD_Result *rc)
{
	struct buf why;
	int hit;

	buf_init(&why, 0);
	if ((hit = req_refuse(d, body, &why)) != 0) {
		verbose(method, url, 400, why.p);
		*rc = send_error(c, d, 400, why.p, 0);
	}
	buf_free(&why);
	return hit;
}


static enum MHD_Result
respond(struct MHD_Connection *c, const char *url, const char *method,
    struct req *q)
{
	struct route rt;
	struct play *p;
	struct MHD_Response *rs;
	const struct emit_stream *src;
	const char *what, *model = NULL;
	char mbuf[256];
	jv body = jv_invalid();
	enum MHD_Result rc;
	int stream;

	route_of(url, method, &rt);
	if (q->body.len)
		body = jvx_parse(q->body.p, q->body.len);
	if (opt.log_fd >= 0)
		log_request(c, method, url, q, body);
	if (rt.kind == R_UNKNOWN || rt.kind == R_BAD_METHOD) {
		int st = rt.kind == R_UNKNOWN ? 404 : 405;

		jv_free(body);
		verbose(method, url, st, "no such endpoint");
		return send_error(c, rt.d, st, st == 404 ?
		    "No such endpoint." : "Method not allowed.", 0);
	}
	if (opt.require_key && !has_key(c, rt.d, rt.kind == R_MODELS)) {
		jv_free(body);
		verbose(method, url, 401, "no key");
		return send_error(c, rt.d, 401, NULL, 0);
	}
	if (atomic_fetch_add(&nfailed, 1) < opt.fail_n) {
		jv_free(body);
		verbose(method, url, opt.fail_status, "--fail");
		return send_error(c, rt.d, opt.fail_status, NULL, 1);
	}
	/* DNS rebinding: a page of any site can name its own host with
	 * 127.0.0.1 and reach a loopback relay; without a token, only a
	 * request naming a loopback host is relayed with the key */
	if (opt.proxy && opt.token == NULL && !loopback_host(
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host"))) {
		jv_free(body);
		verbose(method, url, 403, "Host names no loopback address");
		return send_error(c, rt.d, 403, "llm-mock --proxy relays only "
		    "requests naming a loopback host (Host: localhost, 127.x "
		    "or [::1]) unless --require-key=TOKEN is set.", 0);
	}
	if (opt.proxy)
		return proxy(c, url, method, q, &rt, body);
	if (rt.kind == R_MODELS) {
		jv_free(body);
		verbose(method, url, 200, "models");
		return send_models(c, url, rt.d);
	}
	if (!jv_is_valid(body) || jv_get_kind(body) != JV_KIND_OBJECT) {
		jv_free(body);
		verbose(method, url, 400, "body is not a JSON object");
		return send_error(c, rt.d, 400,
		    "The request body is not a JSON object.", 0);
	}
	if (opt.strict && strict_refusal(c, method, url, rt.d, body, &rc)) {
		jv_free(body);
		return rc;
	}
	if (body_field(body, "model", mbuf, sizeof mbuf))
		model = mbuf;
	else if (rt.model[0])
		model = rt.model;
	stream = wants_stream(&rt, body);
	p = xcalloc(1, sizeof *p);
	emit_stream_init(&p->own, rt.d);
	emit_stream_init(&p->err, rt.d);
	emit_stream_init(&p->shaped, rt.d);
	src = opt.echo ? NULL : pick_capture(rt.d, body, &rt, stream);
	if (src) {
		what = src->name;
	} else {
		what = answer(&p->own, rt.d, body, model);
		src = &p->own;
	}
	jv_free(body);
	if (mock_reshape(url, src, &p->shaped))
		src = &p->shaped;
	if (!stream) {
		verbose(method, url, 200, what);
		rc = send_native(c, src, method, url, q, model);
		play_free(p);
		return rc;
	}
	p->src = src;
	p->nmain = src->n;
	if (opt.error_after >= 0) {
		struct emit_msg m;

		memset(&m, 0, sizeof m);
		m.model = model;
		m.created = 1735689600;
		if ((size_t)opt.error_after < p->nmain)
			p->nmain = (size_t)opt.error_after;
		emit_error_event(&p->err, &m);
	}
	p->total = p->nmain + p->err.n;
	if (opt.record)
		p->rec = record(c, method, url, q, rt.d, model);
	p->start_us = clock_mono_us();
	p->rng = opt.seed * 0x9E3779B97F4A7C15ULL +
	    (uint64_t)atomic_fetch_add(&nrequests, 1) + 1;
	if (p->rng == 0)
		p->rng = 1;
	rs = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024,
	    play_read, p, play_free);
	if (rs == NULL) {
		play_free(p);
		return MHD_NO;
	}
	MHD_add_response_header(rs, MHD_HTTP_HEADER_CONTENT_TYPE,
	    emit_content_type(rt.d));
	MHD_add_response_header(rs, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	verbose(method, url, 200, what);
	rc = mock_queue(c, MHD_HTTP_OK, rs);
	MHD_destroy_response(rs);
	return rc;
}

/* drop frees a request's body and gives back what it held. */
static void
drop(struct req *q)
{
	buf_free(&q->body);
	release(q->reserved);
	q->reserved = 0;
}

/* refuse answers 413 (over --max-body) or 503 (--max-body-total
 * reached) before the body is read, and closes the connection: what the
 * client still sends is not read. */
static enum MHD_Result
refuse(struct MHD_Connection *c, const char *url, const char *method,
    struct req *q, int status)
{
	struct MHD_Response *rs;
	struct route rt;
	struct buf b;
	enum MHD_Result rc;

	drop(q);
	q->refused = 1;
	route_of(url, method, &rt);
	verbose(method, url, status, status == 413 ? "body too large" :
	    "--max-body-total reached");
	buf_init(&b, 0);
	emit_error_body(&b, rt.d, status, status == 413 ? NULL :
	    "Too many request bodies held at once (--max-body-total).");
	rs = MHD_create_response_from_buffer(b.len, b.p, MHD_RESPMEM_MUST_COPY);
	buf_free(&b);
	if (rs == NULL)
		return MHD_NO;
	MHD_add_response_header(rs, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "application/json");
	MHD_add_response_header(rs, MHD_HTTP_HEADER_CONNECTION, "close");
	if (status == 503)
		MHD_add_response_header(rs, "Retry-After", "1");
	rc = mock_queue(c, (unsigned)status, rs);
	MHD_destroy_response(rs);
	return rc;
}

/* cut_off ends a connection whose chunked body went over a limit. */
static enum MHD_Result
cut_off(const char *url, const char *method, struct req *q, int status)
{
	drop(q);
	q->refused = 1;
	verbose(method, url, status, status == 413 ? "body too large, "
	    "connection closed" : "--max-body-total reached, connection "
	    "closed");
	return MHD_NO;
}

/* announced returns the request's Content-Length, or -1 when there is
 * none (chunked) or it cannot be read (MHD refuses those itself). */
static long long
announced(struct MHD_Connection *c)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long n;
	char *end;

	if (v == NULL || *v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end != '\0' || n > (unsigned long long)LLONG_MAX)
		return LLONG_MAX;
	return (long long)n;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req_cls)
{
	struct req *q = *req_cls;
	enum MHD_Result rc;
	long long len;
	size_t n;

	(void)cls;
	(void)version;
	if (q == NULL && mock_cors_preflight(c, method, &rc)) {
		verbose(method, url, 204, "CORS preflight");
		return rc;
	}
	if (q == NULL) {
		q = xcalloc(1, sizeof *q);
		buf_init(&q->body, opt.max_body);
		*req_cls = q;
		/* the announced length decides at once, before any byte of
		 * the body is read: over the limit, or over what is left */
		if ((len = announced(c)) > 0) {
			if ((unsigned long long)len > opt.max_body)
				return refuse(c, url, method, q, 413);
			if (hold((size_t)len) == -1)
				return refuse(c, url, method, q, 503);
			q->reserved = (size_t)len;
		}
		return MHD_YES;
	}
	if (q->refused) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		n = *upload_size;
		*upload_size = 0;
		/* A chunked body (no length announced) found too big on the
		 * way: libmicrohttpd takes no answer in the middle of a body,
		 * so the connection is closed at once instead. */
		if (n > opt.max_body - q->body.len)
			return cut_off(url, method, q, 413);
		if (q->body.len + n > q->reserved) {
			if (hold(q->body.len + n - q->reserved) == -1)
				return cut_off(url, method, q, 503);
			q->reserved = q->body.len + n;
		}
		if (buf_append(&q->body, upload, n) == -1)
			return cut_off(url, method, q, 413);
		return MHD_YES;
	}
	rc = respond(c, url, method, q);
	/* the answer needs the body no more: a long stream does not keep it */
	drop(q);
	return rc;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *q = *req_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (q) {
		drop(q);
		free(q);
		*req_cls = NULL;
	}
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	if (opt.quiet || !opt.verbose)
		return;
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof msg, fmt, ap);
	/* libmicrohttpd's messages end with a newline; warnx adds one */
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	warnx("%s", msg);
}

/* ---- setup ---- */

static void
parse_listen(const char *s)
{
	const char *colon = strrchr(s, ':');
	long port;

	if (colon == NULL || args_long(colon + 1, 0, 65535, &port) == -1)
		usage_error("--listen: expected HOST:PORT, got '%s'", s);
	if (s[0] == '[' && colon > s && colon[-1] == ']')
		opt.host = xmemdup(s + 1, (size_t)(colon - s - 2));
	else
		opt.host = xmemdup(s, (size_t)(colon - s));
	if (opt.host[0] == '\0') {
		free(opt.host);
		opt.host = xstrdup("127.0.0.1");
	}
	opt.port = xstrdup(colon + 1);
}

static double
parse_ms(const char *name, const char *s)
{
	double v;

	if (args_double(s, &v) == -1)
		usage_error("%s: expected milliseconds, got '%s'", name, s);
	return v;
}

static long
parse_count(const char *name, const char *s)
{
	long v;

	if (args_long(s, 0, 1000000000L, &v) == -1)
		usage_error("%s: expected a count, got '%s'", name, s);
	return v;
}

static void
parse_fail(const char *s)
{
	char *copy = xstrdup(s), *st, *ra;
	long n, status;

	st = strchr(copy, ':');
	if (st == NULL)
		usage_error("--fail: expected N:STATUS[:RETRY_AFTER], got '%s'",
		    s);
	*st++ = '\0';
	ra = strchr(st, ':');
	if (ra)
		*ra++ = '\0';
	if (args_long(copy, 0, 1000000000L, &n) == -1 ||
	    args_long(st, 100, 999, &status) == -1)
		usage_error("--fail: expected N:STATUS[:RETRY_AFTER], got '%s'",
		    s);
	if (ra) {
		if (*ra == '\0' || strlen(ra) >= sizeof opt.fail_retry ||
		    strpbrk(ra, "\r\n"))
			usage_error("--fail: bad Retry-After value '%s'", ra);
		snprintf(opt.fail_retry, sizeof opt.fail_retry, "%s", ra);
	}
	opt.fail_n = n;
	opt.fail_status = (int)status;
	free(copy);
}

static void
parse_fail_header(const char *s)
{
	const char *colon = strchr(s, ':'), *v;

	if (colon == NULL || colon == s || strpbrk(s, "\r\n") ||
	    memchr(s, ' ', (size_t)(colon - s)))
		usage_error("--fail-header: expected 'Name: value', got '%s'",
		    s);
	if (opt.nfail_headers == MAX_FAIL_HEADERS)
		usage_error("--fail-header: at most %d", MAX_FAIL_HEADERS);
	v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	opt.fail_hname[opt.nfail_headers] = xmemdup(s, (size_t)(colon - s));
	opt.fail_hvalue[opt.nfail_headers] = xstrdup(v);
	opt.nfail_headers++;
}

static void
load_captures(char **paths, int n)
{
	struct emit_stream s;
	char err[256];
	int i;

	for (i = 0; i < n; i++) {
		if (mock_capture_load(paths[i], &s, 0, err, sizeof err) == -1)
			die(LP_EXIT_FAIL, "%s: %s", paths[i], err);
		caps[s.d] = xrealloc(caps[s.d], (ncaps[s.d] + 1) *
		    sizeof *caps[s.d]);
		caps[s.d][ncaps[s.d]++] = s;
		if (opt.verbose)
			warnx("%s: %s, %zu events", paths[i],
			    dialect_name(s.d), s.n);
	}
}

static void
free_captures(void)
{
	size_t d, i;

	for (d = 0; d < NDIALECTS; d++) {
		for (i = 0; i < ncaps[d]; i++)
			emit_stream_free(&caps[d][i]);
		free(caps[d]);
	}
}

/* listen_on binds and listens; returns the socket and the bound port. */
static int
listen_on(const char *host, const char *port, int *bound)
{
	struct addrinfo hints, *res, *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	int fd = -1, one = 1, rc, saved = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0)
		die(LP_EXIT_FAIL, "%s:%s: %s", host, port, gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1) {
			saved = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, 1024) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		die(LP_EXIT_FAIL, "%s:%s: %s", host, port, strerror(saved));
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1)
		die(LP_EXIT_FAIL, "getsockname: %s", strerror(errno));
	*bound = ss.ss_family == AF_INET6 ?
	    ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) :
	    ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* start_proxy: --proxy is never an open relay: on an address other than
 * loopback, clients must hold --require-key's token. */
static void
start_proxy(int fd)
{
	char err[512], *key = NULL;

	if (!mock_fd_is_loopback(fd) && opt.token == NULL)
		usage_error("--proxy on %s, not a loopback address, needs "
		    "--require-key=TOKEN: it would relay anyone's requests "
		    "with your key", opt.host);
	if (opt.key_file && (key = mock_proxy_read_key(opt.key_file, err,
	    sizeof err)) == NULL)
		die(LP_EXIT_USAGE, "--api-key-file: %s", err);
	if (mock_proxy_setup(opt.proxy, key, opt.record, opt.max_body_total,
	    opt.proxy_timeout, err, sizeof err) == -1)
		usage_error("--proxy: %s", err);
	free(key);
}

static void
on_signal(int sig)
{
	(void)sig; /* never runs: the signals are blocked and taken by sigwait */
}

static void
more_files(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char **argv)
{
	struct MHD_Daemon *d;
	struct sigaction sa;
	pthread_condattr_t ca;
	sigset_t set, pipe_set;
	char url[512];
	int c, fd, port, sig;
	size_t sz;
	struct stat st;

	err_init(argv);
	err_usage(usage_text);
	mem_init();
	while ((c = getopt_long(argc, argv, "l:ep:vqhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			free(opt.host);
			free(opt.port);
			parse_listen(optarg);
			break;
		case 'e':
			opt.echo = 1;
			break;
		case 'p':
			opt.pick = optarg;
			break;
		case OPT_TTFT:
			opt.ttft = parse_ms("--ttft", optarg);
			opt.ttft_set = 1;
			break;
		case OPT_DELAY:
			opt.delay = parse_ms("--delay", optarg);
			break;
		case OPT_TIMING:
			if (strcmp(optarg, "recorded") == 0)
				opt.fixed_timing = 0;
			else if (strcmp(optarg, "fixed") == 0)
				opt.fixed_timing = 1;
			else
				usage_error("--timing: expected recorded or "
				    "fixed, got '%s'", optarg);
			break;
		case OPT_JITTER:
			opt.jitter = parse_ms("--jitter", optarg);
			break;
		case OPT_SEED:
			opt.seed = (uint64_t)parse_count("--seed", optarg);
			break;
		case OPT_FAIL:
			parse_fail(optarg);
			break;
		case OPT_FAIL_HEADER:
			parse_fail_header(optarg);
			break;
		case OPT_CUT_AFTER:
			opt.cut_after = parse_count("--cut-after", optarg);
			break;
		case OPT_STALL_AFTER: {
			char *colon = strchr(optarg, ':');

			if (colon == NULL || args_double(colon + 1,
			    &opt.stall_s) == -1)
				usage_error("--stall-after: expected K:SECONDS, "
				    "got '%s'", optarg);
			*colon = '\0';
			opt.stall_after = parse_count("--stall-after", optarg);
			break;
		}
		case OPT_ERROR_AFTER:
			opt.error_after = parse_count("--error-after", optarg);
			break;
		case OPT_TRICKLE:
			opt.trickle = 1;
			break;
		case OPT_STRICT: opt.strict = 1; break;
		case OPT_REQUIRE_KEY:
			opt.require_key = 1;
			if (optarg && (*optarg == '\0' ||
			    strpbrk(optarg, "\r\n")))
				usage_error("--require-key: a token of one line, "
				    "not empty");
			opt.token = optarg;
			break;
		case OPT_CORS:
			if (mock_cors_allow(optarg) == -1)
				usage_error("--cors: expected * or an origin "
				    "(scheme://host[:port]), got '%s'", optarg);
			break;
		case OPT_PROXY:
			opt.proxy = optarg;
			break;
		case OPT_KEY_FILE:
			opt.key_file = optarg;
			break;
		case OPT_PROXY_TIMEOUT:
			if (args_double(optarg, &opt.proxy_timeout) == -1 ||
			    opt.proxy_timeout <= 0 ||
			    opt.proxy_timeout > 86400)
				usage_error("--proxy-timeout: expected seconds "
				    "(above 0, at most 86400), got '%s'",
				    optarg);
			break;
		case OPT_RECORD:
			opt.record = optarg;
			break;
		case OPT_LOG_REQUESTS:
			if (opt.log_fd >= 0)
				close(opt.log_fd);
			opt.log_fd = open(optarg, O_WRONLY | O_APPEND |
			    O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
			if (opt.log_fd == -1)
				die(LP_EXIT_FAIL, "%s: %s", optarg,
				    strerror(errno));
			break;
		case OPT_MAX_BODY:
			if (args_size(optarg, &sz) == -1 || sz == 0)
				usage_error("--max-body: expected a size, got "
				    "'%s'", optarg);
			opt.max_body = sz;
			break;
		case OPT_MAX_BODY_TOTAL:
			if (args_size(optarg, &sz) == -1 || sz == 0)
				usage_error("--max-body-total: expected a size, "
				    "got '%s'", optarg);
			opt.max_body_total = sz;
			opt.max_body_total_set = 1;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case 'q':
			opt.quiet = 1;
			break;
		case 'h':
			print_help(provider_usage(usage_text));
		case 'V':
			print_version();
		default:
			usage_hint();
		}
	}
	if (opt.quiet)
		opt.verbose = 0;
	if (opt.max_body > opt.max_body_total) {
		if (opt.max_body_total_set)
			usage_error("--max-body-total must be at least --max-body");
		opt.max_body_total = opt.max_body;
	}
	/* Bodies over 128 KiB get pages of their own, given back to the
	 * system when freed, rather than growing a thread's arena for good
	 * (glibc raises this threshold as large blocks are freed). */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	if (opt.host == NULL) {
		opt.host = xstrdup("127.0.0.1");
		opt.port = xstrdup("0");
	}
	load_captures(argv + optind, argc - optind);
	more_files();

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&stop_cv, &ca);
	pthread_condattr_destroy(&ca);

	/* The server's threads inherit a mask without SIGINT, SIGTERM and
	 * SIGPIPE: the main thread takes the signals with sigwait. A shell
	 * starts background jobs with SIGINT ignored, and an ignored signal
	 * never reaches sigwait: give both a handler first. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	fd = listen_on(opt.host, opt.port, &port);
	errno = 0;
	if (opt.record && (stat(opt.record, &st) == -1 ||
	    !S_ISDIR(st.st_mode)))
		die(LP_EXIT_FAIL, "--record: %s: %s", opt.record, errno ?
		    strerror(errno) : "not a directory");
	if (opt.proxy)
		start_proxy(fd);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
	    (opt.verbose ? MHD_USE_ERROR_LOG : 0),
	    0, NULL, NULL, on_request, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)4000,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)600,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024),
	    MHD_OPTION_END);
	if (d == NULL)
		die(LP_EXIT_FAIL, "cannot start the HTTP server on %s:%s",
		    opt.host, opt.port);

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_UNBLOCK, &pipe_set, NULL);
	snprintf(url, sizeof url, strchr(opt.host, ':') ? "http://[%s]:%d\n" :
	    "http://%s:%d\n", opt.host, port);
	out_puts(url);
	out_flush();

	sigdelset(&set, SIGPIPE);
	while (sigwait(&set, &sig) != 0)
		;
	if (opt.verbose)
		warnx("stopping on signal %d", sig);
	pthread_mutex_lock(&stop_mu);
	atomic_store(&stopping, 1);
	pthread_cond_broadcast(&stop_cv);
	pthread_mutex_unlock(&stop_mu);
	mock_proxy_stop();
	MHD_stop_daemon(d); /* closes the listening socket too */
	if (opt.log_fd >= 0)
		close(opt.log_fd);
	free_captures();
	for (c = 0; c < opt.nfail_headers; c++) {
		free(opt.fail_hname[c]);
		free(opt.fail_hvalue[c]);
	}
	free(opt.host);
	free(opt.port);
	out_close();
	return LP_EXIT_OK;
}
