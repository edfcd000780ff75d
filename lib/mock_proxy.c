/* mock_proxy.c - llm-mock's forwarding proxy (mock_proxy.h). */
#include "mock_proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "clock.h"
#include "emit.h"
#include "mem.h"
#include "mock_http.h"
#include "mock_record.h"
#include "provider.h"
#include "req_spec.h"

static char *base;                    /* upstream, no trailing '/' */
static char *keys[DIALECT_COUNT + 1]; /* by dialect, or NULL */
static const char *rec_dir;
static atomic_int stopping;
static size_t max_total;          /* bytes all exchanges may hold */
static atomic_size_t held;        /* bytes they hold (reserved) */
static double idle_s;             /* the longest upstream silence */

#define HDRS_MAX (64 * 1024)

/* reserve counts n bytes against max_total: 0, or -1 when over. */
static int
reserve(size_t n)
{
	size_t cur = atomic_load(&held);

	do {
		if (n > max_total || cur > max_total - n)
			return -1;
	} while (!atomic_compare_exchange_weak(&held, &cur, cur + n));
	return 0;
}

/* One exchange, shared by the upstream thread and the client's answer;
 * freed by whichever lets go last. */
struct px {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int refs;
	int headed;            /* the upstream's status and headers are in */
	int done;              /* the upstream transfer ended */
	int cancel;            /* the client went away */
	long status;
	CURLcode res;
	char errbuf[CURL_ERROR_SIZE];
	curl_socket_t sock;    /* the upstream connection, while open */
	struct buf hdrs;       /* "Name\0value\0" pairs to pass back */
	struct buf q;          /* answer bytes not yet taken by the client */
	CURL *easy;
	struct curl_slist *hl;
	char *url, *body;
	size_t len;
	size_t reserved;       /* counted in held */
	int64_t start_us;
	struct mock_rec *rec;
	enum dialect d;
	char *model, *logline;
	size_t loglen;
};

char *
mock_proxy_read_key(const char *path, char *err, size_t errlen)
{
	struct buf b;
	char tmp[4096];
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *k;

	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf_init(&b, 65536);
	while ((r = read(fd, tmp, sizeof tmp)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || buf_append(&b, tmp, (size_t)r) == -1) {
			snprintf(err, errlen, "%s: %s", path, r < 0 ?
			    strerror(errno) : "too large for a key file");
			close(fd);
			buf_free(&b);
			return NULL;
		}
	}
	close(fd);
	while (b.len && strchr(" \t\r\n", b.p[b.len - 1]))
		b.len--;
	if (b.len == 0 || memchr(b.p, '\n', b.len) || memchr(b.p, '\r',
	    b.len)) {
		snprintf(err, errlen, "%s: %s", path, b.len ? "the key file "
		    "must hold one line" : "empty key file");
		buf_free(&b);
		return NULL;
	}
	k = xmemdup(b.p, b.len);
	buf_free(&b);
	return k;
}

int
mock_proxy_setup(const char *url, const char *key, const char *record_dir,
    size_t max, double timeout_s, char *err, size_t errlen)
{
	const struct provider *p;
	size_t i, n = strlen(url);
	const char *k;

	if ((strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0) || strpbrk(url, "?#@ \r\n")) {
		snprintf(err, errlen, "expected an http:// or https:// base "
		    "URL without query or credentials, got '%s'", url);
		return -1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "cannot initialise libcurl");
		return -1;
	}
	while (n && url[n - 1] == '/')
		n--;
	base = xmemdup(url, n);
	for (i = 0; (p = provider_at(i)) != NULL; i++) {
		k = key;
		if (k == NULL && p->key_env && ((k = getenv(p->key_env)) ==
		    NULL || *k == '\0') && p->key_env_alt)
			k = getenv(p->key_env_alt);
		if (k && *k && !strpbrk(k, "\r\n"))
			keys[p->id] = xstrdup(k);
	}
	rec_dir = record_dir;
	max_total = max;
	idle_s = timeout_s > 0 ? timeout_s : MOCK_PROXY_TIMEOUT;
	return 0;
}

int
mock_proxy_on(void)
{
	return base != NULL;
}

void
mock_proxy_stop(void)
{
	atomic_store(&stopping, 1);
}

static void
px_unref(struct px *x)
{
	int last;

	pthread_mutex_lock(&x->mu);
	last = --x->refs == 0;
	pthread_mutex_unlock(&x->mu);
	if (!last)
		return;
	pthread_mutex_destroy(&x->mu);
	pthread_cond_destroy(&x->cv);
	curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->hl);
	buf_free(&x->hdrs);
	buf_free(&x->q);
	free(x->url);
	free(x->body);
	free(x->model);
	free(x->logline);
	atomic_fetch_sub(&held, x->reserved);
	free(x);
}

/* Headers never passed on, either way: the connection's own, the
 * length (the body is re-framed), cookies. */
static int
hop_header(const char *name, size_t n)
{
	static const char *const hop[] = { "connection", "keep-alive",
		"transfer-encoding", "te", "trailer", "upgrade",
		"proxy-connection", "content-length", "host", "expect",
		"set-cookie", "accept-encoding", "content-encoding", "origin",
		"referer", "alt-svc", "strict-transport-security",
		"access-control-allow-origin", "access-control-expose-headers",
		"access-control-allow-credentials", "vary" };
	size_t i;

	for (i = 0; i < sizeof hop / sizeof hop[0]; i++)
		if (strlen(hop[i]) == n && strncasecmp(hop[i], name, n) == 0)
			return 1;
	return n >= 6 && strncasecmp(name, "proxy-", 6) == 0;
}

static size_t
on_header(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct px *x = ctx;
	size_t n = size * nmemb, k, e = n;
	const char *v;

	pthread_mutex_lock(&x->mu);
	if (n > 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* a status line: a 1xx's headers are forgotten */
		buf_reset(&x->hdrs);
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
	} else if (n <= 2 && (p[0] == '\r' || p[0] == '\n')) {
		if (x->status >= 200 && !x->headed) {
			x->headed = 1;
			pthread_cond_broadcast(&x->cv);
		}
	} else if ((v = memchr(p, ':', n)) != NULL && !x->headed) {
		k = (size_t)(v - p);
		while (e && (p[e - 1] == '\r' || p[e - 1] == '\n'))
			e--;
		v++;
		while (v < p + e && (*v == ' ' || *v == '\t'))
			v++;
		if (!hop_header(p, k)) {
			buf_append(&x->hdrs, p, k);
			buf_putc(&x->hdrs, '\0');
			buf_append(&x->hdrs, v, (size_t)(p + e - v));
			buf_putc(&x->hdrs, '\0');
		}
	}
	pthread_mutex_unlock(&x->mu);
	return n;
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct px *x = ctx;
	size_t n = size * nmemb;

	pthread_mutex_lock(&x->mu);
	if (!x->headed) {
		x->headed = 1;
		pthread_cond_broadcast(&x->cv);
	}
	while (!x->cancel && x->q.len && x->q.len + n > MOCK_PROXY_HELD)
		pthread_cond_wait(&x->cv, &x->mu);
	if (x->cancel) {
		pthread_mutex_unlock(&x->mu);
		return 0; /* ends the transfer */
	}
	buf_append(&x->q, p, n);
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
	/* the recorder is this thread's alone */
	if (x->rec)
		mock_rec_bytes(x->rec, p, n,
		    (double)(clock_mono_us() - x->start_us) / 1e6);
	return n;
}

static curl_socket_t
on_open(void *ctx, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct px *x = ctx;
	curl_socket_t s;

	(void)purpose;
	s = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	pthread_mutex_lock(&x->mu);
	x->sock = s;
	if (x->cancel && s != CURL_SOCKET_BAD)
		shutdown(s, SHUT_RDWR);
	pthread_mutex_unlock(&x->mu);
	return s;
}

static int
on_close(void *ctx, curl_socket_t s)
{
	struct px *x = ctx;

	pthread_mutex_lock(&x->mu);
	if (x->sock == s)
		x->sock = CURL_SOCKET_BAD;
	pthread_mutex_unlock(&x->mu);
	return close(s);
}

/* record_start: a 200 of the provider's stream content type is kept as
 * a stream, a 200 of JSON as a non-streaming body. */
static void
record_start(struct px *x)
{
	const struct provider *p = provider_get(x->d);
	const char *ct = NULL;
	char err[512];
	int body;

	curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct);
	if (rec_dir == NULL || x->status != 200 || ct == NULL || p == NULL)
		return;
	body = strncasecmp(ct, "application/json", 16) == 0;
	if (!body && strncasecmp(ct, p->content_type,
	    strlen(p->content_type)) != 0)
		return;
	x->rec = mock_rec_new(rec_dir, x->model, p->ndjson, x->logline,
	    x->loglen, err, sizeof err);
	if (x->rec == NULL)
		fprintf(stderr, "llm-mock: record: %s\n", err);
	else if (body)
		mock_rec_body(x->rec, p->name);
}

static size_t
on_body_first(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct px *x = ctx;

	if (x->rec == NULL && rec_dir)
		record_start(x);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_body);
	return on_body(p, size, nmemb, ctx);
}

static void *
upstream(void *ctx)
{
	struct px *x = ctx;
	CURLcode res;
	char err[512];

	res = curl_easy_perform(x->easy);
	/* a stream cut short is kept (it is what the client saw), a body
	 * cut short is not */
	if (x->rec && res != CURLE_OK && mock_rec_drop_body(x->rec))
		x->rec = NULL;
	if (x->rec && mock_rec_close(x->rec, err, sizeof err) == -1)
		fprintf(stderr, "llm-mock: record: %s\n", err);
	x->rec = NULL;
	pthread_mutex_lock(&x->mu);
	x->res = res;
	x->done = 1;
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
	px_unref(x);
	return NULL;
}

/* wait_cv waits on x->cv (locked) at most 200 ms: the server's stop is
 * seen even when nothing else comes. */
static void
wait_cv(struct px *x)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 200 * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&x->cv, &x->mu, &ts);
}

static ssize_t
px_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct px *x = cls;
	ssize_t r;
	size_t n;

	(void)pos;
	pthread_mutex_lock(&x->mu);
	while (x->q.len == 0 && !x->done && !atomic_load(&stopping))
		wait_cv(x);
	if (x->q.len) {
		n = x->q.len < max ? x->q.len : max;
		memcpy(out, x->q.p, n);
		memmove(x->q.p, x->q.p + n, x->q.len - n);
		x->q.len -= n;
		pthread_cond_broadcast(&x->cv);
		r = (ssize_t)n;
	} else if (x->done && x->res == CURLE_OK)
		r = MHD_CONTENT_READER_END_OF_STREAM;
	else
		/* the upstream broke off (or the server stops): so does the
		 * answer, as it would have from the provider */
		r = MHD_CONTENT_READER_END_WITH_ERROR;
	pthread_mutex_unlock(&x->mu);
	return r;
}

static void
px_free(void *cls)
{
	struct px *x = cls;

	pthread_mutex_lock(&x->mu);
	x->cancel = 1;
	if (x->sock != CURL_SOCKET_BAD)
		shutdown(x->sock, SHUT_RDWR);
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
	px_unref(x);
}

struct hctx {
	struct curl_slist *hl;
};

static enum MHD_Result
add_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct hctx *h = cls;
	struct buf b;
	size_t n = strlen(key);

	(void)kind;
	if (hop_header(key, n) || req_header_is_secret(key, n) ||
	    value == NULL || strpbrk(value, "\r\n"))
		return MHD_YES;
	buf_init(&b, 0);
	buf_printf(&b, "%s: %s", key, value);
	h->hl = curl_slist_append(h->hl, b.p);
	buf_free(&b);
	return MHD_YES;
}

/* add_query rebuilds the query, without a key parameter (key_query). */
static enum MHD_Result
add_query(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct buf *b = cls;
	const struct provider *p;
	size_t i;

	(void)kind;
	for (i = 0; (p = provider_at(i)) != NULL; i++)
		if (p->key_query && strcmp(p->key_query, key) == 0)
			return MHD_YES;
	if (b->p[b->len - 1] != '?')
		buf_putc(b, '&');
	buf_put_pct(b, key);
	if (value) {
		buf_putc(b, '=');
		buf_put_pct(b, value);
	}
	return MHD_YES;
}

/* refuse_with answers status (502: the upstream failed; 504: it sent
 * nothing for idle_s; 503: too much held at once) in d's error shape. */
static enum MHD_Result
refuse_with(struct MHD_Connection *c, enum dialect d, int status,
    const char *why)
{
	struct MHD_Response *rs;
	struct buf b, m;
	enum MHD_Result rc;

	buf_init(&b, 0);
	buf_init(&m, 0);
	buf_printf(&m, "llm-mock --proxy: %s%s", status == 502 ?
	    "upstream: " : "", why);
	emit_error_body(&b, d, status, m.p);
	rs = MHD_create_response_from_buffer(b.len, b.p,
	    MHD_RESPMEM_MUST_COPY);
	buf_free(&b);
	buf_free(&m);
	if (rs == NULL)
		return MHD_NO;
	MHD_add_response_header(rs, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "application/json");
	if (status == 503)
		MHD_add_response_header(rs, "Retry-After", "1");
	rc = mock_queue(c, (unsigned)status, rs);
	MHD_destroy_response(rs);
	return rc;
}

static enum MHD_Result
bad_gateway(struct MHD_Connection *c, enum dialect d, const char *why)
{
	return refuse_with(c, d, 502, why);
}

/* client_gone: the client of c closed its end (or it broke): a peek
 * reads the end of the stream, or an error other than "nothing yet".
 * Bytes it sent after the request (pipelining) are not an end. */
static int
client_gone(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_CONNECTION_FD);
	char ch;
	ssize_t r;

	if (ci == NULL)
		return 0;
	r = recv(ci->connect_fd, &ch, 1, MSG_PEEK | MSG_DONTWAIT);
	return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR);
}

enum MHD_Result
mock_proxy_answer(struct MHD_Connection *c, const char *url,
    const char *method, enum dialect d, const char *model, const char *body,
    size_t len, const char *logline, size_t loglen)
{
	const struct provider *p = provider_get(d);
	struct px *x;
	struct hctx h = { NULL };
	struct buf u;
	struct MHD_Response *rs;
	pthread_t th;
	pthread_attr_t attr;
	enum MHD_Result rc;
	const char *k;
	size_t i;
	char line[8192];
	size_t need = len + MOCK_PROXY_HELD + CURL_MAX_WRITE_SIZE + HDRS_MAX;
	int gone = 0, late = 0;

	if (reserve(need) == -1)
		return refuse_with(c, d, 503, "too many answers held at once "
		    "(--max-body-total)");
	x = xcalloc(1, sizeof *x);
	x->reserved = need;
	pthread_mutex_init(&x->mu, NULL);
	pthread_cond_init(&x->cv, NULL);
	x->refs = 2;
	x->sock = CURL_SOCKET_BAD;
	x->d = d;
	x->model = model ? xstrdup(model) : NULL;
	x->logline = xmemdup(logline, loglen);
	x->loglen = loglen;
	buf_init(&x->hdrs, HDRS_MAX);
	buf_init(&x->q, MOCK_PROXY_HELD + CURL_MAX_WRITE_SIZE);
	buf_init(&u, 0);
	buf_puts(&u, base);
	buf_puts(&u, url);
	buf_putc(&u, '?');
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_query, &u);
	if (u.p[u.len - 1] == '?')
		u.len--;
	x->url = xmemdup(u.p, u.len);
	buf_free(&u);
	x->body = xmemdup(body ? body : "", len);
	x->len = len;
	MHD_get_connection_values(c, MHD_HEADER_KIND, add_header, &h);
	/* the provider's key, never the client's (dropped above as secret) */
	k = p ? keys[p->id] : NULL;
	if (k && p->key_header) {
		snprintf(line, sizeof line, "%s: %s%s", p->key_header,
		    p->key_prefix, k);
		h.hl = curl_slist_append(h.hl, line);
	}
	h.hl = curl_slist_append(h.hl, "Expect:");
	x->hl = h.hl;
	x->easy = curl_easy_init();
	if (x->easy == NULL) {
		x->refs = 1;
		px_unref(x);
		return bad_gateway(c, d, "cannot initialise libcurl");
	}
	curl_easy_setopt(x->easy, CURLOPT_URL, x->url);
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->body);
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)x->len);
	} else
		curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->hl);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, rec_dir ?
	    on_body_first : on_body);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_OPENSOCKETFUNCTION, on_open);
	curl_easy_setopt(x->easy, CURLOPT_OPENSOCKETDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_CLOSESOCKETFUNCTION, on_close);
	curl_easy_setopt(x->easy, CURLOPT_CLOSESOCKETDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	/* a redirect is the client's to follow, with its own credentials:
	 * the key goes to the configured host only */
	curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS, 30000L);
	curl_easy_setopt(x->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	/* an upstream that goes silent (before its headers or after) is
	 * given up after idle_s: curl's check is under a byte a second for
	 * that long */
	curl_easy_setopt(x->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(x->easy, CURLOPT_LOW_SPEED_TIME,
	    (long)(idle_s + 0.999));
	curl_easy_setopt(x->easy, CURLOPT_USERAGENT, NULL);
	curl_easy_setopt(x->easy, CURLOPT_NOPROXY, "*");
	x->start_us = clock_mono_us();
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, upstream, x) != 0) {
		pthread_attr_destroy(&attr);
		x->refs = 1;
		px_unref(x);
		return bad_gateway(c, d, "cannot start a thread");
	}
	pthread_attr_destroy(&attr);

	/* until the headers: the client's going away, or the upstream's
	 * silence over idle_s, ends the upstream request */
	pthread_mutex_lock(&x->mu);
	while (!x->headed && !x->done && !atomic_load(&stopping) &&
	    !(gone = client_gone(c)) && !(late = clock_mono_us() -
	    x->start_us > (int64_t)(idle_s * 1e6)))
		wait_cv(x);
	if (!x->headed) {
		char why[CURL_ERROR_SIZE + 64];
		int st = 502;

		if (late || (x->done && x->res == CURLE_OPERATION_TIMEDOUT)) {
			st = 504;
			snprintf(why, sizeof why, "upstream: nothing came for "
			    "%g s (--proxy-timeout)", idle_s);
		} else
			snprintf(why, sizeof why, "%s", x->done ?
			    (x->errbuf[0] ? x->errbuf :
			    curl_easy_strerror(x->res)) : gone ?
			    "the client went away" : "stopping");
		x->cancel = 1;
		if (x->sock != CURL_SOCKET_BAD)
			shutdown(x->sock, SHUT_RDWR);
		pthread_cond_broadcast(&x->cv);
		pthread_mutex_unlock(&x->mu);
		px_unref(x);
		if (gone)
			return MHD_NO; /* no one to answer */
		return refuse_with(c, d, st, why);
	}
	pthread_mutex_unlock(&x->mu);
	rs = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024,
	    px_read, x, px_free);
	if (rs == NULL) {
		px_free(x);
		return MHD_NO;
	}
	/* the headers are complete once headed: read without the lock */
	for (i = 0; i < x->hdrs.len; ) {
		const char *name = x->hdrs.p + i;
		const char *value = name + strlen(name) + 1;

		MHD_add_response_header(rs, name, value);
		i = (size_t)(value + strlen(value) + 1 - x->hdrs.p);
	}
	rc = mock_queue(c, (unsigned)x->status, rs);
	MHD_destroy_response(rs);
	return rc;
}
